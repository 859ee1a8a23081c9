/**
 * ctx.connectSource() (GPAC's gf_filter_connect_source) and SourceHandle.remove(): a filter opens
 * sources for itself; their PIDs link only to it, through link resolution like -i (fin → mp4dmx for
 * a real file); a removed chain leaves the session, so a filter looping over sources keeps a constant
 * graph; flushing (SIGINT) ends such a filter instead of letting it open the next source.
 */
import test from 'ava';
import { Session } from '../../src/engine/session.js';
import { Registry } from '../../src/engine/registry.js';
import { ManualClock } from '../../src/engine/clock.js';
import { createLogSink, parseLogs } from '../../src/engine/logger.js';
import { GraphError } from '../../src/engine/errors.js';
import { arg, defineFilter } from '../../src/index.js';
import type { InputPid, OutputPid, SourceHandle } from '../../src/index.js';
import { builtinFilters } from '../../filters/index.js';
import { fakeFilters, newRecord } from '../helpers/fake-filters.js';
import type { Recorded } from '../helpers/fake-filters.js';
import { graph } from '../helpers/spec.js';

const quiet = () => createLogSink(parseLogs(['all@quiet']), { pretty: false });

interface OpenerLog {
  /** Filters in the session, sampled each time a source is opened. */
  nodeCounts: number[];
  handles: SourceHandle[];
  inputsPerSource: string[][];
  pendingSeen: boolean;
}

/** A test filter: opens `src` (a list) one source at a time, `loops` times (-1: forever), forwarding. */
function opener(log: OpenerLog, session: () => Session) {
  return defineFilter({
    name: 'opener',
    description: 'test: plays its sources one after the other through connectSource',
    args: {
      src: arg.list([], 'sources'),
      loops: arg.int(1, 'passes over the list (-1: forever)'),
      keep: arg.bool(false, 'never remove finished sources'),
    },
    caps: [{ name: 'media', in: { StreamType: '*' }, inExcluded: { StreamType: 'File' }, out: {} }],
    maxInputs: Infinity,
    create(ctx) {
      let current: SourceHandle | undefined;
      let i = 0;
      let pass = 0;
      const outs = new Map<string, OutputPid>();
      const map = new Map<InputPid, OutputPid>();
      let offset = 0;
      let end = 0;
      return {
        process() {
          for (;;) {
            if (!current) {
              if (i >= ctx.args.src.length) {
                i = 0;
                pass++;
              }
              if (ctx.args.loops >= 0 && pass >= ctx.args.loops) {
                for (const o of outs.values()) o.setEos();
                return 'eos';
              }
              current = ctx.connectSource(ctx.args.src[i++]!);
              log.handles.push(current);
              log.nodeCounts.push(session().nodes.length);
            }
            if (current.pending) {
              log.pendingSeen = true;
              return 'not-ready';
            }
            if (!map.size) {
              log.inputsPerSource.push(current.inputs.map((p) => p.name));
              for (const p of current.inputs) {
                const type = String(p.props.StreamType);
                let o = outs.get(type);
                if (!o) outs.set(type, (o = ctx.createPid({ ...p.props }, type)));
                map.set(p, o);
              }
            }
            let waiting = false;
            for (const [p, o] of map) {
              for (let k = p.peek(); k && !o.wouldBlock; k = p.peek()) {
                p.take();
                o.send({ ...k, dts: (k.dts ?? 0) + offset, cts: (k.cts ?? 0) + offset });
                end = Math.max(end, (k.dts ?? 0) + offset + (k.duration ?? 0));
              }
              if (!p.eos) waiting = true;
            }
            if (waiting) return 'not-ready';
            offset = end;
            map.clear();
            if (!ctx.args.keep) current.remove();
            current = undefined;
          }
        },
      };
    },
  });
}

function setup(rec: Recorded, log: OpenerLog, withBuiltins = false) {
  const r = new Registry();
  const f = fakeFilters(rec);
  let session: Session | undefined;
  if (withBuiltins) for (const d of builtinFilters) r.register(d);
  r.register(f.fsrc);
  r.register(f.fsink);
  r.register(opener(log, () => session!));
  return (spec: Parameters<Session['load']>[0]) =>
    (session = new Session({
      registry: r,
      clock: new ManualClock(),
      logs: quiet(),
      queueLimits: { maxPackets: 4, maxDurationUs: 1_000_000 },
    }).load(spec));
}

