/**
 * The serialisation core of the ISOBMFF writer.
 *
 * A box is built as a tree of {@link Part}s. Every part knows its byte size when it is constructed
 * (children are built first, so a box's size is the sum of its children's sizes, computed once), and
 * writes itself at a given offset. {@link serialize} allocates exactly one `Uint8Array` of the total size
 * and writes the whole tree into it: no intermediate buffers, no repeated concatenation, O(n) bytes copied.
 *
 * Byte representation: everything in `src/media/` uses plain `Uint8Array` (a Node `Buffer` is one and
 * can be passed in anywhere) and `DataView` for big-endian multi-byte fields.
 */

/** Where parts are written: one buffer, viewed both as bytes and through a DataView. */
export interface Output {
  readonly bytes: Uint8Array;
  readonly view: DataView;
}

/** A piece of a box with a size known up front. */
export interface Part {
  readonly size: number;
  write(out: Output, offset: number): void;
}

const MAX_U32 = 0xffffffff;

function checkUint(value: number, bits: number, what: string): void {
  const max = bits >= 53 ? Number.MAX_SAFE_INTEGER : 2 ** bits - 1;
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${what}: ${value} is not an unsigned ${bits}-bit integer`);
  }
}

function checkInt(value: number, bits: number, what: string): void {
  const lim = 2 ** (bits - 1);
  if (!Number.isInteger(value) || value < -lim || value >= lim) {
    throw new RangeError(`${what}: ${value} is not a signed ${bits}-bit integer`);
  }
}

export function u8(value: number): Part {
  checkUint(value, 8, 'u8');
  return { size: 1, write: (o, at) => o.view.setUint8(at, value) };
}

export function u16(value: number): Part {
  checkUint(value, 16, 'u16');
  return { size: 2, write: (o, at) => o.view.setUint16(at, value) };
}

export function i16(value: number): Part {
  checkInt(value, 16, 'i16');
  return { size: 2, write: (o, at) => o.view.setInt16(at, value) };
}

export function u24(value: number): Part {
  checkUint(value, 24, 'u24');
  return {
    size: 3,
    write: (o, at) => {
      o.view.setUint8(at, value >>> 16);
      o.view.setUint16(at + 1, value & 0xffff);
    },
  };
}

export function u32(value: number): Part {
  checkUint(value, 32, 'u32');
  return { size: 4, write: (o, at) => o.view.setUint32(at, value) };
}

export function i32(value: number): Part {
  checkInt(value, 32, 'i32');
  return { size: 4, write: (o, at) => o.view.setInt32(at, value) };
}

/** Unsigned 64-bit; a `number` must be a safe integer, a `bigint` must fit in 64 bits. */
export function u64(value: number | bigint): Part {
  const v = typeof value === 'bigint' ? value : BigInt(checkedSafe(value));
  if (v < 0n || v > 0xffffffffffffffffn) throw new RangeError(`u64: ${v} is out of range`);
  return { size: 8, write: (o, at) => o.view.setBigUint64(at, v) };
}

function checkedSafe(value: number): number {
  checkUint(value, 53, 'u64');
  return value;
}

/** ISO 16.16 fixed point (e.g. tkhd width, mp4a samplerate). */
export function fixed16_16(value: number): Part {
  return u32(Math.round(value * 0x10000));
}

/** ISO 8.8 fixed point (e.g. mvhd rate is 16.16, volume is 8.8). */
export function fixed8_8(value: number): Part {
  return u16(Math.round(value * 0x100));
}

/** A four-character code, e.g. a box type or a brand. */
export function fourcc(code: string): Part {
  if (code.length !== 4 || !/^[\x20-\x7e]{4}$/.test(code)) {
    throw new RangeError(`fourcc: "${code}" is not four printable ASCII characters`);
  }
  return {
    size: 4,
    write: (o, at) => {
      for (let i = 0; i < 4; i++) o.bytes[at + i] = code.charCodeAt(i);
    },
  };
}

/** Raw bytes, written by reference (copied only once, into the output). */
export function bytes(data: Uint8Array): Part {
  return { size: data.byteLength, write: (o, at) => o.bytes.set(data, at) };
}

/** `n` zero bytes (reserved fields). The output buffer is zero-filled, so nothing is written. */
export function zeros(n: number): Part {
  checkUint(n, 32, 'zeros');
  return { size: n, write: () => undefined };
}

const utf8 = new TextEncoder();

/** A null-terminated UTF-8 string (hdlr name, emsg scheme_id_uri/value). */
export function utf8z(text: string): Part {
  const data = utf8.encode(text);
  return { size: data.byteLength + 1, write: (o, at) => o.bytes.set(data, at) };
}

/** A sequence of parts written back to back. */
export function seq(parts: readonly Part[]): Part {
  let size = 0;
  for (const p of parts) size += p.size;
  return {
    size,
    write: (o, at) => {
      let pos = at;
      for (const p of parts) {
        p.write(o, pos);
        pos += p.size;
      }
    },
  };
}

/**
 * A table of `count` rows of `rowSize` bytes each, written by `writeRow` (no per-cell objects: used for
 * per-sample tables such as trun's).
 */
export function table(
  count: number,
  rowSize: number,
  writeRow: (view: DataView, at: number, index: number) => void,
): Part {
  return {
    size: count * rowSize,
    write: (o, at) => {
      for (let i = 0; i < count; i++) writeRow(o.view, at + i * rowSize, i);
    },
  };
}

/** Size of a box header for a body of `bodySize` bytes (8, or 16 with a 64-bit largesize). */
export function boxHeaderSize(bodySize: number): number {
  return bodySize + 8 > MAX_U32 ? 16 : 8;
}

/**
 * A header-only box part: `size` counts `bodySize` bytes that are NOT part of this Part (they follow it
 * elsewhere, e.g. an mdat whose samples are written separately by reference).
 */
export function boxHeader(type: string, bodySize: number): Part {
  const type4 = fourcc(type);
  const headerSize = boxHeaderSize(bodySize);
  const total = headerSize + bodySize;
  return {
    size: headerSize,
    write: (o, at) => {
      if (headerSize === 16) {
        o.view.setUint32(at, 1); // size = 1: a largesize follows the type
        type4.write(o, at + 4);
        o.view.setBigUint64(at + 8, BigInt(total)); // largesize
      } else {
        o.view.setUint32(at, total); // size
        type4.write(o, at + 4);
      }
    },
  };
}

/** `Box(type)`: size + type + the parts in order. */
export function box(type: string, ...parts: readonly Part[]): Part {
  const body = seq(parts);
  const header = boxHeader(type, body.size);
  return {
    size: header.size + body.size,
    write: (o, at) => {
      header.write(o, at);
      body.write(o, at + header.size);
    },
  };
}

/** `FullBox(type, version, flags)`: a box whose body starts with version (8 bits) and flags (24 bits). */
export function fullBox(type: string, version: number, flags: number, ...parts: readonly Part[]): Part {
  return box(type, u8(version), u24(flags), ...parts);
}

/** Writes parts into one exactly-sized, zero-filled buffer. */
export function serialize(...parts: readonly Part[]): Uint8Array {
  const all = seq(parts);
  const buffer = new Uint8Array(all.size);
  all.write({ bytes: buffer, view: new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength) }, 0);
  return buffer;
}
