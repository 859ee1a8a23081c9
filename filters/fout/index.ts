/**
 * fout (spec §9): writes File PIDs to disk.
 * The pipeline lives in file-writer.ts (shared with httpout's server mode).
 *  - Segments are written progressively, in order, as their packets arrive: a reader tailing a file
 *    sees each chunk once it is written. A file is created in Node's I/O thread pool while the graph
 *    goes on; a regular file is then written with one writev per chunk and closed synchronously
 *    (disk.ts); past MAX_IN_FLIGHT bytes or MAX_OPS_IN_FLIGHT operations queued behind an open, fout
 *    stops taking packets. Packets whose bytes wait are kept (packet release) until written.
 *  - A packet with `FileName` (or `FileNumber`) starts a new file; `LLHASFragNum=k` with
 *    `LLHASPartFiles` also opens the part file `<segment>.k`, and what follows goes to both (llhls=sf).
 *  - Manifests (`IsManifest` PIDs, or `atomic`) are written to a temporary file and renamed: readers
 *    never see half a playlist.
 *  - A packet carrying `AckId` is acknowledged upstream (`write-ack` event) once its bytes are written,
 *    so a dasher announces a part or segment only after its last byte is on disk.
 *  - `file-delete` events remove the named file, in order with the writes.
 */
import { dirname, extname } from 'node:path';
import { arg, defineFilter } from '../../src/index.js';
import { createFileSink } from './file-writer.js';

export default defineFilter({
  name: 'fout',
  logTools: ['container', 'mmio'],
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
    base: arg.string(
      undefined,
      "folder packets' FileName paths are relative to (default: the folder of dst)",
      {
        hidden: true,
      },
    ),
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
  // Bytes are written in the process() call that took them, or kept (ctx.keep) until written.
  dropsTakenPackets: true,
  create(ctx) {
    const dst = ctx.args.dst ?? '';
    return createFileSink(ctx, {
      label: 'fout',
      dst,
      discard: dst === 'null',
      baseDir: ctx.args.base ?? dirname(dst.replace(/^file:\/\//, '')),
      atomic: ctx.args.atomic,
    });
  },
});
