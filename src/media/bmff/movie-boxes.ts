/**
 * Movie-level boxes of an initialisation segment (ISO/IEC 14496-12): one function per box, named by its
 * FourCC, one field per line with the specification's field name. Each returns a {@link Part}.
 */
import {
  box,
  fixed16_16,
  fixed8_8,
  fourcc,
  fullBox,
  i16,
  i32,
  type Part,
  u16,
  u32,
  u64,
  utf8z,
  zeros,
} from './part.js';

const MAX_U32 = 0xffffffff;

/** The identity transformation matrix {0x00010000,0,0, 0,0x00010000,0, 0,0,0x40000000}. */
function matrix(): Part[] {
  return [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000].map((v) => i32(v));
}

/** 32-bit time fields (version 0) unless a value needs 64 bits (version 1). */
function timeVersion(...values: number[]): 0 | 1 {
  return values.some((v) => v > MAX_U32) ? 1 : 0;
}

function time(version: 0 | 1, value: number): Part {
  return version === 1 ? u64(value) : u32(value);
}

/** ftyp (8.1.2) and styp (8.16.2) share this layout. */
export function ftyp(major_brand: string, minor_version: number, compatible_brands: readonly string[]): Part {
  return box(
    'ftyp',
    fourcc(major_brand), // major_brand
    u32(minor_version), // minor_version
    ...compatible_brands.map((b) => fourcc(b)), // compatible_brands[]
  );
}

export function moov(...children: Part[]): Part {
  return box('moov', ...children);
}

export interface MvhdFields {
  timescale: number;
  duration: number;
  next_track_ID: number;
  creation_time?: number;
}

export function mvhd(f: MvhdFields): Part {
  const created = f.creation_time ?? 0;
  const v = timeVersion(created, f.duration);
  return fullBox(
    'mvhd',
    v,
    0,
    time(v, created), // creation_time
    time(v, created), // modification_time
    u32(f.timescale), // timescale
    time(v, f.duration), // duration
    fixed16_16(1), // rate
    fixed8_8(1), // volume
    zeros(2), // reserved
    zeros(8), // reserved[2]
    ...matrix(), // matrix
    zeros(24), // pre_defined[6]
    u32(f.next_track_ID), // next_track_ID
  );
}

export function trak(...children: Part[]): Part {
  return box('trak', ...children);
}

export interface TkhdFields {
  track_ID: number;
  duration: number;
  /** 8.3.2: 0x1 track_enabled, 0x2 track_in_movie, 0x4 track_in_preview. */
  flags: number;
  alternate_group: number;
  /** 1.0 for audio, 0 for other tracks. */
  volume: number;
  /** Presentation size (after pixel aspect ratio), in pixels. */
  width: number;
  height: number;
  creation_time?: number;
}

export function tkhd(f: TkhdFields): Part {
  const created = f.creation_time ?? 0;
  const v = timeVersion(created, f.duration);
  return fullBox(
    'tkhd',
    v,
    f.flags,
    time(v, created), // creation_time
    time(v, created), // modification_time
    u32(f.track_ID), // track_ID
    zeros(4), // reserved
    time(v, f.duration), // duration
    zeros(8), // reserved[2]
    i16(0), // layer
    i16(f.alternate_group), // alternate_group
    fixed8_8(f.volume), // volume
    zeros(2), // reserved
    ...matrix(), // matrix
    fixed16_16(f.width), // width
    fixed16_16(f.height), // height
  );
}

export function edts(...children: Part[]): Part {
  return box('edts', ...children);
}

export interface ElstEntry {
  /** In the movie timescale; 0 = "the whole (fragmented) media, duration unknown". */
  segment_duration: number;
  /** In the media timescale; -1 = an empty edit. */
  media_time: number;
  media_rate_integer?: number;
  media_rate_fraction?: number;
}

/** elst (8.6.6). Version 1 only when a value needs 64 bits. */
export function elst(entries: readonly ElstEntry[]): Part {
  const v = entries.some((e) => e.segment_duration > MAX_U32 || Math.abs(e.media_time) > 0x7fffffff) ? 1 : 0;
  const parts: Part[] = [u32(entries.length)]; // entry_count
  for (const e of entries) {
    parts.push(
      v === 1 ? u64(e.segment_duration) : u32(e.segment_duration), // segment_duration
      v === 1 ? i64(e.media_time) : i32(e.media_time), // media_time
      i16(e.media_rate_integer ?? 1), // media_rate_integer
      i16(e.media_rate_fraction ?? 0), // media_rate_fraction
    );
  }
  return fullBox('elst', v, 0, ...parts);
}

