/**
 * The file-writing pipeline shared by the file sinks (fout, and httpout in server mode with rdirs):
 * packets become ordered file operations (disk.ts: a file is opened in Node's I/O thread pool, then a
 * regular file is written and closed synchronously, one writev per chunk).
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
import { mkdirSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { isEvent, makeEvent, packetProp } from '../../src/index.js';
import type { FilterEvent, FilterImpl, InputPid, Packet, PacketProps } from '../../src/index.js';
import { OpQueue } from './disk.js';
import type { DiskFile } from './disk.js';
import { ioError } from './writer-types.js';
import type { FileSinkOptions, WriterContext, WriterHooks } from './writer-types.js';

export { ioError } from './writer-types.js';
export type { FileSinkOptions, WriterContext, WriterHooks } from './writer-types.js';

/**
 * Limits of queued work (bytes and operations waiting behind an open or an asynchronous write). Both
 * matter: queued bytes are views into the demuxer's read blocks, kept until written.
 */
const MAX_IN_FLIGHT = 2 << 20;
const MAX_OPS_IN_FLIGHT = 16;

interface PidState {
  queue: OpQueue;
  /** Files opened (or being opened) and not closed yet. */
  files: Set<DiskFile>;
  /** The file being planned (the queue may still be opening it). */
  file?: DiskFile;
  manifest: boolean;
  /** Acknowledgements waiting for a gate (WriterHooks.boundary), in packet order. */
  acks?: Promise<void>;
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
  /** Folders made. */
  const made = new Set<string>();
  let inFlight = 0;
  let opsInFlight = 0;
  const busy = () => inFlight >= MAX_IN_FLIGHT || opsInFlight >= MAX_OPS_IN_FLIGHT;
  const err = (e: unknown, path: string, action: string) => ioError(e, path, action, label);
  const keep = ctx.keep?.bind(ctx);
  const drop = ctx.drop?.bind(ctx);

  const resolvePath = (name: string) => (isAbsolute(name) ? name : join(baseDir, name));

