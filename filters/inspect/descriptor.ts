/**
 * inspect's descriptor: what link resolution, option parsing and help need; the implementation
 * (index.ts: the formatter and the writer) is imported when a graph uses inspect.
 */
import { arg, defineLazyFilter } from '../../src/index.js';
import type { LazyFilterDescriptor } from '../../src/index.js';

export const inspectArgs = {
  deep: arg.bool(false, 'also print one line per packet'),
  fmt: arg.enum(['text', 'json'], 'text', 'output format: GPAC-like text lines, or JSON lines'),
  log: arg.string('stdout', 'where to write: stdout, stderr, or a file path'),
};

const inspect: LazyFilterDescriptor<typeof inspectArgs> = defineLazyFilter({
  name: 'inspect',
  logTools: ['container'],
  description: 'Print the PIDs (and with deep, the packets) it receives, as text or JSON lines',
  help: `inspect is a sink that prints what reaches it: one line per PID with all its properties, one line per
packet with deep (dts, cts, duration, SAP type, size), and a summary per PID at the end (packet count,
bytes, total duration in seconds and in timescale units, first and last DTS).

With fmt=json every line is one JSON object: {"type":"pid",...properties} per PID (binary values in hex,
or {"size":N} when long), {"type":"packet","pid":N,"dts":...,"cts":...,"duration":...,"sap":...,"size":...}
per packet with deep, and {"type":"summary","pid":N,"packets":...,"duration":seconds,...} per PID last.
Output goes to stdout unless log names stderr or a file; logs never mix into it.

It accepts any PID except raw files (StreamType=File), so a source is demuxed first.

Examples:
  graphpac -i video.mp4 inspect                       tracks and their properties
  graphpac -i video.mp4 inspect:deep                  plus one line per sample
  graphpac -i video.mp4 inspect:deep:fmt=json | jq .  JSON lines
  graphpac -i video.mp4 inspect:log=/dev/null         demux only (benchmarks)`,
  args: inspectArgs,
  // Any demuxed stream (audio, video, text, ...): raw files are excluded so link resolution inserts
  // a demuxer between a source and inspect.
  caps: [{ name: 'any-stream', inExcluded: { StreamType: 'File' } }],
  // A packet's data is read (and printed) in the process() call that takes it, never kept.
  dropsTakenPackets: true,
  maxInputs: Number.POSITIVE_INFINITY,
  load: () => import('./index.js'),
});

export default inspect;
