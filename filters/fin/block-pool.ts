/**
 * Read blocks fin gives out and gets back (PacketInit.onRelease) when every consumer has dropped the
 * packets cut from them: reading a long file then reuses a few blocks instead of leaving one dead
 * ArrayBuffer per block for the garbage collector (docs/PERFORMANCE.md, demux section).
 */
export class BlockPool {
  private readonly free: Buffer[] = [];
  /** Blocks allocated, and reads served by a returned block. */
  allocated = 0;
  reused = 0;

  /** `maxFree`: returned blocks kept for reuse at most (more are left to the garbage collector). */
  constructor(
    readonly size: number,
    private readonly maxFree = 16,
  ) {}

  get(): Buffer {
    const b = this.free.pop();
    if (b) {
      this.reused++;
      return b;
    }
    this.allocated++;
    return Buffer.allocUnsafeSlow(this.size);
  }

  /** A block comes back. One a consumer transferred to another thread (detached) is not reused. */
  give(block: Buffer): void {
    if (block.buffer.byteLength !== this.size || block.length !== this.size) return;
    if (this.free.length < this.maxFree && !this.free.includes(block)) this.free.push(block);
  }
}
