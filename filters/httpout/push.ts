/**
 * Push mode (`hmode=push`, spec gpac-semantics §7.2): every file the writer produces is uploaded to
 * the origin named by `dst` while it is produced, fed by the file writer's hooks.
 *  - Segments, init segments and part files (llhls=sf): one chunked PUT (POST with `post`) per file,
 *    opened with the file, each batch of bytes written to the request as the writer appends it, ended
 *    when the file closes. `cte=false`: the file is sent whole with Content-Length once complete.
 *  - Manifests (playlists, MPD): sent whole with Content-Length at every change; a newer version of a
 *    manifest still waiting replaces the waiting one (the origin ends with the latest).
 *  - Purged files: DELETE, once the file's own upload is settled (404 counts as done).
 *  - Connections: one keep-alive agent per origin (bounded pool), Nagle off; node:http for http://,
 *    node:https for https:// (the only difference: certificates are verified against Node's CA store,
 *    NODE_EXTRA_CA_CERTS, and GPAC's `-ca-bundle` file).
 *  - Failures (connection error, 5xx, 408, 429): the request is retried with backoff (100 ms doubling
 *    to 1 s) from its first byte, with the same bytes (kept in memory until the origin accepted the
 *    file); after `RETRY_BUDGET_MS` of failures in a row: one error naming the URL and the status,
 *    and the run fails. Any other status (4xx) or a TLS failure (certificate not trusted, name
 *    mismatch, handshake refused: retrying cannot help): that error at once.
 *  - Ordering: media uploads proceed independently; a manifest is sent only when no media upload is
 *    failing and every media file it may name has its bytes on a healthy connection (files complete
 *    when the manifest changed: accepted with a 2xx; files in production: every byte written so far
 *    written to the request's socket). So a playlist never names bytes the origin has not received.
 *  - Acknowledgements (write-ack, which let the dasher list a part): chunked upload: once the part's
 *    bytes were written to the socket on a healthy attempt (the best a streamed PUT can tell; the 2xx
 *    only comes with the end of the file); cte=false: once the file's 2xx came.
 */
import type { Agent, ClientRequest, IncomingMessage } from 'node:http';
import { relative, sep } from 'node:path';
import { GraphError } from '../../src/index.js';
import type { Logger } from '../../src/index.js';
import type { WriterHooks } from '../fout/file-writer.js';
import { mimeOf } from './headers.js';
import { tlsFailure, transport } from './push-transport.js';
import type { Transport } from './push-transport.js';

export { tlsFailure } from './push-transport.js';

/** Retries of one request stop after this long of failures in a row. */
export const RETRY_BUDGET_MS = 10_000;

/** Deadlines of one request (an origin that accepts connections but never answers must not stall the push). */
export interface PushTimeouts {
  /** The TCP (and TLS) connection is established. */
  connectMs: number;
  /** Bytes given to a request reach the socket (an origin that stops reading). */
  stallMs: number;
  /** Once the request is sent whole, its response (head and body) is received. */
  responseMs: number;
}
export const PUSH_TIMEOUTS: PushTimeouts = { connectMs: 5_000, stallMs: 5_000, responseMs: 5_000 };
/** Bytes of files the origin has not accepted yet, at most (kept to send them again after a failure). */
export const MAX_PENDING_BYTES = 256 * 1024 * 1024;

export interface PushOptions {
  /** Origin: protocol://host:port. */
  origin: string;
  /** Local folder the writer writes to; a file's URL path is its path relative to this folder. */
  root: string;
  method: 'PUT' | 'POST';
  cte: boolean;
  /** Extra headers, name,value pairs. */
  hdrs: readonly string[];
  budgetMs?: number;
  timeouts?: Partial<PushTimeouts>;
  maxPendingBytes?: number;
  /** Time source (the session clock): retry budgets and request deadlines. */
  clock?: { now(): number };
  /** https:// origins: PEM file of extra trusted CAs (GPAC's `-ca-bundle`), added to the defaults. */
  caBundle?: string | null;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** How often the deadlines of requests in flight are checked. */
const WATCH_MS = 250;

type Outcome = { ok: true; status: number } | { ok: false; retry: boolean; why: string };

/** Backoff (100 ms doubling to 1 s) and budget (`budgetMs` of failures in a row) of one request's retries. */
class Retry {
  private first: number | undefined;
  private delay = 100;

