/**
 * "This input is malformed": the one error class mp4dmx's parsing code raises for a file it cannot read
 * (a count its box cannot hold, a version no specification defines, a box missing on the way to a track's
 * tables, bytes mp4box.js could not parse). The demuxer turns these, and only these, into the one-line
 * CORRUPT_INPUT error naming the file; anything else thrown while demuxing is a bug and surfaces as one.
 *
 * Messages name the box by its path from the top of the file (`moov/trak[2]/mdia/minf/stbl/stsz`, trak
 * numbered from 1 in file order) and the value that is wrong.
 */
export class MalformedInput extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedInput';
  }
}

/** A 4CC as text, with bytes that are not printable ASCII shown as `?`. */
export function fourcc(bytes: Uint8Array, at: number): string {
  let s = '';
  for (let i = at; i < at + 4; i++) {
    const c = bytes[i] ?? 0x3f;
    s += c >= 0x20 && c <= 0x7e ? String.fromCharCode(c) : '?';
  }
  return s;
}
