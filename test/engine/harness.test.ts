/**
 * graphpac/testing: one filter driven alone. Inputs and packets in, outputs per PID, property changes
 * and events in order both ways, timers on the manual clock, destinations the filter opens, errors
 * naming the filter and the phase.
 */
import test from 'ava';
import { arg, defineFilter, GraphError } from '../../src/index.js';
import type { FilterEvent, OutputPid } from '../../src/index.js';
import { createHarness } from '../../src/testing/index.js';
import reframer from '../../filters/reframer/index.js';

/** Doubles every packet onto one output per input; forwards events; asks for seeks on 'seek' events. */
const twice = defineFilter({
  name: 'twice',
  description: 'sends every packet twice',
  args: { tag: arg.string('x', 'a property set on outputs') },
  caps: [{ name: 'video', in: { StreamType: 'Visual' }, out: { StreamType: 'Visual' } }],
  maxInputs: 2,
  create(ctx) {
    const outs = new Map<unknown, OutputPid>();
    return {
      configurePid(pid, status) {
        if (status === 'new')
          outs.set(pid, ctx.createPid({ ...pid.props, Tag: ctx.args.tag }, `${pid.name}x2`));
        else outs.get(pid)?.setProps({ Width: pid.props.Width });
      },
      processEvent(event: FilterEvent, pid) {
        if (event.type === 'please-seek') {
          for (const i of ctx.inputs) i.sendEvent({ type: 'source-seek', start: 42 });
          return true;
        }
        void pid;
        return false;
      },
      process() {
        for (const i of ctx.inputs) {
          const o = outs.get(i)!;
          for (let p = i.take(); p; p = i.take()) {
            o.send(p);
            o.send({ ...p, dts: p.dts! + 1 });
          }
          if (i.eos) o.setEos();
        }
        return ctx.inputs.every((i) => i.eos) ? 'eos' : 'not-ready';
      },
    };
  },
});

test('packets in, packets out per output PID; props changes between packets; events both ways', async (t) => {
  const h = await createHarness(twice, { args: { tag: 'hello' } });
  const a = h.input({ StreamType: 'Visual', CodecID: 'x', Timescale: 1000, Width: 100 }, 'a');
  const b = h.input({ StreamType: 'Visual', CodecID: 'x', Timescale: 1000, Width: 100 }, 'b');
  a.push({ data: new Uint8Array(4), dts: 0, sap: 1 });
  a.setProps({ Width: 200 });
  a.push({ data: new Uint8Array(4), dts: 40, sap: 1 });
  a.pushEvent({ type: 'marker', n: 1 });
  b.push(new Uint8Array(2));
  await h.run();
  t.deepEqual(
    h.outputs.map((o) => o.name),
    ['ax2', 'bx2'],
  );
  const out = h.output('ax2');
  t.is(out.props.Tag, 'hello');
  t.deepEqual(
    out.items.map((i) =>
      i.kind === 'packet' ? `p${i.packet.dts}` : i.kind === 'props' ? `w${i.props.Width}` : i.kind,
    ),
    ['p0', 'p1', 'w200', 'p40', 'p41', 'event'],
  );
  t.deepEqual(out.events, [{ type: 'marker', n: 1 }]);
  t.is(out.pull()?.dts, 0);
  t.is(out.pull()?.dts, 1);
  t.is(h.output(1).packets.length, 2);
  // Upstream: the test asks the filter, which asks its inputs.
  out.pushUpstreamEvent({ type: 'please-seek' });
  await h.run();
  t.deepEqual(a.pullUpstreamEvent(), { type: 'source-seek', start: 42 });
  t.deepEqual(b.upstreamEvents, [{ type: 'source-seek', start: 42 }]);
  t.false(out.ended);
  await h.finish();
  t.true(out.ended && h.output('bx2').ended && h.ended);
});

test('inputs the filter would refuse are refused, naming it', async (t) => {
  const h = await createHarness(twice);
  const e = t.throws(() => h.input({ StreamType: 'Audio' }), { instanceOf: GraphError });
  t.regex(e!.message, /twice does not accept input "in1": video: StreamType=Audio is not Visual/);
  h.input({ StreamType: 'Visual' });
  h.input({ StreamType: 'Visual' });
  t.throws(() => h.input({ StreamType: 'Visual' }), { message: /already has all the inputs it takes \(2\)/ });
  t.throws(() => h.output('nope'), { message: /no output "nope" \(outputs: in1x2, in2x2\)/ });
  await h.close();
});

