/**
 * One CMAF chunk as one buffer, for a packager's hot path: `[prefix] [prft] [emsg…] moof mdat` with the
 * samples copied in, byte for byte what {@link writeChunk}'s `header` followed by its `payload` are
 * (test/media-writer/chunk-bytes.test.ts compares them on random inputs), but written directly with a
 * DataView: no box tree, no per-sample closure, the moof laid out once. The buffer comes from `alloc`
 * (a pool may hand out a used one: every byte is written).
 *
 * A packager sends the chunk as one packet; the samples it was cut from can be dropped at once.
 */
import { serialize } from './part.js';
import type { Part } from './part.js';
import { emsg, prft } from './fragment-boxes.js';
import { sampleFlagsForSap } from './chunk.js';
import type { ChunkInput, ChunkSample } from './chunk.js';

const MAX_U32 = 0xffffffff;
const DEFAULT_BASE_IS_MOOF = 0x020000;
const TFHD_DURATION = 0x000008;
const TFHD_FLAGS = 0x000020;
const TRUN_DATA_OFFSET = 0x000001;
const TRUN_FIRST_FLAGS = 0x000004;
const TRUN_DURATION = 0x000100;
const TRUN_SIZE = 0x000200;
const TRUN_FLAGS = 0x000400;
const TRUN_CTO = 0x000800;

export interface ChunkBytes {
  /** The whole chunk (prefix included). */
  bytes: Uint8Array;
  /** Whether every track's first sample is a SAP of type 1–3 (LL-HLS INDEPENDENT=YES). */
  independent: boolean;
}

/** How one track's traf is laid out (what writeChunk's trackFields decides). */
interface Layout {
  samples: readonly ChunkSample[];
  trackId: number;
  base: bigint;
  tfhdFlags: number;
  defaultDuration: number | undefined;
  defaultFlags: number | undefined;
  trunFlags: number;
  firstFlags: number | undefined;
  duration: boolean;
  flags: boolean;
  cto: boolean;
  bytes: number;
  trafSize: number;
}

function u32(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > MAX_U32)
    throw new RangeError(`${what}: ${v} is not an unsigned 32-bit integer`);
  return v;
}

function column(v: number, signed: boolean, name: string): number {
  const ok = signed
    ? Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff
    : Number.isInteger(v) && v >= 0 && v <= MAX_U32;
  if (!ok) throw new RangeError(`trun ${name}: ${v} does not fit ${signed ? 'i32' : 'u32'}`);
  return v;
}

function base(v: number | bigint): bigint {
  if (typeof v === 'number' && (!Number.isInteger(v) || v < 0 || v > Number.MAX_SAFE_INTEGER))
    throw new RangeError(`u64: ${v} is not an unsigned 53-bit integer`);
  const b = BigInt(v);
  if (b < 0n || b > 0xffffffffffffffffn) throw new RangeError(`u64: ${b} is out of range`);
  return b;
}

const flagsOf = (s: ChunkSample): number => s.flags ?? sampleFlagsForSap(s.sapType);

