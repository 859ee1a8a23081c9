/**
 * Sample tables read where they lie: the stts, ctts, stsc, stsz/stz2, stco/co64 and stss boxes of each
 * track stay as the moov's bytes (about 4 to 16 bytes a sample) and are read entry by entry with a
 * DataView. mp4box.js is handed the moov without them (stripSampleTables), so it never builds its JS
 * arrays for them (one number per entry, plus growth slack: large objects that V8 keeps until a full
 * collection, and a parse that takes time in proportion to the file's length).
 */
import { MalformedInput } from './malformed.js';
import type { Trak } from './track-props.js';

/** One number per entry of a table. */
export interface Column {
  readonly length: number;
  at(i: number): number;
  /**
   * Entries [from, to) added up (to ≤ length): one call for a run of entries (a call per entry costs more
   * until V8 has compiled the loop, and the totals are taken once, at open).
   */
  sum(from: number, to: number): number;
}

/** Entries [from, to) of `c` added up one by one (columns read too rarely to need a loop of their own). */
function sumOf(c: Column, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) n += c.at(i);
  return n;
}

/** Big-endian unsigned 32-bit fields, `stride` bytes apart. */
class U32Column implements Column {
  constructor(
    private readonly dv: DataView,
    private readonly base: number,
    readonly length: number,
    private readonly stride: number,
  ) {}
  at(i: number): number {
    return this.dv.getUint32(this.base + i * this.stride);
  }
  sum(from: number, to: number): number {
    const { dv, stride } = this;
    let n = 0;
    for (let p = this.base + from * stride, end = this.base + to * stride; p < end; p += stride)
      n += dv.getUint32(p);
    return n;
  }
}

/** Big-endian signed 32-bit fields, `stride` bytes apart; with `min`, smaller values read as `min`. */
class I32Column implements Column {
  constructor(
    private readonly dv: DataView,
    private readonly base: number,
    readonly length: number,
    private readonly stride: number,
    private readonly floor?: number,
  ) {}
  at(i: number): number {
    const v = this.dv.getInt32(this.base + i * this.stride);
    return this.floor !== undefined && v < 0 ? this.floor : v;
  }
  sum(from: number, to: number): number {
    return sumOf(this, from, to);
  }
}

/** Big-endian 64-bit offsets (co64). */
class U64Column implements Column {
  constructor(
    private readonly dv: DataView,
    private readonly base: number,
    readonly length: number,
  ) {}
  at(i: number): number {
    const p = this.base + i * 8;
    return this.dv.getUint32(p) * 2 ** 32 + this.dv.getUint32(p + 4);
  }
  sum(from: number, to: number): number {
    return sumOf(this, from, to);
  }
}

/** A column held in memory (tables parsed by mp4box.js, or stz2's packed sizes). */
class ArrayColumn implements Column {
  constructor(private readonly values: ArrayLike<number>) {}
  get length(): number {
    return this.values.length;
  }
  at(i: number): number {
    return this.values[i] ?? 0;
  }
  sum(from: number, to: number): number {
    let n = 0;
    for (let i = from; i < to; i++) n += this.values[i] ?? 0;
    return n;
  }
}

const EMPTY: Column = new ArrayColumn([]);

/** The sample tables of one track. */
export interface SampleTables {
  /** Number of samples. */
  count: number;
  /** Size of every sample when the table gives one for all (sizes undefined), else 0. */
  constantSize: number;
  sizes: Column | undefined;
  chunkOffsets: Column;
  /** stsc: first chunk (1-based) and samples per chunk of each run. */
  firstChunk: Column;
  perChunk: Column;
  /** stts: runs of equal durations. */
  sttsCounts: Column;
  sttsDeltas: Column;
  /** ctts: runs of equal composition offsets (absent: CTS = DTS). */
  cttsCounts: Column | undefined;
  cttsOffsets: Column | undefined;
  /** stss: 1-based numbers of the sync samples (absent: every sample is one). */
  syncNumbers: Column | undefined;
  /** Bytes the tables keep alive (the boxes' bytes, or the arrays' numbers). */
  bytes: number;
  /** Path of the stbl box (`moov/trak[1]/mdia/minf/stbl`), for messages. */
  where: string;
}

/** The boxes of one stbl that hold tables: type → the whole box (header included). */
export type TableBoxes = Partial<Record<(typeof TABLE_TYPES)[number], Uint8Array>>;

export const TABLE_TYPES = ['stts', 'ctts', 'stsc', 'stsz', 'stz2', 'stco', 'co64', 'stss'] as const;
const IS_TABLE = new Set<string>(TABLE_TYPES);

