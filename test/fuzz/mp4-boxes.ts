/**
 * A tolerant ISOBMFF box tree for crafting and mutating files in tests and in the fuzzer: every box with
 * its offsets and path (`moov/trak[2]/mdia/minf/stbl/stsz`), containers walked down to the sample entries
 * and their configuration boxes (avcC, hvcC, esds). Sizes that do not add up end the walk of that level
 * (the boxes found so far are kept), so a mutated file can be parsed again.
 */

/** Containers and the bytes between their header and their first child. */
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
  mp4a: 28,
  enca: 28,
};

export interface Box {
  type: string;
  /** Offset of the header in the file. */
  start: number;
  /** Header bytes (8, or 16 with a 64-bit size). */
  hdr: number;
  /** Offset just past the box (a size 0 box runs to the end of its parent). */
  end: number;
  /** The size field as written (0 or 1 included). */
  sizeField: number;
  path: string;
  depth: number;
  parent: Box | undefined;
  children: Box[];
}

function fourcc(d: Uint8Array, at: number): string {
  return String.fromCharCode(d[at]!, d[at + 1]!, d[at + 2]!, d[at + 3]!);
}

function level(d: Uint8Array, from: number, to: number, parent: Box | undefined, out: Box[]): Box[] {
  const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
  const boxes: Box[] = [];
  for (let p = from; p + 8 <= to;) {
    const sizeField = dv.getUint32(p);
    let size = sizeField;
    let hdr = 8;
    if (sizeField === 1) {
      if (p + 16 > to) break;
      size = dv.getUint32(p + 8) * 2 ** 32 + dv.getUint32(p + 12);
      hdr = 16;
    } else if (sizeField === 0) {
      size = to - p;
    }
    if (size < hdr || p + size > to) break;
    const type = fourcc(d, p + 4);
    if (!/^[\x20-\x7e]{4}$/.test(type)) break;
    const depth = parent ? parent.depth + 1 : 0;
    boxes.push({ type, start: p, hdr, end: p + size, sizeField, path: '', depth, parent, children: [] });
    p += size;
  }
  for (const b of boxes) {
    const same = boxes.filter((x) => x.type === b.type);
    const name = same.length > 1 ? `${b.type}[${same.indexOf(b) + 1}]` : b.type;
    b.path = parent ? `${parent.path}/${name}` : name;
    out.push(b);
    const skip = CHILDREN_AT[b.type];
    if (skip !== undefined) b.children = level(d, b.start + b.hdr + skip, b.end, b, out);
  }
  return boxes;
}

/** Every box of `d`, parents before their children, in file order. */
export function parseBoxes(d: Uint8Array): Box[] {
  const all: Box[] = [];
  level(d, 0, d.length, undefined, all);
  return all;
}

/** Boxes whose path ends with `suffix` (`stsz`, `trak[2]/mdia/minf/stbl/stsz`), in file order. */
export function findBoxes(d: Uint8Array | Box[], suffix: string): Box[] {
  const all = Array.isArray(d) ? d : parseBoxes(d);
  const plain = (p: string) => p.replace(/\[\d+\]/g, '');
  return all.filter(
    (b) =>
      b.path === suffix ||
      b.path.endsWith(`/${suffix}`) ||
      (!/\[/.test(suffix) && (plain(b.path) === suffix || plain(b.path).endsWith(`/${suffix}`))),
  );
}

/** The one box at `suffix` (the `n`th when several match). */
export function box(d: Uint8Array | Box[], suffix: string, n = 0): Box {
  const b = findBoxes(d, suffix)[n];
  if (!b) throw new Error(`no box ${suffix} #${n}`);
  return b;
}

/** Offset of a full box's payload (after version and flags). */
export function payload(b: Box): number {
  return b.start + b.hdr + 4;
}

export function u32(d: Uint8Array, at: number): number {
  return new DataView(d.buffer, d.byteOffset, d.byteLength).getUint32(at);
}

export function setU32(d: Uint8Array, at: number, v: number): void {
  new DataView(d.buffer, d.byteOffset, d.byteLength).setUint32(at, v >>> 0);
}

/** A copy of `d` without `b` (the sizes of its ancestors shrink with it). */
export function removeBox(d: Uint8Array, b: Box): Uint8Array {
  const len = b.end - b.start;
  const out = new Uint8Array(d.length - len);
  out.set(d.subarray(0, b.start));
  out.set(d.subarray(b.end), b.start);
  for (let p = b.parent; p; p = p.parent) resize(out, p, -len);
  return out;
}

/** A copy of `d` with `bytes` inserted at `at`, inside `parent` (its ancestors grow). */
export function insertBytes(
  d: Uint8Array,
  at: number,
  bytes: Uint8Array,
  parent: Box | undefined,
): Uint8Array {
  const out = new Uint8Array(d.length + bytes.length);
  out.set(d.subarray(0, at));
  out.set(bytes, at);
  out.set(d.subarray(at), at + bytes.length);
  for (let p = parent; p; p = p.parent) resize(out, p, bytes.length);
  return out;
}

/** Adds `delta` to the size field of `b` (which starts before any edit point). */
function resize(d: Uint8Array, b: Box, delta: number): void {
  if (b.sizeField === 0) return;
  if (b.sizeField === 1) {
    const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
    const size = dv.getUint32(b.start + 8) * 2 ** 32 + dv.getUint32(b.start + 12) + delta;
    dv.setUint32(b.start + 8, Math.floor(size / 2 ** 32));
    dv.setUint32(b.start + 12, size >>> 0);
    return;
  }
  setU32(d, b.start, u32(d, b.start) + delta);
}
