/**
 * The file operations of one input PID, run in order: open, write, close, and steps of the sink's own
 * (acknowledgements, atomic manifest writes, deletions).
 *
 * The cost of a file operation on a small machine is its trip through Node's I/O thread pool (a thread
 * hand-off each way: on 2 busy CPUs the packager's thread gives its CPU away at each one), not the copy
 * into the page cache. So a regular file is opened, written (one `writev` per batch: a chunk) and closed
 * synchronously, as GPAC and ffmpeg do: no promise, no thread hand-off. A file that is not regular (a
 * FIFO, a device) is opened and written in the pool, so a FIFO nobody reads blocks only its own
 * operations. Operations queued behind one that waits run when it completes; the bytes they hold stay
 * referenced (their packets kept) until written.
 */
import {
  close,
  closeSync,
  constants,
  fstatSync,
  open,
  openSync,
  writeSync,
  writev,
  writevSync,
} from 'node:fs';

/** A file being written. */
export interface DiskFile {
  readonly path: string;
  /** Set once open. */
  fd?: number;
  /** A regular file: written synchronously. */
  regular?: boolean;
  closed?: boolean;
  /** Bytes written (disk-first reports these). */
  written: number;
  /** Bytes planned (memoryFirst reports these). */
  planned: number;
  /** Its LL-HLS part file (`<segment>.<k>`), written with it. */
  part?: DiskFile;
}

export type Op =
  | { kind: 'open'; file: DiskFile; then: () => void }
  | { kind: 'write'; files: DiskFile[]; data: Uint8Array[]; bytes: number; then: () => void }
  | { kind: 'close'; file: DiskFile; then: () => void }
  /** A step of the sink's own, synchronous or not (acknowledgements, manifests, deletions). */
  | { kind: 'step'; run: () => void | Promise<void> };

export interface QueueHost {
  /** Declare asynchronous work (the run waits for it and fails with its error). */
  track(work: Promise<void>): void;
  /** Turn a system error into the sink's error naming the file. */
  error(e: unknown, path: string, action: string): Error;
  /** `path` met ENOENT: true if its folder was made again (retry), false if not ours to make again. */
  folderGone(path: string): boolean;
  /** Bytes left the queue (written). */
  drained(bytes: number, ops: number): void;
}

const WRITE_NONBLOCK = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NONBLOCK;

const callback = <T>(start: (done: (e: Error | null, r?: T) => void) => void): Promise<T> =>
  new Promise<T>((resolve, reject) => start((e, r) => (e ? reject(e) : resolve(r as T))));

function totalLength(data: readonly Uint8Array[]): number {
  let n = 0;
  for (let i = 0; i < data.length; i++) n += data[i]!.length;
  return n;
}

/** Write every byte of `data` (a short write goes on from where it stopped). */
function writeAllSync(fd: number, data: readonly Uint8Array[]): void {
  let rest: readonly Uint8Array[] = data;
  for (;;) {
    // One buffer: write(2) (Node's writev copies its list into a new array first).
    let n = rest.length === 1 ? writeSync(fd, rest[0]!) : writevSync(fd, rest as Uint8Array[]);
    // All of it (a regular file's usual answer): done, without walking the list.
    if (n === totalLength(rest)) return;
    const next: Uint8Array[] = [];
    for (const b of rest) {
      if (n >= b.length) n -= b.length;
      else {
        next.push(n ? b.subarray(n) : b);
        n = 0;
      }
    }
    if (!next.length) return;
    rest = next;
  }
}

async function writeAllAsync(fd: number, data: readonly Uint8Array[]): Promise<void> {
  let rest: readonly Uint8Array[] = data;
  for (;;) {
    let n = await callback<number>((done) => writev(fd, rest as Uint8Array[], done));
    const next: Uint8Array[] = [];
    for (const b of rest) {
      if (n >= b.length) n -= b.length;
      else {
        next.push(n ? b.subarray(n) : b);
        n = 0;
      }
    }
    if (!next.length) return;
    rest = next;
  }
}

/** Open `path` (non-blocking), its folder made again if it went mid-run (a removal in progress: a few tries). */
function openAgain(path: string, folderGone: (path: string) => boolean): number {
  for (let attempt = 0; ; attempt++) {
    try {
      return openSync(path, WRITE_NONBLOCK, 0o666);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 3 || !folderGone(path)) throw e;
    }
  }
}

