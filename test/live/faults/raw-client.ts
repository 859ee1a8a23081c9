/**
 * A raw HTTP/1.1 client for the fault tests: it keeps the exact bytes of a response, so a test can
 * tell a chunked body that ended with its last chunk (`0\r\n\r\n`: the server says it is whole) from
 * one whose connection closed without it (RFC 9112 §7.1: truncated), which Node's client smooths over.
 * `follow` plays the live edge of an LL-HLS origin as a low-latency player does: blocking reloads of a
 * variant playlist, and a GET of each segment as soon as its first part is listed, received chunk by
 * chunk while it is produced.
 */
import { connect } from 'node:net';

export interface RawResponse {
  path: string;
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** Chunked body ended with the last chunk (and its CRLF). */
  terminated: boolean;
  /** The connection closed (or failed) before a whole response was received. */
  cut: boolean;
  /** Any socket error. */
  error?: string;
}

/** Decode a chunked body; `terminated` only with the zero-size chunk and the final CRLF. */
export function dechunk(raw: Buffer): { body: Buffer; terminated: boolean } {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', at);
    if (eol < 0) return { body: Buffer.concat(parts), terminated: false };
    const size = parseInt(raw.subarray(at, eol).toString('latin1').split(';')[0]!, 16);
    if (!Number.isFinite(size)) return { body: Buffer.concat(parts), terminated: false };
    if (size === 0) {
      // The last chunk, then (no trailers here) the CRLF that ends the message.
      return { body: Buffer.concat(parts), terminated: raw.subarray(eol + 2, eol + 4).toString() === '\r\n' };
    }
    const start = eol + 2;
    if (raw.length < start + size) {
      parts.push(raw.subarray(start));
      return { body: Buffer.concat(parts), terminated: false };
    }
    parts.push(raw.subarray(start, start + size));
    at = start + size + 2;
  }
}

/** One GET on its own connection (`Connection: close`), every byte kept. */
export function rawGet(
  port: number,
  path: string,
  opts: { headers?: Record<string, string>; timeoutMs?: number; onHead?: () => void; from?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1', ...(opts.from ? { localAddress: opts.from } : {}) });
    const chunks: Buffer[] = [];
    let error: string | undefined;
    let headSeen = false;
    s.setTimeout(opts.timeoutMs ?? 30_000, () => {
      error = 'timeout';
      s.destroy();
    });
    s.on('connect', () => {
      const extra = Object.entries(opts.headers ?? {})
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('');
      s.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n${extra}\r\n`);
    });
    s.on('data', (d: Buffer) => {
      chunks.push(d);
      if (!headSeen && Buffer.concat(chunks).includes('\r\n\r\n')) {
        headSeen = true;
        opts.onHead?.();
      }
    });
    s.on('error', (e) => (error = e.message));
    s.on('close', () => {
      const raw = Buffer.concat(chunks);
      const end = raw.indexOf('\r\n\r\n');
      const headText = end < 0 ? raw.toString('latin1') : raw.subarray(0, end).toString('latin1');
      const [statusLine = '', ...lines] = headText.split('\r\n');
      const headers: Record<string, string> = {};
      for (const l of lines) {
        const c = l.indexOf(':');
        if (c > 0) headers[l.slice(0, c).trim().toLowerCase()] = l.slice(c + 1).trim();
      }
      const status = Number(/^HTTP\/1\.\d (\d{3})/.exec(statusLine)?.[1] ?? 0);
      const rest = end < 0 ? Buffer.alloc(0) : raw.subarray(end + 4);
      let body: Buffer = rest;
      let terminated = false;
      let cut = end < 0;
      if (headers['transfer-encoding'] === 'chunked') {
        ({ body, terminated } = dechunk(rest));
        cut = !terminated;
      } else if (headers['content-length'] !== undefined) {
        cut = rest.length < Number(headers['content-length']);
      }
      resolve({ path, status, headers, body, terminated, cut, ...(error ? { error } : {}) });
    });
  });
}

/**
 * Follow the live edge of `playlist` until the server goes away: blocking reloads, and each segment
 * GET as soon as its first part is listed. Returns every segment response, and the playlist versions.
 */
export async function follow(
  port: number,
  playlist: string,
  opts: {
    stopAfterMs?: number;
    /** Local address of the player (a 127.x.y.z of its own). */
    from?: string;
    /** A segment's response began (its file exists: its first part is being produced). */
    onSegmentHead?: (uri: string, nth: number) => void;
  } = {},
): Promise<{ segments: RawResponse[]; versions: string[]; failures: string[] }> {
  const segments: Promise<RawResponse>[] = [];
  const versions: string[] = [];
  const failures: string[] = [];
  const asked = new Set<string>();
  const until = performance.now() + (opts.stopAfterMs ?? 60_000);
  let query = '';
  let refused = 0;
  while (performance.now() < until) {
    const r = await rawGet(port, `${playlist}${query}`, {
      timeoutMs: 15_000,
      ...(opts.from ? { from: opts.from } : {}),
    });
    if (r.status !== 200) {
      failures.push(`${playlist}${query}: ${r.status || r.error || 'no answer'}`);
      if (r.status === 0 && ++refused >= 5) break; // the server is gone
      await new Promise((res) => setTimeout(res, 100));
      continue;
    }
    refused = 0;
    const text = r.body.toString();
    versions.push(text);
    if (text.includes('#EXT-X-ENDLIST')) break;
    // The open segment (named by the parts after the last EXTINF) and the one the hint names.
    const uris = [...text.matchAll(/#EXT-X-(?:PART|PRELOAD-HINT):[^\n]*URI="([^"]+)"/g)].map((m) => m[1]!);
    for (const u of uris.slice(-2)) {
      const seg = u.replace(/\.\d+$/, '');
      if (asked.has(seg)) continue;
      asked.add(seg);
      const nth = asked.size;
      segments.push(
        rawGet(port, `/${seg}`, {
          timeoutMs: 20_000,
          onHead: () => opts.onSegmentHead?.(seg, nth),
          ...(opts.from ? { from: opts.from } : {}),
        }),
      );
    }
    const ms = Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(text)?.[1] ?? 0);
    const complete = (text.match(/^#EXTINF/gm) ?? []).length;
    const open = text.split(/^#EXTINF[^\n]*\n[^\n]*\n/m).at(-1) ?? '';
    const openParts = (open.match(/^#EXT-X-PART:/gm) ?? []).length;
    query = `?_HLS_msn=${ms + complete}&_HLS_part=${openParts}`;
  }
  return { segments: await Promise.all(segments), versions, failures };
}
