/**
 * Segment and fragment boxes (ISO/IEC 14496-12 and 23009-1): styp, moof, mfhd, traf, tfhd, tfdt, trun,
 * the mdat header, prft, emsg, sidx. One function per box, named by its FourCC.
 */
import { box, boxHeader, bytes, fourcc, fullBox, type Part, table, u16, u32, u64, utf8z } from './part.js';

const MAX_U32 = 0xffffffff;

/** SegmentTypeBox (8.16.2): same layout as ftyp. */
export function styp(major_brand: string, minor_version: number, compatible_brands: readonly string[]): Part {
  return box(
    'styp',
    fourcc(major_brand), // major_brand
    u32(minor_version), // minor_version
    ...compatible_brands.map((b) => fourcc(b)), // compatible_brands[]
  );
}

export function moof(...children: Part[]): Part {
  return box('moof', ...children);
}

export function mfhd(sequence_number: number): Part {
  return fullBox('mfhd', 0, 0, u32(sequence_number)); // sequence_number
}

export function traf(...children: Part[]): Part {
  return box('traf', ...children);
}

/** tfhd flag bits (8.8.7.1). */
export const TFHD = {
  base_data_offset_present: 0x000001,
  sample_description_index_present: 0x000002,
  default_sample_duration_present: 0x000008,
  default_sample_size_present: 0x000010,
  default_sample_flags_present: 0x000020,
  duration_is_empty: 0x010000,
  default_base_is_moof: 0x020000,
} as const;

export interface TfhdFields {
  track_ID: number;
  default_base_is_moof: boolean;
  base_data_offset?: number;
  sample_description_index?: number;
  default_sample_duration?: number;
  default_sample_size?: number;
  default_sample_flags?: number;
}

/** tfhd: the flags are derived from which optional fields are given. */
export function tfhd(f: TfhdFields): Part {
  let flags = f.default_base_is_moof ? TFHD.default_base_is_moof : 0;
  const optional: Part[] = [];
  if (f.base_data_offset !== undefined) {
    flags |= TFHD.base_data_offset_present;
    optional.push(u64(f.base_data_offset)); // base_data_offset
  }
  if (f.sample_description_index !== undefined) {
    flags |= TFHD.sample_description_index_present;
    optional.push(u32(f.sample_description_index)); // sample_description_index
  }
  if (f.default_sample_duration !== undefined) {
    flags |= TFHD.default_sample_duration_present;
    optional.push(u32(f.default_sample_duration)); // default_sample_duration
  }
  if (f.default_sample_size !== undefined) {
    flags |= TFHD.default_sample_size_present;
    optional.push(u32(f.default_sample_size)); // default_sample_size
  }
  if (f.default_sample_flags !== undefined) {
    flags |= TFHD.default_sample_flags_present;
    optional.push(u32(f.default_sample_flags)); // default_sample_flags
  }
  return fullBox('tfhd', 0, flags, u32(f.track_ID), ...optional); // track_ID, then the optional fields
}

/** tfdt (8.8.12), always version 1 (64-bit baseMediaDecodeTime). */
export function tfdt(baseMediaDecodeTime: number | bigint): Part {
  return fullBox('tfdt', 1, 0, u64(baseMediaDecodeTime)); // baseMediaDecodeTime
}

/** trun flag bits (8.8.8.1). */
export const TRUN = {
  data_offset_present: 0x000001,
  first_sample_flags_present: 0x000004,
  sample_duration_present: 0x000100,
  sample_size_present: 0x000200,
  sample_flags_present: 0x000400,
  sample_composition_time_offsets_present: 0x000800,
} as const;

type PerSample = (i: number) => number;

export interface TrunFields {
  /** 0: unsigned composition offsets; 1: signed. */
  version: 0 | 1;
  sample_count: number;
  data_offset?: number;
  first_sample_flags?: number;
  /** Per-sample columns: a column is written (and its flag set) when its accessor is given. */
  sample_duration?: PerSample;
  sample_size?: PerSample;
  sample_flags?: PerSample;
  sample_composition_time_offset?: PerSample;
}

/** trun: flags derived from the optional fields; one table row per sample, no per-sample objects. */
export function trun(f: TrunFields): Part {
  const n = f.sample_count;
  const columns: { get: PerSample; signed: boolean; name: string }[] = [];
  let flags = 0;
  const head: Part[] = [u32(n)]; // sample_count
  if (f.data_offset !== undefined) {
    flags |= TRUN.data_offset_present;
    head.push(i32Checked(f.data_offset)); // data_offset
  }
  if (f.first_sample_flags !== undefined) {
    flags |= TRUN.first_sample_flags_present;
    head.push(u32(f.first_sample_flags)); // first_sample_flags
  }
  if (f.sample_duration) {
    flags |= TRUN.sample_duration_present;
    columns.push({ get: f.sample_duration, signed: false, name: 'sample_duration' });
  }
  if (f.sample_size) {
    flags |= TRUN.sample_size_present;
    columns.push({ get: f.sample_size, signed: false, name: 'sample_size' });
  }
  if (f.sample_flags) {
    flags |= TRUN.sample_flags_present;
    columns.push({ get: f.sample_flags, signed: false, name: 'sample_flags' });
  }
  if (f.sample_composition_time_offset) {
    flags |= TRUN.sample_composition_time_offsets_present;
    columns.push({
      get: f.sample_composition_time_offset,
      signed: f.version === 1,
      name: 'sample_composition_time_offset',
    });
  }
  for (const c of columns) {
    for (let i = 0; i < n; i++) checkColumn(c.get(i), c.signed, c.name);
  }
  const rows = table(n, 4 * columns.length, (view, at, i) => {
    let pos = at;
    for (const c of columns) {
      if (c.signed) view.setInt32(pos, c.get(i));
      else view.setUint32(pos, c.get(i));
      pos += 4;
    }
  });
  return fullBox('trun', f.version, flags, ...head, rows);
}

