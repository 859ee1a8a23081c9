/**
 * Dasher options beyond the guide lines: brsf, time-shift buffer and purge, SegmentTimeline,
 * availabilityTimeOffset, the dashif.ll profile, templates and extensions, CMAF brands, dynauto,
 * and the options refused with a reason.
 */
import test from 'ava';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { graphpac } from './helpers/cli.js';
import { WorkRoot } from './helpers/workdir.js';
import { listedFilesProblems, mpdProblems, readVariants, strictCheck } from './helpers/output.js';
import { x264Fast } from '../helpers/ffmpeg-args.js';

const root = new WorkRoot('gp-opts-');
test.after.always(() => root.cleanup());

async function run(args: string[], clips = ['source1', 'source2']) {
  const dir = await root.workDir(clips);
  const r = await graphpac(['-i', ...clips.flatMap((c, i) => (i ? ['-i', c] : [c])), ...args], { cwd: dir });
  return { dir, r };
}

test('brsf: byte-range playlists and _IF playlists with part files, both strict-valid', async (t) => {
  const { dir, r } = await run([
    '-o',
    'res/live.m3u8:segdur=2:cdur=0.5:profile=live:dmode=dynamic:llhls=brsf',
  ]);
  t.is(r.code, 0, r.stderr);
  const files = await readdir(join(dir, 'res'));
  for (const f of [
    'live.m3u8',
    'live_1.m3u8',
    'live_2.m3u8',
    'live_IF.m3u8',
    'live_1_IF.m3u8',
    'live_2_IF.m3u8',
  ])
    t.true(files.includes(f), f);
  t.true(files.includes('source1_dash15.m4s.3'), 'part files written');
  const br = await readFile(join(dir, 'res/live_1.m3u8'), 'utf8');
  const sf = await readFile(join(dir, 'res/live_1_IF.m3u8'), 'utf8');
  t.regex(br, /#EXT-X-PART:DURATION=0\.52,URI="source1_dash15\.m4s",BYTERANGE="\d+@0",INDEPENDENT=YES/);
  t.regex(sf, /#EXT-X-PART:DURATION=0\.52,URI="source1_dash15\.m4s\.0",INDEPENDENT=YES/);
  t.regex(await readFile(join(dir, 'res/live_IF.m3u8'), 'utf8'), /^live_1_IF\.m3u8$/m);
  for (const text of [br, sf]) t.deepEqual(await strictCheck(join(dir, 'res'), text), []);
});

test('ll_part_hb: honoured down to 2 × PART-TARGET (said once), raised to it below, the same in every playlist', async (t) => {
  // PART-TARGET 0.52 (13 frames at 25 fps): 3 × = 1.56 by default, 2 × = 1.04 the least allowed.
  const cases = [
    { asked: '1.04', written: '1.04', log: /ll_part_hb=1\.04: PART-HOLD-BACK under the recommended 1\.56 s/ },
    { asked: '0.5', written: '1.04', log: /ll_part_hb=0\.5 is under 2 × PART-TARGET.*raised to 1\.04 s/ },
  ];
  for (const c of cases) {
    const { dir, r } = await run([
      '-o',
      `res/live.m3u8:segdur=2:cdur=0.5:profile=live:dmode=dynamic:llhls=br:ll_part_hb=${c.asked}`,
      '-logs=dasher@info',
    ]);
    t.is(r.code, 0, r.stderr);
    const said = r.stderr.split('\n').filter((l) => c.log.test(l));
    t.is(said.length, 1, `said once: ${r.stderr}`);
    for (const name of ['live_1.m3u8', 'live_2.m3u8']) {
      const text = await readFile(join(dir, 'res', name), 'utf8');
      t.regex(
        text,
        new RegExp(
          `^#EXT-X-SERVER-CONTROL:HOLD-BACK=6,PART-HOLD-BACK=${c.written.replace('.', '\\.')}$`,
          'm',
        ),
        name,
      );
      t.deepEqual(await strictCheck(join(dir, 'res'), text, { minPartHoldBack: 2 }), [], name);
    }
  }
});

test('tsb: the live window moves, files leave after a grace period, never below 3 target durations', async (t) => {
  const { dir, r } = await run([
    '-o',
    'res/live.m3u8:segdur=2:cdur=0.5:profile=live:dmode=dynamic:llhls=sf:tsb=4',
    '-logs=dash@warning',
  ]);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, /tsb=4 is shorter than 3 target durations: the live window is kept at 6 s/);
  const pl = await readFile(join(dir, 'res/live_1.m3u8'), 'utf8');
  const listed = [...pl.matchAll(/^(source1_dash\d+\.m4s)$/gm)].map((m) => m[1]);
  t.deepEqual(listed, ['source1_dash13.m4s', 'source1_dash14.m4s', 'source1_dash15.m4s'], '3 × 2 s window');
  t.regex(pl, /#EXT-X-MEDIA-SEQUENCE:13/);
  const files = await readdir(join(dir, 'res'));
  t.false(files.includes('source1_dash1.m4s'), 'old segments deleted');
  t.false(files.includes('source1_dash1.m4s.0'), 'and their part files');
  t.true(files.includes('source1_dash11.m4s'), 'recently removed segments stay downloadable a while');
  t.deepEqual(await listedFilesProblems(join(dir, 'res'), 'live_1.m3u8', pl), []);
});

test('keep_segs keeps the files while the window moves', async (t) => {
  const { dir, r } = await run(['-o', 'res/live.mpd:segdur=2:profile=live:dmode=dynamic:tsb=6:keep_segs']);
  t.is(r.code, 0, r.stderr);
  const files = await readdir(join(dir, 'res'));
  t.true(files.includes('source1_dash1.m4s'));
  t.regex(await readFile(join(dir, 'res/live.mpd'), 'utf8'), /timeShiftBufferDepth="PT0H0M6\.000S"/);
});

test('stl: SegmentTimeline entries match the segments written', async (t) => {
  const { dir, r } = await run(['-o', 'res/live.mpd:segdur=2:profile=live:stl'], ['source1']);
  t.is(r.code, 0, r.stderr);
  const mpd = await readFile(join(dir, 'res/live.mpd'), 'utf8');
  t.regex(mpd, /<SegmentTimeline>\s*<S t="0" d="25600" r="14"\/>\s*<\/SegmentTimeline>/);
  t.notRegex(mpd, /duration="25600"/);
});

test('asto and dashif.ll: availabilityTimeOffset, ServiceDescription from segdur/cdur, ProducerReferenceTime, UTCTiming', async (t) => {
  const { dir, r } = await run([
    '-o',
    'res/live.mpd:segdur=2:cdur=0.5:profile=dashif.ll:dmode=dynamic:asto=1.5',
  ]);
  t.is(r.code, 0, r.stderr);
  const mpd = await readFile(join(dir, 'res/live.mpd'), 'utf8');
  t.regex(mpd, /availabilityTimeOffset="1\.5" availabilityTimeComplete="false"/);
  t.regex(
    mpd,
    /profiles="urn:mpeg:dash:profile:isoff-live:2011,http:\/\/www\.dashif\.org\/guidelines\/low-latency-live-v5"/,
  );
  t.regex(
    mpd,
    /<Latency max="2080" min="520" referenceId="0" target="1560"\/>/,
    '3 chunks of 0.52 s (the longest the 0.5 s grid makes at 25 fps: PART-HOLD-BACK), not GPAC fixed 4000',
  );
  t.regex(
    mpd,
    /<ProducerReferenceTime id="0" inband="true" type="encoder" wallClockTime="[^"]+" presentationTime="0">\s*<UTCTiming schemeIdUri="urn:mpeg:dash:utc:http-iso:2014" value="https:\/\/time\.akamai\.com\/\?iso&amp;ms"\/>\s*<\/ProducerReferenceTime>/,
  );
  t.regex(
    mpd,
    /<UTCTiming schemeIdUri="urn:mpeg:dash:utc:http-iso:2014" value="https:\/\/time\.akamai\.com\/\?iso&amp;ms"\/>/,
  );
  // prft boxes in the segments (dashif.ll in live mode): before the first moof.
  const seg = await readFile(join(dir, 'res/source1_dash1.m4s'));
  const types: string[] = [];
  for (let o = 0; o < seg.length; o += seg.readUInt32BE(o)) types.push(seg.toString('latin1', o + 4, o + 8));
  t.deepEqual(types.slice(0, 4), ['styp', 'prft', 'moof', 'mdat']);
});

test('templates, extensions and CMAF brands', async (t) => {
  const { dir, r } = await run(
    [
      '-o',
      'res/live.mpd:segdur=2:profile=live:template=$RepresentationID$/seg_$Number%05d$:segext=cmfv:initext=cmfi:cmaf=cmf2',
    ],
    ['source1'],
  );
  t.is(r.code, 0, r.stderr);
  const files = (await readdir(join(dir, 'res/1'))).sort();
  t.deepEqual(files.slice(0, 3), ['seg_00001.cmfv', 'seg_00002.cmfv', 'seg_00003.cmfv']);
  t.true(files.includes('seg_init.cmfi'));
  const mpd = await readFile(join(dir, 'res/live.mpd'), 'utf8');
  t.regex(mpd, /media="\$RepresentationID\$\/seg_\$Number%05d\$\.cmfv" initialization="1\/seg_init\.cmfi"/);
  t.regex(mpd, /profiles="urn:mpeg:dash:profile:isoff-live:2011,urn:mpeg:dash:profile:cmaf:2019"/);
  const init = await readFile(join(dir, 'res/1/seg_init.cmfi'));
  t.is(init.toString('latin1', 4, 12), 'ftypcmf2');
  t.deepEqual(await mpdProblems(join(dir, 'res'), 'live.mpd'), []);
});

test('dynauto: a live MPD and playlists that turn static at the end of input', async (t) => {
  const { dir, r } = await run([
    '-o',
    'res/live.mpd:dual:segdur=2:cdur=0.5:profile=live:dmode=dynauto:llhls=br',
  ]);
  t.is(r.code, 0, r.stderr);
  const mpd = await readFile(join(dir, 'res/live.mpd'), 'utf8');
  t.regex(mpd, /type="static"/);
  t.regex(mpd, /mediaPresentationDuration="PT0H0M30\.000S"/);
  for (const v of await readVariants(join(dir, 'res'))) t.regex(v.text, /#EXT-X-ENDLIST\n$/, v.name);
});

test('sbound: out, in and closest cut a 1.4 s GOP stream around the 2 s grid as GPAC describes', async (t) => {
  const dir = await root.workDir([]);
  const { execFile } = await import('node:child_process');
  await new Promise<void>((resolve, reject) =>
    execFile(
      'ffmpeg',
      [
        '-nostdin',
        '-v',
        'error',
        '-f',
        'lavfi',
        '-i',
        'testsrc2=size=160x90:rate=25',
        '-t',
        '12',
        ...x264Fast(35),
        join(dir, 'gop14.mp4'),
      ],
      (e) => (e ? reject(e) : resolve()),
    ),
  );
  // SAPs every 1.4 s: 0, 1.4, 2.8, 4.2, 5.6, 7.0, 8.4, 9.8, 11.2; grid points 2, 4, 6, 8, 10.
  const expected: Record<string, number[]> = {
    out: [2.8, 1.4, 2.8, 1.4, 2.8, 0.8], // first SAP at or after each grid point
    in: [1.4, 1.4, 2.8, 1.4, 2.8, 2.2], // last SAP at or before it
    closest: [1.4, 2.8, 1.4, 2.8, 1.4, 2.2], // the nearer one
  };
  for (const [bound, durations] of Object.entries(expected)) {
    const r = await graphpac(['-i', 'gop14.mp4', '-o', `${bound}/v.m3u8:segdur=2:sbound=${bound}`], {
      cwd: dir,
    });
    t.is(r.code, 0, r.stderr);
    const pl = await readFile(join(dir, bound, 'v_1.m3u8'), 'utf8');
    t.deepEqual(
      [...pl.matchAll(/#EXTINF:([\d.]+)/g)].map((m) => Number(m[1])),
      durations,
      bound,
    );
  }
});

test('ast: a forced availabilityStartTime in the past; the period starts where the stream did', async (t) => {
  const { dir, r } = await run(
    ['-o', 'res/live.mpd:dual:segdur=2:profile=live:dmode=dynamic:ast=2026-01-01T00:00:00Z'],
    ['source2'],
  );
  t.is(r.code, 0, r.stderr);
  const mpd = await readFile(join(dir, 'res/live.mpd'), 'utf8');
  t.regex(mpd, /availabilityStartTime="2026-01-01T00:00:00\.000Z"/);
  const start = /<Period id="DID1" start="PT(\d+)H(\d+)M([\d.]+)S"/.exec(mpd)!;
  const offset = Number(start[1]) * 3600 + Number(start[2]) * 60 + Number(start[3]);
  const ranAt = (Date.now() - Date.UTC(2026, 0, 1)) / 1000;
  t.true(
    Math.abs(offset - ranAt) < 120,
    `period start ${offset} s after the forced AST (run ${ranAt} s after it)`,
  );
  // HLS dates stay the real ones: the first segment's PROGRAM-DATE-TIME is within minutes of now.
  const pdt = /#EXT-X-PROGRAM-DATE-TIME:(\S+)/.exec(await readFile(join(dir, 'res/live_1.m3u8'), 'utf8'))!;
  t.true(Math.abs(Date.parse(pdt[1]!) - Date.now()) < 120_000);
});

test('options not supported yet are refused with the reason', async (t) => {
  for (const [opt, re] of [
    ['ast=yesterday', /option ast=yesterday: expected an xs:dateTime such as 2026-11-26T08:00:00Z/],
  ] as const) {
    const { r } = await run(['-o', `res/live.mpd:segdur=2:${opt}`], ['source1']);
    t.is(r.code, 1, opt);
    t.regex(r.stderr, re);
  }
});