function i64(value: number): Part {
  if (!Number.isSafeInteger(value)) throw new RangeError(`i64: ${value} is not a safe integer`);
  const v = BigInt(value);
  return { size: 8, write: (o, at) => o.view.setBigInt64(at, v) };
}

export function mdia(...children: Part[]): Part {
  return box('mdia', ...children);
}

/** ISO-639-2/T code packed as three 5-bit letters (each `char - 0x60`), e.g. 'und' = 0x55C4. */
export function packLanguage(language: string): number {
  if (!/^[a-z]{3}$/.test(language)) throw new RangeError(`language: "${language}" is not an ISO-639-2 code`);
  let packed = 0;
  for (let i = 0; i < 3; i++) packed = (packed << 5) | (language.charCodeAt(i) - 0x60);
  return packed;
}

export interface MdhdFields {
  timescale: number;
  duration: number;
  language: string;
  creation_time?: number;
}

export function mdhd(f: MdhdFields): Part {
  const created = f.creation_time ?? 0;
  const v = timeVersion(created, f.duration);
  return fullBox(
    'mdhd',
    v,
    0,
    time(v, created), // creation_time
    time(v, created), // modification_time
    u32(f.timescale), // timescale
    time(v, f.duration), // duration
    u16(packLanguage(f.language)), // pad (1 bit, 0) + language (15 bits)
    u16(0), // pre_defined
  );
}

export function hdlr(handler_type: string, name: string): Part {
  return fullBox(
    'hdlr',
    0,
    0,
    u32(0), // pre_defined
    fourcc(handler_type), // handler_type
    zeros(12), // reserved[3]
    utf8z(name), // name
  );
}

export function minf(...children: Part[]): Part {
  return box('minf', ...children);
}

export function vmhd(): Part {
  return fullBox(
    'vmhd',
    0,
    1,
    u16(0), // graphicsmode
    zeros(6), // opcolor[3]
  );
}

export function smhd(): Part {
  return fullBox(
    'smhd',
    0,
    0,
    i16(0), // balance
    zeros(2), // reserved
  );
}

/** dinf(dref(url )) with the single self-contained data reference (flags = 1: media in this file). */
export function dinf(): Part {
  return box(
    'dinf',
    fullBox(
      'dref',
      0,
      0,
      u32(1), // entry_count
      fullBox('url ', 0, 1), // DataEntryUrlBox, flags = 1 (self-contained)
    ),
  );
}

/** stbl with one sample entry and empty sample tables, as fragmented files have. */
export function stbl(sampleEntry: Part): Part {
  return box(
    'stbl',
    stsd(sampleEntry),
    fullBox('stts', 0, 0, u32(0)), // entry_count
    fullBox('stsc', 0, 0, u32(0)), // entry_count
    fullBox('stsz', 0, 0, u32(0), u32(0)), // sample_size, sample_count
    fullBox('stco', 0, 0, u32(0)), // entry_count
  );
}

export function stsd(...entries: Part[]): Part {
  return fullBox(
    'stsd',
    0,
    0,
    u32(entries.length), // entry_count
    ...entries,
  );
}

export function mvex(...children: Part[]): Part {
  return box('mvex', ...children);
}

/** mehd (8.8.2): the duration of the whole fragmented movie, in the movie timescale. */
export function mehd(fragment_duration: number): Part {
  const v = timeVersion(fragment_duration);
  return fullBox('mehd', v, 0, time(v, fragment_duration)); // fragment_duration
}

export interface TrexFields {
  track_ID: number;
  default_sample_description_index?: number;
  default_sample_duration?: number;
  default_sample_size?: number;
  default_sample_flags?: number;
}

export function trex(f: TrexFields): Part {
  return fullBox(
    'trex',
    0,
    0,
    u32(f.track_ID), // track_ID
    u32(f.default_sample_description_index ?? 1), // default_sample_description_index
    u32(f.default_sample_duration ?? 0), // default_sample_duration
    u32(f.default_sample_size ?? 0), // default_sample_size
    u32(f.default_sample_flags ?? 0), // default_sample_flags
  );
}
