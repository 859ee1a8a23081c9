/**
 * "Every segment decodes": init + media segments of one representation, concatenated in number
 * order, checked with ffmpeg/ffprobe against the source clip (the reference decoder helpers of
 * test/media-writer are reused).
 */
import type { ExecutionContext } from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodedAudio, decodeErrors, probe, videoFrameMd5 } from '../../media-writer/helpers/ffmpeg.js';
import type { ProbedStream } from '../../media-writer/helpers/ffmpeg.js';

/** Writes init + segments (already in number order) to `out`. */
export async function concatRep(
  dir: string,
  init: string,
  segments: readonly string[],
  out: string,
): Promise<void> {
  const parts = [await readFile(join(dir, init))];
  for (const s of segments) parts.push(await readFile(join(dir, s)));
  await writeFile(out, Buffer.concat(parts));
}

const cache = new Map<string, Promise<unknown>>();
function memo<T>(key: string, f: () => Promise<T>): Promise<T> {
  if (!cache.has(key)) cache.set(key, f());
  return cache.get(key) as Promise<T>;
}

const sourceProbe = (src: string) => memo(`probe:${src}`, () => probe(src));
const sourceMd5 = (src: string) => memo(`md5:${src}`, () => videoFrameMd5(src));
const sourceAudio = (src: string) => memo(`pcm:${src}`, () => decodedAudio(src));

function stream(list: ProbedStream[], kind: 'video' | 'audio'): ProbedStream | undefined {
  return list.find((s) => s.codec_type === kind);
}

/**
 * The concatenation decodes with no error, holds exactly one stream of `kind`, as many frames as the
 * source's stream of that kind, identical video frames (framemd5: timestamps, sizes, pixels), or
 * for audio a start at 0 (priming trimmed) and the same decoded samples and PCM.
 */
export async function checkAgainstSource(
  t: ExecutionContext,
  label: string,
  concat: string,
  source: string,
  kind: 'video' | 'audio',
): Promise<void> {
  t.is(await decodeErrors(concat), '', `${label}: ffmpeg reports decode errors`);
  const [src, out] = await Promise.all([sourceProbe(source), probe(concat)]);
  t.is(out.length, 1, `${label}: one stream per representation`);
  const s = stream(src, kind);
  const o = stream(out, kind);
  if (!s || !o) {
    t.fail(`${label}: no ${kind} stream (source ${JSON.stringify(src)}, output ${JSON.stringify(out)})`);
    return;
  }
  t.is(o.codec_name, s.codec_name, `${label}: codec`);
  t.is(o.nb_read_frames, s.nb_read_frames, `${label}: decoded frame count`);
  t.is(o.start_time, s.start_time, `${label}: start_time`);
  if (kind === 'video') {
    const [a, b] = await Promise.all([sourceMd5(source), videoFrameMd5(concat)]);
    t.is(b.length, a.length, `${label}: framemd5 line count`);
    const firstDiff = a.findIndex((l, k) => l !== b[k]);
    t.is(
      firstDiff,
      -1,
      `${label}: framemd5 differs first at frame ${firstDiff}: ${a[firstDiff]} / ${b[firstDiff]}`,
    );
  } else {
    t.is(o.start_time, 0, `${label}: audio starts at 0 (no priming offset)`);
    const [a, b] = await Promise.all([sourceAudio(source), decodedAudio(concat)]);
    t.is(b.samples, a.samples, `${label}: decoded audio samples`);
    t.is(b.sha1, a.sha1, `${label}: decoded PCM`);
  }
}