const newLog = (): OpenerLog => ({ nodeCounts: [], handles: [], inputsPerSource: [], pendingSeen: false });

test('a connected source links only to the filter that opened it, and remove() drops its chain', async (t) => {
  const rec = newRecord();
  const log = newLog();
  const s = setup(
    rec,
    log,
  )(
    graph(
      { kind: 'filter', name: 'opener', options: { src: 'fake:a,fake:b', loops: '3' } },
      { kind: 'sink', url: 'sink:x' },
    ),
  );
  const removed: string[] = [];
  s.on('removed', (n) => removed.push(n));
  await s.run();
  // 2 sources × 3 passes of 10 packets, on one continuous timeline, all through the opener.
  t.is(rec.packets.length, 60);
  t.deepEqual(
    rec.packets.map((p) => p.dts),
    Array.from({ length: 60 }, (_, k) => k * 40),
  );
  t.true(rec.packets.every((p) => p.from === 'Visual'));
  // Every source was removed when played, and finalized.
  t.is(log.handles.length, 6);
  t.true(log.handles.every((h) => h.done && h.inputs.length === 0));
  t.is(removed.length, 6);
  t.is(rec.finalized.filter((n) => n.startsWith('fsrc')).length, 6);
  // The graph did not grow: opener + sink + the one source being played.
  t.deepEqual(new Set(log.nodeCounts), new Set([3]));
  t.is(s.nodes.length, 2);
  t.deepEqual(
    log.inputsPerSource,
    Array.from({ length: 6 }, (_, k) => [k % 2 ? 'b' : 'a']),
  );
});

test('without remove(), finished chains stay in the session (what remove() is for)', async (t) => {
  const rec = newRecord();
  const log = newLog();
  const s = setup(
    rec,
    log,
  )(
    graph(
      { kind: 'filter', name: 'opener', options: { src: 'fake:a', loops: '4', keep: 'true' } },
      { kind: 'sink', url: 'sink:x' },
    ),
  );
  await s.run();
  t.is(rec.packets.length, 40);
  t.deepEqual(log.nodeCounts, [3, 4, 5, 6]);
});

test('a real file opens through link resolution like -i (fin, then mp4dmx), in the opener only', async (t) => {
  const rec = newRecord();
  const log = newLog();
  const s = setup(
    rec,
    log,
    true,
  )(
    graph(
      { kind: 'filter', name: 'opener', options: { src: 'test/media/av_2997_faststart.mp4', loops: '2' } },
      { kind: 'filter', name: 'inspect', options: { log: '/dev/null' } },
    ),
  );
  const loaded: string[] = [];
  s.on('filter', (n, dynamic) => dynamic && loaded.push(n));
  await s.run();
  t.deepEqual(loaded, ['fin', 'mp4dmx', 'fin#2', 'mp4dmx#2']);
  t.true(log.pendingSeen, 'the opener waited while the demuxer had not read the header');
  t.deepEqual(log.inputsPerSource, [
    ['video1', 'audio1'],
    ['video1', 'audio1'],
  ]);
  t.deepEqual(
    s.nodes.map((n) => n.name),
    ['opener', 'inspect'],
  );
});

test('a URL no filter claims is one clear error', async (t) => {
  const rec = newRecord();
  const log = newLog();
  const s = setup(rec, log)(graph({ kind: 'filter', name: 'opener', options: { src: 'nope://x' } }));
  const e = await t.throwsAsync(() => s.run(), { instanceOf: GraphError });
  t.is(e?.code, 'NO_SOURCE_HANDLER');
  t.regex(e?.message ?? '', /opener: no filter can open source "nope:\/\/x"/);
});

test('stop("flush") ends a filter looping over its sources forever (the run ends, outputs end)', async (t) => {
  const rec = newRecord();
  const log = newLog();
  const s = setup(
    rec,
    log,
  )(
    graph(
      { kind: 'filter', name: 'opener', options: { src: 'fake:a', loops: '-1' } },
      { kind: 'sink', url: 'sink:x' },
    ),
  );
  const run = s.run();
  // Let it loop a few times, then interrupt.
  while (log.handles.length < 5) await new Promise((r) => setImmediate(r));
  s.stop('flush');
  await run;
  t.true(rec.events.includes('fsink eos'));
  t.true(log.handles.length >= 5);
  t.true(Math.max(...log.nodeCounts) <= 3);
});
