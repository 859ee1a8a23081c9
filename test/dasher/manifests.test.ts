/**
 * The manifests of real runs, checked strictly: every LL-HLS playlist of a dynamic run passes
 * test/helpers/llhls-check.ts (tag rules, hints, reports, and byte ranges / part files that start
 * on styp/moof in the real files), names only files that exist and are complete; every MPD is
 * well-formed XML and each of its SegmentTemplates resolves, for every segment the period duration
 * implies, to a file that exists. (Snapshots taken during a real-time run: realtime.test.ts.)
 */
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkPlaylist } from '../helpers/llhls-check.js';
import { describe, graphpac } from './helpers/cli.js';
import {
  listedFilesProblems,
  mpdProblems,
  readVariants,
  reportCheck,
  show,
  strictCheck,
} from './helpers/output.js';
import { listTree, refDir, WorkRoot } from './helpers/workdir.js';
import { mpdExpectedFiles, parseXml } from './helpers/xml.js';

const root = new WorkRoot('manifests');
test.after.always(() => root.cleanup());

async function run(t: ExecutionContext, clips: string[], out: string): Promise<string | undefined> {
  const dir = await root.workDir(clips);
  const r = await graphpac([...clips.flatMap((c) => ['-i', c]), '-o', out], { cwd: dir });
  t.is(r.code, 0, describe(r));
  return r.code === 0 ? join(dir, 'res') : undefined;
}

/** Strict check of every variant of a master, the reports across them, and the files they name. */
async function checkHls(t: ExecutionContext, res: string, master = 'live.m3u8'): Promise<void> {
  const variants = await readVariants(res, master);
  t.true(variants.length >= 1, 'variants');
  const files = await listTree(res);
  const all: Record<string, string> = {};
  for (const v of variants) {
    all[v.name] = v.text;
    t.deepEqual(await strictCheck(res, v.text), [], `${v.name}: strict LL-HLS check`);
    t.deepEqual(await listedFilesProblems(res, v.name, v.text, files), [], `${v.name}: files it names`);
  }
  t.deepEqual(reportCheck(all), [], 'rendition reports');
}

const DYNAMIC: [string, string][] = [
  ['10 s segments, byte ranges', 'res/live.m3u8:segdur=10:cdur=1:profile=live:dmode=dynamic:llhls=br'],
  ['10 s segments, part files', 'res/live.m3u8:segdur=10:cdur=1:profile=live:dmode=dynamic:llhls=sf'],
  [
    '2 s segments, 0.5 s byte-range parts',
    'res/live.m3u8:segdur=2:cdur=0.5:profile=live:dmode=dynamic:llhls=br',
  ],
];

for (const [title, out] of DYNAMIC) {
  test.serial(`dynamic run, ${title}: playlists pass the strict LL-HLS check`, async (t) => {
    const res = await run(t, ['source1', 'source2'], out);
    if (res) await checkHls(t, res);
  });
}

test.serial(
  'dual, dynamic, 2 s / 0.5 s: the MPD parses and its templates resolve; the playlists pass',
  async (t) => {
    const res = await run(
      t,
      ['source1', 'source2'],
      'res/live.mpd:dual:segdur=2:cdur=0.5:profile=live:dmode=dynamic:llhls=br',
    );
    if (!res) return;
    await checkHls(t, res);
    t.deepEqual(await mpdProblems(res, 'live.mpd'), [], 'live.mpd');
  },
);

