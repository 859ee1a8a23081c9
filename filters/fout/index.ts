/**
 * fout (spec §9): writes File PIDs to disk.
 *  - Segments are written progressively: every packet taken in one process() call is written (writev)
 *    before the call returns, so a reader tailing the file sees each chunk as it is made.
 *  - A packet with `FileName` (or `FileNumber`) starts a new file; `LLHASFragNum=k` also opens the part
 *    file `<segment>.k` and writes what follows to both (llhls=sf).
 *  - Manifests (`IsManifest` PIDs, or `atomic`) are written to a temporary file and renamed: readers
 *    never see half a playlist.
 *  - A packet carrying `AckId` is acknowledged upstream (`write-ack` event) once its bytes are written,
 *    so a dasher announces a part or segment only after its last byte is on disk.
 *  - `file-delete` events remove the named file.
 */
import { mkdir, open, rename, rm, stat, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname, extname, isAbsolute, join } from 'node:path';
import { arg, defineFilter, GraphError } from '../../src/index.js';
import type { FilterEvent, InputPid, Packet } from '../../src/index.js';

interface OpenFile {
  path: string;
  fh: FileHandle;
  part?: { path: string; fh: FileHandle };
}

interface PidState {
  file?: OpenFile;
  manifest: boolean;
}

function ioError(e: unknown, path: string, action: string): GraphError {
  const code = (e as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOSPC'
      ? 'no space left on device'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'ENOENT'
          ? 'no such directory'
          : code === 'ENOTDIR'
            ? 'a path component is not a directory'
            : code === 'EISDIR'
              ? 'it is a directory'
              : (e as Error).message;
  return new GraphError('WRITE_ERROR', `fout: cannot ${action} "${path}": ${why}`, { path, code });
}

export default defineFilter({
  name: 'fout',
  description: 'Write files: segments progressively, manifests atomically',
  help: `fout writes what reaches it to the file named by dst (or by the packets' FileName, relative to dst's
folder). It is loaded for any -o that is a local path; dasher output (-o x.mpd / -o x.m3u8) reaches it
through link resolution.

Examples:
  graphpac -i source1 -o res/live.m3u8:segdur=2:cdur=0.5:llhls=br
  graphpac -i clip.mp4 -o out/live.mpd:segdur=4`,
  args: {
    dst: arg.string(undefined, 'destination path (`null` discards everything)'),
    atomic: arg.bool(false, 'write every file to a temporary name and rename it when complete'),
    ext: arg.string(undefined, 'file extension to negotiate instead of the one of dst'),
  },
  // Input: files whose extension is the one of dst (set per instance below).
  caps: [{ name: 'files', in: { StreamType: 'File' } }],
  instanceCaps(args) {
    if (args.dst === 'null') return [{ name: 'anything (null sink)', in: { StreamType: '*' } }];
    const ext = args.ext ?? extname(args.dst ?? '').slice(1);
    const want: Record<string, string> = { StreamType: 'File' };
    if (ext) want.Extension = ext;
    return [{ name: `files with extension ${ext || '(none)'}`, in: want }];
  },
  probeUrl(url) {
    if (url === 'null') return 'maybe';
    if (url.startsWith('file://')) return 'maybe';
    return url.includes('://') ? 'no' : 'maybe';
  },
  maxInputs: 1,
  create(ctx) {
    const dst = ctx.args.dst ?? '';
    const discard = dst === 'null';
    const baseDir = dirname(dst.replace(/^file:\/\//, ''));
    const states = new Map<InputPid, PidState>();
    const made = new Set<string>();

    const resolvePath = (name: string) => (isAbsolute(name) ? name : join(baseDir, name));

    async function ensureDir(path: string): Promise<void> {
      const dir = dirname(path);
      if (made.has(dir)) return;
      try {
        await mkdir(dir, { recursive: true });
      } catch (e) {
        throw ioError(e, dir, 'create folder');
      }
      made.add(dir);
    }

    async function openFile(path: string): Promise<FileHandle> {
      await ensureDir(path);
      try {
        return await open(path, 'w');
      } catch (e) {
        throw ioError(e, path, 'open');
      }
    }

    async function closeFile(st: PidState): Promise<void> {
      const f = st.file;
      st.file = undefined;
      if (!f) return;
      await f.part?.fh.close();
      await f.fh.close();
    }

    async function writeAtomic(path: string, data: Uint8Array): Promise<void> {
      await ensureDir(path);
      const tmp = `${path}.tmp${process.pid}`;
      try {
        await writeFile(tmp, data);
        await rename(tmp, path);
      } catch (e) {
        await rm(tmp, { force: true });
        throw ioError(e, path, 'write');
      }
    }

    async function writeBatch(st: PidState, batch: Uint8Array[], toPart: boolean): Promise<void> {
      if (!st.file || !batch.length) return;
      try {
        await st.file.fh.writev(batch);
        if (toPart && st.file.part) await st.file.part.fh.writev(batch);
      } catch (e) {
        throw ioError(e, st.file.path, 'write');
      }
    }

    async function handle(pid: InputPid, st: PidState, packets: Packet[]): Promise<number[]> {
      const acks: number[] = [];
      let batch: Uint8Array[] = [];
      for (const p of packets) {
        const props = p.props ?? {};
        const name = typeof props.FileName === 'string' ? props.FileName : undefined;
        if (st.manifest || (ctx.args.atomic && p.start && p.end)) {
          await writeAtomic(resolvePath(name ?? dst), p.data);
        } else {
          if (name !== undefined || props.FileNumber !== undefined || !st.file) {
            await writeBatch(st, batch, true);
            batch = [];
            await closeFile(st);
            const path = resolvePath(name ?? dst);
            st.file = { path, fh: await openFile(path) };
          }
          const frag = props.LLHASFragNum;
          if (typeof frag === 'number' && props.LLHASPartFiles === true) {
            await writeBatch(st, batch, true);
            batch = [];
            await st.file.part?.fh.close();
            const path = `${st.file.path}.${frag}`;
            st.file.part = { path, fh: await openFile(path) };
          }
          batch.push(p.data);
          if (p.end && props.EndOfFile === true) {
            await writeBatch(st, batch, true);
            batch = [];
            await closeFile(st);
          }
        }
        if (typeof props.AckId === 'number') {
          await writeBatch(st, batch, true);
          batch = [];
          acks.push(props.AckId);
        }
      }
      await writeBatch(st, batch, true);
      void pid;
      return acks;
    }

    return {
      configurePid(pid, status) {
        if (status === 'new') states.set(pid, { manifest: Boolean(pid.props.IsManifest) });
        else if (status === 'update') {
          const st = states.get(pid);
          if (st) st.manifest = Boolean(pid.props.IsManifest);
        }
      },
      async process() {
        let moved = false;
        for (const [pid, st] of states) {
          const packets: Packet[] = [];
          for (let p = pid.take(); p; p = pid.take()) {
            packets.push(p);
            if (packets.length >= 256) break;
          }
          if (!packets.length) continue;
          moved = true;
          if (discard) continue;
          const acks = await handle(pid, st, packets);
          for (const id of acks) pid.sendEvent({ type: 'write-ack', ackId: id });
        }
        if (states.size && [...states.keys()].every((p) => p.eos)) return 'eos';
        return moved ? 'ok' : 'not-ready';
      },
      processEvent(event: FilterEvent) {
        if (event.type !== 'file-delete' || discard) return false;
        const path = resolvePath(String(event.url));
        void stat(path)
          .then(() => rm(path, { force: true }))
          .catch(() => ctx.log.debug('file to delete already gone', { path }));
        return true;
      },
      async finalize() {
        for (const st of states.values()) await closeFile(st).catch(() => undefined);
      },
    };
  },
});