function checkColumn(v: number, signed: boolean, name: string): void {
  const ok = signed
    ? Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff
    : Number.isInteger(v) && v >= 0 && v <= MAX_U32;
  if (!ok) throw new RangeError(`trun ${name}: ${v} does not fit ${signed ? 'i32' : 'u32'}`);
}

function i32Checked(v: number): Part {
  checkColumn(v, true, 'data_offset');
  return { size: 4, write: (o, at) => o.view.setInt32(at, v) };
}

/** The header of an mdat whose `payloadSize` bytes are written separately (by reference). */
export function mdatHeader(payloadSize: number): Part {
  return boxHeader('mdat', payloadSize);
}

export interface PrftFields {
  /** 0: time the sample was input to the encoder (see 8.16.5 for the other values). */
  flags: number;
  reference_track_ID: number;
  /** NTP 64-bit timestamp (32.32 seconds since 1900-01-01). */
  ntp_timestamp: bigint;
  /** In the reference track's timescale. */
  media_time: number | bigint;
}

/** ProducerReferenceTimeBox (8.16.5), version 1 (64-bit media_time). */
export function prft(f: PrftFields): Part {
  return fullBox(
    'prft',
    1,
    f.flags,
    u32(f.reference_track_ID), // reference_track_ID
    u64(f.ntp_timestamp), // ntp_timestamp
    u64(f.media_time), // media_time
  );
}

export interface EmsgFields {
  scheme_id_uri: string;
  value: string;
  timescale: number;
  presentation_time: number | bigint;
  /** 0xFFFFFFFF = unknown. */
  event_duration: number;
  id: number;
  message_data: Uint8Array;
}

/** DASHEventMessageBox (23009-1 5.10.3.3), version 1 (absolute 64-bit presentation_time). */
export function emsg(f: EmsgFields): Part {
  return fullBox(
    'emsg',
    1,
    0,
    u32(f.timescale), // timescale
    u64(f.presentation_time), // presentation_time
    u32(f.event_duration), // event_duration
    u32(f.id), // id
    utf8z(f.scheme_id_uri), // scheme_id_uri
    utf8z(f.value), // value
    bytes(f.message_data), // message_data
  );
}

export interface SidxReference {
  /** 0: media (a moof), 1: another sidx. */
  reference_type: 0 | 1;
  referenced_size: number;
  subsegment_duration: number;
  starts_with_SAP: boolean;
  SAP_type: number;
  SAP_delta_time: number;
}

export interface SidxFields {
  reference_ID: number;
  timescale: number;
  earliest_presentation_time: number | bigint;
  first_offset: number | bigint;
  references: readonly SidxReference[];
}

/** SegmentIndexBox (8.16.3), version 1 (64-bit times and offsets). */
export function sidx(f: SidxFields): Part {
  const refs = f.references;
  for (const r of refs) {
    if (r.referenced_size >= 2 ** 31) throw new RangeError(`sidx referenced_size ${r.referenced_size}`);
    if (r.SAP_delta_time >= 2 ** 28) throw new RangeError(`sidx SAP_delta_time ${r.SAP_delta_time}`);
    if (
      !Number.isInteger(r.subsegment_duration) ||
      r.subsegment_duration < 0 ||
      r.subsegment_duration > MAX_U32
    ) {
      throw new RangeError(`sidx subsegment_duration ${r.subsegment_duration}`);
    }
  }
  const rows = table(refs.length, 12, (view, at, i) => {
    const r = refs[i];
    if (!r) return;
    view.setUint32(at, ((r.reference_type << 31) | r.referenced_size) >>> 0); // reference_type, referenced_size
    view.setUint32(at + 4, r.subsegment_duration); // subsegment_duration
    const sap = ((r.starts_with_SAP ? 1 : 0) << 31) | ((r.SAP_type & 7) << 28) | r.SAP_delta_time;
    view.setUint32(at + 8, sap >>> 0); // starts_with_SAP, SAP_type, SAP_delta_time
  });
  return fullBox(
    'sidx',
    1,
    0,
    u32(f.reference_ID), // reference_ID
    u32(f.timescale), // timescale
    u64(f.earliest_presentation_time), // earliest_presentation_time
    u64(f.first_offset), // first_offset
    u16(0), // reserved
    u16(refs.length), // reference_count
    rows,
  );
}
