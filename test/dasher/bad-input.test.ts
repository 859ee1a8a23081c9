/**
 * Bad input to the dasher, through the CLI: each run exits with code 1 and ONE clear line on stderr
 * naming the option or file and the value (no stack trace), never hangs, and leaves what it already
 * wrote consistent: a playlist on disk never lists a segment or part that is not complete.
 * Unsupported clips are made with ffmpeg in the test's temporary folder.
 */
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { execFile } from 'node:child_process';
import { mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { checkPartBytes } from '../helpers/llhls-check.js';
import { graphpac, mediaDir } from './helpers/cli.js';
import type { CliResult } from './helpers/cli.js';
import { fileReader, listedFilesProblems, masterVariants, show } from './helpers/output.js';
import { listTree, WorkRoot } from './helpers/workdir.js';
import { parseXml } from './helpers/xml.js';

const exec = promisify(execFile);
const root = new WorkRoot('dasher-bad');
test.after.always(() => root.cleanup());

/** A run that must fail: exit 1, in time, one line on stderr matching every `says`. */
function failsClearly(t: ExecutionContext, r: CliResult, says: RegExp[]): void {
  t.false(r.timedOut, 'the run hung and was killed');
  t.is(r.code, 1, `exit code (stderr: ${r.stderr})`);
  const lines = r.stderr.trimEnd().split('\n');
  t.is(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
  t.notRegex(r.stderr, /^\s+at /m, 'no stack trace');
  for (const re of says) t.regex(lines[0] ?? '', re);
}

/**
 * Whatever playlists / MPD the failed run left: variants list only complete files (init, segments
 * whose size is the end of their last part, parts inside their file and starting on styp/moof),
 * masters name variants that exist, MPDs are well-formed.
 */
async function consistentLeftovers(t: ExecutionContext, dir: string): Promise<string[]> {
  const files = await listTree(dir);
  const problems: string[] = [];
  const names = [...files.keys()];
  for (const name of names.filter((n) => n.endsWith('.m3u8'))) {
    const text = await readFile(join(dir, name), 'utf8');
    const base = name.slice(0, name.lastIndexOf('/') + 1);
    if (text.includes('#EXT-X-STREAM-INF') || text.includes('#EXT-X-MEDIA:')) {
      for (const v of masterVariants(text))
        if (!files.has(base + v.uri)) problems.push(`${name} names ${v.uri}, which does not exist`);
      continue;
    }
    const sub = join(dir, base);
    const subFiles = new Map(
      [...files].filter(([k]) => k.startsWith(base)).map(([k, v]) => [k.slice(base.length), v]),
    );
    problems.push(...(await listedFilesProblems(sub, name, text, subFiles)));
    problems.push(...show(await checkPartBytes(text, fileReader(sub))).map((p) => `${name}: ${p}`));
  }
  for (const name of names.filter((n) => n.endsWith('.mpd'))) {
    const errors = parseXml(await readFile(join(dir, name), 'utf8')).errors;
    problems.push(...errors.map((e) => `${name}: ${e}`));
  }
  t.log(`left on disk: ${names.join(', ') || 'nothing'}`);
  return problems;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

const OPTIONS: [string, RegExp[]][] = [
  // segdur ≤ 0 cannot be a segment duration: refused, not silently replaced by 1 s; the value as written.
  ['segdur=0', [/segdur=0: /]],
  ['segdur=-2', [/segdur=-2: /]],
  ['segdur=-1001/500', [/segdur=-1001\/500: /]],
  ['segdur=2:cdur=3', [/cdur/, /\b3\b/]],
  ['llhls=xx', [/llhls/, /\bxx\b/]],
];

for (const [opts, says] of OPTIONS) {
  test(`-o res/live.m3u8:${opts}: refused with one line naming the option and the value`, async (t) => {
    const dir = await root.workDir(['source1', 'source2']);
    const out = `res/live.m3u8:${opts}:profile=live:dmode=dynamic${opts.includes('llhls') ? '' : ':llhls=br'}`;
    const r = await graphpac(['-i', 'source1', '-i', 'source2', '-o', out], { cwd: dir, timeoutMs: 30_000 });
    failsClearly(t, r, says);
    t.false(await exists(join(dir, 'res')), 'nothing written for a bad option');
  });
}

/** A 1 s clip made with ffmpeg from lavfi sources. */
async function makeClip(dir: string, name: string, args: string[]): Promise<void> {
  await exec('ffmpeg', ['-nostdin', '-v', 'error', ...args, '-y', join(dir, name)]);
}

const CODECS: [string, string, string[]][] = [
  ['mp3', 'mp3.mp4', ['-f', 'lavfi', '-i', 'sine=d=1', '-c:a', 'libmp3lame']],
  ['opus', 'opus.mp4', ['-f', 'lavfi', '-i', 'sine=d=1', '-c:a', 'libopus']],
  ['MPEG-4 Part 2 video', 'mpeg4.mp4', ['-f', 'lavfi', '-i', 'testsrc=d=1:s=160x120:r=10', '-c:v', 'mpeg4']],
];

for (const [codec, file, args] of CODECS) {
  test(`${codec} in MP4: refused with one line naming the file and the codec`, async (t) => {
    const dir = await root.workDir([]);
    await makeClip(dir, file, args);
    const r = await graphpac(['-i', file, '-o', 'res/live.m3u8:segdur=2:cdur=0.5:profile=live:llhls=br'], {
      cwd: dir,
      timeoutMs: 30_000,
    });
    const id = codec === 'MPEG-4 Part 2 video' ? /mpeg4/i : new RegExp(codec, 'i');
    failsClearly(t, r, [id, new RegExp(file.replace('.', '\\.'))]);
    t.deepEqual(await consistentLeftovers(t, dir), []);
  });
}

test('a video stream that does not start with a sync sample: refused, naming the file', async (t) => {
  const dir = await root.workDir([]);
  // Output-side -ss with stream copy and -copyinkf keeps the non-key frames before the next IDR.
  await exec('ffmpeg', [
    '-nostdin',
    '-v',
    'error',
    '-i',
    join(mediaDir, 'source1'),
    '-ss',
    '1.5',
    '-t',
    '3',
    '-c',
    'copy',
    '-copyinkf',
    '-y',
    join(dir, 'cut.mp4'),
  ]);
  const { stdout } = await exec('ffprobe', [
    '-v',
    'error',
    '-show_entries',
    'packet=flags',
    '-of',
    'csv=p=0',
    join(dir, 'cut.mp4'),
  ]);
  t.false(stdout.split('\n')[0]?.startsWith('K'), 'the clip made starts with a non-key frame');
  const r = await graphpac(['-i', 'cut.mp4', '-o', 'res/live.m3u8:segdur=2:cdur=0.5:profile=live:llhls=br'], {
    cwd: dir,
    timeoutMs: 30_000,
  });
  failsClearly(t, r, [/sync sample|SAP|key ?frame|IDR/i, /cut\.mp4/]);
  t.deepEqual(await consistentLeftovers(t, dir), []);
});

test('an output folder that cannot be made (a path under a regular file): refused, naming it', async (t) => {
  const dir = await root.workDir(['source1', 'source2']);
  await writeFile(join(dir, 'somefile'), 'not a folder\n');
  const r = await graphpac(
    ['-i', 'source1', '-i', 'source2', '-o', 'somefile/live.m3u8:segdur=2:cdur=0.5:profile=live:llhls=br'],
    { cwd: dir, timeoutMs: 30_000 },
  );
  failsClearly(t, r, [/somefile/]);
  t.is(await readFile(join(dir, 'somefile'), 'utf8'), 'not a folder\n', 'the file is untouched');
});

test('full disk while packaging fast: the error names the file; nothing incomplete is listed', async (t) => {
  const dir = await root.workDir(['source1', 'source2']);
  await mkdir(join(dir, 'res'));
  await symlink('/dev/full', join(dir, 'res/source1_dash2.m4s')); // writes fail with ENOSPC
  const r = await graphpac(
    [
      '-i',
      'source1',
      '-i',
      'source2',
      '-o',
      'res/live.m3u8:segdur=2:cdur=0.5:profile=live:dmode=dynamic:llhls=br',
    ],
    { cwd: dir, timeoutMs: 30_000 },
  );
  failsClearly(t, r, [/source1_dash2\.m4s/, /no space|ENOSPC/i]);
  t.deepEqual(await consistentLeftovers(t, dir), []);
});

test.serial(
  'full disk during a real-time run: playlists written so far list only complete media',
  async (t) => {
    const dir = await root.workDir(['source1', 'source2']);
    await mkdir(join(dir, 'res'));
    await symlink('/dev/full', join(dir, 'res/source1_dash2.m4s'));
    const r = await graphpac(
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
    failsClearly(t, r, [/source1_dash2\.m4s/, /no space|ENOSPC/i]);
    // Segment 1 was complete and published before segment 2 failed: the playlists exist.
    const video = await readFile(join(dir, 'res/live_1.m3u8'), 'utf8').catch(() => '');
    t.regex(video, /^source1_dash1\.m4s$/m, 'segment 1 is listed');
    // Segment 2 may be named by the preload hint (a hint names what comes next), never by a part or EXTINF.
    const listed = video
      .split('\n')
      .filter((l) => !l.startsWith('#EXT-X-PRELOAD-HINT'))
      .join('\n');
    t.notRegex(listed, /source1_dash2\.m4s/, 'the failed segment is not listed');
    t.deepEqual(await consistentLeftovers(t, dir), []);
  },
);
