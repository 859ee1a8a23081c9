/**
 * Structure-aware mutations of ISOBMFF files: each step finds the boxes (mp4-boxes.ts) and changes one
 * thing a real corrupt or hostile file has wrong — a box size, an entry count, a table entry, a version
 * or flags, a header field (timescales, durations, track IDs, handler), the codec configuration (avcC,
 * hvcC, esds), a fragment (moof/traf/tfhd/trun), the tree itself (a box removed, duplicated, swapped,
 * renamed, garbage inserted), or cuts the file at a box. A few steps are valid rewrites (a 64-bit size,
 * a last box of size 0) whose output must still decode.
 */
import type { Box } from './mp4-boxes.js';
import { insertBytes, parseBoxes, removeBox, setU32, u32 } from './mp4-boxes.js';
import type { Mutator, Step } from './mutator.js';
import type { Rng } from './prng.js';

const FULL_BOXES = new Set([
  'mvhd', 'tkhd', 'mdhd', 'hdlr', 'vmhd', 'smhd', 'dref', 'stsd', 'stts', 'ctts', 'stsc', 'stsz', 'stz2',
  'stco', 'co64', 'stss', 'elst', 'mehd', 'trex', 'mfhd', 'tfhd', 'tfdt', 'trun', 'sbgp', 'sgpd', 'sidx',
  'esds', 'tfra', 'mfro', 'url ', 'sdtp',
]); // prettier-ignore

const KNOWN_TYPES = [
  'moov', 'trak', 'mdia', 'minf', 'stbl', 'stsd', 'stts', 'stsz', 'stco', 'stsc', 'mdat', 'moof', 'traf',
  'trun', 'tfhd', 'mvhd', 'mdhd', 'tkhd', 'hdlr', 'free', 'skip', 'uuid', 'avcC', 'esds', 'meta', 'ftyp',
]; // prettier-ignore

function version(d: Uint8Array, b: Box): number {
  return d[b.start + b.hdr] ?? 0;
}

function flags(d: Uint8Array, b: Box): number {
  return u32(d, b.start + b.hdr) & 0xffffff;
}

/** Offset just past version and flags. */
function body(b: Box): number {
  return b.start + b.hdr + 4;
}

function u16(d: Uint8Array, at: number): number {
  return (d[at]! << 8) | d[at + 1]!;
}

function setU16(d: Uint8Array, at: number, v: number): void {
  d[at] = (v >>> 8) & 0xff;
  d[at + 1] = v & 0xff;
}

/** A value a parser may trip on, near or far from `v`. */
function interesting(rng: Rng, v: number, bits = 32): number {
  const max = bits === 32 ? 0xffffffff : 2 ** bits - 1;
  const x = rng.pick([
    0,
    1,
    2,
    7,
    8,
    255,
    0xffff,
    max,
    max - 1,
    Math.floor(max / 2),
    Math.floor(max / 2) + 1,
    v + 1,
    v - 1,
    v * 2,
    Math.floor(v / 2),
    v + rng.range(2, 1000),
    rng.u32(),
    rng.range(0, 64),
    2 ** rng.int(bits),
  ]);
  return ((x % (max + 1)) + (max + 1)) % (max + 1);
}

/** A table box: where its count is, where its entries start, and their size. */
interface Table {
  countAt: number;
  countBits: 16 | 32;
  entriesAt: number;
  entrySize: number;
}

