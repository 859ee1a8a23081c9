/**
 * Names a byte of a box tree by the path of the deepest box holding it (`moov/trak[2]/mdia/minf/stbl/
 * stsd/avc1/avcC`): what an error about bytes mp4box.js could not parse tells the user.
 */
import { fourcc } from './malformed.js';

/** Boxes holding boxes, with the bytes before their first child (after the 8-byte header). */
const CHILDREN_AT: Record<string, number> = {
  moov: 0,
  trak: 0,
  mdia: 0,
  minf: 0,
  stbl: 0,
  dinf: 0,
  edts: 0,
  udta: 0,
  mvex: 0,
  moof: 0,
  traf: 0,
  mfra: 0,
  sinf: 0,
  schi: 0,
  stsd: 8,
  dref: 8,
  avc1: 78,
  avc3: 78,
  hvc1: 78,
  hev1: 78,
  encv: 78,
  mp4v: 78,
  av01: 78,
  vp09: 78,
  mp4a: 28,
  enca: 28,
  'ac-3': 28,
  'ec-3': 28,
  Opus: 28,
  fLaC: 28,
};

export interface BoxAt {
  /** `moov/trak[2]/mdia/…`: types from the top, a repeated type numbered from 1 among its siblings. */
  path: string;
  /** File offset of the deepest box's header. */
  start: number;
}

interface Kid {
  type: string;
  start: number;
  end: number;
}

function kids(bytes: Uint8Array, from: number, to: number): Kid[] {
  const out: Kid[] = [];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let p = from; p + 8 <= to;) {
    let size = dv.getUint32(p);
    if (size === 1 && p + 16 <= to) size = dv.getUint32(p + 8) * 2 ** 32 + dv.getUint32(p + 12);
    else if (size === 0) size = to - p;
    if (size < 8) break;
    out.push({ type: fourcc(bytes, p + 4), start: p, end: Math.min(p + size, to) });
    p += size;
  }
  return out;
}

/**
 * The deepest box holding file offset `offset`, in `bytes` (a run of whole boxes that starts at file
 * offset `base`). Undefined when the offset is outside them.
 */
export function boxAt(bytes: Uint8Array, base: number, offset: number): BoxAt | undefined {
  const rel = offset - base;
  if (rel < 0 || rel >= bytes.length) return undefined;
  let level = kids(bytes, 0, bytes.length);
  let path = '';
  let start = -1;
  for (;;) {
    const hit = level.find((k) => k.start <= rel && rel < k.end);
    if (!hit) break;
    const same = level.filter((k) => k.type === hit.type);
    const name = same.length > 1 ? `${hit.type}[${same.indexOf(hit) + 1}]` : hit.type;
    path = path ? `${path}/${name}` : name;
    start = hit.start;
    const skip = CHILDREN_AT[hit.type];
    if (skip === undefined) break;
    level = kids(bytes, hit.start + 8 + skip, hit.end);
  }
  return path ? { path, start: base + start } : undefined;
}
