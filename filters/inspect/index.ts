/**
 * inspect: GPAC's debugging sink. Prints every PID it receives with its properties and, with `deep`,
 * one line per packet; ends with a summary per PID (packets, bytes, duration, first/last DTS).
 */
import { arg, defineFilter } from '../../src/index.js';
import type { InputPid } from '../../src/index.js';
import type { PidStats } from './format.js';
import {
  countPacket,
  newStats,
  packetJson,
  packetText,
  pidJson,
  pidText,
  summaryObject,
  summaryText,
} from './format.js';
import { LineWriter } from './writer.js';

export default defineFilter({
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
  args: {
    deep: arg.bool(false, 'also print one line per packet'),
    fmt: arg.enum(['text', 'json'], 'text', 'output format: GPAC-like text lines, or JSON lines'),
    log: arg.string('stdout', 'where to write: stdout, stderr, or a file path'),
  },
  // Any demuxed stream (audio, video, text, ...): raw files are excluded so link resolution inserts
  // a demuxer between a source and inspect.
  caps: [{ name: 'any-stream', inExcluded: { StreamType: 'File' } }],
  // A packet's data is read (and printed) in the process() call that takes it, never kept.
  dropsTakenPackets: true,
  maxInputs: Number.POSITIVE_INFINITY,
  create(ctx) {
    const json = ctx.args.fmt === 'json';
    const deep = ctx.args.deep;
    let out: LineWriter | undefined;
    const stats = new Map<InputPid, PidStats>();
    /** PIDs whose summary was printed. */
    const summarized = new Set<InputPid>();

    function writer(): LineWriter {
      out ??= new LineWriter(ctx.args.log ?? 'stdout');
      return out;
    }

    function printPid(pid: InputPid, update: boolean): void {
      let st = stats.get(pid);
      if (!st) {
        st = newStats(stats.size + 1, pid);
        stats.set(pid, st);
      } else {
        const ts = pid.props.Timescale;
        if (typeof ts === 'number') st.timescale = ts;
      }
      writer().line(json ? pidJson(pid, st, update) : pidText(pid, st, update));
    }

    /** Print the summary of every PID not summarized yet; `complete` when that PID reached its end. */
    function summarize(): void {
      const w = writer();
      for (const [pid, st] of stats) {
        if (summarized.has(pid)) continue;
        summarized.add(pid);
        const complete = pid.eos;
        w.line(json ? JSON.stringify(summaryObject(st, complete)) : summaryText(st, complete));
      }
    }

    return {
      configurePid(pid, status) {
        if (status === 'remove') return;
        printPid(pid, status === 'update');
      },

      async process() {
        const inputs = ctx.inputs;
        if (!inputs.length) return 'not-ready';
        const w = writer();
        let progress = false;
        for (const pid of inputs) {
          const st = stats.get(pid);
          for (let p = pid.take(); p; p = pid.take()) {
            progress = true;
            if (!st) continue;
            countPacket(st, p);
            if (deep) w.line(json ? packetJson(st, p) : packetText(st, p));
            if (w.full) await w.flush();
          }
        }
        if (inputs.every((pid) => pid.eos)) {
          // Another source may still create PIDs for this inspect (-i a -i b inspect): wait for them.
          if (ctx.connectionsPending()) {
            await w.flush();
            return 'not-ready';
          }
          summarize();
          await w.flush();
          return 'eos';
        }
        return progress ? 'ok' : 'not-ready';
      },

      async finalize() {
        // Also when the run stopped early (error, -runfor, interrupt): what was seen is still reported.
        summarize();
        await out?.close();
      },
    };
  },
});
