// Real-decoder round trips with AAC (priming trimmed through the edit-list policy).
import test from 'ava';
import { checkLayout, checkWithFfmpeg, checkWithMp4box, roundTrip } from './helpers/roundtrip.js';

test('source2: AAC-LC mono 48 kHz, 30 s → start 0, same decoded samples and PCM as the source', async (t) => {
  const r = await roundTrip(t, 'test/media/source2');
  t.is(r.tracks[0]?.config.editDelay, 1024);
  checkLayout(t, r, 15);
  await checkWithFfmpeg(t, r);
  await checkWithMp4box(t, r);
});

test('av_2997_faststart.mp4: 29.97 fps H.264 + stereo AAC 44.1 kHz multiplexed in each chunk', async (t) => {
  const r = await roundTrip(t, 'test/media/av_2997_faststart.mp4');
  t.is(r.tracks.length, 2);
  t.true(r.packaged.segments.every((s) => s.chunks.every((c) => c.tracks.length === 2)));
  checkLayout(t, r, 2);
  await checkWithFfmpeg(t, r);
  await checkWithMp4box(t, r);
});
