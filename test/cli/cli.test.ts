/** The command line as users type it: help, -graph, -stats, session options, errors, signals. */
import test from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { graphpac, repoRoot, startGraphpac, waitForFile } from '../helpers/run-cli.js';
import { WorkRoot } from '../dasher/helpers/workdir.js';

const root = new WorkRoot('gp-cli-');

test.after.always(() => root.cleanup());

test('-h, -h filters, -h FILTER and -h FILTER.OPT come from the schemas', async (t) => {
  const dir = await root.workDir([]);
  const usage = await graphpac(['-h'], { cwd: dir });
  t.is(usage.code, 0);
  t.regex(usage.stdout, /^Usage: graphpac/);
  const list = await graphpac(['-h', 'filters'], { cwd: dir });
  t.is(list.code, 0);
  for (const f of ['fin', 'mp4dmx', 'reframer', 'dasher', 'inspect', 'fout'])
    t.regex(list.stdout, new RegExp(`^  ${f} `, 'm'));
  const dasher = await graphpac(['-h', 'dasher'], { cwd: dir });
  t.regex(dasher.stdout, /^dasher: /);
  t.regex(dasher.stdout, /^ {2}segdur \(frac, default: 0\/0\): target segment duration/m);
  t.regex(dasher.stdout, /^ {2}llhls \(enum, default: off, values: off\|br\|sf\|brsf\)/m);
  t.regex(dasher.stdout, /Examples:/);
  const opt = await graphpac(['-h', 'reframer.rt'], { cwd: dir });
  t.is(
    opt.stdout,
    'rt (enum, default: off, values: off|on|sync): real-time regulation: off, on (a clock per stream), sync (one clock)\n',
  );
  const bad = await graphpac(['-h', 'nosuch'], { cwd: dir });
  t.is(bad.code, 1);
  t.is(bad.stderr, 'graphpac: -h: unknown filter "nosuch"; see graphpac -h filters\n');
});

test('a leading gpac word is accepted; -graph prints fin → mp4dmx → reframer → dasher → fout', async (t) => {
  const dir = await root.workDir(['source1', 'source2']);
  const r = await graphpac(
    [
      'gpac',
      '-i',
      'source1',
      '-i',
      'source2',
      'reframer',
      '-o',
      'res/live.m3u8:segdur=10:cdur=1:profile=live:llhls=br',
      '-graph',
    ],
    { cwd: dir },
  );
  t.is(r.code, 0, r.stderr);
  const lines = r.stderr.split('\n');
  t.is(lines[0], 'fin (src=source1)');
  t.is(lines[1], '-(PID source1 StreamType=File) mp4dmx [dynamic]');
  t.is(lines[2], '--(PID video1 StreamType=Visual CodecID=avc) reframer');
  t.regex(
    lines[3]!,
    /^---\(PID video1 StreamType=Visual CodecID=avc\) dasher \(segdur=10:cdur=1:profile=live:llhls=br\) \[dynamic\]$/,
  );
  t.is(lines[4], '----(PID manifest_m3u8 StreamType=File Extension=m3u8) fout (dst=res/live.m3u8)');
  t.true(
    lines.includes(
      '----(PID rep1 StreamType=File Extension=m4s) fout#2 (dst=res/source1_dashinit.mp4:base=res/) [dynamic]',
    ),
  );
  t.true(lines.some((l) => /^--\(PID audio1 StreamType=Audio CodecID=aac\) reframer \(see above\)$/.test(l)));
});

test('-stats prints one line per filter after the run', async (t) => {
  const dir = await root.workDir(['source2']);
  const r = await graphpac(['-i', 'source2', '-o', 'out/a.mpd:segdur=2', '-stats'], { cwd: dir });
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, /^filter +PIDs/m);
  t.regex(r.stderr, /^mp4dmx +1 in +1 out +1408 packets/m);
  t.regex(r.stderr, /^dasher +1 in +2 out/m);
});

