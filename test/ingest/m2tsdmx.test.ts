/**
 * m2tsdmx on transport streams ffmpeg makes from the committed clips (stream copy): every sample equals
 * what ffprobe reports for the same file (count, PTS, DTS, key flag, and the bytes once framed as MP4
 * samples are: parameter sets and access unit delimiters out, 4-byte NAL lengths, ADTS headers off), and
 * the packaged output decodes to the very frames of the source MP4 (framemd5).
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runGraphpac } from '../helpers/run-cli.js';
import { annexBNals, capture, ffprobeData, frameMd5 } from './capture.js';

const dir = mkdtempSync(join(tmpdir(), 'graphpac-m2ts-'));
const media = (f: string) => join(repoRoot, 'test/media', f);

/** name → [source clip, extra ffmpeg arguments]. */
const CLIPS: Record<string, [string, string[]]> = {
  'bframes.ts': ['h264_bframes_moovend.mp4', []],
  'hevc.ts': ['hevc.mp4', []],
  'av.ts': ['av_2997_faststart.mp4', []],
  // Two programs: video + English audio, French audio alone.
  'two_programs.ts': [
    'v_2audio.mp4',
    ['-map', '0', '-program', 'title=one:st=0:st=1', '-program', 'title=two:st=2'],
  ],
  // BDAV: 192-byte packets.
  'bdav.m2ts': ['v_2audio.mp4', ['-map', '0', '-mpegts_m2ts_mode', '1']],
  // The AAC of av.ts in LOAS/LATM (stream type 0x11), as DVB sends it.
  'av_latm.ts': ['av_2997_faststart.mp4', ['-mpegts_flags', 'latm']],
};

test.before(() => {
  for (const [name, [src, extra]] of Object.entries(CLIPS))
    execFileSync('ffmpeg', [
      '-nostdin',
      '-v',
      'error',
      '-y',
      '-i',
      media(src),
      ...extra,
      '-c',
      'copy',
      '-f',
      'mpegts',
      join(dir, name),
    ]);
  // No extension: recognised by content.
  copyFileSync(join(dir, 'av.ts'), join(dir, 'av_noext'));
});
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

const DROP_AVC = new Set([7, 8, 9, 12]);
const DROP_HEVC = new Set([32, 33, 34, 35, 38]);

/** ffprobe's Annex-B access unit as m2tsdmx should frame it. */
function asSample(codec: string, d: Uint8Array): number[] {
  const out: number[] = [];
  for (const n of annexBNals(d)) {
    const type = codec === 'h264' ? n[0]! & 0x1f : (n[0]! >> 1) & 0x3f;
    if ((codec === 'h264' ? DROP_AVC : DROP_HEVC).has(type)) continue;
    out.push(n.length >>> 24, (n.length >> 16) & 0xff, (n.length >> 8) & 0xff, n.length & 0xff, ...n);
  }
  return out;
}

// (ffprobe hands out LATM frames with their LOAS framing: compared with av.ts's ADTS ones below.)
for (const name of [...Object.keys(CLIPS).filter((n) => n !== 'av_latm.ts'), 'av_noext']) {
  test(`every sample equals ffprobe's: ${name}`, async (t) => {
    const path = join(dir, name);
    const [pids, ff] = await Promise.all([capture(path), ffprobeData(path)]);
    t.is(pids.length, ff.streams.length, 'one PID per stream');
    for (const st of ff.streams) {
      const pid = pids.find((p) => p.props.ID === Number(st.id));
      if (!pid) {
        t.fail(`no PID for TS PID ${st.id}`);
        continue;
      }
      const ffp = ff.packets.filter((p) => p.stream_index === st.index);
      const ours = pid.packets;
      t.is(ours.length, ffp.length, `${pid.name}: sample count`);
      const ts = pid.props.Timescale!;
      const bad: string[] = [];
      ffp.forEach((f, i) => {
        const o = ours[i];
        if (!o) return;
        const to90k = (v: number | undefined) => (v === undefined ? undefined : Math.round((v * 90000) / ts));
        const key = f.flags.includes('K');
        let expected: number[];
        if (st.codec_name === 'aac') {
          const hdr = f.data[1]! & 1 ? 7 : 9;
          expected = [...f.data.subarray(hdr)];
        } else expected = asSample(st.codec_name, f.data);
        // AAC times are counted in samples: at 44.1 kHz a frame is 2089.8 ticks of 90 kHz, and the TS
        // carries them rounded; one tick apart is the same time.
        const near = (a: number | undefined, b: number | undefined) =>
          a !== undefined && b !== undefined && Math.abs(a - b) <= (st.codec_name === 'aac' ? 1 : 0);
        const same =
          near(to90k(o.cts), f.pts) &&
          near(to90k(o.dts), f.dts) &&
          (o.sap >= 1 && o.sap <= 3) === key &&
          o.data.length === expected.length &&
          o.data.every((b, k) => b === expected[k]);
        if (!same)
          bad.push(
            `#${i}: ours pts ${to90k(o.cts)} dts ${to90k(o.dts)} sap ${o.sap} size ${o.data.length}; ffprobe pts ${f.pts} dts ${f.dts} flags ${f.flags} size ${expected.length}`,
          );
      });
      t.deepEqual(bad.slice(0, 5), [], `${pid.name}: ${bad.length} samples differ`);
    }
  });
}

