// Real-decoder round trips for video clips: mp4box demux → src/media writer → ffmpeg/ffprobe + mp4box.
import test from 'ava';
import { checkLayout, checkWithFfmpeg, checkWithMp4box, roundTrip } from './helpers/roundtrip.js';

test('source1: H.264 High 25 fps, 30 s → 15 segments × 4 chunks, bit-exact decode', async (t) => {
  const r = await roundTrip(t, 'test/media/source1');
  checkLayout(t, r, 15);
  await checkWithFfmpeg(t, r);
  await checkWithMp4box(t, r);
});

test('h264_bframes_moovend.mp4: B-frames (composition offsets), moov at the end', async (t) => {
  const r = await roundTrip(t, 'test/media/h264_bframes_moovend.mp4');
  const samples = r.tracks[0]?.samples ?? [];
  t.true(
    samples.some((s, i) => i > 0 && s.cts < (samples[i - 1]?.cts ?? 0)),
    'presentation order differs from decode order',
  );
  checkLayout(t, r, 2);
  await checkWithFfmpeg(t, r);
  await checkWithMp4box(t, r);
});

test('hevc.mp4: HEVC in hvc1 with hvcC', async (t) => {
  const r = await roundTrip(t, 'test/media/hevc.mp4');
  checkLayout(t, r, 1);
  await checkWithFfmpeg(t, r);
  await checkWithMp4box(t, r);
});
