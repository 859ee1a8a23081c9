import test from 'ava';
import { Session } from '../../src/engine/session.js';
import { Registry } from '../../src/engine/registry.js';
import { ManualClock } from '../../src/engine/clock.js';
import { createLogSink, parseLogs } from '../../src/engine/logger.js';
import { fakeFilters, newRecord } from '../helpers/fake-filters.js';
import type { Recorded } from '../helpers/fake-filters.js';
import { graph } from '../helpers/spec.js';
import type { GraphSpec } from '../../src/syntax/graph-spec.js';
import { GraphError } from '../../src/engine/errors.js';

const quiet = () => createLogSink(parseLogs(['all@quiet']), { pretty: false });

function setup(rec: Recorded, limits = { maxPackets: 4, maxDurationUs: 1_000_000 }) {
  const r = new Registry();
  const f = fakeFilters(rec);
  r.register(f.fsrc);
  r.register(f.fpass);
  r.register(f.fsink);
  return (spec: GraphSpec) =>
    new Session({ registry: r, clock: new ManualClock(), logs: quiet(), queueLimits: limits }).load(spec);
}

test('a fast source into a slow sink keeps every queue within its bound', async (t) => {
  const rec = newRecord();
  const s = setup(rec)(
    graph({ kind: 'source', url: 'fake:a', options: { count: '200' } }, { kind: 'sink', url: 'sink:x' }),
  );
  await s.run();
  t.is(rec.packets.length, 200);
  t.true(rec.maxQueued <= 4, `max queued ${rec.maxQueued}`);
  t.true(rec.maxQueued >= 2, 'the source ran ahead of the slow sink (the bound was actually exercised)');
  t.deepEqual(
    rec.packets.map((p) => p.dts),
    Array.from({ length: 200 }, (_, i) => i * 40),
  );
});

test('queues are also bounded by duration', async (t) => {
  const rec = newRecord();
  // 40 ms packets, 100 ms bound: never more than 3 packets (120 ms) queued.
  const s = setup(rec, { maxPackets: 1000, maxDurationUs: 100_000 })(
    graph({ kind: 'source', url: 'fake:a', options: { count: '50' } }, { kind: 'sink', url: 'sink:x' }),
  );
  await s.run();
  t.is(rec.packets.length, 50);
  t.true(rec.maxQueued <= 3, `max queued ${rec.maxQueued}`);
});

test('EOS reaches every sink, through a filter, and fans out', async (t) => {
  const rec = newRecord();
  const s = setup(rec)(
    graph(
      { kind: 'source', url: 'fake:a', options: { count: '7' } },
      { kind: 'filter', name: 'fpass' },
      { kind: 'sink', url: 'sink:x' },
      { kind: 'sink', url: 'sink:y', links: [{ from: 'first', index: 1, fragment: null }] },
    ),
  );
  await s.run();
  t.deepEqual(
    rec.events.filter((e) => e.endsWith(' eos')),
    ['fsink eos', 'fsink#2 eos'].filter((e) => rec.events.includes(e)),
  );
  t.true(rec.events.includes('fsink eos'));
  t.true(rec.events.includes('fsink#2 eos'));
  t.is(rec.packets.length, 14, 'both sinks got all 7 packets');
});

test('a mid-stream property change re-runs configurePid between packets, in order', async (t) => {
  const rec = newRecord();
  const s = setup(rec)(
    graph(
      { kind: 'source', url: 'fake:a', options: { count: '6', change_at: '3' } },
      { kind: 'filter', name: 'fpass' },
      { kind: 'sink', url: 'sink:x' },
    ),
  );
  await s.run();
  const sink = rec.events.filter((e) => e.startsWith('fsink '));
  t.deepEqual(sink, [
    'fsink configure new a Width=100',
    'fsink packet a 0',
    'fsink packet a 40',
    'fsink packet a 80',
    'fsink configure update a Width=200',
    'fsink packet a 120',
    'fsink packet a 160',
    'fsink packet a 200',
    'fsink eos',
  ]);
  t.deepEqual(
    rec.packets.map((p) => p.props),
    ['Width=100', 'Width=100', 'Width=100', 'Width=200', 'Width=200', 'Width=200'],
  );
  t.true(rec.events.includes('fpass configure update a Width=200'));
});

test('two sources merge into one filter', async (t) => {
  const rec = newRecord();
  const s = setup(rec)(
    graph(
      { kind: 'source', url: 'fake:a', options: { count: '5' } },
      { kind: 'source', url: 'fake:b', options: { count: '3', stype: 'Audio' } },
      { kind: 'filter', name: 'fpass' },
      { kind: 'sink', url: 'sink:x' },
    ),
  );
  await s.run();
  const pass = s.nodes.find((n) => n.name === 'fpass')!;
  t.is(pass.inputs.length, 2);
  t.deepEqual(pass.inputs.map((i) => i.producer).sort(), ['fsrc', 'fsrc#2']);
  t.is(rec.packets.filter((p) => p.from === 'a').length, 5);
  t.is(rec.packets.filter((p) => p.from === 'b').length, 3);
});

test('a failing filter ends the run with its error, and every filter is finalized', async (t) => {
  const rec = newRecord();
  const s = setup(rec)(
    graph(
      { kind: 'source', url: 'fake:a', options: { count: '100' } },
      { kind: 'filter', name: 'fpass', options: { fail_at: '10' } },
      { kind: 'sink', url: 'sink:x' },
    ),
  );
  const err = await t.throwsAsync(s.run(), { instanceOf: GraphError });
  t.is(err?.code, 'FILTER_FAILED');
  t.is(err?.message, 'fpass: boom at packet 10');
  t.deepEqual([...rec.finalized].sort(), ['fpass', 'fsink', 'fsrc']);
});

test('a stuck graph is reported instead of hanging', async (t) => {
  const rec = newRecord();
  const r = new Registry();
  const f = fakeFilters(rec);
  r.register(f.fsrc);
  r.register(f.fsink);
  // A filter that never consumes and never ends.
  const { defineFilter } = await import('../../src/index.js');
  r.register(
    defineFilter({
      name: 'lazy',
      description: 'takes input, never reads it',
      args: {},
      caps: [{ name: 'media', in: { StreamType: 'Visual' }, out: {} }],
      create: () => ({ process: () => 'not-ready' as const }),
    }),
  );
  const s = new Session({
    registry: r,
    clock: new ManualClock(),
    logs: quiet(),
    queueLimits: { maxPackets: 2 },
  }).load(
    graph(
      { kind: 'source', url: 'fake:a', options: { count: '10' } },
      { kind: 'filter', name: 'lazy' },
      { kind: 'sink', url: 'sink:x' },
    ),
  );
  const err = await t.throwsAsync(s.run(), { instanceOf: GraphError });
  t.is(err?.code, 'GRAPH_STUCK');
  t.regex(err!.message, /lazy \[in: a:2 queued/);
});

test('stop(flush) ends the sources and lets the graph drain', async (t) => {
  const rec = newRecord();
  const s = setup(rec)(
    graph({ kind: 'source', url: 'fake:a', options: { count: '100000' } }, { kind: 'sink', url: 'sink:x' }),
  );
  const run = s.run();
  setImmediate(() => s.stop('flush'));
  await run;
  t.true(rec.packets.length < 100000);
  t.true(rec.events.includes('fsink eos'), 'the sink saw the end of stream');
});