  constructor(
    private readonly p: Pusher,
    private readonly url: string,
  ) {}

  /** After a failed attempt: throws the push error (not retryable, or the budget spent), else waits. */
  async after(out: { retry: boolean; why: string }): Promise<void> {
    if (!out.retry) throw this.p.fail(this.url, out.why);
    const now = this.p.now();
    this.first ??= now;
    if (now - this.first > this.p.budgetMs) throw this.p.fail(this.url, out.why, true);
    this.p.log.debug(`push: ${this.url}: ${out.why}, retrying in ${this.delay} ms`);
    await sleep(this.delay);
    this.delay = Math.min(1000, this.delay * 2);
  }
}

/** A request under watch: its phase and when it last made progress (Pusher.watch). */
interface Watched {
  req: ClientRequest;
  since: number;
  written: number;
  finishedAt?: number;
  fail(why: string): void;
}

/** One media file (segment, init, part file) being uploaded. */
class MediaUpload {
  readonly chunks: Buffer[] = [];
  size = 0;
  /** The file is complete (no more bytes). */
  complete = false;
  /** The origin answered 2xx. */
  accepted = false;
  /** The current attempt failed; waiting to retry. */
  failing = false;
  /** The run stopped before the file was complete: its upload is cut, never ended as whole. */
  abandoned = false;
  /** Bytes of the current attempt written to the socket. */
  flushed = 0;
  private req: ClientRequest | undefined;
  private written = 0;
  readonly settled: Promise<void>;
  private settle!: (e?: GraphError) => void;

  constructor(
    readonly pusher: Pusher,
    readonly url: string,
  ) {
    this.settled = new Promise<void>((res, rej) => {
      this.settle = (e) => (e ? rej(e) : res());
    });
    this.settled.catch(() => undefined);
  }

  start(): void {
    void this.run().then(
      () => this.settle(),
      (e: unknown) => this.settle(e as GraphError),
    );
  }

  add(data: readonly Uint8Array[]): void {
    const buf = Buffer.concat(data); // a copy: the packets' data are views into large read blocks
    this.chunks.push(buf);
    this.size += buf.length;
    this.pusher.hold(buf.length);
    if (this.req && this.pusher.o.cte) this.write(this.req, buf);
  }

  finish(): void {
    if (this.complete) return;
    this.complete = true;
    this.pusher.changed();
    if (this.req && this.pusher.o.cte) this.req.end();
  }

  /**
   * The file will never be complete: the request is cut without its last chunk, so the origin sees a
   * truncated upload (and discards it) instead of storing a short segment as the whole one.
   */
  abandon(): void {
    if (this.complete || this.accepted) return;
    this.abandoned = true;
    this.pusher.hold(-this.chunks.reduce((a, c) => a + c.length, 0));
    this.chunks.length = 0;
    this.req?.destroy();
    this.pusher.changed();
  }

  private write(req: ClientRequest, buf: Buffer): void {
    this.written += buf.length;
    const upTo = this.written;
    req.write(buf, (err) => {
      if (err || this.req !== req) return;
      this.flushed = Math.max(this.flushed, upTo);
      this.pusher.changed();
    });
  }

  private async run(): Promise<void> {
    const p = this.pusher;
    const retry = new Retry(p, this.url);
    for (;;) {
      p.check();
      if (!p.o.cte) await p.until(() => this.complete || this.abandoned);
      if (this.abandoned) return;
      const r = await this.attempt();
      if (this.abandoned) return;
      if (r.ok) {
        this.accepted = true;
        this.failing = false;
        p.hold(-this.chunks.reduce((a, c) => a + c.length, 0));
        this.chunks.length = 0;
        p.changed();
        return;
      }
      this.failing = true;
      p.changed();
      await retry.after(r);
    }
  }

