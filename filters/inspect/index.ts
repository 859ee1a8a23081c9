/**
 * inspect: GPAC's debugging sink. Prints every PID it receives with its properties and, with `deep`,
 * one line per packet; ends with a summary per PID (packets, bytes, duration, first/last DTS).
 */
import { defineFilter } from '../../src/index.js';
import descriptor from './descriptor.js';
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
  ...descriptor,
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
