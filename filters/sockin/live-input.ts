/**
 * What a live source filter (sockin, pin) shares: bytes received outside process() (socket and stream
 * events) wait in a bounded queue; process() turns everything queued into one File packet at once (no
 * waiting to fill a block: latency), creates the PID on the first bytes (probing the format), ends the
 * stream after `timeout` ms without data, and counts what it had to drop.
 *
 * Memory is bounded: when the queue holds `maxBytes` (the consumer stalls), a source that can be paused
 * (TCP, pipes, standard input) is paused — the sender is held back by the transport — and one that
 * cannot (UDP) drops its oldest bytes, counted and reported.
 */
import { GraphError } from '../../src/index.js';
import { isEvent } from '../../src/index.js';
import type { FilterContext, FilterEvent, OutputPid, PidProps } from '../../src/index.js';

export interface LiveInputOptions {
  /** Largest packet sent (bytes). */
  blockSize: number;
  /** Bytes queued at most before pausing or dropping. */
  maxBytes: number;
  /** Ms without data that end the stream (0: never). */
  timeout: number;
  /** How the user named the source (messages). */
  label: string;
  /** The PID's URL property (default: label). */
  url?: string;
  /** Forced Extension / MIME type; probed otherwise. */
  ext?: string;
  mime?: string;
  /** Probe MPEG-2 TS by its sync byte before asking the registry (GPAC's tsprobe). */
  tsprobe: boolean;
  /** Extra PID properties. */
  props?: PidProps;
  /** Pause / resume the sender (TCP, pipes); undefined: the source cannot be paused (UDP). */
  pause?: (paused: boolean) => void;
  /** What to say when the timeout expires before any byte came. */
  neverMessage?: () => string;
}

export class LiveInput {
  private chunks: Uint8Array[] = [];
  private queued = 0;
  private paused = false;
  private closedWith: 'eos' | Error | undefined;
  private wake: (() => void) | undefined;
  private waiting: Promise<void> | undefined;
  private lastData: number;
  private readonly started: number;
  pid: OutputPid | undefined;
  /** Bytes received, sent, dropped (queue full). */
  received = 0;
  sent = 0;
  droppedBytes = 0;
  droppedChunks = 0;
  private warnedDrop = false;
  private ended = false;
  /** Bytes still to skip (a forward source-seek past what was received). */
  private skip = 0;
  /**
   * A consumer sent source-seek (a demuxer reading by offsets, fin's protocol): at the end of the
   * stream the PID stays open until that consumer says stop (or ends), so it can tell the end itself.
   */
  private seekingConsumer = false;
  private endSent = false;
  private stopped = false;

  constructor(
    private readonly ctx: FilterContext<unknown>,
    private readonly opts: LiveInputOptions,
  ) {
    this.started = this.lastData = ctx.clock.now();
  }

  /** Bytes arrived (from a socket or stream event). */
  push(chunk: Uint8Array): void {
    if (this.closedWith || !chunk.length) return;
    this.received += chunk.length;
    this.lastData = this.ctx.clock.now();
    this.chunks.push(chunk);
    this.queued += chunk.length;
    if (this.queued > this.opts.maxBytes) {
      if (this.opts.pause) {
        if (!this.paused) {
          this.paused = true;
          this.opts.pause(true);
        }
      } else {
        while (this.queued > this.opts.maxBytes && this.chunks.length > 1) {
          const old = this.chunks.shift()!;
          this.queued -= old.length;
          this.droppedBytes += old.length;
          this.droppedChunks++;
        }
        if (!this.warnedDrop) {
          this.warnedDrop = true;
          this.ctx.log.warn(
            `${this.opts.label}: the graph does not keep up (a stalled consumer): received data is dropped (${this.opts.maxBytes} bytes held at most); see -stats`,
          );
        }
      }
    }
    this.notify();
  }

  /** The sender is gone (end of stream) or failed. */
  close(error?: Error): void {
    if (this.closedWith) return;
    this.closedWith = error ?? 'eos';
    this.notify();
  }

  /** The consumer has read all it wants (GPAC's STOP). */
  stop(): void {
    this.stopped = true;
    this.close();
  }

  get isClosed(): boolean {
    return this.closedWith !== undefined;
  }

  /**
   * A live source's events: `stop` (the consumer read all it wants), `source-seek` forward (skip bytes) or
   * back (the run ends with `seekBack(start)`'s error). True when handled.
   */
  processEvent(event: FilterEvent, seekBack: (start: number) => GraphError): boolean {
    if (isEvent(event, 'stop')) this.stop();
    else if (isEvent(event, 'source-seek')) {
      if (!this.seekTo(event.start)) this.close(seekBack(event.start));
    } else return false;
    this.ctx.requestProcess();
    return true;
  }

