/**
 * The uploads of push mode (push.ts): a media file streamed in one chunked request while it is produced
 * (`MediaUpload`), a manifest sent whole at every change (`ManifestUpload`), and the backoff and budget of
 * one request's retries (`Retry`). The Pusher owns the connections, deadlines and ordering.
 */
import type { ClientRequest } from 'node:http';
import type { GraphError } from '../../src/index.js';
import type { Pusher } from './push.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export type Outcome = { ok: true; status: number } | { ok: false; retry: boolean; why: string };

/** Backoff (100 ms doubling to 1 s) and budget (`budgetMs` of failures in a row) of one request's retries. */
export class Retry {
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
export interface Watched {
  req: ClientRequest;
  since: number;
  written: number;
  finishedAt?: number;
  fail(why: string): void;
}

/** One media file (segment, init, part file) being uploaded. */
export class MediaUpload {
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
export class ManifestUpload {
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
