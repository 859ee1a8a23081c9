/**
 * flist (GPAC's sources concatenator) through the CLI, packaged as fast as possible by the dasher into
 * files, then read back with ffprobe and decoded with ffmpeg: loops on one continuous timeline (audio
 * and video share one offset), sources in sequence, sources in parallel (`A&&B`, a playlist line
 * `A && B`), playlist directives, and bad input.
 */
import test from 'ava';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, mediaDir, runGraphpac } from '../helpers/run-cli.js';
import { cut, nonMonotonic, oddSteps, probeReps } from './flist-helpers.js';
import type { ProbedRep } from './flist-helpers.js';

const clip = join(mediaDir, 'av_2997_faststart.mp4');
/** One pass over the clip: 120 video frames (4.004 s), 174 AAC frames; its PIDs end at 177424/44100 s. */
const CLIP_VIDEO = 120;
const CLIP_AUDIO = 174;
const CLIP_SPAN = 177424 / 44100;

let root: string;
test.before(async () => {
  root = await mkdtemp(join(tmpdir(), 'graphpac-flist-'));
});
test.after.always(async () => {
  await rm(root, { recursive: true, force: true });
});
let n = 0;
async function dir(): Promise<string> {
  const d = join(root, `run${++n}`);
  await mkdir(d, { recursive: true });
  return d;
}

function byKind(reps: ProbedRep[]): { video: ProbedRep; audio: ProbedRep } {
  const video = reps.find((r) => r.kind === 'video');
  const audio = reps.find((r) => r.kind === 'audio');
  if (!video || !audio)
    throw new Error(`expected a video and an audio representation, got ${reps.map((r) => r.name)}`);
  return { video, audio };
}

/** Decode time (s, from the stream's first packet) where each pass after the first starts. */
function loopStarts(rep: ProbedRep): number[] {
  return oddSteps(rep).map((o) => o.at);
}

const near = (a: number, b: number, tolerance: number) => Math.abs(a - b) <= tolerance;

test('floop=2: the 4 s clip three times on one continuous timeline, audio and video together', async (t) => {
  const d = await dir();
  const r = await runGraphpac([`flist:srcs=${clip}:floop=2`, '-o', `${d}/x.mpd:segdur=1`]);
  t.is(r.code, 0, describe(r));
  const { video, audio } = byKind(await probeReps(d));
  t.is(video.packets.length, 3 * CLIP_VIDEO);
  t.is(audio.packets.length, 3 * CLIP_AUDIO);
  t.deepEqual(nonMonotonic(video), []);
  t.deepEqual(nonMonotonic(audio), []);
  // Each pass starts where the longer stream of the previous one ended (audio: 177424/44100 s), on
  // both streams: one offset. Audio runs on without a gap (its odd step is the clip's short last
  // frame, 272 samples); video waits the difference, less than a frame.
  const a = oddSteps(audio);
  const v = oddSteps(video);
  t.is(a.length, 2, JSON.stringify(a));
  t.is(v.length, 2, JSON.stringify(v));
  for (const k of [0, 1]) {
    t.true(near(a[k]!.at, (k + 1) * CLIP_SPAN, 1e-6), `audio pass ${k + 2} at ${a[k]!.at}`);
    t.true(near(a[k]!.step, 272 / 44100, 1e-6));
    t.true(near(v[k]!.at, (k + 1) * CLIP_SPAN, 1 / 30000), `video pass ${k + 2} at ${v[k]!.at}`);
    t.true(v[k]!.step > 1001 / 30000 && v[k]!.step < 2002 / 30000);
  }
  t.true(Math.abs(video.end - audio.end) <= 1024 / 44100, `video ends ${video.end}, audio ${audio.end}`);
  t.true(near(audio.end, 3 * 4.0, 0.1), `about three times the clip: ${audio.end}`);
  t.is(video.decodeErrors, '');
  t.is(audio.decodeErrors, '');
});

test('srcs=a,b plays a then b, continuing the timeline', async (t) => {
  const d = await dir();
  const b = join(d, 'b.mp4');
  await copyFile(clip, b);
  const r = await runGraphpac([`flist:srcs=${clip},${b}`, '-o', `${d}/out/x.mpd:segdur=1`]);
  t.is(r.code, 0, describe(r));
  const { video, audio } = byKind(await probeReps(join(d, 'out')));
  t.is(video.packets.length, 2 * CLIP_VIDEO);
  t.is(audio.packets.length, 2 * CLIP_AUDIO);
  t.deepEqual(nonMonotonic(video), []);
  t.deepEqual(nonMonotonic(audio), []);
  // b starts on both streams where a's longer stream (audio) ended.
  t.is(loopStarts(video).length, 1);
  t.true(near(loopStarts(video)[0]!, CLIP_SPAN, 1 / 30000));
  t.true(near(loopStarts(audio)[0]!, CLIP_SPAN, 1e-6));
  t.true(Math.abs(video.end - audio.end) <= 1024 / 44100);
  t.is(video.decodeErrors, '');
});

