/**
 * Scripted graphs and plugins: the library API builds GPAC's seed LL-HLS graph with the CLI's output;
 * a JSON graph file gives the same; a third-party plugin loaded from outside the source tree is
 * inserted by link resolution and shows in the output; a failing plugin is named.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { cp, mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createSession, defineFilter, GraphError, splitCommandLine } from '../../src/index.js';
import type { FilterDescriptor, GraphFile } from '../../src/index.js';
import { pathToFileURL } from 'node:url';
import { graphpac, repoRoot } from '../dasher/helpers/cli.js';
import { WorkRoot } from '../dasher/helpers/workdir.js';

const run = promisify(execFile);
const root = new WorkRoot('gp-api-');
test.after.always(() => root.cleanup());

/** Playlists with the wall-clock dates taken out (they differ between two runs). */
async function texts(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of (await readdir(dir)).sort())
    if (/\.(m3u8|mpd)$/.test(f))
      out[f] = (await readFile(join(dir, f), 'utf8')).replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'DATE');
  return out;
}

const SEED = 'segdur=10:cdur=1:profile=live:dmode=dynamic:llhls=br';

test('the example script builds the seed graph through the API; output = CLI output', async (t) => {
  const dir = await root.workDir(['source1', 'source2']);
  await run(
    process.execPath,
    ['--import', 'tsx', join(repoRoot, 'examples/llhls-graph.ts'), join(dir, 'api'), '--fast'],
    {
      cwd: repoRoot,
    },
  );
  const cli = await graphpac(['-i', 'source1', '-i', 'source2', '-o', `cli/live.m3u8:${SEED}`], { cwd: dir });
  t.is(cli.code, 0, cli.stderr);
  t.deepEqual((await readdir(join(dir, 'api'))).sort(), (await readdir(join(dir, 'cli'))).sort());
  t.deepEqual(await texts(join(dir, 'api')), await texts(join(dir, 'cli')));
});

test('a JSON graph file gives the same graph as the command line', async (t) => {
  const dir = await root.workDir(['source1', 'source2']);
  const file = JSON.parse(await readFile(join(repoRoot, 'examples/llhls-graph.json'), 'utf8')) as GraphFile;
  const media = join(repoRoot, 'test/media');
  for (const n of file.graph) if ('source' in n) n.source = join(media, n.source);
  for (const n of file.graph) if ('sink' in n) n.sink = join(dir, 'json', 'live.m3u8');
  const s = createSession({ logs: 'all@quiet' }).loadGraphFile(file);
  const fromCli = createSession().load(
    `-i ${media}/source1 -i ${media}/source2 -o ${join(dir, 'json', 'live.m3u8')}:${SEED}`,
  );
  // Same entries, options and order (ids aside: the file gives none, the builder names them).
  const strip = (sp: typeof s.spec) => sp.entries.map((e) => ({ ...e, id: null, arg: 0 }));
  t.deepEqual(
    strip(s.spec).map((e) => ({
      ...e,
      options: e.options.map((o) => ('value' in o ? [o.name, o.value] : o)),
    })),
    strip(fromCli.spec).map((e) => ({
      ...e,
      options: e.options.map((o) => ('value' in o ? [o.name, o.value] : o)),
    })),
  );
  await s.run();
  const cli = await graphpac(['-i', 'source1', '-i', 'source2', '-o', `cli/live.m3u8:${SEED}`], { cwd: dir });
  t.is(cli.code, 0);
  t.deepEqual(await texts(join(dir, 'json')), await texts(join(dir, 'cli')));
});

