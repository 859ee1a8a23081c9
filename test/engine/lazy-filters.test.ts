/**
 * Filters loaded on first use (LazyFilterDescriptor): the engine links with the descriptor alone and
 * imports the implementation only when a graph instantiates the filter — declared, inserted by link
 * resolution, or opened by another filter (connectDestination) — and a graph that does not use it
 * never loads it. A run of the CLI packaging a file loads none of the built-ins it does not need.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { arg, createSession, defineFilter, defineLazyFilter, GraphError } from '../../src/index.js';
import type { FilterDescriptor, LazyFilterDescriptor, OutputPid } from '../../src/index.js';
import { ManualClock } from '../../src/engine/clock.js';
import { createHarness } from '../../src/testing/index.js';
import { mediaDir, repoRoot } from '../helpers/run-cli.js';

const exec = promisify(execFile);

const src = defineFilter({
  name: 'lsrc',
  description: 'three Visual packets, then asks its output for a destination',
  args: { src: arg.string(undefined, 'x'), dest: arg.string(undefined, 'scheme of a destination to open') },
  caps: [{ name: 'out', out: { StreamType: 'Visual' } }],
  probeUrl: (u) => (u.startsWith('l://') ? 'supported' : 'no'),
  create(ctx) {
    let pid: OutputPid | undefined;
    return {
      process() {
        pid = ctx.createPid({ StreamType: 'Visual', CodecID: 'raw', Timescale: 1000 });
        if (ctx.args.dest) ctx.connectDestination(pid, `${ctx.args.dest}://x`);
        for (let i = 0; i < 3; i++) pid.send({ data: new Uint8Array(1), dts: i * 40, sap: 1 });
        pid.setEos();
        return 'eos';
      },
    };
  },
});

/** A lazy filter: caps and probes in the descriptor, create() behind load(); counts loads and packets. */
function lazy(
  name: string,
  caps: FilterDescriptor['caps'],
  seen: { loads: number; packets: number; configured: number },
  extra = {},
) {
  const d: LazyFilterDescriptor = defineLazyFilter({
    name,
    description: `lazy ${name}`,
    args: { dst: arg.string(undefined, 'x') },
    caps,
    ...extra,
    async load(): Promise<{ default: FilterDescriptor }> {
      seen.loads++;
      return {
        default: defineFilter({
          ...d,
          create(ctx) {
            return {
              configurePid() {
                seen.configured++;
              },
              process() {
                for (const i of ctx.inputs) while (i.take()) seen.packets++;
                if (ctx.outputs.length === 0 && caps.some((b) => b.out)) {
                  const o = ctx.createPid({ StreamType: 'Audio', CodecID: 'conv' });
                  o.setEos();
                }
                return ctx.inputs.every((i) => i.eos) ? 'eos' : 'not-ready';
              },
            };
          },
        }),
      };
    },
  });
  return d;
}

const counts = () => ({ loads: 0, packets: 0, configured: 0 });

test('declared, inserted by link resolution, or opened by a filter: loaded once, when used', async (t) => {
  const conv = counts();
  const sinkSeen = counts();
  const unused = counts();
  const converter = lazy(
    'lconv',
    [{ name: 'v→a', in: { StreamType: 'Visual' }, out: { StreamType: 'Audio' } }],
    conv,
  );
  const sink = lazy('lsink', [{ name: 'audio in', in: { StreamType: 'Audio' } }], sinkSeen, {
    probeUrl: (u: string) => (u.startsWith('sink://') ? 'supported' : 'no'),
  });
  const never = lazy('lnever', [{ name: 'text in', in: { StreamType: 'Text' } }], unused);
  // Inserted by link resolution (Visual → Audio toward the declared sink).
  const s = createSession({
    plugins: [src, converter, sink, never],
    clock: new ManualClock(),
    logs: 'all@quiet',
  });
  s.load('-i l://a -o sink://out');
  await s.run();
  t.deepEqual([conv.loads, conv.packets, sinkSeen.loads, unused.loads], [1, 3, 1, 0]);
  // Opened by a filter with connectDestination(), while the graph runs: queued packets reach it.
  const viaConnect = counts();
  const vsink = lazy('lvsink', [{ name: 'video in', in: { StreamType: 'Visual' } }], viaConnect, {
    probeUrl: (u: string) => (u.startsWith('v://') ? 'supported' : 'no'),
  });
  const s2 = createSession({ plugins: [src, vsink], clock: new ManualClock(), logs: 'all@quiet' });
  s2.addSource('l://b', { dest: 'v' });
  await s2.run();
  t.deepEqual([viaConnect.loads, viaConnect.configured, viaConnect.packets], [1, 1, 3]);
  // The harness loads it too.
  const h = await createHarness(vsink);
  h.input({ StreamType: 'Visual' }).push(new Uint8Array(1));
  await h.run();
  await h.close();
  t.is(viaConnect.packets, 4);
});