test('bad command lines: one clear line, exit code 1', async (t) => {
  const dir = await root.workDir(['source1']);
  const cases: [string[], RegExp][] = [
    [['-i'], /^graphpac: argument 1 "-i", position 2: expected a source URL after -i\n$/],
    [['-i', 'source1', '-foo'], /^graphpac: unrecognized option "-foo" \(argument 3\); see graphpac -h\n$/],
    [['-i', 'source1', 'nosuch'], /^graphpac: unknown filter "nosuch" \(argument 3\)/],
    [
      ['-i', 'source1', 'reframer:rt=maybe', 'inspect'],
      /^graphpac: reframer: option rt=maybe: expected one of off, on, sync\n$/,
    ],
    [
      ['-i', 'source1', 'inspect', '-logs=dash@loud'],
      /^graphpac: -logs: unknown level "loud" in "dash@loud"/,
    ],
    [['-i', 'missing.mp4', 'inspect'], /^graphpac: fin: cannot open "missing.mp4": no such file/],
    [
      ['-i', 'source1', '-o', 'x.unknownext'],
      /^graphpac: cannot link PID "source1" of fin .*fout \(x\.unknownext\)/,
    ],
  ];
  for (const [args, re] of cases) {
    const r = await graphpac(args, { cwd: dir });
    t.is(r.code, 1, args.join(' '));
    t.regex(r.stderr, re, args.join(' '));
    t.notRegex(r.stderr, /\n\s+at /, 'no stack trace');
  }
});

test('unknown options of a declared filter are warned about by name; the run goes on', async (t) => {
  const dir = await root.workDir(['source2']);
  const r = await graphpac(
    ['-i', 'source2', 'reframer:speedd=2', 'inspect:log=null.txt', '-logs=all@warning'],
    { cwd: dir },
  );
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, /reframer: unknown option \\?"speedd\\?" ignored/);
});

