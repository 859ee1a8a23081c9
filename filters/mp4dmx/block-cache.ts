/**
 * The last few blocks of file bytes, kept as the views the source sent (no copy). Sample data is cut
 * out of them; a sample spanning blocks is assembled by the caller. A block added with an owner is
 * released to it when it leaves the cache.
 */
import type { BlockOwner } from './demux-types.js';

interface Block {
  offset: number;
  end: number;
  data: Uint8Array;
  owner: BlockOwner | undefined;
}

const NONE = new Uint8Array(0);

export class BlockCache {
  private blocks: Block[] = [];

  constructor(public capacity: number) {}

  add(offset: number, data: Uint8Array, owner?: BlockOwner): void {
    if (!data.length) {
      owner?.release();
      return;
    }
    this.blocks.push({ offset, end: offset + data.length, data, owner });
    while (this.blocks.length > this.capacity) this.blocks.shift()!.owner?.release();
  }

  /** The bytes from `offset` on that one block holds (at most `max`), or an empty array. */
  prefix(offset: number, max: number): Uint8Array {
    // Latest first: after a re-read the freshest copy wins, and recent blocks are the likely hits.
    for (let i = this.blocks.length - 1; i >= 0; i--) {
      const b = this.blocks[i]!;
      if (b.offset <= offset && offset < b.end) {
        const from = offset - b.offset;
        this.prefixOwner = b.owner;
        return b.data.subarray(from, Math.min(b.data.length, from + max));
      }
    }
    this.prefixOwner = undefined;
    return NONE;
  }

  /** The owner of the block the last prefix() was a view of (no object per sample for the pair). */
  prefixOwner: BlockOwner | undefined;

  /** End of the bytes available contiguously from `offset` (offset itself when none). */
  contiguousEnd(offset: number): number {
    let pos = offset;
    for (let guard = 0; guard <= this.blocks.length; guard++) {
      const v = this.prefix(pos, Infinity);
      if (!v.length) break;
      pos += v.length;
    }
    return pos;
  }

  /** Memory the cached views keep alive (whole underlying buffers, each counted once). */
  get bytes(): number {
    const buffers = new Set(this.blocks.map((b) => b.data.buffer));
    let n = 0;
    for (const b of buffers) n += b.byteLength;
    return n;
  }
}
