/**
 * Live timing of LL-HLS parts with reframer:rt=on: a part appears in its playlist no earlier than its
 * media end time and within 50 ms after it. Once with a manual clock (deterministic: the scheduler's
 * sleeps jump virtual time), once in real time.
 */
import test from 'ava';
import { Session } from '../../src/engine/session.js';
import { ManualClock } from '../../src/engine/clock.js';
import type { SchedulerClock } from '../../src/engine/clock.js';
import { createLogSink, parseLogs } from '../../src/engine/logger.js';
import { createRegistry } from '../../src/cli/registry.js';
import { parseGraph } from '../../src/syntax/parse.js';
import { partEnds, recordSink } from '../helpers/record-sink.js';
import type { ManifestVersion } from '../helpers/record-sink.js';

const MEDIA = new URL('../media/', import.meta.url).pathname;

interface Lateness {
  part: string;
  ms: number;
}

async function run(
  clock: SchedulerClock | undefined,
  runfor: number,
): Promise<{ late: Lateness[]; versions: ManifestVersion[] }> {
  const versions: (ManifestVersion & { wall: number })[] = [];
  const registry = createRegistry();
  const rec = recordSink(versions);
  const wrapped = {
    ...rec,
    create: (ctx: Parameters<typeof rec.create>[0]) => {
      const impl = rec.create(ctx);
      const before = versions.length;
      void before;
      return {
        ...impl,
        process: () => {
          const n = versions.length;
          const r = impl.process();
          for (let i = n; i < versions.length; i++) versions[i]!.wall = ctx.clock.wallNow();
          return r;
        },
      };
    },
  };
  registry.register(wrapped as typeof rec);
  const spec = parseGraph([
    '-i',
    `${MEDIA}source1`,
    '-i',
    `${MEDIA}source2`,
    'reframer:rt=on',
    '-o',
    'rec:out/live.m3u8:segdur=2:cdur=0.5:profile=live:dmode=dynamic:llhls=br',
  ]);
  const s = new Session({
    registry,
    logs: createLogSink(parseLogs(['all@quiet']), { pretty: false }),
    options: { runfor: String(runfor) },
    ...(clock ? { clock } : {}),
  }).load(spec);
  await s.run();
  const late: Lateness[] = [];
  for (const variant of ['live_1.m3u8', 'live_2.m3u8']) {
    const vs = versions.filter((v) => v.name === variant);
    const final = vs.at(-1)!.text;
    const ends = partEnds(final);
    const pdt = /#EXT-X-PROGRAM-DATE-TIME:(\S+)/.exec(vs[0]!.text)!;
    const ast = Date.parse(pdt[1]!);
    for (const [part, end] of ends) {
      const first = vs.find((v) => partEnds(v.text).has(part));
      if (!first) continue;
      late.push({ part: `${variant}:${part}`, ms: first.wall - (ast + end * 1000) });
    }
  }
  return { late, versions };
}

test('manual clock: every part is announced at its media end time (±2 ms of reframer release)', async (t) => {
  const { late } = await run(new ManualClock(0, Date.UTC(2026, 0, 1)), 6000);
  t.true(late.length >= 20, `parts checked: ${late.length}`);
  for (const l of late) {
    t.true(l.ms >= -2, `${l.part} announced ${-l.ms} ms before its media end`);
    t.true(l.ms <= 50, `${l.part} announced ${l.ms} ms after its media end`);
  }
});

test('real time: parts are announced no earlier than their media end and within 50 ms after it', async (t) => {
  const { late } = await run(undefined, 4000);
  t.true(late.length >= 12, `parts checked: ${late.length}`);
  const worst = Math.max(...late.map((l) => l.ms));
  const early = Math.min(...late.map((l) => l.ms));
  for (const l of late) if (l.ms < -2 || l.ms > 50) t.log(`${l.part}: ${l.ms.toFixed(1)} ms`);
  t.log(`lateness over ${late.length} parts: min ${early.toFixed(1)} ms, max ${worst.toFixed(1)} ms`);
  t.true(early >= -2, `a part was announced ${-early} ms early`);
  t.true(worst <= 50, `a part was announced ${worst} ms late`);
});