  /** Make the folder of `path` (once: the set remembers the folders made). */
  function ensureDir(path: string): void {
    const dir = dirname(path);
    if (made.has(dir)) return;
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw err(e, dir, 'create folder');
    }
    made.add(dir);
  }

  /**
   * An operation on `path` failed with ENOENT: if its folder was made during this run (an output folder
   * removed by hand or by a cleaning job mid-run), make it again, once per removal, with a warning, and
   * say to retry: the run goes on (an origin keeps serving the live edge from memory) instead of ending.
   */
  function folderGone(path: string): boolean {
    const dir = dirname(path);
    if (!made.has(dir)) return false;
    made.delete(dir);
    ctx.log.warn(`${label}: the folder "${dir}" was removed during the run: made again`);
    ensureDir(path);
    return true;
  }

  /** Run `op` again (a few times: a removal in progress may take what was just made) if its folder went. */
  async function inFolder(paths: readonly string[], op: () => Promise<void>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      for (const p of paths) ensureDir(p);
      try {
        return await op();
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 3) throw e;
        // One folder named by several files (a master and its variants) is made again once.
        let again = false;
        const dirs = new Map(paths.map((p) => [dirname(p), p]));
        for (const p of dirs.values()) again = folderGone(p) || again;
        if (!again) throw e;
      }
    }
  }

  function newQueue(): OpQueue {
    return new OpQueue({
      track: (work) => void ctx.track(work),
      error: err,
      folderGone,
      drained: (bytes, ops) => {
        inFlight -= bytes;
        opsInFlight -= ops;
      },
    });
  }

  function push(st: PidState, op: Parameters<OpQueue['push']>[0]): void {
    if (op.kind === 'write') inFlight += op.bytes;
    opsInFlight++;
    st.queue.push(op);
  }

  /** Queue the creation of `file` (its folder first), reported with `kind` once it exists. */
  function openFile(st: PidState, file: DiskFile, kind: 'file' | 'part'): void {
    now.opened?.(file.path, kind);
    // Its folder first (made once, whichever PID asks first), in order with the other operations.
    if (!made.has(dirname(file.path))) push(st, { kind: 'step', run: () => ensureDir(file.path) });
    st.files.add(file);
    push(st, { kind: 'open', file, then: () => hooks.opened?.(file.path, kind) });
  }

  function closeFile(st: PidState, file: DiskFile | undefined): void {
    if (!file) return;
    const part = file.part;
    if (part) closeOne(st, part);
    closeOne(st, file);
  }

  function closeOne(st: PidState, file: DiskFile): void {
    push(st, {
      kind: 'close',
      file,
      then: () => {
        st.files.delete(file);
        hooks.closed?.(file.path, file.written);
      },
    });
  }

  /** memoryFirst: `f` (and its part file) is complete as planned. */
  function closedNow(f: DiskFile | undefined): void {
    if (!f) return;
    if (f.part) now.closed?.(f.part.path, f.part.planned);
    now.closed?.(f.path, f.planned);
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
    const tmps = files.map((f) => `${f.path}.tmp${process.pid}`);
    let at = '';
    try {
      // Every temporary file, then the renames: the whole set again if its folder went meanwhile.
      await inFolder(
        files.map((f) => f.path),
        async () => {
          for (const [i, f] of files.entries()) {
            at = f.path;
            await writeFile(tmps[i]!, f.data);
          }
          for (const [i, f] of files.entries()) {
            at = f.path;
            await rename(tmps[i]!, f.path);
          }
        },
      );
    } catch (e) {
      await Promise.all(tmps.map((t) => rm(t, { force: true })));
      throw err(e, at, 'write');
    }
    for (const f of files) hooks.replaced?.(f.path, f.data, f.props);
  }

  /** Keep packets whose bytes wait past this process() call; the returned function drops them. */
  function hold(packets: readonly Packet[]): () => void {
    if (!keep || !drop) return () => undefined;
    for (const p of packets) keep(p);
    return () => {
      for (const p of packets) drop(p);
    };
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
    let batchPackets: Packet[] = [];
    let bytes = 0;
    const flush = () => {
      const f = st.file;
      if (!f || !batch.length) return;
      const data = batch;
      const n = bytes;
      const part = f.part;
      const files = part ? [f, part] : [f];
      // Runs at once unless an open or an asynchronous write is ahead of it: then its packets are kept.
      const release = st.queue.idle && files.every((x) => x.regular) ? () => undefined : hold(batchPackets);
      push(st, {
        kind: 'write',
        files,
        data,
        bytes: n,
        then: () => {
          release();
          f.written += n;
          if (part) {
            part.written += n;
            hooks.progress?.(part.path, part.written, data);
          }
          hooks.progress?.(f.path, f.written, data);
        },
      });
      if (part) {
        part.planned += n;
        now.progress?.(part.path, part.planned, data);
      }
      f.planned += n;
      now.progress?.(f.path, f.planned, data);
      batch = [];
      batchPackets = [];
      bytes = 0;
    };
    let whole: { path: string; data: Uint8Array; props: PacketProps }[] = [];
    let wholePackets: Packet[] = [];
    const flushWhole = () => {
      if (!whole.length) return;
      const files = whole;
      const release = hold(wholePackets);
      const size = files.reduce((a, f) => a + f.data.length, 0);
      inFlight += size;
      // memoryFirst: the observer has the manifest now; on disk it waits for the media queued before it
      // on other PIDs (regular files are written at once; a FIFO's writes may still wait), so a manifest
      // on disk never names bytes the disk does not have — and if those writes fail (a full disk), it is
      // not written at all.
      const before = early
        ? [...states.values()].filter((o) => o !== st && !o.manifest && !o.queue.idle).map((o) => o.queue)
        : [];
      push(st, {
        kind: 'step',
        run: async () => {
          try {
            await Promise.all(before.map((q) => q.whenDone()));
            if (before.some((q) => q.hasFailed)) return;
            await writeAtomic(files);
          } finally {
            release();
            inFlight -= size;
          }
        },
      });
      for (const f of files) now.replaced?.(f.path, f.data, f.props);
      whole = [];
      wholePackets = [];
    };
    for (const p of packets) {
      const props = p.props;
      // Most packets are media bytes of the current file (no properties): the fast path.
      if (!props && st.file && !st.manifest && !opts.atomic) {
        batch.push(p.data);
        batchPackets.push(p);
        bytes += p.data.length;
        continue;
      }
      const name = packetProp(props, 'FileName');
      /** The file this packet's bytes went to (for the acknowledgement's boundary). */
      let target: DiskFile | undefined;
      if (st.manifest || (opts.atomic && p.start && p.end)) {
        whole.push({ path: resolvePath(name ?? dst), data: p.data, props: props ?? {} });
        wholePackets.push(p);
      } else {
        flushWhole();
        if (name !== undefined || packetProp(props, 'FileNumber') !== undefined || !st.file) {
          flush();
          const old = st.file;
          const file: DiskFile = { path: resolvePath(name ?? dst), written: 0, planned: 0 };
          st.file = file;
          closedNow(old);
          closeFile(st, old);
          openFile(st, file, 'file');
        }
        const frag = packetProp(props, 'LLHASFragNum');
        if (frag !== undefined && packetProp(props, 'LLHASPartFiles') === true) {
          flush();
          const f = st.file;
          const oldPart = f.part;
          const part: DiskFile = { path: `${f.path}.${frag}`, written: 0, planned: 0 };
          f.part = part;
          if (oldPart) {
            now.closed?.(oldPart.path, oldPart.planned);
            closeOne(st, oldPart);
          }
          openFile(st, part, 'part');
        }
        target = st.file;
        batch.push(p.data);
        batchPackets.push(p);
        bytes += p.data.length;
        if (packetProp(props, 'EndOfFile') === true) {
          flush();
          const done = st.file;
          st.file = undefined;
          closedNow(done);
          closeFile(st, done);
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
          const gate = t ? now.boundary?.(t.path, t.planned) : undefined;
          if (t && part) now.closed?.(part.path, part.planned);
          acknowledge(pid, st, ack, gate);
          continue;
        }
        push(st, {
          kind: 'step',
          run: () => {
            let gate: void | Promise<void> = undefined;
            if (t) {
              gate = hooks.boundary?.(t.path, t.written);
              // The part's last byte is written: its file is complete (it is closed when the next opens).
              if (part) hooks.closed?.(part.path, part.written);
            }
            acknowledge(pid, st, ack, gate);
          },
        });
      }
    }
    flush();
    flushWhole();
  }

  /** Every queue has run what was queued (or a failure ended it). */
  async function drained(): Promise<void> {
    for (const st of states.values()) while (!st.queue.idle) await st.queue.whenDone();
  }

  return {
    configurePid(pid, status) {
      if (status === 'new')
        states.set(pid, { queue: newQueue(), files: new Set(), manifest: Boolean(pid.props.IsManifest) });
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
          if (packets.length >= 1024) break;
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
          closeFile(st, f);
        }
        return 'eos';
      }
      return moved ? 'ok' : 'not-ready';
    },
    processEvent(event: FilterEvent, pid) {
      if (!isEvent(event, 'file-delete') || discard) return false;
      const path = resolvePath(event.url);
      const st = states.get(pid as InputPid);
      const del = () =>
        rm(path, { force: true }).then(
          () => hooks.deleted?.(path),
          (e: unknown) => ctx.log.warn(`cannot delete "${path}": ${(e as Error).message}`),
        );
      now.deleted?.(path);
      if (st) push(st, { kind: 'step', run: del });
      else void ctx.track(del());
      return true;
    },
    async finalize() {
      // Files still open here were cut by a stop or a failure (a normal end closed them at EOS).
      const report = opts.hooks?.abandoned;
      const cut = (f: DiskFile) => {
        if (f.part) report?.(f.part.path);
        report?.(f.path);
      };
      const open = [...states.values()].map((st) => {
        const f = st.file;
        st.file = undefined;
        if (f && early) cut(f);
        return f;
      });
      await drained().catch(() => undefined);
      for (const st of states.values()) OpQueue.closeNow(st.files);
      if (!early) for (const f of open) if (f) cut(f);
    },
  };
}
