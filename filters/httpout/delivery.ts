/**
 * Sending bodies: complete files from disk (Content-Length, ETag, 304, Range, gzip), in-memory
 * manifests, and files still being produced (chunked, part by part as the writer reports them).
 * Bodies are read from disk block by block and written only when the socket drained: a slow client
 * costs one block; a client that stops reading is dropped after the timeout.
 */
import { open, readFile, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { CacheClass } from './headers.js';
import { baseHeaders, cacheHeader, isText, mimeOf } from './headers.js';
import type { ServerOptions } from './options.js';
import type { LiveFile, Store } from './store.js';

const BLOCK = 64 * 1024;
/** RFC 8673: the last-byte-pos clients send (and we echo) for a representation of unknown length. */
export const UNKNOWN_END = 9007199254740991;

/** One request being answered. */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  o: ServerOptions;
  store: Store;
  methods: string;
  /** Bytes of body sent (for the request log). */
  bytes: number;
  /** Count one more request held for this client address: a release function, or undefined (over the limit). */
  hold(): (() => void) | undefined;
  /** The server's debug log (why an answer was cut short). */
  debug?(message: string): void;
}

/** Past the per-address limit of held requests. */
export function tooManyHeld(x: Exchange): void {
  sendSimple(x, 429, 'too many held requests from this address\n', 'error', { 'Retry-After': '1' });
}

export function headersFor(
  x: Exchange,
  cls: CacheClass,
  extra: OutgoingHttpHeaders = {},
): OutgoingHttpHeaders {
  const h = baseHeaders(x.req, x.o, x.methods);
  const cc = cacheHeader(x.o, cls, x.store.targetDuration);
  if (cc) h['Cache-Control'] = cc;
  return { ...h, ...extra };
}

/** A small complete answer (errors, OPTIONS, the UTC time). */
export function sendSimple(
  x: Exchange,
  status: number,
  body: string,
  cls: CacheClass,
  extra: OutgoingHttpHeaders = {},
): void {
  if (x.res.headersSent || x.res.destroyed) return;
  const data = Buffer.from(body);
  x.res.writeHead(
    status,
    headersFor(x, cls, {
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': data.length,
      ...extra,
    }),
  );
  if (x.req.method === 'HEAD') x.res.end();
  else {
    x.bytes += data.length;
    x.res.end(data);
  }
}

