/**
 * Small fake filters for scheduler and link-resolution tests (tier 1 of the test plan): a counting
 * source, a pass-through, a merger, a slow recording sink and a failing filter. They use only the
 * public plugin API.
 */
import { arg, defineFilter } from '../../src/index.js';
import type { InputPid, OutputPid, Packet, PidProps } from '../../src/index.js';

export interface Recorded {
  events: string[];
  packets: { from: string; dts: number; props: string }[];
  maxQueued: number;
  finalized: string[];
}

export function newRecord(): Recorded {
  return { events: [], packets: [], maxQueued: 0, finalized: [] };
}

export function fakeFilters(rec: Recorded) {
  const fsrc = defineFilter({
    name: 'fsrc',
    description: 'fake source: count packets of 40 ms on one Visual PID',
    args: {
      src: arg.string(undefined, 'fake:NAME'),
      count: arg.uint(10, 'packets to send'),
      change_at: arg.int(-1, 'send a Width change before this packet index'),
      stype: arg.string('Visual', 'StreamType of the PID'),
    },
    caps: [{ name: 'fake media out', out: { StreamType: ['Visual', 'Audio'] } }],
    probeUrl: (url) => (url.startsWith('fake:') ? 'supported' : 'no'),
    create(ctx) {
      let pid: OutputPid | undefined;
      let i = 0;
      return {
        process() {
          pid ??= ctx.createPid(
            {
              StreamType: ctx.args.stype as PidProps['StreamType'],
              CodecID: 'fake',
              Timescale: 1000,
              Width: 100,
            },
            (ctx.args.src ?? 'fake').replace('fake:', ''),
          );
          while (i < ctx.args.count && !pid.wouldBlock) {
            if (i === ctx.args.change_at) pid.setProps({ Width: 200 });
            pid.send({ data: new Uint8Array(8), dts: i * 40, cts: i * 40, duration: 40, sap: 1 });
            i++;
          }
          if (i >= ctx.args.count) {
            pid.setEos();
            return 'eos';
          }
          return 'ok';
        },
        finalize() {
          rec.finalized.push(ctx.name);
        },
      };
    },
  });

  const fpass = defineFilter({
    name: 'fpass',
    description: 'fake pass-through',
    args: { fail_at: arg.int(-1, 'throw on this packet index') },
    caps: [{ name: 'any media', in: { StreamType: ['Visual', 'Audio'] }, out: {} }],
    maxInputs: 8,
    create(ctx) {
      const outs = new Map<InputPid, OutputPid>();
      let n = 0;
      return {
        configurePid(pid, status) {
          rec.events.push(`${ctx.name} configure ${status} ${pid.name} Width=${String(pid.props.Width)}`);
          if (status === 'new') outs.set(pid, ctx.createPid({ ...pid.props }, pid.name));
          else outs.get(pid)?.setProps({ ...pid.props });
        },
        process() {
          let moved = false;
          for (const [inp, out] of outs) {
            if (out.wouldBlock) continue;
            const p = inp.take();
            if (p) {
              if (n++ === ctx.args.fail_at) throw new Error(`boom at packet ${n - 1}`);
              out.send(p);
              moved = true;
            } else if (inp.eos) out.setEos();
          }
          if ([...outs.values()].every((o) => o.isEos)) return 'eos';
          return moved ? 'ok' : 'not-ready';
        },
        finalize() {
          rec.finalized.push(ctx.name);
        },
      };
    },
  });

  const fsink = defineFilter({
    name: 'fsink',
    description: 'fake slow sink recording what it gets',
    args: { dst: arg.string(undefined, 'sink:NAME'), delay: arg.uint(5, 'ms between packets') },
    caps: [{ name: 'any media', in: { StreamType: ['Visual', 'Audio'] } }],
    maxInputs: 8,
    probeUrl: (url) => (url.startsWith('sink:') ? 'supported' : 'no'),
    create(ctx) {
      return {
        configurePid(pid, status) {
          rec.events.push(`${ctx.name} configure ${status} ${pid.name} Width=${String(pid.props.Width)}`);
        },
        process() {
          let got: Packet | undefined;
          for (const inp of ctx.inputs) {
            rec.maxQueued = Math.max(rec.maxQueued, inp.queuedPackets);
            got = inp.take();
            if (got) {
              rec.packets.push({
                from: inp.name,
                dts: got.dts ?? -1,
                props: `Width=${String(inp.props.Width)}`,
              });
              rec.events.push(`${ctx.name} packet ${inp.name} ${got.dts}`);
              break;
            }
          }
          if (ctx.inputs.length && ctx.inputs.every((i) => i.eos)) {
            rec.events.push(`${ctx.name} eos`);
            return 'eos';
          }
          if (got) {
            ctx.requestProcess(ctx.args.delay);
            return 'not-ready';
          }
          return 'not-ready';
        },
        finalize() {
          rec.finalized.push(ctx.name);
        },
      };
    },
  });

  return { fsrc, fpass, fsink };
}