  /** One try: the whole file from its first byte, then what follows as it comes. */
  private attempt(): Promise<Outcome> {
    const p = this.pusher;
    this.flushed = 0;
    this.written = 0;
    const streamed = p.o.cte;
    const req = p.open(this.url, p.o.method, streamed ? undefined : this.size);
    this.req = req;
    this.failing = false;
    const outcome = p.outcome(req);
    for (const c of this.chunks) this.write(req, c);
    if (!streamed || this.complete) req.end();
    return outcome.finally(() => {
      if (this.req === req) this.req = undefined;
      if (!req.writableFinished) req.destroy();
    });
  }

  /** Every byte known now is on a healthy connection (or the file was accepted). */
  caughtUp(size: number): boolean {
    if (this.accepted) return true;
    if (this.failing) return false;
    if (!this.pusher.o.cte) return false;
    return this.flushed >= size;
  }
}

/** A manifest: the latest version is sent whole; one request at a time per manifest. */
class ManifestUpload {
  next: { data: Buffer; media: Map<MediaUpload, number> } | undefined;
  private running = false;
  settled: Promise<void> = Promise.resolve();

  constructor(
    readonly pusher: Pusher,
    readonly url: string,
  ) {}

  /** The latest version given (what the origin ends with). */
  private latest: Buffer | undefined;

  /** A new version; returns false when it equals the latest one (nothing to send). */
  push(data: Buffer, media: Map<MediaUpload, number>): boolean {
    if (this.latest?.equals(data)) return false;
    this.latest = data;
    this.next = { data, media };
    if (this.running) return true;
    this.running = true;
    this.settled = this.loop().finally(() => (this.running = false));
    this.settled.catch(() => undefined);
    return true;
  }

  private async loop(): Promise<void> {
    const p = this.pusher;
    while (this.next) {
      const v = this.next;
      const retry = new Retry(p, this.url);
      for (;;) {
        p.check();
        // Never name bytes the origin has not received.
        await p.until(() => [...v.media].every(([m, size]) => m.caughtUp(size) || m.abandoned));
        if ([...v.media].some(([m]) => m.abandoned)) {
          // It names a file cut by the stop, which the origin will never have: not sent.
          if (this.next === v) this.next = undefined;
          break;
        }
        if (this.next !== v && this.next) break; // a newer version replaces this one
        const req = p.open(this.url, p.o.method, v.data.length);
        const r = p.outcome(req);
        req.end(v.data);
        const out = await r;
        if (out.ok) {
          if (this.next === v) this.next = undefined;
          break;
        }
        await retry.after(out);
      }
    }
  }
}

export class Pusher {
  readonly agent: Agent;
  private readonly request: Transport['request'];
  readonly budgetMs: number;
  readonly timeouts: PushTimeouts;
  readonly now: () => number;
  private media = new Map<string, MediaUpload>();
  /** Requests in flight under their deadlines, checked every WATCH_MS. */
  private watched = new Set<Watched>();
  private watchdog: NodeJS.Timeout | undefined;
  /** Bytes kept for files not accepted yet. */
  private pending = 0;

  /** Uploads not accepted yet (for progress displays). */
  get queued(): number {
    return this.media.size + this.manifests.size + this.deletes.size;
  }

  private manifests = new Map<string, ManifestUpload>();
  private deletes = new Set<Promise<void>>();
  private waiters = new Set<() => void>();
  private error: GraphError | undefined;
  /** Instances using this pusher. */
  refs = 0;
  /** The local folder is a temporary one (removed when the last instance ends). */
  tempRoot = false;

  constructor(
    readonly o: PushOptions,
    readonly log: Logger,
  ) {
    this.budgetMs = o.budgetMs ?? RETRY_BUDGET_MS;
    this.timeouts = { ...PUSH_TIMEOUTS, ...o.timeouts };
    const clock = o.clock;
    this.now = clock ? () => clock.now() : () => performance.now();
    ({ agent: this.agent, request: this.request } = transport(o));
  }