test('parallel sources: a video-only and an audio-only clip (A&&B) loop together with one offset', async (t) => {
  const d = await dir();
  // 100 frames at 25 fps = 4 s of video; 188 AAC frames at 48 kHz = 4.01 s of audio.
  await cut(join(mediaDir, 'source1'), 4, join(d, 'v.mp4'), ['-frames:v', '100']);
  await cut(join(mediaDir, 'source2'), 5, join(d, 'a.mp4'), ['-frames:a', '188']);
  const r = await runGraphpac([`flist:srcs=${d}/v.mp4&&${d}/a.mp4:floop=2`, '-o', `${d}/out/x.mpd:segdur=1`]);
  t.is(r.code, 0, describe(r));
  const { video, audio } = byKind(await probeReps(join(d, 'out')));
  t.is(video.packets.length, 300);
  t.is(audio.packets.length, 3 * 188);
  t.deepEqual(nonMonotonic(video), []);
  t.deepEqual(nonMonotonic(audio), []);
  // One offset for both: pass k starts at k × (the item's longer stream: the audio) on both streams.
  const span = (188 * 1024) / 48000;
  const v = loopStarts(video);
  t.is(v.length, 2, JSON.stringify(oddSteps(video)));
  for (const [k, s] of v.entries()) t.true(near(s, (k + 1) * span, 1 / 12800), `video pass ${k + 2} at ${s}`);
  t.true(Math.abs(video.end - audio.end) <= 1024 / 48000 + 1e-6, `video ${video.end}, audio ${audio.end}`);
  t.is(video.decodeErrors, '');
  t.is(audio.decodeErrors, '');
});

test('a playlist file: sources relative to it, " && " for parallel sources, #repeat, ## comments, floop', async (t) => {
  const d = await dir();
  await mkdir(join(d, 'list', 'media'), { recursive: true });
  await cut(join(mediaDir, 'source1'), 2, join(d, 'list', 'media', 'v.mp4'), ['-frames:v', '50']);
  await cut(join(mediaDir, 'source2'), 3, join(d, 'list', 'media', 'a.mp4'), ['-frames:a', '94']);
  await writeFile(
    join(d, 'list', 'loop.m3u'),
    '## two seconds of source1 and source2\n#repeat=1\nmedia/v.mp4 && media/a.mp4\n',
  );
  // Two passes (floop=1) of the item played twice (repeat=1): 4 × 2 s.
  const r = await runGraphpac(['-i', `${d}/list/loop.m3u:floop=1`, '-o', `${d}/out/x.mpd:segdur=1`]);
  t.is(r.code, 0, describe(r));
  t.notRegex(r.stderr, /warn|error/i);
  const { video, audio } = byKind(await probeReps(join(d, 'out')));
  t.is(video.packets.length, 4 * 50);
  t.is(audio.packets.length, 4 * 94);
  t.is(loopStarts(video).length, 3);
  t.deepEqual(nonMonotonic(audio), []);
  t.true(Math.abs(video.end - audio.end) <= 1024 / 48000 + 1e-6);
});

test('directives graphpac does not implement are named, and the playlist still plays', async (t) => {
  const d = await dir();
  await copyFile(clip, join(d, 'c.mp4'));
  await writeFile(join(d, 'p.m3u'), '#start=1 bogus\nc.mp4\n');
  const r = await runGraphpac(['-i', `${d}/p.m3u`, '-o', `${d}/out/x.mpd:segdur=1`]);
  t.is(r.code, 0, describe(r));
  t.regex(r.stderr, /directive \\?"start=1\\?" .*not supported/);
  t.regex(r.stderr, /unrecognized directive \\?"bogus\\?"/);
});

test('a missing source is one clear error naming it (exit 1), in srcs and in a playlist', async (t) => {
  const d = await dir();
  const r = await runGraphpac([`flist:srcs=${clip},${d}/nothere.mp4`, '-o', `${d}/x.mpd:segdur=1`]);
  t.is(r.code, 1);
  t.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  t.regex(r.stderr, /flist: source ".*nothere\.mp4" \(in srcs\) not found/);
  await writeFile(join(d, 'p.m3u'), 'gone.mp4\n');
  const p = await runGraphpac(['-i', `${d}/p.m3u`, '-o', `${d}/y.mpd:segdur=1`]);
  t.is(p.code, 1);
  t.regex(p.stderr, /flist: source ".*gone\.mp4" \(in .*p\.m3u\) not found/);
});

test('a source coded differently is refused by the dasher, naming the stream and what changed', async (t) => {
  const d = await dir();
  const r = await runGraphpac([
    `flist:srcs=${clip},${join(mediaDir, 'h264_bframes_moovend.mp4')}`,
    '-o',
    `${d}/x.mpd:segdur=1`,
  ]);
  t.is(r.code, 1);
  t.regex(
    r.stderr,
    /dasher: PID "video1" of ".*h264_bframes_moovend\.mp4" changed its coding mid-run \(DecoderConfig, Height\)/,
  );
});

test('unsupported GPAC options are refused or reported by name', async (t) => {
  const d = await dir();
  const raw = await runGraphpac([`flist:srcs=${clip}:raw=av`, '-o', `${d}/x.mpd`]);
  t.is(raw.code, 1);
  t.regex(raw.stderr, /flist: raw=av needs decoders/);
  const ka = await runGraphpac([`flist:srcs=${clip}:sigcues`, '-o', `${d}/y.mpd:segdur=1`]);
  t.is(ka.code, 0, describe(ka));
  t.regex(ka.stderr, /option sigcues is not supported/);
});
