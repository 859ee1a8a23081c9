/**
 * reframer (spec §8): passes framed streams through, released against the wall clock (`rt`), and
 * cuts extraction ranges (`xs`/`xe`). Explicit only: never inserted by link resolution.
 */
import { arg, defineFilter, GraphError } from '../../src/index.js';
import type { InputPid, OutputPid, Packet } from '../../src/index.js';
import { parseRangeTime } from './range.js';

interface Track {
  out: OutputPid;
  /** Range cutting state. */
  range: RangeState;
  /** Per-PID clock origin for rt=on: media time (µs) and clock time (ms) of its first packet. */
  t0Us?: number;
  sys0?: number;
  /** Media end (µs) of the last packet released: in real time, the end of stream waits for it. */
  endUs?: number;
}

interface RangeState {
  /** Packets since the last SAP before the range start (released together once the range starts). */
  gop: Packet[];
  started: boolean;
  done: boolean;
  /** Timestamp offset subtracted from released packets (the range start, snapped to a SAP). */
  offset: number;
}

/** Media time of a packet in microseconds (DTS, else CTS). */
function mediaUs(p: Packet, pid: InputPid): number | undefined {
  const t = p.dts ?? p.cts;
  const ts = pid.props.Timescale;
  if (t === undefined || !ts) return undefined;
  return (t * 1e6) / ts;
}