test.serial(
  'dual, static, 10 s: the MPD parses and its templates resolve to the files written',
  async (t) => {
    const res = await run(
      t,
      ['source1', 'source2'],
      'res/live.mpd:dual:segdur=10:cdur=1:profile=live:dmode=static:llhls=br',
    );
    if (!res) return;
    const text = await readFile(join(res, 'live.mpd'), 'utf8');
    const { root: mpd, errors } = parseXml(text);
    t.deepEqual(errors, []);
    if (!mpd) return;
    // ISO/IEC 23009-1: with SegmentTemplate@duration the period holds ceil(duration / segment
    // duration) segments; a client requests all of them.
    const reps = mpdExpectedFiles(mpd);
    t.deepEqual(
      reps.map((r) => r.segments.length),
      [3, 3],
      `segments announced: Period@duration ${/<Period duration="([^"]+)"/.exec(text)?.[1]} / 10 s`,
    );
    t.deepEqual(await mpdProblems(res, 'live.mpd'), [], 'live.mpd');
    for (const name of ['live_1.m3u8', 'live_2.m3u8']) {
      const pl = await readFile(join(res, name), 'utf8');
      t.deepEqual(show(checkPlaylist(pl)), [], `${name}: strict check (static)`);
      t.deepEqual(await listedFilesProblems(res, name, pl), [], `${name}: files it names`);
    }
  },
);

test.serial('a GOP longer than segdur: the playlist TARGETDURATION covers the longest segment', async (t) => {
  // h264_bframes_moovend.mp4 has a sync sample every 2 s: with segdur=1 its segments last 2 s.
  const res = await run(
    t,
    ['h264_bframes_moovend.mp4'],
    'res/live.m3u8:segdur=1:cdur=0.5:profile=live:dmode=static:llhls=br',
  );
  if (!res) return;
  const pl = await readFile(join(res, 'live_1.m3u8'), 'utf8');
  t.deepEqual(show(checkPlaylist(pl)), [], 'live_1.m3u8');
});

test('the XML check accepts GPAC’s MPDs and rejects what a parser rejects', async (t) => {
  for (const run of ['fast_static_dual_mpd']) {
    const text = await readFile(join(refDir, run, 'final_res/live.mpd'), 'utf8');
    t.deepEqual(parseXml(text).errors, [], run);
  }
  const bad: [string, RegExp][] = [
    ['<MPD><Period></MPD>', /closes <Period>/],
    ['<MPD a="1" a="2"/>', /repeated/],
    ['<MPD a=1/>', /not quoted/],
    ['<MPD><T>a & b</T></MPD>', /bare '&'/],
    ['<MPD/><MPD/>', /second root/],
    ['<MPD>', /unclosed/],
    ['text<MPD/>', /outside the root/],
    ['<MPD><!-- a -- b --></MPD>', /inside a comment/],
    ['<MPD a="x<y"/>', /raw '<'/],
    ['<MPD a="1"b="2"/>', /not separated/],
    ['', /no root/],
  ];
  for (const [text, why] of bad) {
    const errors = parseXml(text).errors;
    t.true(
      errors.some((e) => why.test(e)),
      `${text}: ${errors.join('; ') || 'accepted'}`,
    );
  }
  t.deepEqual(
    parseXml('<?xml version="1.0"?>\n<!-- c -->\n<MPD x="&amp;&#38;&lt;"><A/>t</MPD>\n').errors,
    [],
  );
});

test('the template expansion follows the MPD (startNumber, $Number%05d$, $RepresentationID$)', (t) => {
  const { root: mpd } = parseXml(
    '<MPD type="static" mediaPresentationDuration="PT0H0M9.5S"><Period><AdaptationSet mimeType="video/mp4">' +
      '<SegmentTemplate media="v_$RepresentationID$_$Number%05d$.m4s" initialization="v_$RepresentationID$_init.mp4" timescale="1000" startNumber="7" duration="4000"/>' +
      '<Representation id="a" bandwidth="1"/></AdaptationSet></Period></MPD>',
  );
  if (!mpd) return t.fail('no MPD');
  t.deepEqual(mpdExpectedFiles(mpd), [
    {
      repId: 'a',
      contentType: 'video/mp4',
      init: 'v_a_init.mp4',
      segments: ['v_a_00007.m4s', 'v_a_00008.m4s', 'v_a_00009.m4s'],
      timescale: 1000,
      segmentDuration: 4,
    },
  ]);
});
