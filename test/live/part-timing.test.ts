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
import { createRegistry } from '../../src/builtins.js';
import { parseGraph } from '../../src/syntax/parse.js';
import { partEnds, recordSink } from '../helpers/record-sink.js';
import type { FilterDescriptor } from '../../src/index.js';
import type { ManifestVersion } from '../helpers/record-sink.js';

const MEDIA = new URL('../media/', import.meta.url).pathname;

interface Lateness {
  part: string;
  ms: number;
}

/**
 * Lateness of each part: when it first appears in its playlist, minus when its media ended on the
 * clock of its own stream (reframer:rt=on keeps one clock per PID, started by the PID's first packet:
 * estimated by wrapping the reframer, as the earliest send time minus media time of any of its packets).
 */
async function run(clock: SchedulerClock | undefined, runfor: number): Promise<{ late: Lateness[] }> {
  const versions: (ManifestVersion & { wall: number })[] = [];
  const origins = new Map<string, number>();
  /** Each stream's first decode time. */
  const first = new Map<string, number>();
  const registry = await createRegistry();
  const rec = recordSink(versions);
  registry.register({
    ...rec,
    create: (ctx: Parameters<typeof rec.create>[0]) => {
      const impl = rec.create(ctx);
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
  } as typeof rec);
  const reframer = registry.get('reframer') as FilterDescriptor;
  const tapped = { ...reframer, name: 'reframer' };
  tapped.create = (ctx) =>
    reframer.create({
      ...ctx,
      createPid: (props, name) => {
        const pid = ctx.createPid(props, name);
        const send = pid.send.bind(pid);
        return Object.assign(Object.create(pid) as typeof pid, {
          send: (p: Parameters<typeof send>[0]) => {
            // The stream's clock started at (send time − media time since its first packet) at the
            // latest: the smallest such value over its packets (the first send may itself be late).
            const ts = Number(props.Timescale) || 1000;
            const dts = Number(p.dts ?? 0);
            first.set(pid.name, first.get(pid.name) ?? dts);
            const at = ctx.clock.wallNow() - ((dts - first.get(pid.name)!) / ts) * 1000;
            origins.set(pid.name, Math.min(origins.get(pid.name) ?? Infinity, at));
            send(p);
          },
        });
      },
    });
  registry.register(tapped, 'test tap', { replace: true });
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
  for (const [variant, pidName] of [
    ['live_1.m3u8', 'video1'],
    ['live_2.m3u8', 'audio1'],
  ] as const) {
    const vs = versions.filter((v) => v.name === variant);
    const ends = partEnds(vs.at(-1)!.text);
    const origin = origins.get(pidName)!;
    for (const [part, end] of ends) {
      const first = vs.find((v) => partEnds(v.text).has(part));
      if (first) late.push({ part: `${variant}:${part}`, ms: first.wall - (origin + end * 1000) });
    }
  }
  return { late };
}

test('manual clock: every part is announced at its media end time (±2 ms of reframer release)', async (t) => {
  const { late } = await run(new ManualClock(0, Date.UTC(2026, 0, 1)), 6000);
  t.true(late.length >= 20, `parts checked: ${late.length}`);
  for (const l of late) {
    t.true(l.ms >= -2, `${l.part} announced ${-l.ms} ms before its media end`);
    t.true(l.ms <= 50, `${l.part} announced ${l.ms} ms after its media end`);
  }
});

/**
 * Real time on a shared machine: the scheduler cannot beat the OS. Every part must be on time or
 * late by at most 50 ms, except that a loaded CI machine may delay a few (≤ 10 %) by up to 250 ms.
 * (The manual-clock test above checks the logic itself exactly.) npm test runs test/live/ on its own,
 * after the other suites, to keep the load down.
 */
test('real time: parts are announced no earlier than their media end and within 50 ms after it', async (t) => {
  const { late } = await run(undefined, 4000);
  t.true(late.length >= 12, `parts checked: ${late.length}`);
  const sorted = late.map((l) => l.ms).sort((a, b) => a - b);
  const p90 = sorted[Math.floor(sorted.length * 0.9) - 1]!;
  for (const l of late) if (l.ms < -2 || l.ms > 50) t.log(`${l.part}: ${l.ms.toFixed(1)} ms`);
  t.log(
    `lateness over ${late.length} parts: min ${sorted[0]!.toFixed(1)} ms, p90 ${p90.toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms`,
  );
  t.true(sorted[0]! >= -2, `a part was announced ${-sorted[0]!} ms early`);
  t.true(p90 <= 50, `90 % of parts within ${p90} ms, not 50`);
  t.true(sorted.at(-1)! <= 250, `a part was announced ${sorted.at(-1)} ms late`);
});
