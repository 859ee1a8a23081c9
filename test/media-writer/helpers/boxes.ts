// Minimal ISOBMFF walker and hex helpers for assertions on the writer's output.

export interface BoxInfo {
  type: string;
  start: number;
  size: number;
  headerSize: number;
}

/** Top-level boxes of `bytes` between `from` and `to`. */
export function listBoxes(bytes: Uint8Array, from = 0, to = bytes.byteLength): BoxInfo[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: BoxInfo[] = [];
  let at = from;
  while (at + 8 <= to) {
    let size = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    let headerSize = 8;
    if (size === 1) {
      size = Number(view.getBigUint64(at + 8));
      headerSize = 16;
    }
    if (size < headerSize) throw new Error(`bad box size ${size} at ${at}`);
    out.push({ type, start: at, size, headerSize });
    at += size;
  }
  return out;
}

/** Children of a container box (`skip` extra bytes after the header: 4 for a FullBox, etc.). */
export function children(bytes: Uint8Array, parent: BoxInfo, skip = 0): BoxInfo[] {
  return listBoxes(bytes, parent.start + parent.headerSize + skip, parent.start + parent.size);
}

/** Finds the first box along a path of types, e.g. ['moov', 'trak', 'mdia', 'mdhd']. */
export function findBox(bytes: Uint8Array, path: readonly string[]): BoxInfo | undefined {
  const containers: Record<string, number> = {
    stsd: 8,
    dref: 8,
    meta: 4,
    avc1: 78,
    avc3: 78,
    hvc1: 78,
    hev1: 78,
    mp4a: 28,
  };
  let list = listBoxes(bytes);
  let found: BoxInfo | undefined;
  for (const [i, type] of path.entries()) {
    found = list.find((b) => b.type === type);
    if (!found) return undefined;
    if (i < path.length - 1) list = children(bytes, found, containers[type] ?? 0);
  }
  return found;
}

/** The bytes of a box. */
export function boxBytes(bytes: Uint8Array, box: BoxInfo): Uint8Array {
  return bytes.subarray(box.start, box.start + box.size);
}

/** Compact hex: "00000010 6d666864 ..." → no spaces, lowercase. */
export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Hex with spaces/newlines allowed, for readable golden values. */
export function unhex(text: string): Uint8Array {
  const clean = text.replace(/[^0-9a-f]/gi, '');
  return Uint8Array.from(Buffer.from(clean, 'hex'));
}

/** ASCII four-character code as hex. */
export function cc(type: string): string {
  return Buffer.from(type, 'latin1').toString('hex');
}
