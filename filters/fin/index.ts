/**
 * fin: the local file source (GPAC's `fin`). Reads a file, or standard input, in blocks and exposes
 * it as one `StreamType=File` PID; the format is found from the file extension and by probing the
 * first bytes (sources such as `source1` have no extension).
 */
import { basename, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arg, defineFilter, isEvent } from '../../src/index.js';
import type { OutputPid, PidProps } from '../../src/index.js';
import { BlockPool } from './block-pool.js';
import type { ByteSource } from './source.js';
import { LocalFile, StdinSource } from './source.js';

const STDIN_NAMES = new Set(['-', 'stdin', 'pipe://0']);

function isStdin(url: string): boolean {
  return STDIN_NAMES.has(url);
}

/** Filesystem path of a `src` value (plain path or file:// URL). */
function localPath(url: string): string {
  if (url.startsWith('file://')) {
    try {
      return fileURLToPath(url);
    } catch {
      return url.slice('file://'.length);
    }
  }
  return url;
}

export default defineFilter({
  name: 'fin',
  logTools: ['container', 'mmio'],
  description: 'File input: reads a local file or standard input as a File PID',
  help: `fin reads a local file (a path, or a file:// URL) or standard input (- or stdin) in blocks of block_size
bytes and exposes it as one PID with StreamType=File, URL, SourcePath, Extension (from the name, if any),
MIMEType (from probing the first bytes with the registered demuxers) and DownloadSize (regular files).
Packets carry byteOffset; the first has start set, the last has end set.

A consumer may send a source-seek event to read from another offset (mp4dmx does, to reach a moov box
at the end of a file). Once a consumer has sent one, the PID stays open at the end of the file (it may
jump back); fin then ends when its consumers end. Standard input can only seek forward.

The blocks of a local file come from a small pool: a block is read into again once every packet cut from it
has been dropped downstream (packet release, docs/PLUGINS.md), so memory does not grow with the file's length.

Examples:
  graphpac -i video.mp4 inspect                   fin loads video.mp4, mp4dmx demuxes it
  graphpac -i source1 inspect                     no extension: the format is found by content
  cat video.mp4 | graphpac -i - inspect           standard input (faststart or fragmented MP4)
  graphpac -i video.mp4:block_size=65536 inspect  read in 64 KiB blocks`,
  args: {
    src: arg.string(undefined, 'file to read (path or file:// URL; - or stdin for standard input)'),
    // 256 KiB: samples are views into blocks, so smaller blocks pin less memory (docs/PERFORMANCE.md).
    block_size: arg.uint(262144, 'size of the blocks read, in bytes', { level: 'advanced' }),
    ext: arg.string(undefined, 'force the file extension (format) instead of the one in the name', {
      level: 'advanced',
    }),
    mime: arg.string(undefined, 'force the MIME type instead of probing the content', { level: 'advanced' }),
  },
  // A source: no input caps. Its single output is a raw file whose format is described by
  // Extension and MIMEType, so link resolution can pick the demuxer.
  caps: [{ name: 'file', out: { StreamType: 'File', Extension: '*', MIMEType: '*' } }],
  probeUrl(url, role) {
    if (role !== 'source') return 'no';
    if (isStdin(url) || url.startsWith('file://')) return 'supported';
    return url.includes('://') ? 'no' : 'supported';
  },
  create(ctx) {
    const src = ctx.args.src ?? '';
    const blockSize = Math.max(1, Math.floor(ctx.args.block_size || 262144));
    let source: ByteSource | undefined;
    let pid: OutputPid | undefined;
    let pos = 0;
    let atEnd = false;
    /** A consumer has sent source-seek: keep the PID open at the end of the file. */
    let seekingConsumer = false;
    let stopped = false;
    /** Blocks of a local file, taken back once every packet cut from them is dropped. */
    let pool: BlockPool | undefined;

    /** The next block; `release` gives its memory back to the pool (PacketInit.onRelease). */
    async function readBlock(offset: number): Promise<{ data: Uint8Array; release?: () => void }> {
      if (!pool) return { data: await source!.read(offset, blockSize) };
      const block = pool.get();
      const data = await source!.read(offset, blockSize, block);
      if (data.buffer !== block.buffer || !data.length) {
        pool.give(block);
        return { data };
      }
      const p = pool;
      return { data, release: () => p.give(block) };
    }

    async function firstBlock(): Promise<void> {
      const stdin = isStdin(src);
      const path = stdin ? src : localPath(src);
      source = stdin ? new StdinSource(src) : await LocalFile.open(path, src);
      if (!stdin) pool = new BlockPool(blockSize);
      const { data, release } = await readBlock(0);
      const name = stdin ? 'stdin' : basename(path);
      const ext = ctx.args.ext ?? extname(name).slice(1).toLowerCase();
      const mime = ctx.args.mime ?? ctx.probeData(data);
      const props: PidProps = { StreamType: 'File', URL: src, SourcePath: path };
      if (ext) props.Extension = ext;
      if (mime) props.MIMEType = mime;
      if (source.size !== undefined) props.DownloadSize = source.size;
      ctx.log.debug(`opened ${src}`, { size: source.size, mime, ext });
      pid = ctx.createPid(props, name);
      send(data, 0, release);
    }

    function send(data: Uint8Array, offset: number, release?: () => void): void {
      // Known size: the block reaching it is the last. Standard input: a short read means its end.
      const size = source?.size;
      const last = size !== undefined ? offset + data.length >= size : data.length < blockSize;
      pid!.send({ data, byteOffset: offset, start: offset === 0, end: last, onRelease: release });
      pos = offset + data.length;
      if (last) reachEnd();
    }

    function reachEnd(): void {
      atEnd = true;
      if (!seekingConsumer) pid!.setEos();
    }

    return {
      async process() {
        if (stopped) return 'eos';
        if (!pid) {
          await firstBlock();
          return 'ok';
        }
        if (atEnd) return pid.isEos ? 'eos' : 'not-ready';
        if (pid.wouldBlock) return 'not-ready';
        const { data, release } = await readBlock(pos);
        if (!data.length) {
          // The file shrank, or standard input ended exactly on a block boundary.
          pid.send({ data, byteOffset: pos, start: false, end: true });
          reachEnd();
          return 'ok';
        }
        send(data, pos, release);
        return 'ok';
      },

      processEvent(event) {
        if (isEvent(event, 'source-seek')) {
          seekingConsumer = true;
          if (pid?.isEos) {
            ctx.log.warn(`source-seek to ${event.start} after the end of "${src}" was signalled: ignored`);
            return true;
          }
          const size = source?.size;
          const start = size !== undefined ? Math.min(event.start, size) : event.start;
          if (start !== pos || atEnd) {
            ctx.log.debug(`seek to byte ${start}`);
            pos = start;
            atEnd = size !== undefined && pos >= size;
            // Nothing to read there: say so with an empty last packet rather than staying silent.
            if (atEnd) pid?.send({ data: new Uint8Array(0), byteOffset: pos, start: false, end: true });
          }
          ctx.requestProcess();
          return true;
        }
        if (isEvent(event, 'stop')) {
          stopped = true;
          ctx.requestProcess();
          return true;
        }
        return false;
      },

      async finalize() {
        if (pool) ctx.log.debug('blocks', { allocated: pool.allocated, reused: pool.reused });
        await source?.close();
      },
    };
  },
});