test('SIGINT flushes: the live playlists end with ENDLIST and the exit code is 0', async (t) => {
  const dir = await root.workDir(['source1', 'source2']);
  const run = startGraphpac(
    [
      '-i',
      'source1',
      '-i',
      'source2',
      'reframer:rt=on',
      '-o',
      'res/live.m3u8:segdur=1:cdur=0.5:profile=live:dmode=dynamic:llhls=br',
    ],
    { cwd: dir, timeoutMs: 30_000 },
  );
  await waitForFile(join(dir, 'res/live_1.m3u8'));
  await new Promise((r) => setTimeout(r, 1000));
  run.child.kill('SIGINT');
  const r = await run.done;
  t.is(r.code, 0, r.stderr);
  const video = await readFile(join(dir, 'res/live_1.m3u8'), 'utf8');
  t.regex(video, /#EXT-X-ENDLIST\n$/);
  t.notRegex(video, /PRELOAD-HINT/);
  t.true(r.ms < 25_000, `took ${r.ms} ms (the clip lasts 30 s)`);
});

test('SIGTERM aborts at once with exit code 1', async (t) => {
  const dir = await root.workDir(['source1']);
  const run = startGraphpac(
    ['-i', 'source1', 'reframer:rt=on', '-o', 'res/live.m3u8:segdur=1:dmode=dynamic'],
    {
      cwd: dir,
      timeoutMs: 30_000,
    },
  );
  await waitForFile(join(dir, 'res/source1_dashinit.mp4'));
  run.child.kill('SIGTERM');
  const r = await run.done;
  t.is(r.code, 1);
  t.regex(r.stderr, /graphpac: run aborted/);
});

test('-runfor stops a real-time run with a full flush', async (t) => {
  const dir = await root.workDir(['source2']);
  const r = await graphpac(
    ['-i', 'source2', 'reframer:rt=on', '-o', 'res/a.m3u8:segdur=1:dmode=dynamic', '-runfor=1500'],
    {
      cwd: dir,
      timeoutMs: 20_000,
    },
  );
  t.is(r.code, 0, r.stderr);
  const pl = await readFile(join(dir, 'res/a_1.m3u8'), 'utf8');
  t.regex(pl, /#EXT-X-ENDLIST\n$/);
  // How much media 1.5 s of real time gives is a wall-clock matter: test/live/cli-runfor.test.ts.
  t.regex(pl, /#EXTINF:/);
});

test('--plugin loads a filter module; a bad plugin is named', async (t) => {
  const dir = await root.workDir(['source2']);
  await writeFile(join(dir, 'bad.mjs'), 'export default { name: "oops" };\n');
  const r = await graphpac(['--plugin', join(dir, 'bad.mjs'), '-i', 'source2', 'inspect'], { cwd: dir });
  t.is(r.code, 1);
  t.regex(
    r.stderr,
    /^graphpac: invalid filter plugin ".*bad\.mjs" \(filter "oops"\): create\(\) is missing \(or load\(\), for a filter loaded on first use\)\n$/,
  );
});

/** Run under a pseudo-terminal (util-linux `script`), as a user at a terminal would. */
async function underTty(cmd: string, cwd: string): Promise<string> {
  const { execFile } = await import('node:child_process');
  return new Promise((resolve, reject) =>
    execFile('script', ['-qec', cmd, '/dev/null'], { cwd, timeout: 30_000 }, (e, stdout) =>
      e ? reject(e) : resolve(stdout),
    ),
  );
}

const tsxCli = `${process.execPath} --import ${import.meta.resolve('tsx')} ${join(process.cwd(), 'src/cli/run.ts')}`;

test('on a terminal: a progress bar faster than real time, a live status line in real time; -noprog silences both', async (t) => {
  const dir = await root.workDir(['source1', 'source2']);
  const fast = await underTty(
    `${tsxCli} -i source1 -i source2 reframer:rt=on:speed=10 -o a/live.mpd:segdur=1`,
    dir,
  );
  t.regex(fast, /\[#+\.*\] +\d+% {2}×\d+\.\d {2}ETA \d+:\d\d/);
  const live = await underTty(
    `${tsxCli} -i source2 reframer:rt=on -o b/live.m3u8:segdur=1:cdur=0.5:dmode=dynamic:llhls=br -runfor=2500`,
    dir,
  );
  t.regex(live, /live 0:0\d {2}segments \d+ {2}parts \d+ {2}lag -?\d+ ms/);
  const none = await underTty(
    `${tsxCli} -i source2 reframer:rt=on -o c/live.m3u8:segdur=1:dmode=dynamic -runfor=1500 -noprog`,
    dir,
  );
  t.notRegex(none, /live 0:|ETA/);
  // Not a terminal: nothing.
  const piped = await graphpac(
    ['-i', 'source2', 'reframer:rt=on', '-o', 'd/live.m3u8:segdur=1:dmode=dynamic', '-runfor=1500'],
    { cwd: dir },
  );
  t.notRegex(piped.stderr, /live 0:|ETA/);
});

test('--graph-file runs a JSON graph; --plugin takes a plugin folder', async (t) => {
  const dir = await root.workDir(['source1', 'source2']);
  await writeFile(
    join(dir, 'g.json'),
    JSON.stringify({ graph: [{ source: 'source2' }, { sink: 'g/live.mpd', options: { segdur: 2 } }] }),
  );
  const r = await graphpac(['--graph-file', 'g.json', '-graph'], { cwd: dir });
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, /^fin \(src=source2\)$/m);
  t.regex(await readFile(join(dir, 'g/live.mpd'), 'utf8'), /mp4a\.40\.2/);
  const bad = await graphpac(['--graph-file', 'nope.json'], { cwd: dir });
  t.is(bad.code, 1);
  t.regex(bad.stderr, /^graphpac: cannot read graph file "nope\.json"/);
  const noPlugin = await graphpac(['--plugin', dir, '-i', 'source2', 'inspect'], { cwd: dir });
  t.is(noPlugin.code, 1);
  t.regex(
    noPlugin.stderr,
    /cannot load plugin ".*": the folder has no package.json main, index.mjs or index.js/,
  );
});

test('the installed entry point starts Node with its options (bin/graphpac.js shebang)', async (t) => {
  const child = spawn(
    join(repoRoot, 'bin/graphpac.js'),
    ['-i', join(repoRoot, 'test/media/source1'), 'reframer:rt=on', 'inspect:log=/dev/null', '-runfor=3000'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<number | null>((resolve) => child.on('close', resolve));
  // env -S execs node in place: the running process's command line carries the options.
  let cmdline = '';
  for (let i = 0; i < 50 && !cmdline.includes('graphpac.js'); i++) {
    await new Promise((r) => setTimeout(r, 50));
    cmdline = (await readFile(`/proc/${child.pid}/cmdline`, 'utf8').catch(() => '')).split('\0').join(' ');
  }
  t.regex(cmdline, /node --max-semi-space-size=1 --heap-growing-percent=25 \S*bin\/graphpac\.js -i /);
  t.is(await done, 0, stderr);
});
