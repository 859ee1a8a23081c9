/**
 * Two sessions in one process share nothing: PID and source-group ids, filters' session-scoped state
 * (ctx.session.shared), httpout's servers. Log tools come from the filters' descriptors.
 */
import test from 'ava';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { arg, createSession, defineFilter } from '../../src/index.js';
import type { OutputPid } from '../../src/index.js';
import { ManualClock } from '../../src/engine/clock.js';
import { createLogSink, parseLogs } from '../../src/engine/logger.js';
import { createHarness } from '../../src/testing/index.js';
import { mediaDir, waitForFile } from '../helpers/run-cli.js';
import { WorkRoot } from '../dasher/helpers/workdir.js';

const root = new WorkRoot('gp-scope-');
test.after.always(() => root.cleanup());

const COUNTER = Symbol('test counter');

/** A source that numbers its instances through session-scoped state and reports its PID's id. */
function numbered(seen: { session: string; instance: number; pid: number }[]) {
  return defineFilter({
    name: 'numbered',
    description: 'test source',
    args: { src: arg.string(undefined, 'x') },
    caps: [{ name: 'out', out: { StreamType: 'Visual' } }],
    probeUrl: (u) => (u.startsWith('n://') ? 'supported' : 'no'),
    create(ctx) {
      const counter = ctx.session.shared(COUNTER, () => ({ n: 0 }));
      const instance = ++counter.n;
      let pid: OutputPid | undefined;
      return {
        process() {
          pid ??= ctx.createPid({ StreamType: 'Visual', CodecID: 'x', Timescale: 1000 });
          seen.push({ session: ctx.args.src!, instance, pid: pid.id });
          pid.setEos();
          return 'eos';
        },
      };
    },
  });
}

test('PID ids and ctx.session.shared() state are per session', async (t) => {
  const seen: { session: string; instance: number; pid: number }[] = [];
  const f = numbered(seen);
  const run = (name: string) => {
    const s = createSession({ plugins: [f], clock: new ManualClock(), logs: 'all@quiet' });
    s.load(`-i n://${name}/1 -i n://${name}/2 inspect:log=/dev/null`);
    return s.run();
  };
  await Promise.all([run('a'), run('b')]);
  for (const name of ['a', 'b']) {
    const mine = seen.filter((x) => x.session.startsWith(`n://${name}/`));
    t.deepEqual(mine.map((x) => x.instance).sort(), [1, 2], name);
    t.deepEqual(mine.map((x) => x.pid).sort(), [1, 2], name);
  }
  // The harness is a session of its own too.
  const h = await createHarness(f, { args: { src: 'n://h' } });
  await h.run();
  t.like(seen.at(-1), { instance: 1, pid: 1 });
  await h.close();
});

test('two sessions in one process each get their own httpout server (both on port 0)', async (t) => {
  const dir = await root.workDir([]);
  const a = join(dir, 'a');
  const b = join(dir, 'b');
  // A: a live origin for 3 s; B starts while A serves, on the same host:port (0: the system picks).
  const live = createSession({ logs: 'all@quiet' });
  live.load(
    `-i ${mediaDir}/source2 reframer:rt=on -o http://127.0.0.1:0/a.mpd:segdur=1:dmode=dynamic:rdirs=${a} -runfor=3000`,
  );
  const ended = live.run();
  await waitForFile(join(a, 'a.mpd'));
  const other = createSession({ logs: 'all@quiet' });
  other.load(`-i ${mediaDir}/source2 -o http://127.0.0.1:0/b.mpd:segdur=1:dmode=dynamic:rdirs=${b}`);
  await other.run();
  await ended;
  const filesA = await readdir(a);
  const filesB = await readdir(b);
  t.true(filesA.includes('a.mpd') && !filesA.includes('b.mpd'), filesA.join(' '));
  t.true(filesB.includes('b.mpd') && !filesB.includes('a.mpd'), filesB.join(' '));
  // Each MPD names its own origin's clock: two servers, two ports.
  const port = async (f: string) => /http:\/\/127\.0\.0\.1:(\d+)\/time/.exec(await readFile(f, 'utf8'))?.[1];
  const pa = await port(join(a, 'a.mpd'));
  const pb = await port(join(b, 'b.mpd'));
  t.truthy(pa);
  t.truthy(pb);
  t.not(pa, pb);
});

test('-logs tools reach the filters whose descriptor lists them', (t) => {
  let out = '';
  const destination = new Writable({
    write(chunk: Buffer, _e, cb) {
      out += chunk.toString();
      cb();
    },
  });
  const sink = createLogSink(parseLogs(['all@error:dash@debug:mmio@info']), { pretty: false, destination });
  sink.forFilter('packager', 'packager', ['dash']).debug('from a dash filter');
  sink.forFilter('reader', 'reader', ['container', 'mmio']).info('from an mmio filter');
  sink.forFilter('reader', 'reader', ['container', 'mmio']).debug('not shown');
  sink.forFilter('other', 'other#2').warn('not shown either');
  sink.forFilter('other', 'other#2').error('shown');
  const msgs = out
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { msg: string; filter: string }).msg);
  t.deepEqual(msgs, ['from a dash filter', 'from an mmio filter', 'shown']);
});
