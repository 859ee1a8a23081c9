// Cuts demuxed tracks into CMAF segments and chunks (segments on a 2 s grid at sync samples of the
// reference track, chunks on a 0.5 s DTS grid inside a segment) and writes them with src/media.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type ChunkInput,
  type ChunkSample,
  type ChunkTrack,
  CMAF_SEGMENT_BRANDS,
  writeChunk,
  writeStyp,
} from '../../../src/media/bmff/chunk.js';
import { type InitSegmentOptions, writeInitSegment } from '../../../src/media/bmff/init-segment.js';
import type { DemuxedTrack } from './demux.js';

export interface PackageOptions {
  segmentSeconds?: number;
  chunkSeconds?: number;
  init?: InitSegmentOptions;
  sampleDefaults?: ChunkInput['sampleDefaults'];
}

export interface PackagedChunk {
  /** Per track: index of the first sample and sample count. */
  tracks: { trackId: number; first: number; count: number; baseMediaDecodeTime: number }[];
  bytes: Uint8Array;
  independent: boolean;
}

export interface Packaged {
  init: Uint8Array;
  segments: { styp: Uint8Array; chunks: PackagedChunk[] }[];
}

/** A time as an exact fraction value/timescale compared by cross-multiplication. */
function atOrAfter(a: number, aTs: number, b: number, bTs: number): boolean {
  return BigInt(a) * BigInt(bTs) >= BigInt(b) * BigInt(aTs);
}

export function packageTracks(tracks: readonly DemuxedTrack[], opts: PackageOptions = {}): Packaged {
  const segSec = opts.segmentSeconds ?? 2;
  const chunkSec = opts.chunkSeconds ?? 0.5;
  const chunksPerSegment = Math.max(1, Math.round(segSec / chunkSec));
  const ref = tracks.find((t) => t.config.kind === 'video') ?? tracks[0];
  if (!ref) throw new Error('no track');
  const refTs = ref.config.timescale;
  // Segment starts: reference-track DTS of the first sync sample at or after each 2 s grid point.
  const segStarts: number[] = [];
  for (const s of ref.samples) {
    const last = segStarts.at(-1);
    const due = last === undefined || atOrAfter(s.dts, refTs, last + segSec * refTs, refTs);
    if (s.isSync && due) segStarts.push(s.dts);
  }
  // Assign (segment, chunk) to every sample of every track.
  type Key = { seg: number; chunk: number };
  const keyOf = (dts: number, ts: number): Key => {
    let seg = 0;
    while (seg + 1 < segStarts.length && atOrAfter(dts, ts, segStarts[seg + 1] ?? 0, refTs)) seg++;
    const start = segStarts[seg] ?? 0;
    const offsetSec = dts / ts - start / refTs;
    // A segment has segSec/chunkSec chunks; anything past the last grid point (a longer segment, or
    // audio running past the video's end) stays in the last chunk.
    const chunk = Math.min(chunksPerSegment - 1, Math.max(0, Math.floor(offsetSec / chunkSec + 1e-9)));
    return { seg, chunk };
  };
  const groups = new Map<string, Map<number, number[]>>(); // "seg:chunk" → trackIndex → sample indices
  const order: Key[] = [];
  tracks.forEach((t, ti) => {
    t.samples.forEach((s, si) => {
      const k = keyOf(s.dts, t.config.timescale);
      const id = `${k.seg}:${k.chunk}`;
      let g = groups.get(id);
      if (!g) {
        g = new Map();
        groups.set(id, g);
        order.push(k);
      }
      const list = g.get(ti) ?? [];
      list.push(si);
      g.set(ti, list);
    });
  });
  order.sort((a, b) => a.seg - b.seg || a.chunk - b.chunk);
  const init = writeInitSegment(
    tracks.map((t) => t.config),
    opts.init ?? { cmaf: 'cmf2' },
  );
  const segments: Packaged['segments'] = [];
  let sequenceNumber = 1;
  for (const k of order) {
    const g = groups.get(`${k.seg}:${k.chunk}`);
    if (!g) continue;
    while (segments.length <= k.seg) segments.push({ styp: writeStyp(CMAF_SEGMENT_BRANDS), chunks: [] });
    const chunkTracks: ChunkTrack[] = [];
    const meta: PackagedChunk['tracks'] = [];
    tracks.forEach((t, ti) => {
      const idx = g.get(ti);
      if (!idx || idx.length === 0) return;
      const first = idx[0] ?? 0;
      const samples: ChunkSample[] = idx.map((i) => {
        const s = t.samples[i];
        if (!s) throw new Error('sample index');
        return {
          data: s.data,
          duration: s.duration,
          compositionOffset: s.cts - s.dts,
          sapType: s.isSync ? 1 : 0,
        };
      });
      const bmdt = t.samples[first]?.dts ?? 0;
      chunkTracks.push({ trackId: t.config.trackId, baseMediaDecodeTime: bmdt, samples });
      meta.push({ trackId: t.config.trackId, first, count: idx.length, baseMediaDecodeTime: bmdt });
    });
    const chunk = writeChunk({
      sequenceNumber: sequenceNumber++,
      tracks: chunkTracks,
      ...(opts.sampleDefaults ? { sampleDefaults: opts.sampleDefaults } : {}),
    });
    const bytes = Buffer.concat([chunk.header, ...chunk.payload]);
    if (bytes.byteLength !== chunk.size) throw new Error('chunk size mismatch');
    segments[k.seg]?.chunks.push({ tracks: meta, bytes, independent: chunk.independent });
  }
  return { init, segments };
}

/** Writes init.mp4, seg_N.m4s and concat.mp4 (init + all segments) into `dir`. */
export async function writePackage(dir: string, p: Packaged): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'init.mp4'), p.init);
  const all: Uint8Array[] = [p.init];
  for (const [i, seg] of p.segments.entries()) {
    const parts = [seg.styp, ...seg.chunks.map((c) => c.bytes)];
    await writeFile(join(dir, `seg_${i + 1}.m4s`), Buffer.concat(parts));
    all.push(...parts);
  }
  const concat = join(dir, 'concat.mp4');
  await writeFile(concat, Buffer.concat(all));
  return concat;
}
