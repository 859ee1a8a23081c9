/**
 * Packet release (GPAC's drop contract): a packet sent with onRelease is released once every
 * consumer has dropped it; consumers without `dropsTakenPackets` never drop; ctx.keep() / ctx.drop()
 * hold a packet longer; a packet made with `ref` holds the one it was cut from.
 */
import test from 'ava';
import { Session } from '../../src/engine/session.js';
import { Registry } from '../../src/engine/registry.js';
import { ManualClock } from '../../src/engine/clock.js';
import { createLogSink, parseLogs } from '../../src/engine/logger.js';
import { arg, defineFilter } from '../../src/index.js';
import type { InputPid, OutputPid, Packet } from '../../src/index.js';
import { graph } from '../helpers/spec.js';

interface Log {
  events: string[];
}

function filters(log: Log) {
  const lsrc = defineFilter({
    name: 'lsrc',
    description: 'source whose packets say when they are released',
    args: { src: arg.string(undefined, 'lease:NAME'), count: arg.uint(6, 'packets') },
    caps: [{ name: 'out', out: { StreamType: 'Visual' } }],
    probeUrl: (url) => (url.startsWith('lease:') ? 'supported' : 'no'),
    create(ctx) {
      let pid: OutputPid | undefined;
      let i = 0;
      return {
        process() {
          pid ??= ctx.createPid({ StreamType: 'Visual', CodecID: 'fake', Timescale: 1000 });
          while (i < ctx.args.count && !pid.wouldBlock) {
            const n = i++;
            pid.send({
              data: new Uint8Array([n, n, n, n]),
              dts: n,
              duration: 1,
              sap: 1,
              onRelease: () => log.events.push(`release ${n}`),
            });
          }
          if (i < ctx.args.count) return 'ok';
          pid.setEos();
          return 'eos';
        },
      };
    },
  });

  /** Cuts each packet in two halves made with `ref` to it. */
  const lcut = defineFilter({
    name: 'lcut',
    description: 'splits packets into views of them',
    args: {},
    caps: [{ name: 'io', in: { StreamType: 'Visual' }, out: {} }],
    dropsTakenPackets: true,
    create(ctx) {
      let out: OutputPid | undefined;
      return {
        configurePid(pid) {
          out ??= ctx.createPid({ ...pid.props });
        },
        process() {
          const input = ctx.inputs[0]!;
          for (let p = input.take(); p; p = input.take()) {
            const n = p.data[0]!;
            for (const half of [0, 1])
              out!.send({
                data: p.data.subarray(half * 2, half * 2 + 2),
                dts: p.dts,
                sap: 1,
                ref: p,
                onRelease: () => log.events.push(`release ${n}.${half}`),
              });
          }
          if (input.eos) {
            out!.setEos();
            return 'eos';
          }
          return 'not-ready';
        },
      };
    },
  });

  function sink(name: string, drops: boolean) {
    return defineFilter({
      name,
      description: 'records what it takes; keeps packets whose first byte is in `keep` until EOS',
      args: {
        dst: arg.string(undefined, `${name}:X`),
        keep: arg.string('', 'first bytes to keep, e.g. 1,3'),
      },
      caps: [{ name: 'in', in: { StreamType: 'Visual' } }],
      probeUrl: (url) => (url.startsWith(`${name}:`) ? 'supported' : 'no'),
      dropsTakenPackets: drops,
      maxInputs: 4,
      create(ctx) {
        const keep = new Set(
          (ctx.args.keep ?? '')
            .split(',')
            .filter(Boolean)
            .map((x) => Number(x)),
        );
        const kept: Packet[] = [];
        const done = new Set<InputPid>();
        return {
          process() {
            for (const input of ctx.inputs)
              for (let p = input.take(); p; p = input.take()) {
                log.events.push(`${ctx.name} took ${[...p.data].join('')}`);
                if (keep.has(p.data[0]!)) {
                  ctx.keep(p);
                  kept.push(p);
                }
              }
            for (const input of ctx.inputs) if (input.eos) done.add(input);
            if (done.size < ctx.inputs.length || !ctx.inputs.length) return 'not-ready';
            for (const p of kept.splice(0)) {
              log.events.push(`${ctx.name} drops kept ${p.data[0]}`);
              ctx.drop(p);
              ctx.drop(p); // unmatched: ignored
            }
            return 'eos';
          },
        };
      },
    });
  }
  return { lsrc, lcut, dsink: sink('dsink', true), hsink: sink('hsink', false) };
}

