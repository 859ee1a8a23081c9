/**
 * Entry counts checked against the bytes behind them, in every box mp4box.js will parse. mp4box.js loops
 * `for (i < count)` over a count read from the file: a box whose entries are read runs past its end (a
 * RangeError, named by mp4box-call.ts), but some loops read nothing (a constant-size stsz fills an array of
 * `sample_count` numbers; a trun without per-sample fields counts them) and a count of 4 billion is minutes
 * of work or a V8 fatal out-of-memory. Table boxes sitting where they do not belong (a dref entry renamed
 * stsz) are parsed as tables too, so the whole tree is walked, into every container mp4box.js walks.
 */
import { MalformedInput, fourcc } from './malformed.js';

/** Containers mp4box.js parses the children of, with the bytes before their first child. */
const CHILDREN_AT: Record<string, number> = {
  moov: 0, trak: 0, mdia: 0, minf: 0, stbl: 0, dinf: 0, edts: 0, udta: 0, mvex: 0, moof: 0, traf: 0,
  mfra: 0, sinf: 0, schi: 0, tref: 0, rinf: 0, strk: 0, strd: 0, meco: 0, trgr: 0, grpl: 0, hnti: 0,
  iprp: 0, ipco: 0, meta: 4, stsd: 8, dref: 8,
  avc1: 78, avc2: 78, avc3: 78, avc4: 78, hvc1: 78, hev1: 78, hvc2: 78, hev2: 78, vvc1: 78, vvi1: 78,
  av01: 78, vp08: 78, vp09: 78, encv: 78, mp4v: 78, dvh1: 78, dvhe: 78, dva1: 78, dvav: 78,
  mp4a: 28, enca: 28, 'ac-3': 28, 'ec-3': 28, 'ac-4': 28, Opus: 28, fLaC: 28, '.mp3': 28,
}; // prettier-ignore

interface Count {
  count: number;
  /** Bytes each entry takes at least (0: entries take no bytes of this box). */
  entry: number;
  /** Offset of the first entry. */
  at: number;
  /** Bytes of file data each entry stands for (a constant-size stsz), when its entries take none here. */
  each?: number;
}

/**
 * The count of a table box: `p` is the offset after version and flags. 'short': the box ends before its
 * count (mp4box.js would read it, and the rest, from the bytes that follow).
 */
function countOf(
  type: string,
  dv: DataView,
  p: number,
  end: number,
  version: number,
  flags: number,
): Count | 'short' | undefined {
  const u32 = (at: number) => (at + 4 <= end ? dv.getUint32(at) : undefined);
  const make = (countAt: number, entry: number, at = countAt + 4): Count | 'short' => {
    const count = u32(countAt);
    return count === undefined ? 'short' : { count, entry, at };
  };
  switch (type) {
    case 'stts':
    case 'ctts':
    case 'stsh':
      return make(p, 8);
    case 'stsc':
      return make(p, 12);
    case 'stco':
    case 'stss':
      return make(p, 4);
    case 'co64':
      return make(p, 8);
    case 'elst':
      return make(p, version === 1 ? 20 : 12);
    case 'stsd':
    case 'dref':
    case 'iinf':
      return version === 0 && type === 'iinf' ? undefined : make(p, 8);
    case 'stsz': {
      const size = u32(p);
      const c = size === undefined ? 'short' : make(p + 4, size === 0 ? 4 : 0);
      return c !== 'short' && size ? { ...c, each: size } : c;
    }
    case 'stz2':
      return make(p + 4, 1);
    case 'sbgp':
      return make(p + (version === 1 ? 8 : 4), 8);
    case 'sgpd':
      return make(p + (version >= 1 ? 8 : 4), 1);
    case 'trun': {
      const fixed = (flags & 0x1 ? 4 : 0) + (flags & 0x4 ? 4 : 0);
      return make(p, 4 * [0x100, 0x200, 0x400, 0x800].filter((bit) => flags & bit).length, p + 4 + fixed);
    }
    case 'tfra':
      return make(p + 8, version === 1 ? 19 : 11);
    case 'saio':
      return make(p + (flags & 1 ? 8 : 0), version === 1 ? 8 : 4);
    case 'saiz': {
      const q = p + (flags & 1 ? 8 : 0);
      return q < end ? make(q + 1, dv.getUint8(q) === 0 ? 1 : 0) : 'short';
    }
    case 'subs':
      return make(p, 6);
    case 'ssix':
      return make(p, 4);
    case 'pssh':
      return version > 0 ? make(p + 16, 16) : undefined;
  }
  return undefined;
}

