/**
 * pin's descriptor: what link resolution, option parsing, probing and help need; the implementation
 * (index.ts, with its pipes and streams: node:child_process) is imported when a graph uses pin.
 */
import { arg, defineLazyFilter } from '../../src/index.js';
import type { LazyFilterDescriptor } from '../../src/index.js';
import { liveFormatArgs } from '../sockin/live-args.js';

export const STDIN = new Set(['-', 'stdin', 'pipe://0', 'pipe:0']);

export const pinArgs = {
  src: arg.string(undefined, '- or stdin for standard input, pipe://PATH for a named pipe'),
  block_size: arg.uint(262144, 'largest packet sent downstream, in bytes', { level: 'advanced' }),
  mkp: arg.bool(false, 'create the named pipe if it does not exist (removed at the end)'),
  ka: arg.bool(
    false,
    'named pipe: open it again when the writer closes it (the next writer continues the stream)',
    {
      level: 'advanced',
    },
  ),
  ...liveFormatArgs,
  maxbuf: arg.uint(8 << 20, 'bytes held while the graph does not keep up before reading pauses', {
    level: 'advanced',
  }),
};

const pin: LazyFilterDescriptor<typeof pinArgs> = defineLazyFilter({
  name: 'pin',
  description: 'Pipe input: standard input (- or stdin) or a named pipe (pipe://PATH), sent on as it arrives',
  help: `pin reads standard input (-i - or -i stdin) or a named pipe (-i pipe://PATH) and exposes it as one File PID;
the demuxer is found from the content (MPEG-2 TS, MP4 with its moov first or fragmented) or from ext/mime.
Bytes are sent on as soon as they arrive, so a live encoder writing into the pipe sets the pace of the graph.

A pipe cannot seek: forward jumps skip bytes, a jump back ends the run with an error (an MP4 must have its
moov box first: -movflags +faststart, or be fragmented). With mkp the named pipe is created if missing (and
removed at the end). The stream ends when the writer closes the pipe (with ka a named pipe is opened again
for the next writer) or after timeout ms without data (an error if nothing ever came). While the graph
does not keep up, reading pauses once maxbuf bytes wait: the writer is held back, memory stays bounded.

Examples:
  ffmpeg -re -f lavfi -i testsrc2 -c:v libx264 -f mpegts - | graphpac -i - -o live/live.m3u8:segdur=2:cdur=0.5:dmode=dynamic:llhls=br
  ffmpeg … -f mp4 -movflags frag_keyframe+empty_moov+default_base_moof pipe:1 | graphpac -i - -o live/live.mpd:dmode=dynamic
  graphpac -i pipe:///tmp/enc.ts:mkp -o live/live.m3u8:llhls=br      (an encoder writes into /tmp/enc.ts)`,
  args: pinArgs,
  // Before fin, which also reads standard input but waits for whole blocks.
  priority: -1,
  caps: [{ name: 'stream', out: { StreamType: 'File', Extension: '*', MIMEType: '*' } }],
  probeUrl(url, role) {
    if (role !== 'source') return 'no';
    return STDIN.has(url) || /^pipe:/i.test(url) ? 'supported' : 'no';
  },
  load: () => import('./index.js'),
});

export default pin;
