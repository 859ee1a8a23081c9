/**
 * Annex-B byte streams (ITU-T H.264 Annex B, H.265 Annex B): NAL units separated by start codes
 * (00 00 01 or 00 00 00 01), and their conversion to the length-prefixed form ISO/IEC 14496-15 samples use.
 */

/**
 * The NAL units of an Annex-B buffer, as views (no copy), in order. Bytes before the first start code
 * are ignored; trailing zero bytes of a NAL unit (trailing_zero_8bits, or the first byte of a 4-byte
 * start code) are not part of it.
 */
export function splitAnnexB(data: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  const n = data.length;
  let start = -1;
  let i = 0;
  while (i + 2 < n) {
    // Skip fast to a position where a start code may end: data[i+2] must be 1.
    if (data[i + 2]! > 1) {
      i += 3;
      continue;
    }
    if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 1) {
      if (start >= 0) push(out, data, start, i);
      i += 3;
      start = i;
      continue;
    }
    i++;
  }
  if (start >= 0) push(out, data, start, n);
  return out;
}

function push(out: Uint8Array[], data: Uint8Array, start: number, end: number): void {
  while (end > start && data[end - 1] === 0) end--;
  if (end > start) out.push(data.subarray(start, end));
}

/** NAL units prefixed by their 4-byte big-endian length, in one buffer. */
export function toLengthPrefixed(nals: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const n of nals) size += 4 + n.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const n of nals) {
    const len = n.length;
    out[at] = len >>> 24;
    out[at + 1] = (len >>> 16) & 0xff;
    out[at + 2] = (len >>> 8) & 0xff;
    out[at + 3] = len & 0xff;
    out.set(n, at + 4);
    at += 4 + len;
  }
  return out;
}