test('builder: explicit links, typed events, stop()', async (t) => {
  const media = join(repoRoot, 'test/media');
  const dir = await root.workDir([]);
  const s = createSession({ logs: 'all@quiet' });
  const a = s.addSource(join(media, 'source1'));
  s.addSource(join(media, 'source2'));
  const sink = s.addSink(join(dir, 'only-video.mpd'), { segdur: 2 }, [a]);
  const links: string[] = [];
  const warnings: string[] = [];
  s.on('link', (pid, from, to) => links.push(`${from}/${pid}->${to}`));
  s.on('warning', (w) => warnings.push(w));
  await s.run();
  t.true(links.includes('fin/source1->mp4dmx'));
  t.true(
    warnings.some((w) => /PID "source2" of fin#2 .* has no destination/.test(w)),
    'the other source is not linked',
  );
  t.regex(await readFile(join(dir, 'only-video.mpd'), 'utf8'), /avc1\.64001E/);
  t.notRegex(await readFile(join(dir, 'only-video.mpd'), 'utf8'), /mp4a/);
  t.is(sink.index, 2);
  // stop('flush') on a real-time run ends it cleanly.
  const live = createSession({ logs: 'all@quiet' });
  live.addSource(join(media, 'source2'));
  live.addFilter('reframer', { rt: 'on' });
  live.addSink(join(dir, 'live', 'a.m3u8'), { segdur: 1, dmode: 'dynamic' });
  const t0 = Date.now();
  setTimeout(() => live.stop(), 1500);
  await live.run();
  t.true(Date.now() - t0 < 10_000);
  t.regex(await readFile(join(dir, 'live', 'a_1.m3u8'), 'utf8'), /#EXT-X-ENDLIST\n$/);
});

test('progress and stats events follow a run', async (t) => {
  const media = join(repoRoot, 'test/media');
  const dir = await root.workDir([]);
  const s = createSession({ logs: 'all@quiet', progressEveryMs: 100 });
  s.addSource(join(media, 'source2'));
  s.addFilter('reframer', { rt: 'on', speed: 4 });
  s.addSink(join(dir, 'p', 'a.mpd'), { segdur: 1 });
  const seen: number[] = [];
  let stats: { filter: string; packetsSent: number }[] = [];
  s.onProgress((p) => seen.push(p.mediaSeconds));
  s.on('stats', (st) => (stats = st));
  await s.run();
  t.true(seen.length >= 5, `${seen.length} progress events`);
  t.true(seen.at(-1)! > seen[0]!, 'media time advances');
  t.is(stats.find((x) => x.filter === 'mp4dmx')?.packetsSent, 1408);
});

test('splitCommandLine keeps quoted arguments whole', (t) => {
  t.deepEqual(splitCommandLine(`-i "my clip.mp4" -o 'out dir/x.mpd':segdur=2`), [
    '-i',
    'my clip.mp4',
    '-o',
    'out dir/x.mpd:segdur=2',
  ]);
});

test('the example plugin, loaded from outside the source tree, is inserted by link resolution', async (t) => {
  const dir = await root.workDir([]);
  // Install the plugin the way a user would: its own folder, graphpac as a dependency.
  const pluginDir = join(dir, 'plugins', 'adts-demux');
  await cp(join(repoRoot, 'examples/adts-demux'), pluginDir, { recursive: true });
  await mkdir(join(dir, 'plugins', 'adts-demux', 'node_modules'), { recursive: true });
  await symlink(repoRoot, join(pluginDir, 'node_modules', 'graphpac'));
  await run('ffmpeg', [
    '-nostdin',
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=500:sample_rate=44100',
    '-t',
    '6',
    '-c:a',
    'aac',
    '-ac',
    '2',
    '-f',
    'adts',
    join(dir, 'sound.aac'),
  ]);
  const r = await graphpac(
    ['--plugin', join(pluginDir, 'index.mjs'), '-i', 'sound.aac', '-o', 'out/live.m3u8:segdur=2', '-graph'],
    {
      cwd: dir,
    },
  );
  t.is(r.code, 0, r.stderr);
  t.regex(
    r.stderr,
    /-\(PID sound\.aac StreamType=File Extension=aac\) adtsdmx \[dynamic\]/,
    'inserted like a built-in',
  );
  const master = await readFile(join(dir, 'out/live.m3u8'), 'utf8');
  t.regex(master, /CODECS="mp4a\.40\.2"/);
  const variant = await readFile(join(dir, 'out/live_1.m3u8'), 'utf8');
  const total = [...variant.matchAll(/#EXTINF:([\d.]+)/g)].reduce((a, m) => a + Number(m[1]), 0);
  t.true(total > 5.9 && total < 6.1, `${total} s packaged`);
  // The packaged audio decodes with the source's frame count.
  const files = (await readdir(join(dir, 'out')))
    .filter((f) => f.endsWith('.m4s'))
    .sort((x, y) => Number(/\d+/.exec(x)) - Number(/\d+/.exec(y)));
  const parts = [
    await readFile(join(dir, 'out', 'sound_dashinit.mp4')),
    ...(await Promise.all(files.map((f) => readFile(join(dir, 'out', f))))),
  ];
  await writeFile(join(dir, 'cat.mp4'), Buffer.concat(parts));
  const count = async (f: string) =>
    Number(
      (
        await run('ffprobe', [
          '-v',
          'error',
          '-count_packets',
          '-show_entries',
          'stream=nb_read_packets',
          '-of',
          'csv=p=0',
          f,
        ])
      ).stdout.trim(),
    );
  t.is(await count(join(dir, 'cat.mp4')), await count(join(dir, 'sound.aac')));
});

test('the same plugin through the API', async (t) => {
  const dir = await root.workDir([]);
  const pluginDir = join(dir, 'adts-demux');
  await cp(join(repoRoot, 'examples/adts-demux'), pluginDir, { recursive: true });
  await mkdir(join(pluginDir, 'node_modules'), { recursive: true });
  await symlink(repoRoot, join(pluginDir, 'node_modules', 'graphpac'));
  await run('ffmpeg', [
    '-nostdin',
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=500:sample_rate=48000',
    '-t',
    '3',
    '-c:a',
    'aac',
    '-f',
    'adts',
    join(dir, 'a.aac'),
  ]);
  const mod = (await import(pathToFileURL(join(pluginDir, 'index.mjs')).href)) as {
    default: FilterDescriptor;
  };
  const s = createSession({ plugins: [mod.default], logs: 'all@quiet' });
  s.addSource(join(dir, 'a.aac'));
  s.addSink(join(dir, 'o', 'x.mpd'), { segdur: 1 });
  await s.run();
  t.regex(await readFile(join(dir, 'o', 'x.mpd'), 'utf8'), /audioSamplingRate="48000"/);
});

test('a plugin that throws ends the run with its name in the error', async (t) => {
  const boom = defineFilter({
    name: 'boomer',
    description: 'throws on its first packet',
    args: {},
    caps: [{ name: 'audio', in: { StreamType: 'Audio' }, out: {} }],
    create: () => ({
      process() {
        throw new Error('the flux capacitor is empty');
      },
    }),
  });
  const s = createSession({ plugins: [boom], logs: 'all@quiet' });
  s.load(`-i ${join(repoRoot, 'test/media/source2')} boomer inspect:log=/dev/null`);
  const err = await t.throwsAsync(s.run());
  t.true(err instanceof GraphError);
  t.is(err?.message, 'boomer: the flux capacitor is empty');
});

test('a plugin for another API version is refused with its name', (t) => {
  const old = {
    ...defineFilter({
      name: 'oldie',
      description: 'x',
      args: {},
      caps: [],
      create: () => ({ process: () => 'eos' as const }),
    }),
    apiVersion: 0,
  };
  const err = t.throws(() => createSession({ plugins: [old] }));
  t.is(
    err?.message,
    'invalid filter plugin (filter "oldie"): written for filter API version 0; this graphpac provides version 1',
  );
});