export interface CountLimits {
  fileSize: number | undefined;
  /** In a traf of a moof: its truns are checked by fragment-check.ts (defaults, file size, fragment limit). */
  inTraf?: boolean;
}

/** A table whose entries take no bytes may declare at most this many without a file size to bound them. */
const MAX_BODILESS = 1 << 24;

/**
 * Checks `bytes[from, to)`, a run of boxes under `path` (`''` at the top), and every container in it.
 */
export function checkCounts(
  bytes: Uint8Array,
  from: number,
  to: number,
  path: string,
  limits: CountLimits,
): void {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const kids: { type: string; p: number; hdr: number; end: number }[] = [];
  for (let p = from; p + 8 <= to;) {
    let size = dv.getUint32(p);
    let hdr = 8;
    if (size === 1) {
      if (p + 16 > to) break;
      size = dv.getUint32(p + 8) * 2 ** 32 + dv.getUint32(p + 12);
      hdr = 16;
      // mp4box.js takes a 64-bit size of 0 as a box of no length and parses it again and again (a box
      // object per turn, until memory runs out): refused here, as any 64-bit size below the header.
      if (size < hdr)
        throw new MalformedInput(
          `${path ? `${path}/` : ''}${fourcc(bytes, p + 4)} has a 64-bit size of ${size}, smaller than its own 16-byte header`,
        );
    } else if (size === 0) {
      size = to - p;
    }
    if (size < hdr || p + size > to) break; // mp4box.js stops at a size that does not fit, as we do
    kids.push({ type: fourcc(bytes, p + 4), p, hdr, end: p + size });
    p += size;
  }
  for (const k of kids) {
    const same = kids.filter((x) => x.type === k.type);
    const name = `${path ? `${path}/` : ''}${k.type}${same.length > 1 ? `[${same.indexOf(k) + 1}]` : ''}`;
    const body = k.p + k.hdr;
    const c =
      body + 4 <= k.end
        ? countOf(k.type, dv, body + 4, k.end, bytes[body]!, dv.getUint32(body) & 0xffffff)
        : countOf(k.type, dv, k.end, k.end, 0, 0);
    if (c === 'short')
      throw new MalformedInput(`${name} is ${k.end - k.p} bytes: too short for its entry count`);
    if (c) check(k.type, name, c, k.end, limits);
    const skip = CHILDREN_AT[k.type];
    if (skip !== undefined && body + skip <= k.end)
      checkCounts(bytes, body + skip, k.end, name, {
        ...limits,
        inTraf: k.type === 'traf' && /(^|\/)moof(\[\d+\])?$/.test(path),
      });
  }
}

function check(type: string, name: string, c: Count, end: number, limits: CountLimits): void {
  const room = Math.max(0, end - c.at);
  if (c.entry > 0) {
    if (c.count * c.entry > room)
      throw new MalformedInput(
        `${name} declares ${c.count} entries (at least ${c.count * c.entry} bytes) but holds ${room} bytes of them`,
      );
    return;
  }
  // Entries that take no bytes here: bounded by the file they describe.
  if (type === 'trun' && limits.inTraf) return;
  const each = c.each ?? 1;
  const bound = limits.fileSize !== undefined ? Math.floor(limits.fileSize / each) : MAX_BODILESS;
  if (c.count > bound)
    throw new MalformedInput(
      limits.fileSize === undefined
        ? `${name} declares ${c.count} entries, more than ${MAX_BODILESS} without entries to read`
        : c.each !== undefined
          ? `${name} declares ${c.count} samples of ${each} bytes, more than the file's ${limits.fileSize} bytes`
          : `${name} declares ${c.count} entries, more than the file's ${limits.fileSize} bytes can describe`,
    );
}
