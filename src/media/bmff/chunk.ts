/**
 * Media segments: `styp`, and CMAF chunks = [prft] [emsg…] moof(mfhd, traf…(tfhd, tfdt, trun)) + mdat.
 *
 * The hot path never copies sample data: {@link writeChunk} serialises only the boxes (prft, emsg,
 * moof and the 8- or 16-byte mdat header) into `header`, and returns the samples by reference in
 * `payload`, so a sink can `writev([header, ...payload])`.
 */
import {
  emsg,
  type EmsgFields,
  mdatHeader,
  mfhd,
  moof,
  prft,
  sidx,
  type SidxFields,
  styp,
  tfdt,
  tfhd,
  type TfhdFields,
  traf,
  trun,
  type TrunFields,
} from './fragment-boxes.js';
import { type Part, serialize } from './part.js';

/** Segment brands: DASH media segment + index (`msdh msix`), and for CMAF segments `cmfs`… */
export const DASH_SEGMENT_BRANDS: readonly string[] = ['msdh', 'msix'];
export const CMAF_SEGMENT_BRANDS: readonly string[] = ['msdh', 'msix', 'cmfs', 'cmff', 'cmf2', 'cmfc'];

/** `styp` with `brands[0]` as major brand and all `brands` as compatible brands. */
export function writeStyp(brands: readonly string[] = DASH_SEGMENT_BRANDS, minorVersion = 0): Uint8Array {
  const major = brands[0];
  if (major === undefined) throw new RangeError('writeStyp: no brand');
  return serialize(styp(major, minorVersion, brands));
}

/** SAP type of a sample (ISO/IEC 14496-12 Annex I): 0 = not a SAP, 1–3 = decoding can start here. */
export type SapType = 0 | 1 | 2 | 3 | 4 | 5 | 6;

/** sample_flags for a sync sample: sample_depends_on = 2 (does not depend on others), is_non_sync = 0. */
export const SYNC_SAMPLE_FLAGS = 0x02000000;
/** sample_flags for other samples: sample_depends_on = 1, sample_is_non_sync_sample = 1. */
export const NON_SYNC_SAMPLE_FLAGS = 0x01010000;
/** An intra picture that is not a sync sample (SAP 3, open GOP): depends_on = 2, is_non_sync = 1. */
export const OPEN_GOP_SAMPLE_FLAGS = 0x02010000;

/** sample_flags derived from a SAP type: SAP 1/2 are sync samples; SAP 3 is intra but not sync. */
export function sampleFlagsForSap(sapType: SapType): number {
  if (sapType === 1 || sapType === 2) return SYNC_SAMPLE_FLAGS;
  if (sapType === 3) return OPEN_GOP_SAMPLE_FLAGS;
  return NON_SYNC_SAMPLE_FLAGS;
}

export interface ChunkSample {
  /** The sample bytes (length-prefixed NAL units, or a raw AAC frame). Referenced, never copied. */
  data: Uint8Array;
  /** Sample duration in the track timescale. */
  duration: number;
  /** CTS − DTS in the track timescale (may be negative with trun version 1). Default 0. */
  compositionOffset?: number;
  /** 0 = not a SAP; audio samples are usually all SAP 1. */
  sapType: SapType;
  /** Explicit sample_flags, overriding the ones derived from `sapType`. */
  flags?: number;
}

export interface ChunkTrack {
  trackId: number;
  /** tfdt baseMediaDecodeTime: decode time of the first sample, in the track timescale. */
  baseMediaDecodeTime: number | bigint;
  samples: readonly ChunkSample[];
}

export interface PrftInput {
  referenceTrackId: number;
  /** 64-bit NTP timestamp (see `unixMsToNtp` in time.ts). */
  ntpTimestamp: bigint;
  /** Media time of the reference track that `ntpTimestamp` corresponds to (its timescale). */
  mediaTime: number | bigint;
  /** prft flags (8.16.5); default 0. */
  flags?: number;
}

export interface EmsgInput {
  schemeIdUri: string;
  value: string;
  timescale: number;
  presentationTime: number | bigint;
  /** 0xFFFFFFFF = unknown. */
  eventDuration: number;
  id: number;
  messageData: Uint8Array;
}

export interface ChunkInput {
  /** mfhd sequence_number (starts at 1, increases by one per fragment). */
  sequenceNumber: number;
  /** One traf per track; the mdat holds the tracks' samples in this order. */
  tracks: readonly ChunkTrack[];
  prft?: PrftInput;
  /** Event messages written before the moof. */
  emsg?: readonly EmsgInput[];
  /**
   * `'tfhd'` (default): values shared by all samples of a traf (duration, flags; or all but the first
   * sample's flags) go to tfhd defaults / first_sample_flags instead of trun columns; composition offsets
   * are written only when one is non-zero. `'none'`: every trun carries duration, size, flags and
   * composition offset per sample.
   */
  sampleDefaults?: 'tfhd' | 'none';
  /** trun version; default 1 (signed composition offsets). */
  trunVersion?: 0 | 1;
}

export interface Chunk {
  /** [prft] [emsg…] moof + the mdat box header. */
  header: Uint8Array;
  /** The samples' bytes, by reference, in mdat order. */
  payload: Uint8Array[];
  /** header.byteLength + the payload's total length. */
  size: number;
  /** Whether every track's first sample is a SAP of type 1–3 (LL-HLS INDEPENDENT=YES). */
  independent: boolean;
}