/** The opaque part of an entity-tag (weak comparison ignores `W/`). */
const opaque = (tag: string): string => tag.trim().replace(/^W\//, '');

/**
 * `If-None-Match` (RFC 9110 §13.1.2): weak comparison, `*` matches any current representation. Evaluated
 * before Range (§13.2.2): a matching tag is 304 whatever the range.
 */
function notModified(x: Exchange, etag: string | undefined): boolean {
  if (!etag || x.o.cacheControl === 'none') return false;
  const inm = x.req.headers['if-none-match'];
  if (inm === undefined) return false;
  const mine = opaque(etag);
  return inm.split(',').some((t) => t.trim() === '*' || opaque(t) === mine);
}

/**
 * The Range header to honour: none with `norange`, or when `If-Range` does not match (RFC 9110
 * §13.1.5: strong comparison with the current ETag; a date never matches, no Last-Modified is sent).
 */
function rangeOf(x: Exchange, etag: string | undefined): RangeSpec | 'invalid' | undefined {
  if (x.o.norange) return undefined;
  const range = parseRange(x.req.headers.range);
  const raw = x.req.headers['if-range'];
  const ifRange = Array.isArray(raw) ? raw[0] : raw;
  if (range === undefined || ifRange === undefined) return range;
  const strong = !ifRange.trim().startsWith('W/') && etag !== undefined && !etag.startsWith('W/');
  return strong && ifRange.trim() === etag ? range : undefined;
}

function acceptsGzip(x: Exchange): boolean {
  const ae = x.req.headers['accept-encoding'];
  return typeof ae === 'string' && /\bgzip\b(?!;q=0(\.0*)?\b)/.test(ae);
}

/** A complete body held in memory (manifests): 304, gzip, HEAD. */
/**
 * Gzip of a body, once per body: a playlist version is answered to every held player at once, and
 * compressing it per answer would cost the server more than the answers themselves.
 */
const gzipCache = new WeakMap<Buffer, Buffer>();
function gzipped(data: Buffer): Buffer {
  let z = gzipCache.get(data);
  if (!z) gzipCache.set(data, (z = gzipSync(data)));
  return z;
}

export function sendBuffer(
  x: Exchange,
  data: Buffer,
  opts: { type: string; etag?: string; cls: CacheClass; extra?: OutgoingHttpHeaders },
): void {
  if (x.res.headersSent || x.res.destroyed) return;
  const etag = x.o.cacheControl === 'none' ? undefined : opts.etag;
  const h = headersFor(x, opts.cls, {
    'Content-Type': opts.type,
    Vary: 'Accept-Encoding',
    ...(etag ? { ETag: etag } : {}),
    ...opts.extra,
  });
  if (notModified(x, etag)) {
    x.res.writeHead(304, h);
    x.res.end();
    return;
  }
  let body = data;
  if (x.o.zmax > 0 && data.length <= x.o.zmax && isText(x.req.url?.split('?')[0] ?? '') && acceptsGzip(x)) {
    body = gzipped(data);
    h['Content-Encoding'] = 'gzip';
  }
  h['Content-Length'] = body.length;
  x.res.writeHead(200, h);
  if (x.req.method === 'HEAD') x.res.end();
  else {
    x.bytes += body.length;
    x.res.end(body);
  }
}

export type RangeSpec = { start: number; end?: number; suffix?: number };

/**
 * One `bytes=` range (RFC 9110 §14.1.2). undefined: no Range, another unit (ignored, §14.2), several
 * ranges (answered whole) → 200; 'invalid' (malformed, or a suffix of 0 bytes: unsatisfiable) → 416.
 */
export function parseRange(h: string | undefined): RangeSpec | 'invalid' | undefined {
  if (!h) return undefined;
  if (!/^\s*bytes\s*=/i.test(h)) return undefined; // a range unit we do not know: ignored
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(h);
  if (!m) return /^\s*bytes\s*=.*,/.test(h) ? undefined : 'invalid'; // several ranges: ignored (200)
  const [, a = '', b = ''] = m;
  if (a === '' && b === '') return 'invalid';
  if (a === '') {
    const suffix = Number(b);
    return Number.isSafeInteger(suffix) && suffix > 0 ? { start: 0, suffix } : 'invalid';
  }
  const start = Number(a);
  const end = b === '' ? undefined : Number(b);
  if (!Number.isSafeInteger(start) || (end !== undefined && (!Number.isFinite(end) || end < start)))
    return 'invalid';
  return end === undefined ? { start } : { start, end };
}

/** Wait until the response can take more, or give up (client gone, or stalled past the timeout). */
function drained(x: Exchange): Promise<boolean> {
  return new Promise((resolve) => {
    const res = x.res;
    const done = (ok: boolean) => {
      cancel();
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    const cancel = x.store.timers.after(x.o.timeoutS * 1000, () => {
      // A client that stopped reading: drop it rather than buffering for it.
      res.destroy();
      done(false);
    });
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}

/**
 * Copy bytes [from, to) of a file (open on disk, or its bytes in memory) to the response, block by
 * block as the socket drains. Returns false if the client went away.
 */
async function pump(x: Exchange, src: FileHandle | Buffer, from: number, to: number): Promise<boolean> {
  let pos = from;
  while (pos < to) {
    if (x.res.destroyed) return false;
    const n = Math.min(BLOCK, to - pos);
    let buf: Buffer;
    if (Buffer.isBuffer(src)) {
      if (pos + n > src.length) throw new Error(`short read at ${pos}`);
      buf = src.subarray(pos, pos + n); // a view: memory bytes never change
    } else {
      buf = Buffer.allocUnsafe(n);
      const { bytesRead } = await src.read(buf, 0, n, pos);
      if (bytesRead <= 0) throw new Error(`short read at ${pos}`);
      if (bytesRead < n) buf = buf.subarray(0, bytesRead);
    }
    pos += buf.length;
    x.bytes += buf.length;
    if (!x.res.write(buf) && !(await drained(x))) return false;
  }
  return true;
}

/** A complete file: on disk, or its bytes in memory (`data`: a recent file of the store). */
export async function sendFile(
  x: Exchange,
  path: string,
  size: number,
  mtimeMs: number,
  cls: CacheClass,
  data?: Buffer,
): Promise<void> {
  const etag =
    x.o.cacheControl === 'none'
      ? undefined
      : `"${size.toString(16)}-${Math.round(mtimeMs * 1000).toString(16)}"`;
  const type = mimeOf(path);
  const range = rangeOf(x, etag);
  if (range === undefined && x.o.zmax > 0 && size <= x.o.zmax && isText(path)) {
    sendBuffer(x, data ?? (await readFile(path)), { type, cls, ...(etag ? { etag } : {}) });
    return;
  }
  const h = headersFor(x, cls, {
    'Content-Type': type,
    'Accept-Ranges': 'bytes',
    ...(etag ? { ETag: etag } : {}),
  });
  if (notModified(x, etag)) {
    x.res.writeHead(304, h);
    x.res.end();
    return;
  }
  let start = 0;
  let end = size - 1;
  let status = 200;
  // Unsatisfiable: malformed, a suffix of 0, a first byte at or past the end, any range of an empty file.
  if (range === 'invalid' || (range && (size === 0 || (range.suffix === undefined && range.start >= size)))) {
    sendSimple(x, 416, 'range not satisfiable\n', 'error', { 'Content-Range': `bytes */${size}` });
    return;
  }
  if (range) {
    status = 206;
    if (range.suffix !== undefined) start = Math.max(0, size - range.suffix);
    else {
      start = range.start;
      end = Math.min(size - 1, range.end ?? size - 1);
    }
    h['Content-Range'] = `bytes ${start}-${end}/${size}`;
  }
  h['Content-Length'] = Math.max(0, end - start + 1);
  if (x.req.method === 'HEAD') {
    x.res.writeHead(status, h);
    x.res.end();
    return;
  }
  if (data) {
    x.res.writeHead(status, h);
    if (await pump(x, data, start, end + 1)) x.res.end();
    return;
  }
  const fh = await open(path, 'r');
  try {
    x.res.writeHead(status, h);
    if (await pump(x, fh, start, end + 1)) x.res.end();
  } finally {
    await fh.close();
  }
}

/** A file just completed: from memory if the store still has its bytes, else from disk. */
async function sendCompleted(x: Exchange, lf: LiveFile, cls: CacheClass): Promise<void> {
  const recent = x.store.recent.get(lf.path);
  if (recent && recent.data.length === lf.size)
    return sendFile(x, lf.path, lf.size, recent.mtimeMs, cls, recent.data);
  await sendFile(x, lf.path, lf.size, (await stat(lf.path)).mtimeMs, cls);
}

/**
 * A file still being written. Whole GET: 200, chunked, what is deliverable now then each part as it
 * completes, ending with the file. Range: the bytes of complete parts from `start` (held until the
 * first of them exists), part by part, up to the range end or the end of the file; the response is 206
 * with `Content-Range: bytes start-END/*` (RFC 8673: END is the requested end, or 2^53−1 when open).
 * A part file (llhls=sf) is sent once complete, like any file.
 */
export async function sendLive(x: Exchange, lf: LiveFile, cls: CacheClass): Promise<void> {
  const onClose = (cb: () => void) => {
    x.res.on('close', cb);
    return () => x.res.off('close', cb);
  };
  const type = mimeOf(lf.path);
  // A file in production has no validator yet: an If-Range never matches it (the whole file is sent).
  const range = rangeOf(x, undefined);
  if (lf.kind === 'part' || !x.o.cte || range === 'invalid' || range?.suffix !== undefined) {
    // Held until complete, then served as a complete file.
    const r = await x.store.waitFor(() => lf.done || lf.abandoned, 3_600_000, onClose);
    if (r !== 'ok' || lf.abandoned) {
      if (r !== 'closed') sendSimple(x, 503, 'file not completed\n', 'error');
      return;
    }
    await sendCompleted(x, lf, cls);
    return;
  }
  const start = range?.start ?? 0;
  if (range) {
    // Nothing is sent before the first complete part of the range exists.
    const r = await x.store.waitFor(
      () => lf.done || lf.abandoned || lf.deliverable > start,
      3_600_000,
      onClose,
    );
    if (r === 'closed') return;
    if (r !== 'ok' || (lf.abandoned && lf.deliverable <= start)) {
      sendSimple(x, 503, 'file not completed\n', 'error');
      return;
    }
    if (lf.done && start >= lf.size) {
      sendSimple(x, 416, 'range not satisfiable\n', 'error', { 'Content-Range': `bytes */${lf.size}` });
      return;
    }
    if (lf.done) {
      await sendCompleted(x, lf, cls);
      return;
    }
  }
  const stop = range?.end !== undefined ? range.end + 1 : Infinity;
  const h = headersFor(x, cls, { 'Content-Type': type });
  if (range) h['Content-Range'] = `bytes ${start}-${range.end ?? UNKNOWN_END}/*`;
  x.res.writeHead(range ? 206 : 200, h); // no Content-Length: chunked
  if (x.req.method === 'HEAD') {
    x.res.end();
    return;
  }
  x.res.flushHeaders();
  let fh: FileHandle | undefined;
  let gone = x.res.destroyed;
  let wake: (() => void) | undefined;
  const onGone = () => {
    gone = true;
    wake?.();
  };
  x.res.on('close', onGone);
  try {
    let sent = start;
    for (;;) {
      const limit = Math.min(stop, lf.deliverable);
      if (sent < limit) {
        // From memory while the store has every byte so far; else from the file on disk.
        const mem = lf.bytes();
        const src = mem && mem.length >= limit ? mem : (fh ??= await open(lf.path, 'r'));
        if (!(await pump(x, src, sent, limit))) return;
        sent = limit;
        continue;
      }
      if (sent >= stop || (lf.done && sent >= lf.size)) break;
      if (lf.abandoned || x.store.closing) {
        // The file will never be whole (the run stopped or failed): close the connection without the
        // last chunk (RFC 9112 §7.1; HTTP/2: the stream is reset), so the client and any cache see the
        // truncation instead of keeping a short segment as complete.
        x.res.destroy();
        return;
      }
      await new Promise<void>((r) => {
        wake = r;
        void lf.changed().then(r);
      });
      wake = undefined;
      if (gone) return;
    }
    x.res.end();
  } catch (e) {
    // A read that came short, a file gone: the answer cannot go on. Say why (the client sees a reset).
    x.debug?.(
      `answer to ${x.req.url ?? ''}${range ? ` [bytes ${start}-${range.end ?? ''}]` : ''} cut: ${(e as Error).message}`,
    );
    x.res.destroy();
  } finally {
    x.res.off('close', onGone);
    await fh?.close();
  }
}