function layout(
  samples: readonly ChunkSample[],
  trackId: number,
  bmdt: number | bigint,
  all: boolean,
): Layout {
  const n = samples.length;
  const first = samples[0]!;
  const d0 = first.duration;
  const f0 = flagsOf(first);
  const f1 = n > 1 ? flagsOf(samples[1]!) : f0;
  let durEqual = true;
  let flagsEqual = true;
  let flagsEqualFrom1 = n > 1;
  let cto = false;
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const s = samples[i]!;
    if (s.duration !== d0) durEqual = false;
    const f = flagsOf(s);
    if (f !== f0) flagsEqual = false;
    if (i >= 1 && f !== f1) flagsEqualFrom1 = false;
    if ((s.compositionOffset ?? 0) !== 0) cto = true;
    bytes += s.data.byteLength;
  }
  let tfhdFlags = DEFAULT_BASE_IS_MOOF;
  let defaultDuration: number | undefined;
  let defaultFlags: number | undefined;
  let firstFlags: number | undefined;
  let duration = true;
  let flags = true;
  if (all) {
    cto = true;
  } else {
    if (durEqual) {
      defaultDuration = d0;
      duration = false;
    }
    if (flagsEqual) {
      defaultFlags = f0;
      flags = false;
    } else if (flagsEqualFrom1) {
      firstFlags = f0;
      defaultFlags = f1;
      flags = false;
    }
  }
  if (defaultDuration !== undefined) tfhdFlags |= TFHD_DURATION;
  if (defaultFlags !== undefined) tfhdFlags |= TFHD_FLAGS;
  let trunFlags = TRUN_DATA_OFFSET | TRUN_SIZE;
  if (firstFlags !== undefined) trunFlags |= TRUN_FIRST_FLAGS;
  if (duration) trunFlags |= TRUN_DURATION;
  if (flags) trunFlags |= TRUN_FLAGS;
  if (cto) trunFlags |= TRUN_CTO;
  const columns = 1 + (duration ? 1 : 0) + (flags ? 1 : 0) + (cto ? 1 : 0);
  const tfhdSize = 16 + (defaultDuration !== undefined ? 4 : 0) + (defaultFlags !== undefined ? 4 : 0);
  const trunSize = 20 + (firstFlags !== undefined ? 4 : 0) + n * 4 * columns;
  return {
    samples,
    trackId: u32(trackId, 'u32'),
    base: base(bmdt),
    tfhdFlags,
    defaultDuration,
    defaultFlags,
    trunFlags,
    firstFlags,
    duration,
    flags,
    cto,
    bytes,
    trafSize: 8 + tfhdSize + 20 + trunSize,
  };
}

function header(v: DataView, at: number, size: number, type: number): number {
  v.setUint32(at, size);
  v.setUint32(at + 4, type);
  return at + 8;
}

const fourcc = (s: string): number =>
  ((s.charCodeAt(0) << 24) | (s.charCodeAt(1) << 16) | (s.charCodeAt(2) << 8) | s.charCodeAt(3)) >>> 0;
const MOOF = fourcc('moof');
const MFHD = fourcc('mfhd');
const TRAF = fourcc('traf');
const TFHD = fourcc('tfhd');
const TFDT = fourcc('tfdt');
const TRUN = fourcc('trun');
const MDAT = fourcc('mdat');