/** Versions each table box is defined with (ISO/IEC 14496-12); the others are corrupt, not empty. */
const VERSIONS: Record<string, readonly number[]> = { ctts: [0, 1] };

interface Full {
  version: number;
  dv: DataView;
  /** Offset of the payload after version and flags. */
  at: number;
  end: number;
  /** The box's path, for messages. */
  path: string;
}

/** A table box's payload after version and flags; its version must be one the box is defined with. */
function fullBox(box: Uint8Array, where: string): Full {
  const dv = new DataView(box.buffer, box.byteOffset, box.byteLength);
  const path = `${where}/${type4(box)}`;
  const hdr = dv.getUint32(0) === 1 ? 16 : 8;
  if (box.length < hdr + 4) throw new MalformedInput(`${path} is ${box.length} bytes: too short for a table`);
  const version = box[hdr]!;
  const allowed = VERSIONS[type4(box)] ?? [0];
  if (!allowed.includes(version))
    throw new MalformedInput(
      `${path} has version ${version}; only version ${allowed.join(' or ')} is defined`,
    );
  return { version, dv, at: hdr + 4, end: box.length, path };
}

function type4(box: Uint8Array): string {
  return String.fromCharCode(box[4]!, box[5]!, box[6]!, box[7]!);
}

/** `n` entries of `size` bytes from `at`: they must fit in the box. */
function fits(f: Full, at: number, n: number, size: number): void {
  if (at + n * size > f.end)
    throw new MalformedInput(
      `${f.path} declares ${n} entries (${n * size} bytes) but holds ${Math.max(0, f.end - at)} bytes of them`,
    );
}

/** Reads `{count, then entries of `size` bytes}` of a table box. */
function entries(box: Uint8Array, size: number, where: string): { dv: DataView; base: number; n: number } {
  const f = fullBox(box, where);
  if (f.at + 4 > f.end) throw new MalformedInput(`${f.path} is too short for its entry count`);
  const n = f.dv.getUint32(f.at);
  fits(f, f.at + 4, n, size);
  return { dv: f.dv, base: f.at + 4, n };
}

/**
 * stsc's first_chunk values must increase (ISO/IEC 14496-12 §8.7.4): a run that goes back would have
 * samples read from the wrong chunks.
 */
function checkStsc(first: Column, path: string): void {
  let prev = 0;
  for (let i = 0; i < first.length; i++) {
    const v = first.at(i);
    if (v <= prev)
      throw new MalformedInput(
        i === 0
          ? `${path} entry 1 has first_chunk 0; chunks are numbered from 1`
          : `${path} entry ${i + 1} has first_chunk ${v}, not above the previous entry's ${prev}`,
      );
    prev = v;
  }
}

/**
 * The tables of a track from its boxes as they are in the file (the reading mp4box.js would make of a
 * valid file). `where`: the stbl's path. Throws MalformedInput for a table that cannot be right.
 */
