/**
 * Every call into filter code is wrapped in one place (engine/filter-calls.ts): an exception thrown
 * from any callback ends a session's run with a GraphError naming the filter instance and the phase,
 * the thrown value kept as `cause`; a GraphError thrown by a filter keeps its code.
 */
import test from 'ava';
import { arg, createSession, defineFilter, GraphError } from '../../src/index.js';
import type { OutputPid } from '../../src/index.js';
import { ManualClock } from '../../src/engine/clock.js';

const PHASES = [
  'create',
  'configurePid-new',
  'configurePid-update',
  'process',
  'processEvent-down',
  'processEvent-up',
  'finalize',
  'work',
] as const;

/** A source of 3 packets: a property change and an in-band event after the first; reacts to upstream events. */
const src = defineFilter({
  name: 'esrc',
  description: 'test source',
  args: { src: arg.string(undefined, 'x') },
  caps: [{ name: 'out', out: { StreamType: 'Visual' } }],
  probeUrl: (u) => (u.startsWith('esrc://') ? 'supported' : 'no'),
  create(ctx) {
    let pid: OutputPid | undefined;
    return {
      process() {
        pid ??= ctx.createPid({ StreamType: 'Visual', CodecID: 'x', Timescale: 1000, Width: 1 });
        pid.send({ data: new Uint8Array(1), dts: 0, sap: 1 });
        pid.setProps({ Width: 2 });
        pid.sendEvent({ type: 'marker' });
        pid.send({ data: new Uint8Array(1), dts: 40, sap: 1 });
        pid.setEos();
        return 'eos';
      },
    };
  },
});

const thrower = defineFilter({
  name: 'thrower',
  description: 'throws in one phase',
  args: { phase: arg.enum(PHASES, 'process', 'where to throw') },
  caps: [{ name: 'v', in: { StreamType: 'Visual' } }],
  create(ctx) {
    const when = ctx.args.phase;
    const fail = () => {
      throw new RangeError(`failing in ${when}`);
    };
    if (when === 'create') fail();
    return {
      configurePid(pid, status) {
        if (when === `configurePid-${status}`) fail();
        if (status === 'new' && when === 'processEvent-up') pid.sendEvent({ type: 'hello' });
      },
      processEvent() {
        if (when === 'processEvent-down') fail();
        return true;
      },
      process() {
        if (when === 'process') fail();
        if (when === 'work') void ctx.track(Promise.reject(new RangeError('failing in work')));
        for (const i of ctx.inputs) while (i.take());
        return ctx.inputs.every((i) => i.eos) ? 'eos' : 'not-ready';
      },
      finalize() {
        if (when === 'finalize') fail();
      },
    };
  },
});

/** The source's side of the upstream event test: it waits for the event, and throws when it gets it. */
const srcUp = defineFilter({
  ...src,
  name: 'esrcup',
  probeUrl: (u) => (u.startsWith('up://') ? 'supported' : 'no'),
  create(ctx) {
    let pid: OutputPid | undefined;
    return {
      process() {
        pid ??= ctx.createPid({ StreamType: 'Visual', CodecID: 'x', Timescale: 1000 });
        return 'not-ready';
      },
      processEvent() {
        throw new RangeError('failing in processEvent-up');
      },
    };
  },
});

for (const phase of PHASES)
  test(`an exception in ${phase} names the filter and the phase; cause kept`, async (t) => {
    const s = createSession({ plugins: [src, srcUp, thrower], clock: new ManualClock(), logs: 'all@quiet' });
    const up = phase === 'processEvent-up';
    s.load(`-i ${up ? 'up' : 'esrc'}://a thrower:phase=${phase}`);
    const e = await t.throwsAsync(s.run(), { instanceOf: GraphError });
    const name = up ? 'esrcup' : 'thrower';
    const at = phase.replace(/-.*/, '');
    t.is(e!.code, 'FILTER_FAILED');
    t.like(e!.details, { filter: name, phase: at });
    t.true(e!.cause instanceof RangeError);
    t.is((e!.cause as Error).message, `failing in ${phase}`);
    t.is(e!.message, `${name}: RangeError: failing in ${phase}${at === 'process' ? '' : ` (in ${at})`}`);
  });

test('a GraphError from a filter keeps its code and message; details gain filter and phase', async (t) => {
  const f = defineFilter({
    ...thrower,
    name: 'picky',
    create: () => {
      throw new GraphError('UNSUPPORTED_CODEC', 'picky: codec x is not supported', { codec: 'x' });
    },
  });
  const s = createSession({ plugins: [src, f], logs: 'all@quiet' });
  s.load('-i esrc://a picky');
  const e = await t.throwsAsync(s.run(), { instanceOf: GraphError });
  t.is(e!.code, 'UNSUPPORTED_CODEC');
  t.is(e!.message, 'picky: codec x is not supported');
  t.deepEqual(e!.details, { codec: 'x', filter: 'picky', phase: 'create' });
  t.true(e!.cause instanceof GraphError);
});

test('a throwing URL probe names the filter', async (t) => {
  const bad = defineFilter({
    ...src,
    name: 'badprobe',
    probeUrl: () => {
      throw new TypeError('url is not a string');
    },
  });
  const s = createSession({ plugins: [bad], logs: 'all@quiet' });
  s.load('-i somewhere.mp4 inspect');
  const e = await t.throwsAsync(s.run(), { instanceOf: GraphError });
  t.is(e!.message, 'badprobe: TypeError: url is not a string (in probeUrl)');
});
