import { FIRST_BOXES } from './probe.js';

/**
 * A walk over the top-level boxes as file bytes arrive, to explain truncated and corrupt files in one
 * line (mp4box.js only logs them, or waits forever for bytes that will never come).
 */

export interface TopBox {
  type: string;
  start: number;
  /** Total size in bytes; Infinity for a box that runs to the end of the file (size 0). */
  size: number;
}

export class TopLevelScan {
  /** File offset of the next box header. */
  private pos = 0;
  /** Bytes of a header split across two blocks. */
  private carry: { offset: number; bytes: Uint8Array } | undefined;
  readonly boxes: TopBox[] = [];
  /** Set when a header is invalid: why. */
  invalid: string | undefined;
  /** The file does not start with an ISOBMFF box (content that is not MP4 at all). */
  notIsobmff = false;

  /** Offset where the next top-level box header is expected (Infinity once the last box runs to EOF). */
  get nextBoxAt(): number {
    return this.pos;
  }

  /** Feed bytes at `offset` (any order; only bytes at the walk position are used). */
  feed(data: Uint8Array, offset: number): void {
    if (this.invalid !== undefined || !Number.isFinite(this.pos)) return;
    if (this.carry && this.carry.offset + this.carry.bytes.length === offset) {
      const joined = new Uint8Array(this.carry.bytes.length + Math.min(data.length, 16));
      joined.set(this.carry.bytes);
      joined.set(data.subarray(0, 16), this.carry.bytes.length);
      const at = this.carry.offset;
      this.carry = undefined;
      this.walk(joined, at, true);
    }
    this.walk(data, offset, false);
  }

  private walk(data: Uint8Array, offset: number, isCarry: boolean): void {
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    while (this.invalid === undefined && Number.isFinite(this.pos)) {
      const rel = this.pos - offset;
      if (rel < 0 || rel >= data.length) return;
      if (rel + 8 > data.length) {
        if (!isCarry) this.carry = { offset: this.pos, bytes: data.slice(rel) };
        return;
      }
      const size32 = view.getUint32(rel);
      const type = String.fromCharCode(data[rel + 4]!, data[rel + 5]!, data[rel + 6]!, data[rel + 7]!);
      let size = size32;
      if (size32 === 1) {
        if (rel + 16 > data.length) {
          if (!isCarry) this.carry = { offset: this.pos, bytes: data.slice(rel) };
          return;
        }
        size = view.getUint32(rel + 8) * 2 ** 32 + view.getUint32(rel + 12);
        if (size < 16)
          this.invalid = `box '${printable(type)}' at byte ${this.pos} has an invalid size ${size}`;
      } else if (size32 === 0) {
        size = Infinity;
      } else if (size32 < 8) {
        this.invalid = `box '${printable(type)}' at byte ${this.pos} has an invalid size ${size32}`;
      }
      if (this.pos === 0 && !FIRST_BOXES.has(type)) {
        this.notIsobmff = true;
        this.invalid = `it does not start with a box (found ${JSON.stringify(printable(type))} where a type such as ftyp or moov is expected)`;
        return;
      }
      if (this.invalid === undefined && !/^[\x20-\x7e]{4}$/.test(type))
        this.invalid = `bytes at ${this.pos} are not a box header (type ${JSON.stringify(type)})`;
      if (this.invalid !== undefined) return;
      this.boxes.push({ type, start: this.pos, size });
      if (this.boxes.length > 4096) this.boxes.splice(0, 2048); // keep memory flat on long fragmented files
      this.pos += size;
    }
  }

  /** The box that extends past `fileSize`, if any. */
  overrun(fileSize: number): TopBox | undefined {
    const last = this.boxes.at(-1);
    return last && Number.isFinite(last.size) && last.start + last.size > fileSize ? last : undefined;
  }

  has(type: string): boolean {
    return this.boxes.some((b) => b.type === type);
  }
}

function printable(type: string): string {
  return type.replace(/[^\x20-\x7e]/g, '?');
}