function table(d: Uint8Array, b: Box): Table | undefined {
  const p = body(b);
  const v = version(d, b);
  switch (b.type) {
    case 'stts':
    case 'ctts':
      return { countAt: p, countBits: 32, entriesAt: p + 4, entrySize: 8 };
    case 'stsc':
      return { countAt: p, countBits: 32, entriesAt: p + 4, entrySize: 12 };
    case 'stco':
    case 'stss':
      return { countAt: p, countBits: 32, entriesAt: p + 4, entrySize: 4 };
    case 'co64':
      return { countAt: p, countBits: 32, entriesAt: p + 4, entrySize: 8 };
    case 'stsz':
      return { countAt: p + 4, countBits: 32, entriesAt: p + 8, entrySize: 4 };
    case 'stz2':
      return { countAt: p + 4, countBits: 32, entriesAt: p + 8, entrySize: 1 };
    case 'elst':
      return { countAt: p, countBits: 32, entriesAt: p + 4, entrySize: v === 1 ? 20 : 12 };
    case 'stsd':
    case 'dref':
      return { countAt: p, countBits: 32, entriesAt: p + 4, entrySize: 0 };
    case 'sbgp':
      return {
        countAt: p + 4 + (v === 1 ? 4 : 0),
        countBits: 32,
        entriesAt: p + 8 + (v === 1 ? 4 : 0),
        entrySize: 8,
      };
    case 'tfra':
      return { countAt: p + 8, countBits: 32, entriesAt: p + 12, entrySize: v === 1 ? 19 : 11 };
    case 'sidx': {
      const at = p + 8 + (v === 1 ? 16 : 8) + 2;
      return { countAt: at, countBits: 16, entriesAt: at + 2, entrySize: 12 };
    }
    case 'trun': {
      const f = flags(d, b);
      const fixed = (f & 0x1 ? 4 : 0) + (f & 0x4 ? 4 : 0);
      const entry = 4 * [0x100, 0x200, 0x400, 0x800].filter((bit) => f & bit).length;
      return { countAt: p, countBits: 32, entriesAt: p + 4 + fixed, entrySize: entry };
    }
  }
  return undefined;
}

/** Header fields worth changing: [label, offset, bytes]. */
function fields(d: Uint8Array, b: Box): [string, number, 1 | 2 | 4][] {
  const p = body(b);
  const v1 = version(d, b) === 1;
  switch (b.type) {
    case 'mvhd':
    case 'mdhd':
      return v1
        ? [['timescale', p + 16, 4], ['duration', p + 24, 4], ['duration.hi', p + 20, 4]]
        : [['timescale', p + 8, 4], ['duration', p + 12, 4]]; // prettier-ignore
    case 'tkhd':
      return v1
        ? [['track_ID', p + 16, 4], ['duration', p + 28, 4]]
        : [['track_ID', p + 8, 4], ['duration', p + 16, 4], ['width', p + 76, 4], ['height', p + 80, 4]]; // prettier-ignore
    case 'hdlr':
      return [['handler_type', p + 4, 4]];
    case 'tfdt':
      return v1 ? [['baseMediaDecodeTime.hi', p, 4], ['baseMediaDecodeTime', p + 4, 4]] : [['baseMediaDecodeTime', p, 4]]; // prettier-ignore
    case 'tfhd': {
      const out: [string, number, 4][] = [['track_ID', p, 4]];
      let at = p + 4;
      const f = flags(d, b);
      for (const [bit, name, n] of [
        [0x1, 'base_data_offset', 8],
        [0x2, 'sample_description_index', 4],
        [0x8, 'default_sample_duration', 4],
        [0x10, 'default_sample_size', 4],
        [0x20, 'default_sample_flags', 4],
      ] as const) {
        if (!(f & bit)) continue;
        out.push([name, at + n - 4, 4]);
        at += n;
      }
      return out;
    }
    case 'trun': {
      const f = flags(d, b);
      const out: [string, number, 4][] = [];
      if (f & 0x1) out.push(['data_offset', p + 4, 4]);
      if (f & 0x4) out.push(['first_sample_flags', p + 4 + (f & 0x1 ? 4 : 0), 4]);
      return out;
    }
    case 'mfhd':
      return [['sequence_number', p, 4]];
    case 'trex':
      return [['track_ID', p, 4], ['default_sample_description_index', p + 4, 4], ['default_sample_duration', p + 8, 4], ['default_sample_size', p + 12, 4]]; // prettier-ignore
    case 'mehd':
      return [['fragment_duration', p, 4]];
    case 'avc1':
    case 'avc3':
    case 'hvc1':
    case 'hev1':
      return [['data_reference_index', b.start + 14, 2], ['width', b.start + 32, 2], ['height', b.start + 34, 2]]; // prettier-ignore
    case 'mp4a':
      return [['channelcount', b.start + 24, 2], ['samplesize', b.start + 26, 2], ['samplerate', b.start + 32, 4]]; // prettier-ignore
  }
  return [];
}

