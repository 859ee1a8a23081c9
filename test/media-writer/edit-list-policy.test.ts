// The edit-list policy, measured with ffprobe/ffmpeg 5.1: what each alternative does to start_time and to
// the decoded AAC sample count. The chosen policy (elst + iTunSMPB for AAC) is the only one that gives
// start_time 0 for B-frame video and AAC and the source's exact decoded sample count.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import type { InitSegmentOptions } from '../../src/media/bmff/init-segment.js';
import { demuxFile } from './helpers/demux.js';
import { decodedAudio, probe } from './helpers/ffmpeg.js';
import { packageTracks, writePackage } from './helpers/package.js';

const AUDIO = 'test/media/source2'; // AAC-LC, 1024 priming samples; ffmpeg decodes 1 440 768 samples
const VIDEO = 'test/media/h264_bframes_moovend.mp4'; // 2 B-frames: first CTS − first DTS = 1024/12800 s

async function variant(t: ExecutionContext, source: string, init: InitSegmentOptions): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'graphpac-elst-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return writePackage(dir, packageTracks(await demuxFile(source), { init }));
}

async function startTime(file: string): Promise<number | undefined> {
  return (await probe(file))[0]?.start_time;
}

test('source decode reference', async (t) => {
  t.is((await decodedAudio(AUDIO)).samples, 1440768);
  t.is(await startTime(AUDIO), 0);
});

test('chosen: elst(media_time = editDelay, duration 0) + iTunSMPB → video 0, audio 0, exact sample count', async (t) => {
  const v = await variant(t, VIDEO, {});
  t.is(await startTime(v), 0);
  const a = await variant(t, AUDIO, {});
  t.is(await startTime(a), 0);
  t.is((await decodedAudio(a)).samples, 1440768);
});

test('elst alone (what GPAC writes): ffmpeg shifts AAC to −0.021333 s and keeps the priming samples', async (t) => {
  const a = await variant(t, AUDIO, { aacPrimingTag: false });
  t.is(await startTime(a), -0.021333);
  t.is((await decodedAudio(a)).samples, 1440768 + 1024);
});

test('no edit list: B-frame video starts at 0.08 s; AAC starts at 0 but plays the priming', async (t) => {
  const v = await variant(t, VIDEO, { editList: 'none' });
  t.is(await startTime(v), 0.08);
  const a = await variant(t, AUDIO, { editList: 'none' });
  t.is(await startTime(a), 0);
  t.is((await decodedAudio(a)).samples, 1440768 + 1024);
});