export default defineFilter({
  name: 'reframer',
  logTools: ['media'],
  description: 'Pass streams through, paced in real time (rt) and/or cut to time ranges (xs/xe)',
  help: `reframer forwards every packet unchanged. With rt=on each stream is released when its media time is
reached on the wall clock (one clock per stream); rt=sync uses one clock for all streams, started by
the first packet. speed scales the clock. xs/xe keep only the given time ranges (seconds, fractions or
T[HH:]MM:SS[.ms]); a range starts at the stream access point at or before xs.

Examples:
  graphpac -i source1 -i source2 reframer:rt=on -o res/live.m3u8:segdur=2:cdur=0.5:dmode=dynamic:llhls=br
  graphpac -i clip.mp4 reframer:xs=10:xe=20 inspect:deep`,
  explicitOnly: true,
  maxInputs: Infinity,
  args: {
    rt: arg.enum(
      ['off', 'on', 'sync'],
      'off',
      'real-time regulation: off, on (a clock per stream), sync (one clock)',
      {
        updatable: true,
      },
    ),
    speed: arg.double(1, 'speed of the real-time clock (0 means 1)', { min: 0 }),
    xs: arg.list([], 'extraction range start times'),
    xe: arg.list([], 'extraction range end times (one per xs; missing = to the end)'),
  },
  // Any framed media stream; raw files (StreamType=File) need a demuxer first.
  caps: [
    {
      name: 'framed media in, same out',
      in: { StreamType: '*' },
      inExcluded: { StreamType: 'File' },
      out: {},
    },
  ],
  create(ctx) {
    const tracks = new Map<InputPid, Track>();
    const speed = ctx.args.speed > 0 ? ctx.args.speed : 1;
    const starts = ctx.args.xs.map((v) => parseRangeTime(v, 'xs'));
    const ends = ctx.args.xe.map((v) => parseRangeTime(v, 'xe'));
    if (starts.length > 1 || ends.length > 1)
      throw new GraphError('BAD_OPTION_VALUE', 'reframer: only one extraction range (xs/xe) is supported');
    const xs = starts[0];
    const xe = ends[0];
    if (xs !== undefined && xe !== undefined && xe <= xs)
      throw new GraphError(
        'BAD_OPTION_VALUE',
        `reframer: xe=${ctx.args.xe[0]} is not after xs=${ctx.args.xs[0]}`,
      );
    let started = false;
    /** Shared clock origin for rt=sync. */
    let sync: { t0Us: number; sys0: number } | undefined;

    /** Range filter: returns the packets to release for `p` (possibly a buffered GOP, or none). */
    function cut(tr: Track, pid: InputPid, p: Packet): Packet[] {
      const st = tr.range;
      if (st.done) return [];
      const ts = pid.props.Timescale ?? 1000;
      const t = (p.cts ?? p.dts ?? 0) / ts;
      if (xe !== undefined && t >= xe && (st.started || xs === undefined)) {
        st.done = true;
        return [];
      }
      if (xs === undefined) return [p];
      if (!st.started) {
        if (p.sap) st.gop = [];
        st.gop.push(p);
        if (t + (p.duration ?? 0) / ts <= xs) return [];
        st.started = true;
        const first = st.gop[0]!;
        st.offset = first.dts ?? first.cts ?? 0;
        const out = st.gop;
        st.gop = [];
        return out.map((q) => shift(q, st.offset));
      }
      return [shift(p, st.offset)];
    }

    return {
      configurePid(pid, status) {
        if (status === 'new') {
          const out = ctx.createPid({ ...pid.props }, pid.name);
          tracks.set(pid, { out, range: { gop: [], started: false, done: false, offset: 0 } });
        } else if (status === 'update') tracks.get(pid)?.out.setProps({ ...pid.props });
        else if (status === 'remove') tracks.get(pid)?.out.setEos();
      },
      process() {
        // Real time starts when every stream that will come has come: otherwise the first source's
        // clock runs while the second is still being opened, and its first parts are published late.
        if (ctx.args.rt !== 'off' && !started) {
          if (ctx.connectionsPending()) return 'not-ready';
          started = true;
        }
        const now = ctx.clock.now();
        let wait = Infinity;
        let moved = false;
        for (const [pid, tr] of tracks) {
          if (tr.out.isEos) continue;
          while (!tr.out.wouldBlock) {
            const p = pid.peek();
            if (!p) {
              if (pid.eos || tr.range.done) {
                // In real time the stream ends when its last packet's media has elapsed, not when it starts.
                const clock = ctx.args.rt === 'sync' ? sync : tr;
                if (ctx.args.rt !== 'off' && clock?.sys0 !== undefined && tr.endUs !== undefined) {
                  const due = clock.sys0 + (tr.endUs - clock.t0Us!) / 1000 / speed;
                  if (due > now + 2) {
                    wait = Math.min(wait, due - now);
                    break;
                  }
                }
                tr.out.setEos();
              }
              break;
            }
            if (ctx.args.rt !== 'off') {
              const t = mediaUs(p, pid);
              if (t !== undefined) {
                const clock = ctx.args.rt === 'sync' ? (sync ??= { t0Us: t, sys0: now }) : tr;
                if (clock.t0Us === undefined || clock.sys0 === undefined) {
                  clock.t0Us = t;
                  clock.sys0 = now;
                }
                if (t < clock.t0Us!)
                  ctx.log.debug('packet before the clock origin released at once', { pid: pid.name });
                const due = clock.sys0! + (t - clock.t0Us!) / 1000 / speed;
                // Released within 2 ms of its time (spec §8), never early by more than that.
                if (due > now + 2) {
                  wait = Math.min(wait, due - now);
                  break;
                }
              }
            }
            pid.take();
            moved = true;
            const startUs = mediaUs(p, pid);
            if (startUs !== undefined)
              tr.endUs = startUs + ((p.duration ?? 0) * 1e6) / (pid.props.Timescale ?? 1e6);
            for (const q of cut(tr, pid, p)) tr.out.send(q);
            if (tr.range.done) {
              tr.out.setEos();
              break;
            }
          }
        }
        if ([...tracks.values()].length && [...tracks.values()].every((t) => t.out.isEos)) return 'eos';
        if (wait !== Infinity) ctx.requestProcess(Math.max(1, wait));
        return moved ? 'ok' : 'not-ready';
      },
    };
  },
});

function shift(p: Packet, offset: number): Packet {
  if (!offset) return p;
  return {
    ...p,
    dts: p.dts === undefined ? undefined : p.dts - offset,
    cts: p.cts === undefined ? undefined : p.cts - offset,
  };
}