/** Offsets in a codec configuration box that its parsers read structure from: [label, offset, bits]. */
function configPoints(d: Uint8Array, b: Box): [string, number, 8 | 16][] {
  const p = b.start + b.hdr;
  const end = b.end;
  const out: [string, number, 8 | 16][] = [];
  const add = (label: string, at: number, bits: 8 | 16) => {
    if (at + bits / 8 <= end) out.push([label, at, bits]);
  };
  if (b.type === 'avcC') {
    add('configurationVersion', p, 8);
    add('AVCProfileIndication', p + 1, 8);
    add('lengthSizeMinusOne', p + 4, 8);
    add('numOfSequenceParameterSets', p + 5, 8);
    let at = p + 6;
    const nSps = (d[p + 5] ?? 0) & 31;
    for (let i = 0; i < nSps && at + 2 <= end; i++) {
      add(`sps[${i}].length`, at, 16);
      add(`sps[${i}] byte`, at + 2 + (u16(d, at) > 1 ? 1 + ((u16(d, at) * 7919) % (u16(d, at) - 1)) : 0), 8);
      at += 2 + u16(d, at);
    }
    add('numOfPictureParameterSets', at, 8);
    add('pps[0].length', at + 1, 16);
  } else if (b.type === 'hvcC') {
    add('configurationVersion', p, 8);
    add('general_profile_space/tier/idc', p + 1, 8);
    add('lengthSizeMinusOne', p + 21, 8);
    add('numOfArrays', p + 22, 8);
    let at = p + 23;
    const arrays = d[p + 22] ?? 0;
    for (let a = 0; a < arrays && at + 3 <= end; a++) {
      add(`array[${a}].NAL_unit_type`, at, 8);
      add(`array[${a}].numNalus`, at + 1, 16);
      const n = u16(d, at + 1);
      at += 3;
      for (let i = 0; i < n && at + 2 <= end; i++) {
        add(`array[${a}].nal[${i}].length`, at, 16);
        add(`array[${a}].nal[${i}] byte`, at + 2 + Math.min(3, Math.max(0, u16(d, at) - 1)), 8);
        at += 2 + u16(d, at);
      }
    }
  } else if (b.type === 'esds') {
    // Descriptors: tag, size (7 bits a byte, high bit "more"), then the body; ES (3) > DecoderConfig (4) > DSI (5).
    let at = p + 4;
    for (let guard = 0; guard < 8 && at + 2 <= end; guard++) {
      const tag = d[at]!;
      add(`descriptor ${tag} tag`, at, 8);
      let len = 0;
      let s = at + 1;
      for (let k = 0; k < 4 && s < end; k++, s++) {
        add(`descriptor ${tag} size`, s, 8);
        len = (len << 7) | (d[s]! & 0x7f);
        if (!(d[s]! & 0x80)) {
          s++;
          break;
        }
      }
      if (tag === 3) {
        at = s + 3; // ES_ID, flags (optional fields left out by our clips)
      } else if (tag === 4) {
        add('objectTypeIndication', s, 8);
        add('streamType', s + 1, 8);
        at = s + 13;
      } else if (tag === 5) {
        for (let k = 0; k < Math.min(len, 5); k++) add(`AudioSpecificConfig byte ${k}`, s + k, 8);
        at = s + len;
      } else {
        at = s + len;
      }
    }
  }
  return out;
}

type Op = (d: Uint8Array, boxes: Box[], rng: Rng) => Step | undefined;

const copy = (d: Uint8Array) => Uint8Array.from(d);

const pickBox = (boxes: Box[], rng: Rng, pred: (b: Box) => boolean): Box | undefined => {
  const list = boxes.filter(pred);
  return list.length ? rng.pick(list) : undefined;
};

