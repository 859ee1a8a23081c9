/**
 * reframer with a manual clock: packets released at their media time (within 2 ms), one clock per
 * stream or one for all, speed, and extraction ranges.
 */
import test from 'ava';
import { Session } from '../../src/engine/session.js';
import { Registry } from '../../src/engine/registry.js';
import { ManualClock } from '../../src/engine/clock.js';
import { createLogSink, parseLogs } from '../../src/engine/logger.js';
import { arg, defineFilter } from '../../src/index.js';
import type { OutputPid, PidProps } from '../../src/index.js';
import reframer from '../../filters/reframer/index.js';
import { graph } from '../helpers/spec.js';

interface Got {
  pid: string;
  dts: number;
  at: number;
}

/** A source of 40 ms frames (SAP every 5th) and a sink recording when each packet arrived. */
function setup(got: Got[], clock: ManualClock) {
  const r = new Registry();
  r.register(reframer);
  r.register(
    defineFilter({
      name: 'tsrc',
      description: 'test source',
      args: {
        src: arg.string(undefined, 'x'),
        n: arg.uint(25, 'frames'),
        offset: arg.uint(0, 'first dts, ms'),
      },
      caps: [{ name: 'media', out: { StreamType: 'Visual' } }],
      probeUrl: (u) => (u.startsWith('t:') ? 'supported' : 'no'),
      create(ctx) {
        let pid: OutputPid | undefined;
        return {
          process() {
            if (pid?.isEos) return 'eos';
            pid ??= ctx.createPid(
              { StreamType: 'Visual', CodecID: 'x', Timescale: 1000 } as PidProps,
              ctx.args.src!.slice(2),
            );
            for (let i = 0; i < ctx.args.n; i++)
              pid.send({
                data: new Uint8Array(1),
                dts: ctx.args.offset + i * 40,
                duration: 40,
                sap: i % 5 ? 0 : 1,
              });
            pid.setEos();
            return 'eos';
          },
        };
      },
    }),
  );
  r.register(
    defineFilter({
      name: 'tsink',
      description: 'records arrival times',
      args: { dst: arg.string(undefined, 'x') },
      caps: [{ name: 'media', in: { StreamType: 'Visual' } }],
      maxInputs: 4,
      probeUrl: (u) => (u.startsWith('k:') ? 'supported' : 'no'),
      create(ctx) {
        return {
          process() {
            for (const i of ctx.inputs)
              for (let p = i.take(); p; p = i.take()) got.push({ pid: i.name, dts: p.dts!, at: clock.now() });
            return ctx.inputs.every((i) => i.eos) ? 'eos' : 'not-ready';
          },
        };
      },
    }),
  );
  return r;
}

async function run(opts: Record<string, string>, sources: Record<string, string>[] = [{}]) {
  const got: Got[] = [];
  const clock = new ManualClock(1000);
  const s = new Session({
    registry: setup(got, clock),
    clock,
    logs: createLogSink(parseLogs(['all@quiet']), { pretty: false }),
  });
  s.load(
    graph(
      ...sources.map((o, i) => ({ kind: 'source' as const, url: `t:s${i}`, options: o })),
      { kind: 'filter', name: 'reframer', options: opts },
      { kind: 'sink', url: 'k:x' },
    ),
  );
  await s.run();
  return got;
}

test('rt=off passes everything at once', async (t) => {
  const got = await run({});
  t.is(got.length, 25);
  t.true(got.every((g) => g.at === 1000));
});

test('rt=on releases each packet at its media time, within 2 ms', async (t) => {
  const got = await run({ rt: 'on' });
  t.is(got.length, 25);
  const t0 = got[0]!.at;
  for (const g of got) t.true(Math.abs(g.at - t0 - g.dts) <= 2, `dts ${g.dts} released at +${g.at - t0}`);
});

test('speed=2 halves the waits', async (t) => {
  const got = await run({ rt: 'on', speed: '2' });
  const t0 = got[0]!.at;
  for (const g of got) t.true(Math.abs(g.at - t0 - g.dts / 2) <= 2);
});

test('rt=on: one clock per stream; rt=sync: one clock for all', async (t) => {
  // Stream 1 starts at media time 0, stream 2 at 400 ms.
  const sources: Record<string, string>[] = [{ n: '10' }, { n: '10', offset: '400' }];
  const on = await run({ rt: 'on' }, sources);
  const first = (pid: string, gs: Got[]) => gs.find((g) => g.pid === pid)!.at;
  t.true(Math.abs(first('s1', on) - first('s0', on)) <= 2, 'each stream starts its own clock');
  const sync = await run({ rt: 'sync' }, sources);
  t.true(Math.abs(first('s1', sync) - first('s0', sync) - 400) <= 2, 'one clock: stream 2 waits 400 ms');
});

test('xs/xe cut a range starting at the SAP before xs; timestamps restart at 0', async (t) => {
  const got = await run({ xs: '0.5', xe: '0.8' });
  // Frames every 40 ms, SAPs at 0, 200, 400, 600 ms: the range starts at the SAP at 400 ms, ends before 800 ms.
  t.deepEqual(
    got.map((g) => g.dts),
    [0, 40, 80, 120, 160, 200, 240, 280, 320, 360],
  );
});

test('bad ranges are named', async (t) => {
  await t.throwsAsync(run({ xs: 'abc' }), {
    message: /reframer: option xs=abc: expected seconds, a fraction or T\[HH:\]MM:SS\[\.ms\]/,
  });
  await t.throwsAsync(run({ xs: '2', xe: '1' }), { message: 'reframer: xe=1 is not after xs=2' });
});