/** The chunk of `input` in one buffer from `alloc` (default: a new one), after `prefix` (e.g. a styp). */
export function writeChunkBytes(
  input: ChunkInput,
  opts: { prefix?: Uint8Array; alloc?: (size: number) => Uint8Array } = {},
): ChunkBytes {
  const { tracks } = input;
  if (tracks.length === 0) throw new RangeError('writeChunk: no tracks');
  const seen = new Set<number>();
  for (const t of tracks) {
    if (t.samples.length === 0) throw new RangeError(`writeChunk: track ${t.trackId} has no samples`);
    if (seen.has(t.trackId)) throw new RangeError(`writeChunk: track ${t.trackId} appears twice`);
    seen.add(t.trackId);
  }
  const all = input.sampleDefaults === 'none';
  const version = input.trunVersion ?? 1;
  const layouts = tracks.map((t) => layout(t.samples, t.trackId, t.baseMediaDecodeTime, all));
  const sequence = u32(input.sequenceNumber, 'u32');
  const before: Part[] = [];
  if (input.prft)
    before.push(
      prft({
        flags: input.prft.flags ?? 0,
        reference_track_ID: input.prft.referenceTrackId,
        ntp_timestamp: input.prft.ntpTimestamp,
        media_time: input.prft.mediaTime,
      }),
    );
  for (const e of input.emsg ?? [])
    before.push(
      emsg({
        scheme_id_uri: e.schemeIdUri,
        value: e.value,
        timescale: e.timescale,
        presentation_time: e.presentationTime,
        event_duration: e.eventDuration,
        id: e.id,
        message_data: e.messageData,
      }),
    );
  const pre = before.length ? serialize(...before) : undefined;
  let payload = 0;
  let moofSize = 8 + 16;
  let independent = true;
  for (const l of layouts) {
    payload += l.bytes;
    moofSize += l.trafSize;
    const sap = l.samples[0]!.sapType;
    if (sap < 1 || sap > 3) independent = false;
  }
  const mdatHead = payload + 8 > MAX_U32 ? 16 : 8;
  const prefixSize = (opts.prefix?.byteLength ?? 0) + (pre?.byteLength ?? 0);
  const total = prefixSize + moofSize + mdatHead + payload;
  const out = opts.alloc ? opts.alloc(total) : new Uint8Array(total);
  if (out.byteLength !== total)
    throw new RangeError(`writeChunkBytes: alloc gave ${out.byteLength} bytes, not ${total}`);
  const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
  let at = 0;
  if (opts.prefix) {
    out.set(opts.prefix, at);
    at += opts.prefix.byteLength;
  }
  if (pre) {
    out.set(pre, at);
    at += pre.byteLength;
  }
  const moofStart = at;
  at = header(v, at, moofSize, MOOF);
  at = header(v, at, 16, MFHD);
  v.setUint32(at, 0); // version, flags
  v.setUint32(at + 4, sequence);
  at += 8;
  // data_offset: from the moof's first byte (default-base-is-moof) to the track's first sample.
  let dataOffset = moofSize + mdatHead;
  for (const l of layouts) {
    at = header(v, at, l.trafSize, TRAF);
    const tfhdSize = 16 + (l.defaultDuration !== undefined ? 4 : 0) + (l.defaultFlags !== undefined ? 4 : 0);
    at = header(v, at, tfhdSize, TFHD);
    v.setUint32(at, l.tfhdFlags); // version 0, flags
    v.setUint32(at + 4, l.trackId);
    at += 8;
    if (l.defaultDuration !== undefined) {
      v.setUint32(at, u32(l.defaultDuration, 'u32'));
      at += 4;
    }
    if (l.defaultFlags !== undefined) {
      v.setUint32(at, u32(l.defaultFlags, 'u32'));
      at += 4;
    }
    at = header(v, at, 20, TFDT);
    v.setUint32(at, 0x01000000); // version 1, flags 0
    v.setBigUint64(at + 4, l.base);
    at += 12;
    const n = l.samples.length;
    const trunSize = l.trafSize - 8 - tfhdSize - 20;
    at = header(v, at, trunSize, TRUN);
    v.setUint32(at, ((version << 24) | l.trunFlags) >>> 0);
    v.setUint32(at + 4, u32(n, 'u32'));
    v.setInt32(at + 8, column(dataOffset, true, 'data_offset'));
    at += 12;
    if (l.firstFlags !== undefined) {
      v.setUint32(at, u32(l.firstFlags, 'u32'));
      at += 4;
    }
    const signed = version === 1;
    for (let i = 0; i < n; i++) {
      const s = l.samples[i]!;
      if (l.duration) {
        v.setUint32(at, column(s.duration, false, 'sample_duration'));
        at += 4;
      }
      v.setUint32(at, s.data.byteLength);
      at += 4;
      if (l.flags) {
        v.setUint32(at, column(flagsOf(s), false, 'sample_flags'));
        at += 4;
      }
      if (l.cto) {
        const c = column(s.compositionOffset ?? 0, signed, 'sample_composition_time_offset');
        if (signed) v.setInt32(at, c);
        else v.setUint32(at, c);
        at += 4;
      }
    }
    dataOffset += l.bytes;
  }
  if (at !== moofStart + moofSize) throw new Error('writeChunkBytes: moof layout mismatch');
  if (mdatHead === 16) {
    v.setUint32(at, 1);
    v.setUint32(at + 4, MDAT);
    v.setBigUint64(at + 8, BigInt(payload + 16));
  } else header(v, at, payload + 8, MDAT);
  at += mdatHead;
  for (const l of layouts)
    for (const s of l.samples) {
      out.set(s.data, at);
      at += s.data.byteLength;
    }
  return { bytes: out, independent };
}
