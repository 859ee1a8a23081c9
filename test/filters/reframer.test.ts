/**
 * reframer alone on the harness (graphpac/testing), with a manual clock: packets released at their
 * media time (within 2 ms), one clock per stream or one for all, speed, and extraction ranges.
 */
import test from 'ava';
import type { Options } from '../../src/index.js';
import { createHarness, ManualClock } from '../../src/testing/index.js';
import reframer from '../../filters/reframer/index.js';

interface Got {
  pid: string;
  dts: number;
  at: number;
}

/** Streams of 40 ms frames (SAP every 5th) through reframer; when each packet came out, by the clock. */
async function run(args: Options, sources: { n?: number; offset?: number }[] = [{}]): Promise<Got[]> {
  const h = await createHarness(reframer, { args, clock: new ManualClock(1000) });
  sources.forEach(({ n = 25, offset = 0 }, s) => {
    const input = h.input({ StreamType: 'Visual', CodecID: 'x', Timescale: 1000 }, `s${s}`);
    for (let i = 0; i < n; i++)
      input.push({ data: new Uint8Array(1), dts: offset + i * 40, duration: 40, sap: i % 5 ? 0 : 1 });
    input.end();
  });
  await h.advance(10_000);
  await h.finish();
  return h.outputs
    .flatMap((o) =>
      o.items.map((i) => (i.kind === 'packet' ? { pid: o.name, dts: i.packet.dts!, at: i.at } : null)),
    )
    .filter((g): g is Got => g !== null)
    .sort((a, b) => a.at - b.at);
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
  const got = await run({ rt: 'on', speed: 2 });
  const t0 = got[0]!.at;
  for (const g of got) t.true(Math.abs(g.at - t0 - g.dts / 2) <= 2);
});

test('rt=on: one clock per stream; rt=sync: one clock for all', async (t) => {
  // Stream 1 starts at media time 0, stream 2 at 400 ms.
  const sources = [{ n: 10 }, { n: 10, offset: 400 }];
  const first = (pid: string, gs: Got[]) => gs.find((g) => g.pid === pid)!.at;
  const on = await run({ rt: 'on' }, sources);
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