test('a lazy filter that cannot be loaded is one error naming it', async (t) => {
  const broken = defineLazyFilter({
    name: 'broken',
    description: 'its module is missing',
    args: {},
    caps: [{ name: 'v', in: { StreamType: 'Visual' } }],
    load: () => import('./no-such-module.js' as string),
  });
  const s = createSession({ plugins: [src, broken], logs: 'all@quiet' });
  s.load('-i l://a broken');
  const e = await t.throwsAsync(s.run(), { instanceOf: GraphError });
  t.is(e!.code, 'PLUGIN_INVALID');
  t.regex(e!.message, /^cannot load filter "broken": /);
  t.truthy(e!.cause);
  const wrong = defineLazyFilter({ ...broken, name: 'wrong', load: async () => ({ default: src }) });
  const s2 = createSession({ plugins: [src, wrong], logs: 'all@quiet' });
  s2.load('-i l://a wrong');
  await t.throwsAsync(s2.run(), {
    message: 'cannot load filter "wrong": its module does not export it (a default export with create())',
  });
  t.throws(() => createSession({ plugins: [{ ...broken, load: undefined } as never] }), {
    message: /create\(\) is missing \(or load\(\), for a filter loaded on first use\)/,
  });
});

/**
 * The modules a CLI run loads (an --import hook prints each resolved URL), from the compiled tree
 * (dist/src/cli/run.js): the lazy imports the installed bundle keeps behind init functions.
 */
async function modulesLoaded(args: string[], cwd: string): Promise<string[]> {
  const hook = `data:text/javascript,${encodeURIComponent(`
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(\`export async function resolve(s, c, next) {
  const r = await next(s, c); process.stderr.write('LOADED ' + r.url + '\\\\n'); return r; }\`));`)}`;
  const { stderr } = await exec(
    process.execPath,
    ['--import', hook, join(repoRoot, 'dist/src/cli/run.js'), ...args],
    {
      cwd,
    },
  );
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('LOADED '))
    .map((l) => l.slice(7).replace(`file://${repoRoot}`, ''));
}

test('the CLI loads what a run uses: --version nothing of the engine; packaging no origin, TS demuxer, flist or inspect', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'graphpac-lazy-'));
  try {
    const version = await modulesLoaded(['--version'], dir);
    t.false(
      version.some((m) => m.includes('dist/filters/') || m.includes('dist/src/engine/session')),
      version.join(' '),
    );
    const pack = await modulesLoaded(['-i', join(mediaDir, 'source2'), '-o', 'x.mpd:segdur=1'], dir);
    for (const used of [
      'filters/fin/index.js',
      'filters/mp4dmx/index.js',
      'filters/dasher/index.js',
      'filters/fout/index.js',
    ])
      t.true(
        pack.some((m) => m.endsWith(used)),
        used,
      );
    const unused = [
      'filters/httpout/index.js',
      'filters/httpout/push.js',
      'filters/httpout/server.js',
      'filters/m2tsdmx/index.js',
      'src/media/ts/demux.js',
      'filters/flist/index.js',
      'filters/inspect/index.js',
      'filters/sockin/index.js',
      'filters/pin/index.js',
      'node_modules/commander/index.js',
      'node_modules/pino/pino.js',
      'src/syntax/mp4box.js',
      'src/watch/page.js',
      'src/cli/help.js',
    ];
    t.deepEqual(
      unused.filter((u) => pack.some((m) => m.endsWith(u))),
      [],
      'not loaded to package a file',
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

/** Node's own modules a run of the installed entry point (bin/graphpac.js: the bundle) loaded. */
async function builtinsLoaded(args: string[], cwd: string): Promise<string[]> {
  const hook = join(cwd, 'builtins.cjs');
  await writeFile(
    hook,
    `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(join(cwd, 'builtins.txt'))}, process.moduleLoadList.join('\\n')));`,
  );
  await exec(process.execPath, ['--require', hook, join(repoRoot, 'bin/graphpac.js'), ...args], { cwd });
  return (await readFile(join(cwd, 'builtins.txt'), 'utf8'))
    .split('\n')
    .filter((l) => l.startsWith('NativeModule '))
    .map((l) => l.slice('NativeModule '.length));
}

test('the installed bundle evaluates what a run uses: packaging a file loads no socket, stream, child process or worker module', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'graphpac-bundle-'));
  try {
    const pack = await builtinsLoaded(['-i', join(mediaDir, 'source2'), '-o', 'x.mpd:segdur=1'], dir);
    t.true(pack.includes('fs'), pack.join(' '));
    // net and stream: a run that prints nothing never makes process.stdout or process.stderr (pipes here,
    // whose streams load both); the entry point is CommonJS, so Node's ES module loader stays unloaded.
    t.deepEqual(
      [
        'dgram',
        'child_process',
        'worker_threads',
        'http',
        'https',
        'net',
        'stream',
        'tty',
        'internal/modules/esm/translators',
      ].filter((m) => pack.includes(m)),
      [],
      'not loaded to package a file',
    );
    t.regex(await readFile(join(dir, 'x.mpd'), 'utf8'), /<MPD /);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