export function tablesFromBoxes(boxes: TableBoxes, where = 'stbl'): SampleTables {
  let bytes = 0;
  for (const b of Object.values(boxes)) bytes += b.length;
  let count = 0;
  let constantSize = 0;
  let sizes: Column | undefined;
  if (boxes.stsz) {
    const f = fullBox(boxes.stsz, where);
    if (f.at + 8 > f.end) throw new MalformedInput(`${f.path} is too short`);
    const sampleSize = f.dv.getUint32(f.at);
    const n = f.dv.getUint32(f.at + 4);
    if (sampleSize > 0) {
      count = n;
      constantSize = sampleSize;
    } else {
      fits(f, f.at + 8, n, 4);
      sizes = new U32Column(f.dv, f.at + 8, n, 4);
      count = n;
    }
  } else if (boxes.stz2) {
    const f = fullBox(boxes.stz2, where);
    if (f.at + 8 > f.end) throw new MalformedInput(`${f.path} is too short`);
    const fieldSize = f.dv.getUint8(f.at + 3);
    const n = f.dv.getUint32(f.at + 4);
    const base = f.at + 8;
    if (fieldSize !== 4 && fieldSize !== 8 && fieldSize !== 16)
      throw new MalformedInput(`${f.path} has field_size ${fieldSize}; 4, 8 or 16 is defined`);
    // Checked before allocating: the count is only as good as the bytes behind it.
    if (fieldSize === 4) fits(f, base, Math.ceil(n / 2), 1);
    else fits(f, base, n, fieldSize / 8);
    const out = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      if (fieldSize === 4) {
        const b = f.dv.getUint8(base + (i >> 1));
        out[i] = i & 1 ? b & 15 : (b >> 4) & 15;
      } else {
        out[i] = fieldSize === 8 ? f.dv.getUint8(base + i) : f.dv.getUint16(base + 2 * i);
      }
    }
    sizes = new ArrayColumn(out);
    count = n;
    bytes += out.byteLength;
  } else {
    sizes = EMPTY;
  }

  let chunkOffsets = EMPTY;
  if (boxes.stco) {
    const e = entries(boxes.stco, 4, where);
    chunkOffsets = new U32Column(e.dv, e.base, e.n, 4);
  } else if (boxes.co64) {
    const e = entries(boxes.co64, 8, where);
    chunkOffsets = new U64Column(e.dv, e.base, e.n);
  }

  let firstChunk = EMPTY;
  let perChunk = EMPTY;
  if (boxes.stsc) {
    const e = entries(boxes.stsc, 12, where);
    firstChunk = new U32Column(e.dv, e.base, e.n, 12);
    perChunk = new U32Column(e.dv, e.base + 4, e.n, 12);
    checkStsc(firstChunk, `${where}/stsc`);
  }

  let sttsCounts = EMPTY;
  let sttsDeltas = EMPTY;
  if (boxes.stts) {
    const e = entries(boxes.stts, 8, where);
    sttsCounts = new U32Column(e.dv, e.base, e.n, 8);
    // A negative delta reads as 1, as mp4box.js does.
    sttsDeltas = new I32Column(e.dv, e.base + 4, e.n, 8, 1);
  }

  let cttsCounts: Column | undefined;
  let cttsOffsets: Column | undefined;
  if (boxes.ctts) {
    const e = entries(boxes.ctts, 8, where);
    cttsCounts = new U32Column(e.dv, e.base, e.n, 8);
    cttsOffsets = new I32Column(e.dv, e.base + 4, e.n, 8); // signed in both versions, as mp4box.js
  }

  let syncNumbers: Column | undefined;
  if (boxes.stss) {
    const e = entries(boxes.stss, 4, where);
    syncNumbers = new U32Column(e.dv, e.base, e.n, 4);
  }

  return {
    count,
    constantSize,
    sizes: constantSize > 0 ? undefined : sizes,
    chunkOffsets,
    firstChunk,
    perChunk,
    sttsCounts,
    sttsDeltas,
    cttsCounts,
    cttsOffsets,
    syncNumbers,
    bytes,
    where,
  };
}

interface ParsedTable {
  version?: number;
}

interface ParsedStbl {
  stts?: ParsedTable & { sample_counts: number[]; sample_deltas: number[] };
  ctts?: ParsedTable & { sample_counts: number[]; sample_offsets: number[] };
  stsc?: ParsedTable & { first_chunk: number[]; samples_per_chunk: number[] };
  stco?: ParsedTable & { chunk_offsets: number[] };
  co64?: ParsedTable & { chunk_offsets: number[] };
  stsz?: ParsedTable & { sample_sizes: number[]; sample_size: number; sample_count: number };
  stz2?: ParsedTable & { sample_sizes: number[] };
  stss?: ParsedTable & { sample_numbers?: number[] };
}

/**
 * The tables of a track as mp4box.js parsed them (when the moov could not be walked to strip them), with
 * the same checks as tablesFromBoxes: mp4box.js reads a table of another version as empty.
 */
export function tablesFromTrak(trak: Trak, where = 'stbl'): SampleTables {
  const stbl = trak.mdia.minf.stbl as unknown as ParsedStbl;
  for (const type of TABLE_TYPES) {
    const box = stbl[type];
    const allowed = VERSIONS[type] ?? [0];
    if (box && box.version !== undefined && !allowed.includes(box.version))
      throw new MalformedInput(
        `${where}/${type} has version ${box.version}; only version ${allowed.join(' or ')} is defined`,
      );
  }
  const stsz = stbl.stsz;
  const sizes = stsz?.sample_sizes ?? stbl.stz2?.sample_sizes ?? [];
  const constant = stsz !== undefined && stsz.sample_size > 0;
  const col = (a: readonly number[] | undefined): Column => (a ? new ArrayColumn(a) : EMPTY);
  const counted = [
    sizes,
    stbl.stco?.chunk_offsets ?? stbl.co64?.chunk_offsets,
    stbl.stsc?.first_chunk,
    stbl.stsc?.samples_per_chunk,
    stbl.stts?.sample_counts,
    stbl.stts?.sample_deltas,
    stbl.ctts?.sample_counts,
    stbl.ctts?.sample_offsets,
    stbl.stss?.sample_numbers,
  ];
  const firstChunk = col(stbl.stsc?.first_chunk);
  checkStsc(firstChunk, `${where}/stsc`);
  return {
    count: constant ? stsz.sample_count : sizes.length,
    constantSize: constant ? stsz.sample_size : 0,
    sizes: constant ? undefined : col(sizes),
    chunkOffsets: col(stbl.stco?.chunk_offsets ?? stbl.co64?.chunk_offsets),
    firstChunk,
    perChunk: col(stbl.stsc?.samples_per_chunk),
    sttsCounts: col(stbl.stts?.sample_counts),
    sttsDeltas: col(stbl.stts?.sample_deltas),
    cttsCounts: stbl.ctts ? col(stbl.ctts.sample_counts) : undefined,
    cttsOffsets: stbl.ctts ? col(stbl.ctts.sample_offsets) : undefined,
    syncNumbers: stbl.stss?.sample_numbers ? col(stbl.stss.sample_numbers) : undefined,
    bytes: counted.reduce((n, a) => n + 8 * (a?.length ?? 0), 0),
    where,
  };
}

