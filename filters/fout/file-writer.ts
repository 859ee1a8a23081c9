/**
 * The file-writing pipeline shared by the file sinks (fout, and httpout in server mode with rdirs):
 * packets become an ordered chain of file operations run in Node's I/O thread pool.
 *  - Segments are written progressively, in order, as their packets arrive: a reader tailing a file
 *    sees each chunk once it is written. Past MAX_IN_FLIGHT bytes or MAX_OPS_IN_FLIGHT operations
 *    queued, the sink stops taking packets.
 *  - A packet with `FileName` (or `FileNumber`) starts a new file; `LLHASFragNum=k` with
 *    `LLHASPartFiles` also opens the part file `<segment>.k`, and what follows goes to both (llhls=sf).
 *  - Manifests (`IsManifest` PIDs, or `atomic`) are written to a temporary file and renamed: readers
 *    never see half a playlist.
 *  - A packet carrying `AckId` is acknowledged upstream (`write-ack` event) once its bytes are written,
 *    in the order of the PID's packets.
 *  - `file-delete` events remove the named file, in order with the writes.
 * Optional hooks tell an observer (an HTTP origin) what happened on disk, in order, once it happened;
 * or, with `memoryFirst`, what is planned, in the same order, as the packets are taken: an origin serving
 * from memory then lists a part without waiting for the disk (which is written behind, in order).
 */
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { GraphError, isEvent, makeEvent, packetProp } from '../../src/index.js';
import type { FilterEvent, FilterImpl, InputPid, Logger, Packet, PacketProps } from '../../src/index.js';

/**
 * Limits of queued work. Both matter: sample data are views into the demuxer's read blocks, so a
 * few bytes of audio queued may keep a whole 1 MiB block alive (by bytes alone, a fast audio PID
 * once pinned 140 MB of blocks).
 */
const MAX_IN_FLIGHT = 2 << 20;
const MAX_OPS_IN_FLIGHT = 16;

/** What happened on disk, reported after it happened (each call follows the operation it reports). */
export interface WriterHooks {
  /** A file (a segment, another file, or a part file) will be written: called when the write is planned,
   *  before any of its bytes; it is created (truncated) at once. */
  opened?(path: string, kind: 'file' | 'part'): void;
  /** Bytes were appended: `size` bytes of `path` are on disk; `data` are the bytes just appended. */
  progress?(path: string, size: number, data?: readonly Uint8Array[]): void;
  /**
   * A packet carrying `AckId` was written: `path` stands at `size`, the end of a chunk (an LL part).
   * A returned promise delays the acknowledgement (not the following writes) until it resolves (an
   * upload accepted by a push origin); if it rejects, the run fails with its error.
   */
  boundary?(path: string, size: number): void | Promise<void>;
  /** The file is complete (for a part file: its last byte is written). May be reported twice. */
  closed?(path: string, size: number): void;
  /** A whole file (manifest, atomic write) was renamed into place with these bytes. */
  replaced?(path: string, data: Uint8Array, props: PacketProps): void;
  /** The file was removed (`file-delete`). */
  deleted?(path: string): void;
  /**
   * The run stopped (SIGTERM, a failed write…) while the file was still being written: its bytes are
   * not a whole file. Reported instead of `closed` (for a part file in production too).
   */
  abandoned?(path: string): void;
}

export interface FileSinkOptions {
  /** Name used in error messages (`fout`, `httpout`). */
  label: string;
  /** Default file (packets without FileName). */
  dst: string;
  /** Folder packets' FileName paths are relative to. */
  baseDir: string;
  atomic: boolean;
  /** Take and drop everything (`dst=null`). */
  discard?: boolean;
  hooks?: WriterHooks;
  /**
   * Report to the hooks (and acknowledge chunks) as packets are planned instead of once the disk has
   * them: for an observer that keeps the bytes itself (httpout's server). Sizes are then the bytes
   * planned; the writes still happen in order, and a failed one still ends the run.
   */
  memoryFirst?: boolean;
}

/** The part of a filter context the writer needs. */
export interface WriterContext {
  readonly log: Logger;
  track<T>(work: Promise<T>): Promise<T>;
}

interface Counter {
  size: number;
}

interface OpenFile {
  path: string;
  fh: Promise<FileHandle>;
  written: Counter;
  /** Bytes planned (memoryFirst reports these). */
  planned: Counter;
  part?: { path: string; fh: Promise<FileHandle>; written: Counter; planned: Counter };
}

