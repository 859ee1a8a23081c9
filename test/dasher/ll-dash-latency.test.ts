/**
 * A live MPD that announces its chunks early (availabilityTimeOffset > 0, availabilityTimeComplete=false)
 * says its own latency whatever the profile (GPAC: only profile=dashif.ll): a ServiceDescription derived
 * from the chunk duration, a ProducerReferenceTime (with the MPD's UTCTiming as its child), and a `prft`
 * box before every chunk's moof whose wall-clock time agrees with the MPD (AST + media time).
 */
import test from 'ava';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { graphpac } from './helpers/cli.js';
import { WorkRoot } from './helpers/workdir.js';

const root = new WorkRoot('gp-lldash-');
test.after.always(() => root.cleanup());

async function run(opts: string, realTime: string[] = []) {
  const dir = await root.workDir(['source1', 'source2']);
  const r = await graphpac(['-i', 'source1', '-i', 'source2', ...realTime, '-o', `res/live.mpd:${opts}`], {
    cwd: dir,
  });
  return { dir, r };
}

const NTP_UNIX_OFFSET_S = 2208988800;

/** Top-level boxes of a segment; for each prft: its NTP time (epoch ms) and media time. */
function boxes(seg: Buffer): { types: string[]; prft: { ntpMs: number; mediaTime: number }[] } {
  const types: string[] = [];
  const prft: { ntpMs: number; mediaTime: number }[] = [];
  for (let o = 0; o < seg.length; o += seg.readUInt32BE(o)) {
    const type = seg.toString('latin1', o + 4, o + 8);
    types.push(type);
    if (type === 'prft') {
      // FullBox version 1: reference_track_ID (32), ntp_timestamp (64), media_time (64).
      const secs = seg.readUInt32BE(o + 16);
      const frac = seg.readUInt32BE(o + 20);
      prft.push({
        ntpMs: (secs - NTP_UNIX_OFFSET_S) * 1000 + (frac / 2 ** 32) * 1000,
        mediaTime: Number(seg.readBigUInt64BE(o + 24)),
      });
    }
  }
  return { types, prft };
}

test('profile=live with asto: ServiceDescription, ProducerReferenceTime with UTCTiming, prft in every chunk', async (t) => {
  // In real time (7 s), as a live source runs: the AST is settled once the first part is published, and
  // every later chunk's prft is stated against it.
  const { dir, r } = await run(
    'segdur=2:cdur=0.5:profile=live:dmode=dynamic:asto=1.5:utcs=http://127.0.0.1:9/time',
    ['reframer:rt=on', '-runfor=7000'],
  );
  t.is(r.code, 0, r.stderr);
  const mpd = await readFile(join(dir, 'res/live.mpd'), 'utf8');
  t.regex(mpd, /profiles="urn:mpeg:dash:profile:isoff-live:2011"/, 'the profile stays what was asked');
  // Target: 3 × the longest chunk (0.52 s at 25 fps), what PART-HOLD-BACK gives hls.js.
  t.regex(
    mpd,
    /<ServiceDescription id="0">\s*<Latency max="2080" min="520" referenceId="0" target="1560"\/>\s*<PlaybackRate max="1.08" min="0.92"\/>/,
  );
  const utc = '<UTCTiming schemeIdUri="urn:mpeg:dash:utc:http-iso:2014" value="http://127.0.0.1:9/time"/>';
  t.is(mpd.split(utc).length - 1, 3, 'the MPD UTCTiming, repeated inside each set’s ProducerReferenceTime');
  const prfts = [
    ...mpd.matchAll(
      /<ProducerReferenceTime id="0" inband="true" type="encoder" wallClockTime="([^"]+)" presentationTime="0">/g,
    ),
  ];
  t.is(prfts.length, 2, 'one ProducerReferenceTime per adaptation set');
  const ast = Date.parse(/availabilityStartTime="([^"]+)"/.exec(mpd)![1]!);
  t.is(Date.parse(prfts[0]![1]!), ast, 'media time 0 was live at the availabilityStartTime');
  // Every chunk: prft before its moof, its time = AST + media time (the MPD's mapping).
  const files = (await readdir(join(dir, 'res'))).filter((f) => /_dash\d+\.m4s$/.test(f));
  t.true(files.length >= 6, files.join());
  for (const [file, timescale] of [
    ['source1_dash3.m4s', 12800],
    ['source2_dash3.m4s', 48000],
  ] as const) {
    const { types, prft } = boxes(await readFile(join(dir, 'res', file)));
    t.is(types.filter((x) => x === 'moof').length, 4, `${file}: 4 chunks of 0.5 s`);
    t.deepEqual(
      types.filter((x) => x === 'prft' || x === 'moof'),
      ['prft', 'moof', 'prft', 'moof', 'prft', 'moof', 'prft', 'moof'],
      file,
    );
    for (const p of prft) {
      const off = p.ntpMs - (p.mediaTime / timescale) * 1000 - ast;
      t.true(
        Math.abs(off) < 2,
        `${file}: prft at media ${p.mediaTime} is ${off.toFixed(1)} ms off AST + media time`,
      );
    }
  }
});

test('profile=live without asto: no low-latency elements, no prft', async (t) => {
  const { dir, r } = await run('segdur=2:cdur=0.5:profile=live:dmode=dynamic');
  t.is(r.code, 0, r.stderr);
  const mpd = await readFile(join(dir, 'res/live.mpd'), 'utf8');
  t.notRegex(mpd, /ServiceDescription|ProducerReferenceTime|availabilityTimeOffset/);
  const { types } = boxes(await readFile(join(dir, 'res/source1_dash3.m4s')));
  t.false(types.includes('prft'));
});