interface Child {
  type: string;
  start: number;
  hdr: number;
  end: number;
}

/** The boxes in bytes[from, to), or undefined if a size does not add up (mp4box.js then judges). */
function children(bytes: Uint8Array, dv: DataView, from: number, to: number): Child[] | undefined {
  const out: Child[] = [];
  let p = from;
  while (p + 8 <= to) {
    let size = dv.getUint32(p);
    let hdr = 8;
    const type = String.fromCharCode(bytes[p + 4]!, bytes[p + 5]!, bytes[p + 6]!, bytes[p + 7]!);
    if (size === 1) {
      if (p + 16 > to) return undefined;
      size = dv.getUint32(p + 8) * 2 ** 32 + dv.getUint32(p + 12);
      hdr = 16;
    } else if (size === 0) {
      size = to - p;
    }
    if (size < hdr || p + size > to) return undefined;
    out.push({ type, start: p, hdr, end: p + size });
    p += size;
  }
  return p === to ? out : undefined;
}

/** Containers on the way from moov to the tables. */
const PATH: Record<string, string> = { moov: 'trak', trak: 'mdia', mdia: 'minf', minf: 'stbl' };

export interface TrakTables {
  /** tkhd's track_id (undefined without a readable tkhd). */
  trackId: number | undefined;
  boxes: TableBoxes;
}

/**
 * The moov box (`moov`, the whole box) without its tracks' sample tables, and those tables per trak in
 * file order (views of `moov`). Undefined when the boxes on the way do not add up: mp4box.js then gets
 * the moov as it is.
 */
export function stripSampleTables(moov: Uint8Array): { moov: Uint8Array; traks: TrakTables[] } | undefined {
  const dv = new DataView(moov.buffer, moov.byteOffset, moov.byteLength);
  const traks: TrakTables[] = [];
  const pieces: Uint8Array[] = [];

  /** Writes `box` (a container on PATH, or stbl) into pieces without the tables; returns its new size. */
  function copy(box: Child): number | undefined {
    const kids = children(moov, dv, box.start + box.hdr, box.end);
    if (!kids) return undefined;
    const header = new Uint8Array(8);
    pieces.push(header);
    let size = 8;
    if (box.type === 'trak') traks.push({ trackId: undefined, boxes: {} });
    const trak = traks.at(-1);
    for (const k of kids) {
      if (box.type === 'stbl' && IS_TABLE.has(k.type)) {
        if (trak) trak.boxes[k.type as keyof TableBoxes] ??= moov.subarray(k.start, k.end);
        continue;
      }
      if (box.type === 'trak' && k.type === 'tkhd' && trak && k.end - k.start >= k.hdr + 24) {
        const v = moov[k.start + k.hdr]!;
        trak.trackId = dv.getUint32(k.start + k.hdr + (v === 1 ? 20 : 12));
      }
      if (PATH[box.type] === k.type) {
        const n = copy(k);
        if (n === undefined) return undefined;
        size += n;
      } else {
        pieces.push(moov.subarray(k.start, k.end));
        size += k.end - k.start;
      }
    }
    if (size > 0xffffffff) return undefined;
    new DataView(header.buffer).setUint32(0, size);
    header.set(moov.subarray(box.start + 4, box.start + 8), 4);
    return size;
  }

  if (moov.length < 8) return undefined;
  const top = children(moov, dv, 0, moov.length);
  if (!top || top.length !== 1 || top[0]!.type !== 'moov') return undefined;
  const size = copy(top[0]!);
  if (size === undefined) return undefined;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of pieces) {
    out.set(p, at);
    at += p.length;
  }
  return { moov: out, traks };
}
