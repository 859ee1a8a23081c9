/**
 * Response headers: MIME types, CORS, cache lifetimes (the LL-HLS server profile, spec ll-hls §1.4),
 * extra headers and the optional Server-UTC.
 */
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { extname } from 'node:path';
import { MANIFEST_FORMATS } from '../../src/manifest/manifest-formats.js';
import type { ServerOptions } from './options.js';

const MIME: Record<string, string> = {
  // Manifests: the packager's format table.
  ...Object.fromEntries(MANIFEST_FORMATS.map((f) => [f.extension, f.mimeType])),
  mp4: 'video/mp4',
  m4s: 'video/iso.segment',
  m4a: 'audio/mp4',
  m4v: 'video/mp4',
  cmfv: 'video/mp4',
  cmfa: 'audio/mp4',
  mp3: 'audio/mpeg',
  aac: 'audio/aac',
  ts: 'video/mp2t',
  vtt: 'text/vtt',
  html: 'text/html; charset=utf-8',
  js: 'text/javascript',
  json: 'application/json',
  txt: 'text/plain; charset=utf-8',
  xml: 'application/xml',
};

export function mimeOf(path: string): string {
  const ext = extname(path).slice(1).toLowerCase();
  // LL-HLS part files (`seg.m4s.3`) are segments too.
  if (/^\d+$/.test(ext)) return mimeOf(path.slice(0, path.lastIndexOf('.')));
  return MIME[ext] ?? 'application/octet-stream';
}

/** Text formats worth compressing. */
export function isText(path: string): boolean {
  return /\.(m3u8|mpd|xml|vtt|txt|json|html|js)$/i.test(path);
}

export type CacheClass =
  /** Playlist answered after a blocking reload (or a hinted media request held). */
  | 'blocking'
  /** Playlist / manifest answered at once. */
  | 'live'
  /** A complete media file. */
  | 'media'
  | 'blocking-error'
  | 'live-error'
  | 'error'
  | 'none';

/**
 * Cache-Control per the LL-HLS server profile: blocking responses 6 × TD, their errors 4 × TD;
 * non-blocking playlists TD / 2, their errors TD; complete segments 300 s (Apple's origin);
 * other errors and the UTC time: no-cache.
 */
export function cacheControl(cls: CacheClass, targetDuration: number): string | undefined {
  const td = Math.max(1, targetDuration);
  switch (cls) {
    case 'blocking':
      return `public, max-age=${Math.round(6 * td)}`;
    case 'blocking-error':
      return `public, max-age=${Math.round(4 * td)}`;
    case 'live':
      return `public, max-age=${Math.max(1, Math.floor(td / 2))}`;
    case 'live-error':
      return `public, max-age=${Math.round(td)}`;
    case 'media':
      return 'public, max-age=300';
    case 'error':
      return 'no-cache';
    case 'none':
      return undefined;
  }
}

const EXPOSED = 'Age, Content-Length, Content-Range, Date, ETag, Server-UTC';

/** Headers every response carries (CORS, extra headers, Server-UTC). */
export function baseHeaders(req: IncomingMessage, o: ServerOptions, methods: string): OutgoingHttpHeaders {
  const h: OutgoingHttpHeaders = { Server: 'graphpac' };
  const origin = req.headers.origin;
  if (o.cors === 'on' || (o.cors === 'auto' && origin !== undefined)) {
    h['Access-Control-Allow-Origin'] = origin ?? '*';
    h['Access-Control-Expose-Headers'] = EXPOSED;
    if (origin !== undefined) h.Vary = 'Origin';
    if (req.method === 'OPTIONS') {
      h['Access-Control-Allow-Methods'] = methods;
      h['Access-Control-Allow-Headers'] =
        req.headers['access-control-request-headers'] ?? 'Range, If-None-Match, Content-Type';
      h['Access-Control-Max-Age'] = '600';
    }
  }
  if (o.sutc) h['Server-UTC'] = String(Date.now());
  for (let i = 0; i + 1 < o.hdrs.length; i += 2) h[o.hdrs[i]!] = o.hdrs[i + 1]!;
  return h;
}

/** Cache-Control header value to send (the cache_control option overrides; `none` sends nothing). */
export function cacheHeader(o: ServerOptions, cls: CacheClass, td: number): string | undefined {
  if (o.cacheControl === 'none') return undefined;
  if (o.cacheControl !== undefined) return o.cacheControl;
  return cacheControl(cls, td);
}