interface PidState {
  file?: OpenFile;
  manifest: boolean;
  /** Operations on this PID's files run one after the other. */
  chain: Promise<void>;
  /** Acknowledgements waiting for a gate (WriterHooks.boundary), in packet order. */
  acks?: Promise<void>;
}

export function ioError(e: unknown, path: string, action: string, label = 'fout'): GraphError {
  if (e instanceof GraphError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOSPC'
      ? 'no space left on device'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'ENOENT'
          ? 'no such directory'
          : code === 'ENOTDIR' || code === 'EEXIST'
            ? 'a path component is not a directory'
            : code === 'EISDIR'
              ? 'it is a directory'
              : (e as Error).message;
  return new GraphError('WRITE_ERROR', `${label}: cannot ${action} "${path}": ${why}`, { path, code });
}

async function writeAll(fh: FileHandle, batch: readonly Uint8Array[]): Promise<void> {
  let rest = [...batch];
  while (rest.length) {
    const { bytesWritten } = await fh.writev(rest);
    let skip = bytesWritten;
    const next: Uint8Array[] = [];
    for (const b of rest) {
      if (skip >= b.length) skip -= b.length;
      else {
        next.push(skip ? b.subarray(skip) : b);
        skip = 0;
      }
    }
    rest = next;
  }
}

/**
 * A file sink's configurePid / process / processEvent / finalize, writing to disk. `processEvent`
 * handles `file-delete` (returns true) and leaves every other event alone.
 */
export function createFileSink(
  ctx: WriterContext,
  opts: FileSinkOptions,
): Required<Pick<FilterImpl, 'configurePid' | 'process' | 'processEvent' | 'finalize'>> {
  const { dst, baseDir, label } = opts;
  const early = opts.memoryFirst === true;
  /** Reported by the disk operations once done (the default)… */
  const hooks: WriterHooks = early ? {} : (opts.hooks ?? {});
  /** …or while planning them (memoryFirst). */
  const now: WriterHooks = early ? (opts.hooks ?? {}) : {};
  const discard = opts.discard === true;
  const states = new Map<InputPid, PidState>();
  const made = new Map<string, Promise<void>>();
  let inFlight = 0;
  let opsInFlight = 0;
  const busy = () => inFlight >= MAX_IN_FLIGHT || opsInFlight >= MAX_OPS_IN_FLIGHT;
  const err = (e: unknown, path: string, action: string) => ioError(e, path, action, label);

  const resolvePath = (name: string) => (isAbsolute(name) ? name : join(baseDir, name));

  function ensureDir(path: string): Promise<void> {
    const dir = dirname(path);
    let p = made.get(dir);
    if (!p) {
      p = mkdir(dir, { recursive: true }).then(
        () => undefined,
        (e: unknown) => {
          throw err(e, dir, 'create folder');
        },
      );
      made.set(dir, p);
    }
    return p;
  }

  function openFile(path: string): Promise<FileHandle> {
    return ensureDir(path).then(() =>
      open(path, 'w').catch((e: unknown) => {
        throw err(e, path, 'open');
      }),
    );
  }

  /** memoryFirst: `f` (and its part file) is complete as planned. */
  function closedNow(f: OpenFile | undefined): void {
    if (!f) return;
    if (f.part) now.closed?.(f.part.path, f.part.planned.size);
    now.closed?.(f.path, f.planned.size);
  }

  async function closePart(part: OpenFile['part']): Promise<void> {
    if (!part) return;
    await (await part.fh).close();
    hooks.closed?.(part.path, part.written.size);
  }

  async function closeFile(f: OpenFile | undefined): Promise<void> {
    if (!f) return;
    await closePart(f.part);
    await (await f.fh).close();
    hooks.closed?.(f.path, f.written.size);
  }

  /**
   * Write whole files atomically: every temporary file first, then the renames back to back, so a
   * set of playlists published together (master, variants) changes on disk within microseconds.
   */
  async function writeAtomic(
    batch: readonly { path: string; data: Uint8Array; props: PacketProps }[],
  ): Promise<void> {
    // A file published twice in one batch: its last version only (one temporary file per path).
    const files = batch.filter((f, i) => !batch.some((g, j) => j > i && g.path === f.path));
    const tmps: string[] = [];
    try {
      for (const f of files) {
        await ensureDir(f.path);
        const tmp = `${f.path}.tmp${process.pid}`;
        tmps.push(tmp);
        await writeFile(tmp, f.data);
      }
      for (const [i, f] of files.entries()) await rename(tmps[i]!, f.path);
    } catch (e) {
      await Promise.all(tmps.map((t) => rm(t, { force: true })));
      throw err(e, files[tmps.length - 1]?.path ?? '', 'write');
    }
    for (const f of files) hooks.replaced?.(f.path, f.data, f.props);
  }

  async function writeBatch(f: OpenFile, batch: Uint8Array[], bytes: number): Promise<void> {
    try {
      await writeAll(await f.fh, batch);
      f.written.size += bytes;
      if (f.part) {
        await writeAll(await f.part.fh, batch);
        f.part.written.size += bytes;
        hooks.progress?.(f.part.path, f.part.written.size, batch);
      }
      hooks.progress?.(f.path, f.written.size, batch);
    } catch (e) {
      throw err(e, f.path, 'write');
    }
  }

  /** Queue an operation on a PID's chain; it is tracked, so the run waits for it and fails with it. */
  function enqueue(st: PidState, bytes: number, op: () => Promise<void>): void {
    inFlight += bytes;
    opsInFlight++;
    st.chain = st.chain.then(op).finally(() => {
      inFlight -= bytes;
      opsInFlight--;
    });
    void ctx.track(st.chain);
  }

  /**
   * Acknowledge upstream once `gate` (if any) resolved, and never before an earlier packet of the PID:
   * gates resolve in any order (a push retrying a segment's upload while the next one's goes through),
   * acknowledgements leave in the order of the packets.
   */
  function acknowledge(pid: InputPid, st: PidState, ack: FilterEvent, gate: void | Promise<void>): void {
    if (!gate && st.acks === undefined) {
      pid.sendEvent(ack);
      return;
    }
    // The gate may fail before the acknowledgements ahead of it are sent: the chain reports it then.
    gate?.catch(() => undefined);
    const chain: Promise<void> = (st.acks ?? Promise.resolve())
      .then(() => gate)
      .then(() => {
        pid.sendEvent(ack);
        if (st.acks === chain) st.acks = undefined;
      });
    st.acks = chain;
    void ctx.track(chain);
  }

  /** Turn packets into ordered file operations (opening files, batched writes, acknowledgements). */
  function plan(pid: InputPid, st: PidState, packets: Packet[]): void {
    let batch: Uint8Array[] = [];
    let bytes = 0;
    const flush = () => {
      const f = st.file;
      if (!f || !batch.length) return;
      const b = batch;
      const n = bytes;
      // Plans run ahead of the writes: capture the files this batch goes to now.
      const target: OpenFile = {
        path: f.path,
        fh: f.fh,
        written: f.written,
        planned: f.planned,
        ...(f.part ? { part: f.part } : {}),
      };
      enqueue(st, bytes, () => writeBatch(target, b, n));
      if (f.part) {
        f.part.planned.size += n;
        now.progress?.(f.part.path, f.part.planned.size, b);
      }
      f.planned.size += n;
      now.progress?.(f.path, f.planned.size, b);
      batch = [];
      bytes = 0;
    };
    let whole: { path: string; data: Uint8Array; props: PacketProps }[] = [];
    const flushWhole = () => {
      if (!whole.length) return;
      const files = whole;
      enqueue(
        st,
        files.reduce((a, f) => a + f.data.length, 0),
        () => writeAtomic(files),
      );
      for (const f of files) now.replaced?.(f.path, f.data, f.props);
      whole = [];
    };
    for (const p of packets) {
      const props = p.props ?? {};
      const name = packetProp(props, 'FileName');
      /** The file this packet's bytes went to (for the acknowledgement's boundary). */
      let target: OpenFile | undefined;
      if (st.manifest || (opts.atomic && p.start && p.end)) {
        whole.push({ path: resolvePath(name ?? dst), data: p.data, props });
      } else {
        flushWhole();
        if (name !== undefined || packetProp(props, 'FileNumber') !== undefined || !st.file) {
          flush();
          const old = st.file;
          const path = resolvePath(name ?? dst);
          const f: OpenFile = { path, fh: openFile(path), written: { size: 0 }, planned: { size: 0 } };
          st.file = f;
          closedNow(old);
          now.opened?.(path, 'file');
          f.fh.catch(() => undefined); // reported through the chain
          enqueue(st, 0, async () => {
            await closeFile(old);
            await f.fh;
            // Only now does the file exist: a server may start answering requests for it.
            hooks.opened?.(path, 'file');
          });
        }
        const frag = packetProp(props, 'LLHASFragNum');
        if (frag !== undefined && packetProp(props, 'LLHASPartFiles') === true) {
          flush();
          const f = st.file;
          const oldPart = f.part;
          const path = `${f.path}.${frag}`;
          const part = { path, fh: openFile(path), written: { size: 0 }, planned: { size: 0 } };
          f.part = part;
          if (oldPart) now.closed?.(oldPart.path, oldPart.planned.size);
          now.opened?.(path, 'part');
          part.fh.catch(() => undefined);
          enqueue(st, 0, async () => {
            await closePart(oldPart);
            await part.fh;
            hooks.opened?.(path, 'part');
          });
        }
        target = st.file;
        batch.push(p.data);
        bytes += p.data.length;
        if (packetProp(props, 'EndOfFile') === true) {
          flush();
          const done = st.file;
          st.file = undefined;
          closedNow(done);
          enqueue(st, 0, () => closeFile(done));
        }
      }
      const ackId = packetProp(props, 'AckId');
      if (ackId !== undefined) {
        flush();
        flushWhole();
        const ack = makeEvent('write-ack', { ackId });
        const t = target;
        const part = t?.part;
        if (early) {
          // The observer has the bytes: acknowledge now, the disk follows.
          const gate = t ? now.boundary?.(t.path, t.planned.size) : undefined;
          if (t && part) now.closed?.(part.path, part.planned.size);
          acknowledge(pid, st, ack, gate);
          continue;
        }
        enqueue(st, 0, async () => {
          let gate: void | Promise<void> = undefined;
          if (t) {
            gate = hooks.boundary?.(t.path, t.written.size);
            // The part's last byte is written: its file is complete (it is closed when the next opens).
            if (part) hooks.closed?.(part.path, part.written.size);
          }
          acknowledge(pid, st, ack, gate);
        });
      }
    }
    flush();
    flushWhole();
  }

  return {
    configurePid(pid, status) {
      if (status === 'new')
        states.set(pid, { manifest: Boolean(pid.props.IsManifest), chain: Promise.resolve() });
      else if (status === 'update') {
        const st = states.get(pid);
        if (st) st.manifest = Boolean(pid.props.IsManifest);
      }
    },
    process() {
      let moved = false;
      for (const [pid, st] of states) {
        const packets: Packet[] = [];
        while (!busy()) {
          const p = pid.take();
          if (!p) break;
          packets.push(p);
          if (packets.length >= 256) break;
        }
        if (!packets.length) continue;
        moved = true;
        if (!discard) plan(pid, st, packets);
      }
      if (busy()) return 'not-ready';
      if (states.size && [...states.keys()].every((p) => p.eos)) {
        // Close what is open once the queued writes are done; the engine waits for tracked work.
        for (const st of states.values()) {
          const f = st.file;
          st.file = undefined;
          closedNow(f);
          if (f) enqueue(st, 0, () => closeFile(f));
        }
        return 'eos';
      }
      return moved ? 'ok' : 'not-ready';
    },
    processEvent(event: FilterEvent, pid) {
      if (!isEvent(event, 'file-delete') || discard) return false;
      const path = resolvePath(event.url);
      const st = states.get(pid as InputPid);
      const del = async () => {
        await rm(path, { force: true }).then(
          () => hooks.deleted?.(path),
          (e: unknown) => ctx.log.warn(`cannot delete "${path}": ${(e as Error).message}`),
        );
      };
      now.deleted?.(path);
      if (st) enqueue(st, 0, del);
      else void ctx.track(del());
      return true;
    },
    async finalize() {
      // Files still open here were cut by a stop or a failure (a normal end closed them at EOS).
      const report = opts.hooks?.abandoned;
      const cut = (f: OpenFile) => {
        if (f.part) report?.(f.part.path);
        report?.(f.path);
      };
      for (const st of states.values()) {
        const f = st.file;
        st.file = undefined;
        if (f && early) cut(f);
        await st.chain.catch(() => undefined);
        if (!f) continue;
        await Promise.all(
          [f.fh, f.part?.fh].map(async (fh) => (await fh)?.close().catch(() => undefined)),
        ).catch(() => undefined);
        if (!early) cut(f);
      }
    },
  };
}
