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
import { ManifestUpload, MediaUpload, Retry } from './push-uploads.js';
import type { Outcome, Watched } from './push-uploads.js';

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

/** How often the deadlines of requests in flight are checked. */
const WATCH_MS = 250;

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
