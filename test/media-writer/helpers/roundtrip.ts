// The round trip shared by the real-decoder tests: demux a committed clip with mp4box, write init +
// segments (styp + 4 chunks of 0.5 s, segments of 2 s at sync samples), concatenate, then compare with
// the source through ffprobe/ffmpeg and through mp4box.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { demuxFile, type DemuxedTrack } from './demux.js';
import { decodedAudio, decodeErrors, probe, videoFrameMd5 } from './ffmpeg.js';
import { parseMp4 } from './mp4box.js';
import { type Packaged, packageTracks, writePackage } from './package.js';

export interface RoundTrip {
  source: string;
  tracks: DemuxedTrack[];
  packaged: Packaged;
  concat: string;
}

export async function roundTrip(t: ExecutionContext, source: string): Promise<RoundTrip> {
  const tracks = await demuxFile(source);
  const packaged = packageTracks(tracks);
  const dir = await mkdtemp(join(tmpdir(), 'graphpac-cmaf-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const concat = await writePackage(dir, packaged);
  return { source, tracks, packaged, concat };
}

/** Segments start with an independent chunk; each has at most 4 chunks (2 s / 0.5 s). */
export function checkLayout(t: ExecutionContext, r: RoundTrip, expectedSegments: number): void {
  t.is(r.packaged.segments.length, expectedSegments, 'segment count');
  for (const [i, seg] of r.packaged.segments.entries()) {
    t.true(seg.chunks.length >= 1 && seg.chunks.length <= 4, `segment ${i + 1}: ${seg.chunks.length} chunks`);
    t.true(seg.chunks[0]?.independent, `segment ${i + 1} starts with a SAP`);
  }
  const full = r.packaged.segments.slice(0, -1).filter((s) => s.chunks.length === 4).length;
  t.true(full >= expectedSegments - 1, 'all but the last segment have 4 chunks');
}

/** ffmpeg decodes without a message, frame counts and start times match the source (0 for all). */
export async function checkWithFfmpeg(t: ExecutionContext, r: RoundTrip): Promise<void> {
  t.is(await decodeErrors(r.concat), '');
  const [src, out] = await Promise.all([probe(r.source), probe(r.concat)]);
  t.is(out.length, src.length);
  for (const [i, s] of src.entries()) {
    const o = out[i];
    t.is(o?.codec_name, s.codec_name);
    t.is(o?.nb_read_frames, s.nb_read_frames, `${s.codec_type} frame count`);
    t.is(o?.start_time, 0, `${s.codec_type} start_time`);
    t.is(s.start_time, 0);
  }
  if (src.some((s) => s.codec_type === 'video')) {
    const [a, b] = await Promise.all([videoFrameMd5(r.source), videoFrameMd5(r.concat)]);
    t.true(a.length > 0);
    t.deepEqual(b, a, 'video framemd5 (timestamps and pictures) identical');
  }
  if (src.some((s) => s.codec_type === 'audio')) {
    const [a, b] = await Promise.all([decodedAudio(r.source), decodedAudio(r.concat)]);
    t.is(b.samples, a.samples, 'decoded audio samples');
    t.is(b.sha1, a.sha1, 'decoded PCM identical');
  }
}

/** mp4box reads the output back: tracks, timescales, every sample's DTS/CTS/size/sync, every tfdt. */
export async function checkWithMp4box(t: ExecutionContext, r: RoundTrip): Promise<void> {
  const parsed = parseMp4(new Uint8Array(await readFile(r.concat)));
  t.is(parsed.info.tracks.length, r.tracks.length);
  for (const src of r.tracks) {
    const id = src.config.trackId;
    const info = parsed.info.tracks.find((x) => x.id === id);
    t.is(info?.timescale, src.config.timescale);
    t.is(info?.codec, src.codec);
    const out = parsed.samples.get(id) ?? [];
    t.is(out.length, src.samples.length, `track ${id} sample count`);
    const mismatch = src.samples.findIndex((s, i) => {
      const o = out[i];
      return (
        !o || o.dts !== s.dts || o.cts !== s.cts || o.size !== s.data.byteLength || o.is_sync !== s.isSync
      );
    });
    t.is(mismatch, -1, `track ${id}: first sample differing in dts/cts/size/sync`);
    t.is(
      out.filter((s) => s.is_sync).length,
      src.samples.filter((s) => s.isSync).length,
      `track ${id} sync samples`,
    );
  }
  const expectedTfdts = r.packaged.segments.flatMap((s) =>
    s.chunks.map((c) => c.tracks.map((x) => [x.trackId, x.baseMediaDecodeTime])),
  );
  const tfdts = parsed.file.moofs.map((m) =>
    m.trafs.map((tr) => [tr.tfhd.track_id, tr.tfdt.baseMediaDecodeTime]),
  );
  t.deepEqual(tfdts, expectedTfdts, 'tfdt of every traf');
  t.deepEqual(
    parsed.file.moofs.map((m) => m.mfhd.sequence_number),
    expectedTfdts.map((_, i) => i + 1),
    'mfhd sequence numbers',
  );
}
