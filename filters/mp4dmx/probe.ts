/**
 * Content probe for ISOBMFF (MP4, MOV, 3GP, CMAF segments): walks the top-level boxes found in the first
 * bytes of a file and checks their types and sizes. Everything else is rejected, so a text file or an
 * empty file never reaches the demuxer.
 */

/** Top-level box types a file may start with. */
export const FIRST_BOXES: ReadonlySet<string> = new Set([
  'ftyp',
  'styp',
  'moov',
  'free',
  'mdat',
  'skip',
  'wide',
  'pdin',
  'sidx',
  'moof',
]);
/** Other boxes commonly seen at top level after the first one. */
const LATER_BOXES = new Set([...FIRST_BOXES, 'meta', 'uuid', 'emsg', 'prft', 'mfra', 'ssix', 'udta', 'junk']);

export interface IsobmffProbe {
  mime: string;
  /** `supported` when the walk is conclusive (ftyp/styp, or two sane boxes in a row), else `maybe`. */
  score: 'supported' | 'maybe';
}

function fourcc(d: Uint8Array, at: number): string {
  return String.fromCharCode(d[at]!, d[at + 1]!, d[at + 2]!, d[at + 3]!);
}

function u32(d: Uint8Array, at: number): number {
  return ((d[at]! << 24) >>> 0) + (d[at + 1]! << 16) + (d[at + 2]! << 8) + d[at + 3]!;
}

/** MIME type from the brands of an ftyp/styp box (payload starts at `at`). */
function mimeFromBrands(d: Uint8Array, at: number, end: number, type: string): string {
  if (type === 'styp') return 'video/iso.segment';
  const brands: string[] = [];
  for (let p = at; p + 4 <= end && p + 4 <= d.length; p += 4) if (p !== at + 4) brands.push(fourcc(d, p));
  const major = brands[0] ?? '';
  if (major === 'qt  ') return 'video/quicktime';
  if (major.startsWith('3gp') || major.startsWith('3gg')) return 'video/3gpp';
  if (major.startsWith('3g2')) return 'video/3gpp2';
  if (major === 'M4A ' || major === 'M4B ' || major === 'caaa' || major === 'cmfa') return 'audio/mp4';
  return 'video/mp4';
}

/** Recognise ISOBMFF by its first boxes; undefined when `data` is not ISOBMFF. */
export function probeIsobmff(data: Uint8Array): IsobmffProbe | undefined {
  if (data.length < 8) return undefined;
  let pos = 0;
  let boxes = 0;
  let mime = 'video/mp4';
  let conclusive = false;
  while (pos + 8 <= data.length && boxes < 8) {
    const size32 = u32(data, pos);
    const type = fourcc(data, pos + 4);
    if (!(boxes === 0 ? FIRST_BOXES : LATER_BOXES).has(type)) {
      // A later box of an unknown but well-formed type does not make the file invalid.
      if (boxes > 0 && /^[\x20-\x7e]{4}$/.test(type)) break;
      return undefined;
    }
    let size = size32;
    let header = 8;
    if (size32 === 1) {
      if (pos + 16 > data.length) break;
      size = u32(data, pos + 8) * 2 ** 32 + u32(data, pos + 12);
      header = 16;
    } else if (size32 === 0) {
      size = Infinity; // box runs to the end of the file (only valid for the last box)
    }
    if (size < header) return undefined;
    if ((type === 'ftyp' || type === 'styp') && boxes === 0) {
      // major brand + minor version + whole compatible brands
      if (size < 16 || size > 4096 || (size - 16) % 4 !== 0) return undefined;
      mime = mimeFromBrands(data, pos + 8, pos + size, type);
      conclusive = true;
    }
    if (boxes === 0 && (type === 'moof' || type === 'sidx')) mime = 'video/iso.segment'; // a segment, not a file
    boxes++;
    if (boxes >= 2) conclusive = true;
    if (!Number.isFinite(size)) break;
    pos += size;
  }
  if (boxes === 0) return undefined;
  return { mime, score: conclusive ? 'supported' : 'maybe' };
}

/** MIME types mp4dmx accepts (the probe returns one of them). */
export const ISOBMFF_MIMES = [
  'video/mp4',
  'audio/mp4',
  'application/mp4',
  'video/quicktime',
  'video/3gpp',
  'audio/3gpp',
  'video/3gpp2',
  'video/iso.segment',
  'audio/iso.segment',
] as const;

/** File extensions mp4dmx accepts. */
export const ISOBMFF_EXTENSIONS = [
  'mp4',
  'mpg4',
  'm4a',
  'm4v',
  'm4b',
  'mov',
  'qt',
  '3gp',
  '3gpp',
  '3g2',
  'm4s',
  'mp4s',
  'cmfv',
  'cmfa',
  'cmft',
  'cmfm',
  'cmf',
  'mj2',
  'f4v',
  'ismv',
  'isma',
] as const;
