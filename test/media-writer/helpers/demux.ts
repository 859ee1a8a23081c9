// Demuxes a whole (small) MP4 with mp4box, following appendBuffer's returned offset (works for
// faststart, moov-at-end and fragmented files), and returns what the CMAF writer needs per track.
import { open } from 'node:fs/promises';
import { createFile, MP4BoxBuffer, type Movie, type Sample } from 'mp4box';
import type { TrackConfig } from '../../../src/media/track.js';

export interface DemuxedSample {
  data: Uint8Array;
  dts: number;
  cts: number;
  duration: number;
  isSync: boolean;
}

export interface DemuxedTrack {
  config: TrackConfig;
  /** mp4box's codec string for the source (lowercase hex). */
  codec: string;
  samples: DemuxedSample[];
}

const CHUNK = 1 << 20;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** Raw payload (without the 8-byte header) of a parsed box, read back from the file bytes. */
function rawPayload(fileBytes: Uint8Array, box: unknown): Uint8Array {
  if (!isRecord(box) || typeof box.start !== 'number' || typeof box.size !== 'number') {
    throw new Error('box without start/size');
  }
  const hdr = typeof box.hdr_size === 'number' ? box.hdr_size : 8;
  return fileBytes.slice(box.start + hdr, box.start + box.size);
}

/** DecoderSpecificInfo bytes from a parsed esds (ES_Descriptor → DecoderConfig → DSI). */
function ascFromEsds(esds: unknown): Uint8Array {
  const esd = isRecord(esds) ? esds.esd : undefined;
  const dcd = isRecord(esd) && Array.isArray(esd.descs) ? (esd.descs as unknown[])[0] : undefined;
  const dsi = isRecord(dcd) && Array.isArray(dcd.descs) ? (dcd.descs as unknown[])[0] : undefined;
  if (!isRecord(dsi) || !(dsi.data instanceof Uint8Array))
    throw new Error('esds without DecoderSpecificInfo');
  return Uint8Array.from(dsi.data);
}

export async function demuxFile(path: string): Promise<DemuxedTrack[]> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const whole = new Uint8Array(size);
    await fh.read(whole, 0, size, 0);
    const file = createFile();
    let movie: Movie | undefined;
    const samples = new Map<number, DemuxedSample[]>();
    file.onReady = (info: Movie) => {
      movie = info;
      for (const t of info.tracks) {
        samples.set(t.id, []);
        file.setExtractionOptions(t.id, undefined, { nbSamples: 1000 });
      }
      file.start();
    };
    file.onSamples = (id: number, _user: unknown, got: Sample[]) => {
      const list = samples.get(id);
      if (!list) return;
      for (const s of got) {
        if (!s.data) throw new Error(`sample ${s.number} of track ${id} has no data`);
        list.push({ data: s.data, dts: s.dts, cts: s.cts, duration: s.duration, isSync: s.is_sync });
      }
      const last = got.at(-1);
      if (last) file.releaseUsedSamples(id, last.number + 1);
    };
    let p = 0;
    while (p < size) {
      const len = Math.min(CHUNK, size - p);
      const ab = whole.slice(p, p + len).buffer;
      const next = file.appendBuffer(MP4BoxBuffer.fromArrayBuffer(ab, p));
      p = next !== undefined && next !== p + len ? next : p + len;
    }
    file.flush();
    if (!movie) throw new Error(`${path}: no moov`);
    return movie.tracks.map((t) => {
      const trak = file.getTrackById(t.id);
      const entry: unknown = trak.mdia.minf.stbl.stsd.entries[0];
      if (!isRecord(entry)) throw new Error('no sample entry');
      const elst = trak.edts?.elst?.entries?.[0];
      const editDelay = elst && elst.media_time > 0 ? elst.media_time : 0;
      const list = samples.get(t.id) ?? [];
      const base = { trackId: t.id, timescale: t.timescale, editDelay, language: 'und' };
      let config: TrackConfig;
      if (entry.avcC || entry.hvcC) {
        const isAvc = Boolean(entry.avcC);
        config = {
          ...base,
          kind: 'video',
          codec: isAvc ? 'avc' : 'hevc',
          sampleEntryType: isAvc ? 'avc1' : 'hvc1',
          decoderConfig: rawPayload(whole, isAvc ? entry.avcC : entry.hvcC),
          width: t.video?.width ?? 0,
          height: t.video?.height ?? 0,
        };
      } else if (entry.esds) {
        config = {
          ...base,
          kind: 'audio',
          codec: 'aac',
          decoderConfig: ascFromEsds(entry.esds),
          sampleRate: t.audio?.sample_rate ?? 0,
        };
      } else {
        throw new Error(`track ${t.id}: unsupported sample entry`);
      }
      return { config, codec: t.codec, samples: list };
    });
  } finally {
    await fh.close();
  }
}