/** Operations of one PID, in order. */
export class OpQueue {
  private readonly ops: Op[] = [];
  /** An asynchronous operation at the head is running. */
  private running = false;
  /** An operation failed: the run ends with its error, nothing more runs. */
  private failed = false;
  /** Bytes and operations queued (not yet run). */
  bytes = 0;
  private settled: Promise<void> = Promise.resolve();

  constructor(private readonly host: QueueHost) {}

  get length(): number {
    return this.ops.length;
  }

  /** Nothing queued (or nothing more will run): an operation added now runs at once (if synchronous). */
  get idle(): boolean {
    return this.failed || (!this.running && this.ops.length === 0);
  }

  /** An operation failed: nothing more runs. */
  get hasFailed(): boolean {
    return this.failed;
  }

  /** Resolves once everything queued so far has run (or failed). */
  whenDone(): Promise<void> {
    return this.settled;
  }

  /** Add an operation; it runs now if nothing is ahead of it and it can run synchronously. */
  push(op: Op): void {
    this.ops.push(op);
    if (op.kind === 'write') this.bytes += op.bytes;
    if (!this.running) this.pump();
  }

  /** Run operations from the head until one must wait (or none is left). Throws what a sync one throws. */
  private pump(): void {
    while (this.ops.length && !this.running && !this.failed) {
      const op = this.ops[0]!;
      let work: Promise<void> | undefined;
      try {
        work = this.start(op);
      } catch (e) {
        this.failed = true;
        throw e;
      }
      if (work) {
        this.running = true;
        const run = work.then(() => {
          this.running = false;
          this.done(op);
          this.pump();
        });
        run.catch(() => {
          this.running = false;
          this.failed = true;
        });
        this.settled = run.catch(() => undefined);
        this.host.track(run);
        return;
      }
      this.done(op);
    }
  }

  private done(op: Op): void {
    this.ops.shift();
    const bytes = op.kind === 'write' ? op.bytes : 0;
    this.bytes -= bytes;
    this.host.drained(bytes, 1);
    if (op.kind !== 'step') op.then();
  }

  /** Run `op`: undefined if it completed synchronously, else its promise. */
  private start(op: Op): Promise<void> | undefined {
    switch (op.kind) {
      case 'open': {
        const f = op.file;
        // Non-blocking: a FIFO nobody reads yet fails at once (ENXIO) instead of blocking the thread.
        let fd: number | undefined;
        try {
          fd = openAgain(f.path, (p) => this.host.folderGone(p));
          if (fstatSync(fd).isFile()) {
            f.fd = fd;
            f.regular = true;
            return undefined;
          }
          // A FIFO or a device: written in the thread pool, opened again there in blocking mode.
          closeSync(fd);
        } catch (e) {
          if (fd !== undefined) closeSync(fd);
          if ((e as NodeJS.ErrnoException).code !== 'ENXIO') throw this.host.error(e, f.path, 'open');
        }
        return callback<number>((done) => open(f.path, 'w', done)).then(
          (fd) => {
            f.fd = fd;
            f.regular = false;
          },
          (e: unknown) => {
            throw this.host.error(e, f.path, 'open');
          },
        );
      }
      case 'write': {
        if (op.files.every((f) => f.regular)) {
          for (const f of op.files) {
            try {
              writeAllSync(f.fd!, op.data);
            } catch (e) {
              throw this.host.error(e, f.path, 'write');
            }
          }
          return undefined;
        }
        return (async () => {
          for (const f of op.files) {
            try {
              if (f.regular) writeAllSync(f.fd!, op.data);
              else await writeAllAsync(f.fd!, op.data);
            } catch (e) {
              throw this.host.error(e, f.path, 'write');
            }
          }
        })();
      }
      case 'close': {
        const f = op.file;
        if (f.closed || f.fd === undefined) return undefined;
        f.closed = true;
        if (f.regular) {
          try {
            closeSync(f.fd);
          } catch (e) {
            throw this.host.error(e, f.path, 'close');
          }
          return undefined;
        }
        return callback<void>((done) => close(f.fd!, done)).catch((e: unknown) => {
          throw this.host.error(e, f.path, 'close');
        });
      }
      case 'step': {
        const r = op.run();
        return r instanceof Promise ? r : undefined;
      }
    }
  }

  /** Close whatever files of `files` are still open, without running the queue (end of the run). */
  static closeNow(files: Iterable<DiskFile | undefined>): void {
    for (const f of files) {
      if (!f || f.closed || f.fd === undefined) continue;
      f.closed = true;
      try {
        closeSync(f.fd);
      } catch {
        /* the run is over */
      }
    }
  }
}
