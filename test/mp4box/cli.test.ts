/**
 * `graphpac MP4Box …` run like a user pastes it (spec §10): the same files and manifests as the
 * equivalent gpac-syntax line, real time with -frag-rt, clean ends on -run-for and SIGINT, and one-line
 * errors for what cannot run.
 */
import test from 'ava';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, graphpac, startGraphpac } from '../dasher/helpers/cli.js';
import { listTree, WorkRoot } from '../dasher/helpers/workdir.js';

const root = new WorkRoot('mp4box');
test.after.always(() => root.cleanup());

const CLIPS = ['source1', 'source2'];

/** Manifest text with wall-clock dates (availabilityStartTime, publishTime, PROGRAM-DATE-TIME) blanked. */
function normalise(text: string): string {
  return text.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)/g, 'DATE');
}

async function outputs(dir: string): Promise<{ files: string[]; manifests: Map<string, string> }> {
  const tree = await listTree(join(dir, 'res'));
  const files = [...tree.keys()].sort();
  const manifests = new Map<string, string>();
  for (const f of files)
    if (/\.(m3u8|mpd)$/.test(f)) manifests.set(f, normalise(await readFile(join(dir, 'res', f), 'utf8')));
  return { files, manifests };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function waitForFile(path: string, timeoutMs = 20_000): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (await exists(path)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${path} did not appear within ${timeoutMs} ms`);
}

const pairs: { title: string; mp4box: string; gpac: string }[] = [
  {
    title: 'live LL-HLS with -run-for (dynlast: static + ENDLIST at the end)',
    mp4box:
      'MP4Box -dash-live 2000 -frag 500 -profile live -out res/live.m3u8:llhls=br source1 source2 -run-for 3000',
    gpac: '-i source1 -i source2 -o res/live.m3u8:segdur=2:cdur=0.5:profile=live:dmode=dynlast:buf=1500:llhls=br -runfor=3000',
  },
  {
    title: 'static dual MPD + HLS (profile full by default)',
    mp4box: 'MP4Box -dash 2000 -frag 500 -out res/live.mpd:dual source1 source2',
    gpac: '-i source1 -i source2 -o res/live.mpd:dual:segdur=2:cdur=0.5:profile=full:buf=1500',
  },
  {
    title: 'dynamic MPD with -ast-offset, -time-shift and -segment-timeline',
    mp4box:
      'mp4box -dash-live 2000 -frag 500 -ast-offset -1500 -time-shift 8 -segment-timeline -out res/live.mpd source1 source2',
    gpac: '-i source1 -i source2 -o res/live.mpd:segdur=2:cdur=0.5:profile=live:dmode=dynamic:buf=1500:asto=1.5:tsb=8:stl',
  },
];

for (const p of pairs) {
  test(`MP4Box and gpac lines give the same files and manifests: ${p.title}`, async (t) => {
    const a = await root.workDir(CLIPS);
    const b = await root.workDir(CLIPS);
    const ra = await graphpac(p.mp4box.split(' '), { cwd: a });
    t.is(ra.code, 0, describe(ra));
    const rb = await graphpac(p.gpac.split(' '), { cwd: b });
    t.is(rb.code, 0, describe(rb));
    const oa = await outputs(a);
    const ob = await outputs(b);
    t.true(oa.files.length > 4, oa.files.join(' '));
    t.deepEqual(oa.files, ob.files);
    t.deepEqual([...oa.manifests.keys()], [...ob.manifests.keys()]);
    for (const [name, text] of oa.manifests) t.is(text, ob.manifests.get(name) ?? `(no ${name})`, name);
  });
}

test('-frag-rt runs in real time and -run-for ends it cleanly with static playlists', async (t) => {
  const dir = await root.workDir(CLIPS);
  const r = await graphpac(
    'MP4Box -frag-rt -dash-live 1000 -frag 500 -profile live -out res/live.m3u8:llhls=br source1 source2 -run-for 2000'.split(
      ' ',
    ),
    { cwd: dir, timeoutMs: 30_000 },
  );
  t.is(r.code, 0, describe(r));
  t.true(r.ms >= 2000, `ran ${Math.round(r.ms)} ms: not paced`);
  for (const pl of ['live_1.m3u8', 'live_2.m3u8']) {
    const text = await readFile(join(dir, 'res', pl), 'utf8');
    t.regex(text, /#EXT-X-ENDLIST\s*$/, pl);
    t.notRegex(text, /PRELOAD-HINT/, pl);
    // Real time: the run stopped after about 2 s of media, far from the clips' 30 s.
    const segs = text.match(/^#EXTINF/gm) ?? [];
    t.true(segs.length >= 1 && segs.length <= 6, `${pl}: ${segs.length} segments`);
  }
});

test('SIGINT ends an MP4Box -frag-rt live run with a full flush (exit 0, ENDLIST)', async (t) => {
  const dir = await root.workDir(CLIPS);
  const run = startGraphpac(
    'MP4Box -frag-rt -dash-live 1000 -frag 500 -out res/live.mpd:dual:llhls=br source1 source2'.split(' '),
    { cwd: dir, timeoutMs: 30_000 },
  );
  await waitForFile(join(dir, 'res', 'live_1.m3u8'));
  await new Promise((r) => setTimeout(r, 500));
  run.child.kill('SIGINT');
  const r = await run.done;
  t.is(r.code, 0, describe(r));
  t.true(r.ms < 15_000, `ran ${Math.round(r.ms)} ms`);
  const pl = await readFile(join(dir, 'res', 'live_1.m3u8'), 'utf8');
  t.regex(pl, /#EXT-X-ENDLIST\s*$/);
  const mpd = await readFile(join(dir, 'res', 'live.mpd'), 'utf8');
  t.regex(mpd, /mediaPresentationDuration=/);
});

test('CLI errors: unknown flag, missing value, bad number (exit 1, one line)', async (t) => {
  const dir = await root.workDir([]);
  const cases: [string, string][] = [
    ['MP4Box -dash 2000 -foo -out x.mpd source1', 'graphpac: MP4Box: unknown option "-foo"\n'],
    ['MP4Box -out x.mpd source1 -dash', 'graphpac: MP4Box: option "-dash" needs a value\n'],
    ['MP4Box -dash two source1', 'graphpac: MP4Box: -dash: expected a number (ms), got "two"\n'],
  ];
  for (const [line, stderr] of cases) {
    const r = await graphpac(line.split(' '), { cwd: dir });
    t.is(r.code, 1, line);
    t.is(r.stderr, stderr, line);
  }
});

test('-single-segment reaches the dasher as profile=onDemand: one indexed file + the MPD', async (t) => {
  const dir = await root.workDir(CLIPS);
  const r = await graphpac('MP4Box -dash 2000 -single-segment -out res/x.mpd source1'.split(' '), {
    cwd: dir,
  });
  t.is(r.code, 0, describe(r));
  const mpd = await readFile(join(dir, 'res/x.mpd'), 'utf8');
  t.regex(mpd, /profiles="urn:mpeg:dash:profile:isoff-on-demand:2011"/);
  t.regex(
    mpd,
    /<BaseURL>source1_dashinit\.mp4<\/BaseURL>\n\s*<SegmentBase indexRangeExact="true" indexRange="\d+-\d+">/,
  );
});

test('warnings of accepted-but-ignored flags reach stderr', async (t) => {
  const dir = await root.workDir(CLIPS);
  const r = await graphpac('MP4Box -dash 2000 -bs-switching inband -out res/x.mpd source1'.split(' '), {
    cwd: dir,
  });
  t.is(r.code, 0, describe(r));
  t.regex(r.stderr, /MP4Box: -bs-switching inband ignored/);
  t.true(await exists(join(dir, 'res', 'x.mpd')));
});