test('unknown and badly typed args are refused like on a command line', async (t) => {
  await t.throwsAsync(createHarness(twice, { args: { tga: 'x' } }), { message: /twice has no option "tga"/ });
  await t.throwsAsync(createHarness(reframer, { args: { rt: 'maybe' } }), { code: 'BAD_OPTION_VALUE' });
});

test('reframer rt=on releases packets on the manual clock; advance() fires the timers in order', async (t) => {
  const h = await createHarness(reframer, { args: { rt: 'on' } });
  const src = h.input({ StreamType: 'Visual', CodecID: 'x', Timescale: 1000 }, 'v');
  for (let i = 0; i < 10; i++) src.push({ data: new Uint8Array(1), dts: i * 100, duration: 100, sap: 1 });
  src.end();
  await h.run();
  const out = h.output('v');
  t.is(out.packets.length, 1, 'the first packet at once');
  await h.advance(450);
  t.is(out.packets.length, 5, '0..400 ms released after 450 ms');
  t.false(out.ended);
  await h.advance(1000);
  t.is(out.packets.length, 10);
  t.true(out.ended);
  await h.finish();
});

test('a filter source: PIDs it creates are collected; destinations it opens too', async (t) => {
  const src = defineFilter({
    name: 'gen',
    description: 'two PIDs, one sent to a destination it opens',
    args: { n: arg.uint(3, 'packets') },
    caps: [{ name: 'out', out: { StreamType: 'File' } }],
    create(ctx) {
      return {
        process() {
          const a = ctx.createPid({ StreamType: 'File', Extension: 'm3u8' }, 'playlist');
          const b = ctx.createPid({ StreamType: 'File', Extension: 'm4s' }, 'seg');
          ctx.connectDestination(b, 'out/seg_1.m4s', { cte: 'on' });
          for (let i = 0; i < ctx.args.n; i++) {
            a.send({ data: new Uint8Array([i]) });
            b.send({ data: new Uint8Array([i, i]) });
          }
          a.setEos();
          b.setEos();
          ctx.reportStatus({ sent: ctx.args.n });
          return 'eos';
        },
      };
    },
  });
  const h = await createHarness(src, { args: { n: 2 } });
  await h.run();
  t.true(h.ended);
  t.deepEqual(
    h.outputs.map((o) => [o.name, o.url, o.packets.length, o.ended]),
    [
      ['out/seg_1.m4s', 'out/seg_1.m4s', 2, true],
      ['playlist', undefined, 2, true],
    ],
  );
  t.deepEqual(h.status, { sent: 2 });
  await h.close();
});

for (const phase of ['create', 'configurePid', 'process', 'processEvent', 'finalize'] as const) {
  test(`an exception in ${phase}() names the filter and the phase, the cause kept`, async (t) => {
    const cause = new TypeError(`bad ${phase}`);
    const f = defineFilter({
      name: 'thrower',
      description: 'throws in one phase',
      args: {},
      caps: [{ name: 'v', in: { StreamType: 'Visual' }, out: { StreamType: 'Visual' } }],
      create() {
        if (phase === 'create') throw cause;
        return {
          configurePid() {
            if (phase === 'configurePid') throw cause;
          },
          processEvent() {
            if (phase === 'processEvent') throw cause;
          },
          process() {
            if (phase === 'process') throw cause;
            return 'not-ready';
          },
          finalize() {
            if (phase === 'finalize') throw cause;
          },
        };
      },
    });
    const act = async () => {
      const h = await createHarness(f);
      const i = h.input({ StreamType: 'Visual' });
      i.pushEvent({ type: 'poke' });
      i.push(new Uint8Array(1));
      await h.run();
      await h.close();
    };
    const e = await t.throwsAsync(act(), { instanceOf: GraphError });
    t.is(e!.code, 'FILTER_FAILED');
    t.is(e!.cause, cause);
    t.deepEqual(e!.details, { filter: 'thrower', phase });
    t.is(e!.message, `thrower: TypeError: bad ${phase}${phase === 'process' ? '' : ` (in ${phase})`}`);
  });
}

test('logs and warnings are captured', async (t) => {
  const f = defineFilter({
    name: 'talker',
    description: 'logs',
    args: {},
    caps: [{ name: 'v', in: { StreamType: 'Visual' } }],
    create(ctx) {
      ctx.log.warn('hello', { n: 1 });
      return { process: () => 'not-ready' };
    },
  });
  const h = await createHarness(f);
  t.deepEqual(h.logs, [{ filter: 'talker', level: 'warn', msg: 'hello', data: { n: 1 } }]);
  await h.close();
});