  /** Bytes kept for unaccepted files changed by `n`; past the limit the push fails. */
  hold(n: number): void {
    this.pending += n;
    const max = this.o.maxPendingBytes ?? MAX_PENDING_BYTES;
    if (n > 0 && this.pending > max)
      this.fail(
        `${this.o.origin}/`,
        `${(this.pending / 1048576).toFixed(0)} MiB of files not accepted by the origin (more than ${(max / 1048576).toFixed(0)} MiB kept)`,
      );
  }

  /**
   * Deadlines of a request in flight: connected within connectMs; while bytes wait to reach the socket,
   * progress within stallMs; once sent whole, the whole response within responseMs. A request waiting in
   * the pool for a connection, or a chunked upload waiting for its next bytes, has none.
   */
  private watch(req: ClientRequest, fail: (why: string) => void): () => void {
    const w: Watched = { req, since: this.now(), written: 0, fail };
    req.on('socket', () => (w.since = this.now()));
    req.on('finish', () => (w.finishedAt = this.now()));
    this.watched.add(w);
    this.watchdog ??= setInterval(() => this.checkDeadlines(), WATCH_MS).unref();
    return () => {
      this.watched.delete(w);
      if (this.watched.size === 0) {
        clearInterval(this.watchdog);
        this.watchdog = undefined;
      }
    };
  }

  /** One pass of the watchdog (public for tests under a manual clock). */
  checkDeadlines(): void {
    const t = this.now();
    const s = (ms: number) => `${ms / 1000} s`;
    for (const w of [...this.watched]) {
      const sock = w.req.socket;
      if (!sock) continue; // waiting for a connection of the pool
      if (sock.connecting) {
        if (t - w.since > this.timeouts.connectMs)
          w.fail(`no connection within ${s(this.timeouts.connectMs)}`);
        continue;
      }
      if (w.finishedAt !== undefined) {
        if (t - w.finishedAt > this.timeouts.responseMs)
          w.fail(`no response within ${s(this.timeouts.responseMs)}`);
        continue;
      }
      const waiting = w.req.writableLength + sock.writableLength > 0;
      if (!waiting || sock.bytesWritten !== w.written) {
        w.written = sock.bytesWritten;
        w.since = t;
      } else if (t - w.since > this.timeouts.stallMs)
        w.fail(`the origin stopped reading the request for ${s(this.timeouts.stallMs)}`);
    }
  }

  urlOf(path: string): string {
    const rel = relative(this.o.root, path).split(sep).join('/');
    return `${this.o.origin}/${rel.split('/').map(encodeURIComponent).join('/')}`;
  }