function allEqual(values: readonly number[], from = 0): boolean {
  for (let i = from + 1; i < values.length; i++) if (values[i] !== values[from]) return false;
  return true;
}

/** tfhd + trun fields for one track, with the data_offset left to the caller. */
function trackFields(
  t: ChunkTrack,
  mode: 'tfhd' | 'none',
  version: 0 | 1,
): { tfhd: TfhdFields; trun: Omit<TrunFields, 'data_offset'> } {
  const s = t.samples;
  const n = s.length;
  const durations = s.map((x) => x.duration);
  const flags = s.map((x) => x.flags ?? sampleFlagsForSap(x.sapType));
  const offsets = s.map((x) => x.compositionOffset ?? 0);
  const head: TfhdFields = { track_ID: t.trackId, default_base_is_moof: true };
  const run: Omit<TrunFields, 'data_offset'> = {
    version,
    sample_count: n,
    sample_size: (i) => s[i]?.data.byteLength ?? 0,
  };
  if (mode === 'none') {
    run.sample_duration = (i) => durations[i] ?? 0;
    run.sample_flags = (i) => flags[i] ?? 0;
    run.sample_composition_time_offset = (i) => offsets[i] ?? 0;
    return { tfhd: head, trun: run };
  }
  if (allEqual(durations)) head.default_sample_duration = durations[0];
  else run.sample_duration = (i) => durations[i] ?? 0;
  if (allEqual(flags)) {
    head.default_sample_flags = flags[0];
  } else if (n > 1 && allEqual(flags, 1)) {
    run.first_sample_flags = flags[0];
    head.default_sample_flags = flags[1];
  } else {
    run.sample_flags = (i) => flags[i] ?? 0;
  }
  if (offsets.some((o) => o !== 0)) run.sample_composition_time_offset = (i) => offsets[i] ?? 0;
  return { tfhd: head, trun: run };
}

/** Writes one CMAF chunk (moof + mdat) for one or more tracks, without copying sample data. */
export function writeChunk(input: ChunkInput): Chunk {
  const { tracks } = input;
  if (tracks.length === 0) throw new RangeError('writeChunk: no tracks');
  const seen = new Set<number>();
  for (const t of tracks) {
    if (t.samples.length === 0) throw new RangeError(`writeChunk: track ${t.trackId} has no samples`);
    if (seen.has(t.trackId)) throw new RangeError(`writeChunk: track ${t.trackId} appears twice`);
    seen.add(t.trackId);
  }
  const mode = input.sampleDefaults ?? 'tfhd';
  const version = input.trunVersion ?? 1;
  const prepared = tracks.map((t) => ({ track: t, ...trackFields(t, mode, version) }));
  const payload: Uint8Array[] = [];
  const trackBytes: number[] = [];
  let independent = true;
  for (const t of tracks) {
    let bytes = 0;
    for (const sample of t.samples) {
      payload.push(sample.data);
      bytes += sample.data.byteLength;
    }
    trackBytes.push(bytes);
    const first = t.samples[0]?.sapType ?? 0;
    if (first < 1 || first > 3) independent = false;
  }
  const mdatPayload = trackBytes.reduce((a, b) => a + b, 0);
  const mdatHead = mdatHeader(mdatPayload);

  const buildMoof = (dataOffsets: readonly number[]): Part =>
    moof(
      mfhd(input.sequenceNumber),
      ...prepared.map((p, k) =>
        traf(
          tfhd(p.tfhd),
          tfdt(p.track.baseMediaDecodeTime),
          trun({ ...p.trun, data_offset: dataOffsets[k] ?? 0 }),
        ),
      ),
    );
  // data_offset is relative to the moof's first byte (default-base-is-moof): moof, mdat header, then
  // the earlier tracks' samples. The moof's size does not depend on the offsets' values.
  const moofSize = buildMoof(tracks.map(() => 0)).size;
  const offsets: number[] = [];
  let at = moofSize + mdatHead.size;
  for (const bytes of trackBytes) {
    offsets.push(at);
    at += bytes;
  }
  const before: Part[] = [];
  if (input.prft) {
    before.push(
      prft({
        flags: input.prft.flags ?? 0,
        reference_track_ID: input.prft.referenceTrackId,
        ntp_timestamp: input.prft.ntpTimestamp,
        media_time: input.prft.mediaTime,
      }),
    );
  }
  for (const e of input.emsg ?? []) before.push(emsg(emsgFields(e)));
  const header = serialize(...before, buildMoof(offsets), mdatHead);
  return { header, payload, size: header.byteLength + mdatPayload, independent };
}

function emsgFields(e: EmsgInput): EmsgFields {
  return {
    scheme_id_uri: e.schemeIdUri,
    value: e.value,
    timescale: e.timescale,
    presentation_time: e.presentationTime,
    event_duration: e.eventDuration,
    id: e.id,
    message_data: e.messageData,
  };
}

/** A standalone `emsg` (version 1), e.g. to put at the start of a segment after `styp`. */
export function writeEmsg(input: EmsgInput): Uint8Array {
  return serialize(emsg(emsgFields(input)));
}

/** A standalone `sidx` (version 1). */
export function writeSidx(fields: SidxFields): Uint8Array {
  return serialize(sidx(fields));
}