const boxSize: Op = (d, boxes, rng) => {
  const b = pickBox(boxes, rng, (x) => x.sizeField !== 1);
  if (!b) return undefined;
  const size = b.end - b.start;
  const room = (b.parent ? b.parent.end : d.length) - b.start;
  const v = rng.pick([
    0,
    1,
    7,
    8,
    size - 1,
    size + 1,
    size - 8,
    size + 8,
    size * 2,
    room,
    room + 1,
    0xffffffff,
    interesting(rng, size),
  ]);
  const out = copy(d);
  setU32(out, b.start, Math.max(0, v));
  return { bytes: out, step: `size ${b.path} ${size} → ${u32(out, b.start)}` };
};

const entryCount: Op = (d, boxes, rng) => {
  const b = pickBox(boxes, rng, (x) => table(d, x) !== undefined);
  if (!b) return undefined;
  const t = table(d, b)!;
  if (t.countAt + t.countBits / 8 > b.end) return undefined;
  const out = copy(d);
  const old = t.countBits === 16 ? u16(d, t.countAt) : u32(d, t.countAt);
  const v = interesting(rng, old, t.countBits);
  if (t.countBits === 16) setU16(out, t.countAt, v);
  else setU32(out, t.countAt, v);
  return { bytes: out, step: `count ${b.path} ${old} → ${v}` };
};

const tableEntry: Op = (d, boxes, rng) => {
  const b = pickBox(boxes, rng, (x) => (table(d, x)?.entrySize ?? 0) >= 4);
  if (!b) return undefined;
  const t = table(d, b)!;
  const n = Math.floor((b.end - t.entriesAt) / t.entrySize);
  if (n <= 0) return undefined;
  const i = rng.chance(0.4) ? rng.int(Math.min(n, 3)) : rng.int(n);
  const field = rng.int(Math.floor(t.entrySize / 4));
  const at = t.entriesAt + i * t.entrySize + field * 4;
  const old = u32(d, at);
  const prev = i > 0 ? u32(d, at - t.entrySize) : 0;
  const v = rng.chance(0.15) ? prev : interesting(rng, old);
  const out = copy(d);
  setU32(out, at, v);
  return { bytes: out, step: `entry ${b.path}[${i + 1}].${field} ${old} → ${v}` };
};

const versionFlags: Op = (d, boxes, rng) => {
  const b = pickBox(boxes, rng, (x) => FULL_BOXES.has(x.type) && x.end - x.start >= x.hdr + 4);
  if (!b) return undefined;
  const out = copy(d);
  const at = b.start + b.hdr;
  if (rng.chance(0.5)) {
    const v = rng.pick([0, 1, 2, 3, 255]);
    const old = out[at]!;
    out[at] = v;
    return { bytes: out, step: `version ${b.path} ${old} → ${v}` };
  }
  const old = flags(d, b);
  const v = rng.chance(0.7) ? old ^ (1 << rng.int(24)) : rng.u32() & 0xffffff;
  setU32(out, at, (out[at]! << 24) | v);
  return { bytes: out, step: `flags ${b.path} 0x${old.toString(16)} → 0x${v.toString(16)}` };
};

const headerField: Op = (d, boxes, rng) => {
  const b = pickBox(boxes, rng, (x) => fields(d, x).some(([, at, n]) => at + n <= x.end));
  if (!b) return undefined;
  const [name, at, n] = rng.pick(fields(d, b).filter(([, a, k]) => a + k <= b.end));
  const out = copy(d);
  const old = n === 4 ? u32(d, at) : n === 2 ? u16(d, at) : d[at]!;
  let v: number;
  if (name === 'handler_type')
    v = u32(Buffer.from(rng.pick(['vide', 'soun', 'hint', 'text', 'meta', 'xxxx', '\0\0\0\0']), 'latin1'), 0);
  else v = interesting(rng, old, n * 8);
  if (n === 4) setU32(out, at, v);
  else if (n === 2) setU16(out, at, v);
  else out[at] = v;
  return { bytes: out, step: `field ${b.path}.${name} ${old} → ${v}` };
};