  /** Forward seek (source-seek on a stream): skip bytes up to `offset`. False when it would go back. */
  seekTo(offset: number): boolean {
    this.seekingConsumer = true;
    if (offset < this.sent) return false;
    let n = offset - this.sent;
    while (n > 0 && this.chunks.length) {
      const c = this.chunks[0]!;
      if (c.length <= n) {
        this.chunks.shift();
        n -= c.length;
        this.queued -= c.length;
        this.sent += c.length;
      } else {
        this.chunks[0] = c.subarray(n);
        this.queued -= n;
        this.sent += n;
        n = 0;
      }
    }
    this.skip = n;
    return true;
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    this.waiting = undefined;
    w?.();
  }

  /** A process() step: send what is queued, end on close or timeout, or wait. */
  step(): 'ok' | 'not-ready' | 'eos' {
    if (this.ended) return 'eos';
    if (this.endSent) return this.end();
    const now = this.ctx.clock.now();
    if (this.chunks.length && !(this.pid?.wouldBlock ?? false)) {
      this.sendQueued();
      return 'ok';
    }
    if (this.chunks.length) return 'not-ready'; // the consumer is behind: woken when it drains
    if (this.closedWith) {
      if (this.closedWith instanceof Error) throw this.closedWith;
      return this.end();
    }
    if (this.opts.timeout > 0 && now - this.lastData >= this.opts.timeout) {
      if (!this.received)
        throw new GraphError(
          'READ_ERROR',
          this.opts.neverMessage?.() ??
            `${this.opts.label}: no data received in ${this.opts.timeout} ms (option timeout)`,
          { url: this.opts.label },
        );
      this.ctx.log.info(`${this.opts.label}: no data for ${this.opts.timeout} ms: end of stream`);
      return this.end();
    }
    if (!this.waiting) {
      this.waiting = new Promise<void>((resolve) => (this.wake = resolve));
      this.ctx.track(this.waiting);
    }
    if (this.opts.timeout > 0) this.ctx.requestProcess(Math.max(1, this.lastData + this.opts.timeout - now));
    return 'not-ready';
  }

  private end(): 'eos' {
    this.ended = true;
    if (!this.pid && this.received === 0 && !(this.closedWith instanceof Error)) {
      throw new GraphError('READ_ERROR', `${this.opts.label}: the source sent no data`, {
        url: this.opts.label,
      });
    }
    this.pid?.send({ data: new Uint8Array(0), byteOffset: this.sent, start: false, end: true });
    this.pid?.setEos();
    this.wake = undefined;
    return 'eos';
  }

  private sendQueued(): void {
    let data: Uint8Array;
    const total = Math.min(this.queued, this.opts.blockSize);
    if (this.chunks.length === 1 && this.chunks[0]!.length <= total) {
      data = this.chunks.shift()!;
    } else {
      data = new Uint8Array(total);
      let at = 0;
      while (at < total) {
        const c = this.chunks[0]!;
        const n = Math.min(c.length, total - at);
        data.set(c.subarray(0, n), at);
        at += n;
        if (n === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(n);
      }
    }
    this.queued -= data.length;
    if (this.skip) {
      const n = Math.min(this.skip, data.length);
      this.skip -= n;
      this.sent += n;
      data = data.subarray(n);
      if (!data.length) return;
    }
    if (!this.pid) this.pid = this.createPid(data);
    this.pid.send({ data, byteOffset: this.sent, start: this.sent === 0, end: false });
    this.sent += data.length;
    if (this.paused && this.queued < this.opts.maxBytes / 2) {
      this.paused = false;
      this.opts.pause?.(false);
    }
  }

  private createPid(first: Uint8Array): OutputPid {
    const props: PidProps = { StreamType: 'File', URL: this.opts.url ?? this.opts.label, ...this.opts.props };
    if (this.opts.ext) props.Extension = this.opts.ext;
    let mime = this.opts.mime;
    if (!mime && this.opts.tsprobe && first[0] === 0x47) mime = 'video/mp2t';
    mime ??= this.ctx.probeData(first);
    if (mime) props.MIMEType = mime;
    this.ctx.log.info(
      `${this.opts.label}: receiving (first data after ${this.ctx.clock.now() - this.started} ms${mime ? `, ${mime}` : ''})`,
    );
    return this.ctx.createPid(props, 'stream');
  }

  /** Figures for -stats and the progress line. */
  status(): Record<string, number> {
    return {
      received: this.received,
      queued: this.queued,
      ...(this.droppedBytes ? { droppedBytes: this.droppedBytes, droppedChunks: this.droppedChunks } : {}),
    };
  }
}