test('AAC in LOAS/LATM: the same samples, times and decoder config as the same AAC in ADTS', async (t) => {
  const audio = async (name: string) =>
    (await capture(join(dir, name))).find((p) => p.props.StreamType === 'Audio')!;
  const [latm, adts] = await Promise.all([audio('av_latm.ts'), audio('av.ts')]);
  t.truthy(latm, 'the 0x11 stream is read');
  for (const k of ['CodecID', 'Timescale', 'SampleRate', 'NumChannels', 'DecoderConfig'] as const)
    t.deepEqual(latm.props[k], adts.props[k], k);
  t.true(latm.packets.length > 100);
  t.is(latm.packets.length, adts.packets.length, 'sample count');
  const differ = latm.packets.filter((p, i) => {
    const q = adts.packets[i]!;
    return (
      p.dts !== q.dts ||
      p.duration !== q.duration ||
      p.data.length !== q.data.length ||
      !p.data.every((b, k) => b === q.data[k])
    );
  });
  t.is(differ.length, 0, 'samples differ');
});

test('PID names, IDs, programs and languages as GPAC gives them', async (t) => {
  const pids = await capture(join(dir, 'two_programs.ts'));
  t.deepEqual(
    pids.map((p) => [p.name, p.props.ID, p.props.ServiceID, p.props.CodecID, p.props.Language]),
    [
      ['P1V2', 256, 1, 'avc', 'eng'],
      ['P1A3', 257, 1, 'aac', 'eng'],
      ['P2A2', 258, 2, 'aac', 'fra'],
    ].map(([n, id, sid, c, l]) => (n === 'P1V2' ? [n, id, sid, c, undefined] : [n, id, sid, c, l])),
  );
  const v = pids[0]!.props;
  t.is(v.Width, 320);
  t.is(v.Height, 180);
});

/** Concatenate the init segment and the media segments of one representation. */
function joinRep(out: string, prefix: string): string {
  const files = readdirSync(out).filter((f) => f.startsWith(prefix));
  const init = files.find((f) => f.endsWith('init.mp4'))!;
  const segs = files
    .filter((f) => f.endsWith('.m4s'))
    .sort((a, b) => Number(/(\d+)\.m4s$/.exec(a)![1]) - Number(/(\d+)\.m4s$/.exec(b)![1]));
  const path = join(out, `${prefix}all.mp4`);
  writeFileSync(path, Buffer.concat([init, ...segs].map((f) => readFileSync(join(out, f)))));
  return path;
}

for (const [name, src, streams] of [
  ['bframes.ts', 'h264_bframes_moovend.mp4', ['v']],
  ['hevc.ts', 'hevc.mp4', ['v']],
  ['av.ts', 'av_2997_faststart.mp4', ['v', 'a']],
  ['av_latm.ts', 'av_2997_faststart.mp4', ['v', 'a']],
] as const) {
  test(`packaged from TS, decodes frame-exact against the source MP4: ${name}`, async (t) => {
    const out = join(dir, `out_${name}`);
    const r = await runGraphpac(['-i', join(dir, name), '-o', join(out, 'live.mpd:segdur=1')]);
    t.is(r.code, 0, r.stderr);
    const base = name.replace(/\.ts$/, '');
    const files = readdirSync(out);
    for (const s of streams) {
      const prefix = streams.length > 1 ? `${base}_dash_track${s === 'v' ? 256 : 257}_` : `${base}_dash`;
      t.true(
        files.some((f) => f.startsWith(prefix)),
        `${prefix}* written`,
      );
      const got = await frameMd5(joinRep(out, prefix), s);
      // Video: the source MP4's frames. Audio: the TS's (the MP4's edit list skips the AAC encoder
      // priming, 1024 samples; a TS has no edit list, so its first decoded frame is the priming one).
      const want = await frameMd5(s === 'v' ? media(src) : join(dir, name), s);
      if (s === 'a')
        t.deepEqual(got.slice(1), await frameMd5(media(src), s), 'audio: the MP4 frames after the priming');
      t.true(got.length > 0);
      t.deepEqual(got, want, `${name}: ${s === 'v' ? 'video' : 'audio'} frames`);
    }
  });
}

test('an encoder restart (the same stream again: timestamps go back) flags the first access unit after it on each PID, on one continuous timeline', async (t) => {
  const once = readFileSync(join(dir, 'av.ts'));
  const path = join(dir, 'restarted.ts');
  writeFileSync(path, Buffer.concat([once, once]));
  const single = await capture(join(dir, 'av.ts'));
  const twice = await capture(path);
  t.is(twice.length, 2);
  for (const [i, pid] of twice.entries()) {
    const n = single[i]!.packets.length;
    const flagged = pid.packets.flatMap((p, k) => (p.props?.Restart === true ? [k] : []));
    // The first run's last access unit waits for the next PES to be framed: it may come just before the flag.
    t.deepEqual(
      flagged,
      [pid.packets.length - n],
      `${pid.name}: one Restart, on the second run's first unit`,
    );
    const at = flagged[0]!;
    const before = pid.packets[at - 1]!;
    const first = pid.packets[at]!;
    t.true(first.dts! >= before.dts! + (before.duration ?? 0), `${pid.name}: the timeline goes on`);
    t.true(first.dts! - before.dts! < 3 * 90000, `${pid.name}: no gap of the restart's size`);
    if (pid.props.StreamType === 'Visual') t.true(first.sap >= 1, 'the video restarts at a sync sample');
  }
});