const codecConfig: Op = (d, boxes, rng) => {
  const b = pickBox(boxes, rng, (x) => ['avcC', 'hvcC', 'esds'].includes(x.type));
  if (!b) return undefined;
  const points = configPoints(d, b);
  if (!points.length) return undefined;
  const [name, at, bits] = rng.pick(points);
  const out = copy(d);
  const old = bits === 16 ? u16(d, at) : d[at]!;
  const v = rng.chance(0.3) ? old ^ (1 << rng.int(bits)) : interesting(rng, old, bits);
  if (bits === 16) setU16(out, at, v);
  else out[at] = v;
  return { bytes: out, step: `config ${b.path} ${name} ${old} → ${v}` };
};

const fragment: Op = (d, boxes, rng) => {
  const b = pickBox(boxes, rng, (x) => x.type === 'trun' || x.type === 'tfhd');
  if (!b) return undefined;
  const out = copy(d);
  const at = b.start + b.hdr;
  if (b.type === 'trun' && rng.chance(0.5)) {
    // One sample's duration, size, flags or composition offset.
    const t = table(d, b)!;
    const n = t.entrySize ? Math.floor((b.end - t.entriesAt) / t.entrySize) : 0;
    if (!n) return undefined;
    const i = rng.int(n);
    const f = rng.int(t.entrySize / 4);
    const pos = t.entriesAt + i * t.entrySize + f * 4;
    // A box cut by an earlier step may declare entries past the end of the file: draw again.
    if (pos + 4 > d.length) return undefined;
    const old = u32(d, pos);
    const v = interesting(rng, old);
    setU32(out, pos, v);
    return { bytes: out, step: `trun-sample ${b.path}[${i + 1}].${f} ${old} → ${v}` };
  }
  const old = flags(d, b);
  const bits =
    b.type === 'trun'
      ? [0x1, 0x4, 0x100, 0x200, 0x400, 0x800]
      : [0x1, 0x2, 0x8, 0x10, 0x20, 0x10000, 0x20000];
  const v = old ^ rng.pick(bits);
  setU32(out, at, (out[at]! << 24) | v);
  return { bytes: out, step: `flags ${b.path} 0x${old.toString(16)} → 0x${v.toString(16)}` };
};

const truncate: Op = (d, boxes, rng) => {
  const b = rng.pick(boxes);
  const len = b.end - b.start;
  const cut = rng.pick([
    b.start,
    b.start + rng.range(1, 7),
    b.start + b.hdr,
    b.start + rng.int(len),
    b.end - 1,
  ]);
  if (cut <= 0 || cut >= d.length) return undefined;
  return { bytes: d.slice(0, cut), step: `truncate at ${cut} (${b.path} spans ${b.start}..${b.end})` };
};

const remove: Op = (d, boxes, rng) => {
  const b = pickBox(boxes, rng, (x) => x.type !== 'mdat' || rng.chance(0.2));
  if (!b) return undefined;
  return { bytes: removeBox(d, b), step: `remove ${b.path}` };
};

const duplicate: Op = (d, boxes, rng) => {
  const b = pickBox(boxes, rng, (x) => x.end - x.start < 1 << 20);
  if (!b) return undefined;
  return { bytes: insertBytes(d, b.end, d.slice(b.start, b.end), b.parent), step: `duplicate ${b.path}` };
};

const swap: Op = (d, boxes, rng) => {
  const b = pickBox(boxes, rng, (x) => {
    const sib = boxes.find((y) => y.parent === x.parent && y.start === x.end);
    return sib !== undefined;
  });
  if (!b) return undefined;
  const c = boxes.find((y) => y.parent === b.parent && y.start === b.end)!;
  const out = copy(d);
  out.set(d.subarray(c.start, c.end), b.start);
  out.set(d.subarray(b.start, b.end), b.start + (c.end - c.start));
  return { bytes: out, step: `swap ${b.path} and ${c.path}` };
};

const retype: Op = (d, boxes, rng) => {
  const b = rng.pick(boxes);
  const type = rng.chance(0.7)
    ? rng.pick(KNOWN_TYPES)
    : String.fromCharCode(
        ...Array.from({ length: 4 }, () => (rng.chance(0.8) ? rng.range(0x61, 0x7a) : rng.int(256))),
      );
  const out = copy(d);
  for (let i = 0; i < 4; i++) out[b.start + 4 + i] = type.charCodeAt(i) & 0xff;
  return { bytes: out, step: `retype ${b.path} → ${JSON.stringify(type)}` };
};