  changed(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Resolves when `check()` holds (re-checked at every change); rejects once the push failed. */
  until(check: () => boolean): Promise<void> {
    return new Promise((res, rej) => {
      const w = () => {
        if (this.error) {
          this.waiters.delete(w);
          rej(this.error);
        } else if (check()) {
          this.waiters.delete(w);
          res();
        }
      };
      this.waiters.add(w);
      w();
    });
  }

  /** The error that ends the run (the first one). */
  fail(url: string, why: string, retried = false): GraphError {
    this.error ??= new GraphError(
      'WRITE_ERROR',
      `httpout: push to ${url} failed: ${why}${retried ? ` (retried for ${this.budgetMs / 1000} s)` : ''}`,
      { url },
    );
    // Stop everything in flight: the run is failing.
    this.agent.destroy();
    this.changed();
    return this.error;
  }

  /** Throws the push error once there is one. */
  check(): void {
    if (this.error) throw this.error;
  }

  open(url: string, method: string, length: number | undefined): ClientRequest {
    const headers: Record<string, string | number> = { 'User-Agent': 'graphpac' };
    if (method !== 'DELETE') headers['Content-Type'] = mimeOf(new URL(url).pathname);
    if (length !== undefined) headers['Content-Length'] = length;
    for (let i = 0; i + 1 < this.o.hdrs.length; i += 2) headers[this.o.hdrs[i]!] = this.o.hdrs[i + 1]!;
    const req = this.request(url, { method, agent: this.agent, headers });
    req.on('socket', (s) => s.setNoDelay(true));
    return req;
  }

  /** How a request ended: 2xx, or why not (and whether to retry). */
  outcome(
    req: ClientRequest,
    okStatus: (s: number) => boolean = (s) => s >= 200 && s < 300,
  ): Promise<Outcome> {
    return new Promise((res) => {
      let done = false;
      const end = (o: Outcome) => {
        if (done) return;
        done = true;
        unwatch();
        res(o);
      };
      const unwatch = this.watch(req, (why) => {
        end({ ok: false, retry: true, why });
        req.destroy();
      });
      req.on('response', (r: IncomingMessage) => {
        const s = r.statusCode ?? 0;
        r.resume();
        const o: Outcome = okStatus(s)
          ? { ok: true, status: s }
          : {
              ok: false,
              retry: s >= 500 || s === 408 || s === 429,
              why: `HTTP ${s} ${r.statusMessage ?? ''}`.trim(),
            };
        // A refusal before the body was sent: give up this attempt now.
        if (!o.ok || r.complete) end(o);
        else r.on('end', () => end(o));
        r.on('error', () => end(o));
      });
      req.on('error', (e: NodeJS.ErrnoException) => {
        const tls = tlsFailure(e);
        if (tls) end({ ok: false, retry: false, why: tls });
        else end({ ok: false, retry: true, why: e.code ? `${e.code} (${e.message})` : e.message });
      });
      req.on('close', () => end({ ok: false, retry: true, why: 'connection closed' }));
    });
  }

  /** Writer hooks of one instance; `track` declares its uploads to that instance's run. */
  hooks(track: (p: Promise<unknown>) => void): WriterHooks {
    return {
      opened: (path) => {
        const u = new MediaUpload(this, this.urlOf(path));
        this.media.set(path, u);
        track(u.settled);
        // Accepted files are forgotten (a later DELETE needs nothing from them).
        u.settled.then(
          () => this.media.get(path) === u && this.media.delete(path),
          () => undefined,
        );
        u.start();
      },
      progress: (path, _size, data) => this.media.get(path)?.add(data ?? []),
      boundary: (path, size) => {
        const u = this.media.get(path);
        if (!u) return;
        return this.until(() => u.caughtUp(size) || u.abandoned);
      },
      closed: (path) => this.media.get(path)?.finish(),
      abandoned: (path) => this.media.get(path)?.abandon(),
      replaced: (path, data) => {
        const url = this.urlOf(path);
        let m = this.manifests.get(url);
        if (!m) this.manifests.set(url, (m = new ManifestUpload(this, url)));
        const media = new Map<MediaUpload, number>();
        for (const u of this.media.values()) if (!u.accepted) media.set(u, u.size);
        if (m.push(Buffer.from(data), media)) track(m.settled);
      },
      deleted: (path) => {
        const u = this.media.get(path);
        this.media.delete(path);
        const url = this.urlOf(path);
        const d = (async () => {
          if (u) await u.settled;
          const retry = new Retry(this, url);
          for (;;) {
            this.check();
            const req = this.open(url, 'DELETE', undefined);
            const r = this.outcome(req, (s) => (s >= 200 && s < 300) || s === 404);
            req.end();
            const out = await r;
            if (out.ok) return;
            await retry.after(out);
          }
        })().finally(() => this.deletes.delete(d));
        this.deletes.add(d);
        track(d);
      },
    };
  }

  /** Every upload started so far is settled; rejects with the push error. */
  async drain(): Promise<void> {
    for (;;) {
      const all = [
        ...[...this.media.values()].map((u) => u.settled),
        ...[...this.manifests.values()].map((m) => m.settled),
        ...this.deletes,
      ];
      await Promise.all(all);
      const again = [
        ...[...this.media.values()].map((u) => u.settled),
        ...[...this.manifests.values()].map((m) => m.settled),
        ...this.deletes,
      ];
      if (again.length === all.length && again.every((p, i) => p === all[i])) break;
    }
    if (this.error) throw this.error;
  }

  close(): void {
    clearInterval(this.watchdog);
    this.agent.destroy();
  }
}