async function run(entries: Parameters<typeof graph>) {
  const log: Log = { events: [] };
  const r = new Registry();
  for (const f of Object.values(filters(log))) r.register(f);
  const s = new Session({
    registry: r,
    clock: new ManualClock(),
    logs: createLogSink(parseLogs(['all@quiet']), { pretty: false }),
    queueLimits: { maxPackets: 2, maxDurationUs: 1_000_000, maxBytes: 1 << 20 },
  }).load(graph(...entries));
  await s.run();
  return log.events;
}

const releases = (ev: string[]) => ev.filter((e) => e.startsWith('release')).sort();

test('a consumer that drops what it takes releases each packet once, after taking it', async (t) => {
  const ev = await run([
    { kind: 'source', url: 'lease:a' },
    { kind: 'sink', url: 'dsink:x' },
  ]);
  t.deepEqual(releases(ev), ['release 0', 'release 1', 'release 2', 'release 3', 'release 4', 'release 5']);
  for (let n = 0; n < 6; n++)
    t.true(ev.indexOf(`dsink took ${n}${n}${n}${n}`) < ev.indexOf(`release ${n}`), `packet ${n}`);
  // Queues of 2 packets: packets are released while the source still produces (memory is reused).
  t.true(ev.indexOf('release 0') < ev.indexOf('dsink took 5555'));
});

test('a consumer without dropsTakenPackets never releases (its memory is the collector’s)', async (t) => {
  const ev = await run([
    { kind: 'source', url: 'lease:a' },
    { kind: 'sink', url: 'hsink:x' },
  ]);
  t.is(ev.filter((e) => e.startsWith('hsink took')).length, 6);
  t.deepEqual(releases(ev), []);
});

test('fan-out: released only when every consumer dropped it; never if one does not drop', async (t) => {
  const both = await run([
    { kind: 'source', url: 'lease:a' },
    { kind: 'sink', url: 'dsink:x' },
    { kind: 'sink', url: 'dsink:y' },
  ]);
  t.is(releases(both).length, 6);
  for (let n = 0; n < 6; n++) {
    const at = both.indexOf(`release ${n}`);
    const took = both.map((e, i) => (e.endsWith(`took ${n}${n}${n}${n}`) ? i : -1)).filter((i) => i >= 0);
    t.is(took.length, 2);
    t.true(
      took.every((i) => i < at),
      `packet ${n} released after both took it`,
    );
  }
  const mixed = await run([
    { kind: 'source', url: 'lease:a' },
    { kind: 'sink', url: 'dsink:x' },
    { kind: 'sink', url: 'hsink:y' },
  ]);
  t.deepEqual(releases(mixed), []);
});

test('ctx.keep holds a packet past its process() call until ctx.drop', async (t) => {
  const ev = await run([
    { kind: 'source', url: 'lease:a', options: { count: '4' } },
    { kind: 'sink', url: 'dsink:x', options: { keep: '1,2' } },
  ]);
  t.deepEqual(releases(ev), ['release 0', 'release 1', 'release 2', 'release 3']);
  t.true(ev.indexOf('dsink drops kept 1') < ev.indexOf('release 1'));
  t.true(ev.indexOf('dsink drops kept 2') < ev.indexOf('release 2'));
  t.true(ev.indexOf('release 0') < ev.indexOf('dsink drops kept 1'), 'packet 0 (not kept) went at once');
});

test('a packet made with ref holds the one it was cut from until it is released', async (t) => {
  const ev = await run([
    { kind: 'source', url: 'lease:a', options: { count: '3' } },
    { kind: 'filter', name: 'lcut' },
    { kind: 'sink', url: 'dsink:x', options: { keep: '2' } },
  ]);
  t.deepEqual(releases(ev), [
    'release 0',
    'release 0.0',
    'release 0.1',
    'release 1',
    'release 1.0',
    'release 1.1',
    'release 2',
    'release 2.0',
    'release 2.1',
  ]);
  for (let n = 0; n < 3; n++) {
    const whole = ev.indexOf(`release ${n}`);
    t.true(ev.indexOf(`release ${n}.0`) < whole && ev.indexOf(`release ${n}.1`) < whole, `packet ${n}`);
  }
  // The kept halves of packet 2 keep packet 2 until the sink drops them at the end.
  t.true(ev.indexOf('dsink drops kept 2') < ev.indexOf('release 2'));
});

test('behind a consumer that never drops, nothing upstream is released either', async (t) => {
  const ev = await run([
    { kind: 'source', url: 'lease:a', options: { count: '3' } },
    { kind: 'filter', name: 'lcut' },
    { kind: 'sink', url: 'hsink:x' },
  ]);
  t.is(ev.filter((e) => e.startsWith('hsink took')).length, 6);
  t.deepEqual(releases(ev), []);
});