const garbage: Op = (d, boxes, rng) => {
  const n = rng.pick([1, 4, 8, 16, 64, 300]);
  const junk = Uint8Array.from({ length: n }, () => rng.int(256));
  if (rng.chance(0.3)) {
    // A box of a random type and size, in a container.
    const parent = pickBox(boxes, rng, (x) => x.children.length > 0);
    if (!parent || n < 8) return undefined;
    setU32(junk, 0, rng.chance(0.5) ? n : interesting(rng, n));
    const at = rng.pick(parent.children).start;
    return {
      bytes: insertBytes(d, at, junk, parent),
      step: `insert ${n} bytes (a box of size ${u32(junk, 0)}) at ${at} in ${parent.path}`,
    };
  }
  const at = rng.chance(0.5) ? d.length : rng.pick(boxes.filter((x) => !x.parent)).start;
  return { bytes: insertBytes(d, at, junk, undefined), step: `insert ${n} garbage bytes at ${at}` };
};

const flipBytes: Op = (d, boxes, rng) => {
  const b = pickBox(boxes, rng, (x) => x.type !== 'mdat' || rng.chance(0.3));
  if (!b || b.end - b.start <= b.hdr) return undefined;
  const out = copy(d);
  const n = rng.range(1, 4);
  for (let i = 0; i < n; i++) out[b.start + b.hdr + rng.int(b.end - b.start - b.hdr)] = rng.int(256);
  return { bytes: out, step: `${n} random bytes in ${b.path}` };
};

/** Valid rewrites: the last top-level box with size 0, or a box given a 64-bit size. */
const validRewrite: Op = (d, boxes, rng) => {
  const top = boxes.filter((x) => !x.parent);
  const last = top.at(-1);
  if (rng.chance(0.5) && last && last.end === d.length && last.sizeField !== 1) {
    const out = copy(d);
    setU32(out, last.start, 0);
    return { bytes: out, step: `size0 ${last.path} (runs to the end of the file)` };
  }
  // A 64-bit size on a box after every mdat, so no sample offset moves.
  const lastMdat = top.filter((x) => x.type === 'mdat').at(-1);
  const b = pickBox(
    boxes,
    rng,
    (x) => x.sizeField > 1 && x.start >= (lastMdat?.end ?? 0) && x.type !== 'mdat',
  );
  if (!b) return undefined;
  const size = b.end - b.start + 8;
  const head = new Uint8Array(16);
  setU32(head, 0, 1);
  head.set(d.subarray(b.start + 4, b.start + 8), 4);
  setU32(head, 12, size);
  const grown = insertBytes(d, b.start + 8, new Uint8Array(8), b.parent);
  grown.set(head, b.start);
  return { bytes: grown, step: `largesize ${b.path}` };
};

const OPS: readonly (readonly [Op, number])[] = [
  [boxSize, 10],
  [entryCount, 12],
  [tableEntry, 12],
  [versionFlags, 6],
  [headerField, 10],
  [codecConfig, 10],
  [fragment, 8],
  [truncate, 10],
  [remove, 5],
  [duplicate, 3],
  [swap, 3],
  [retype, 4],
  [garbage, 3],
  [flipBytes, 3],
  [validRewrite, 3],
];

export const mp4Mutator: Mutator = {
  format: 'mp4',
  mutate(bytes, rng) {
    const boxes = parseBoxes(bytes);
    if (!boxes.length) {
      // Nothing parses any more: cut or garble the bytes as they are.
      if (bytes.length < 2) return undefined;
      const at = rng.int(bytes.length);
      return rng.chance(0.5)
        ? { bytes: bytes.slice(0, at || 1), step: `truncate at ${at || 1}` }
        : { bytes: Uint8Array.from(bytes, (x, i) => (i === at ? rng.int(256) : x)), step: `byte ${at}` };
    }
    return rng.weighted(OPS)(bytes, boxes, rng);
  },
};
