/**
 * Buffers the dasher writes its chunks into, given back when the sink has written them (the packet's
 * onRelease: packet release, src/engine/packet-lease.ts). A run then reuses a few buffers per
 * representation instead of leaving one dead buffer per chunk to the garbage collector. A sink that
 * does not drop what it takes (an origin keeping the bytes) never gives them back: those buffers are
 * simply collected, as any other.
 *
 * At most KEEP free buffers in all, whatever their sizes: the ones given back last (a size no longer
 * seen ages out), and a request takes one of its own size class or the next: the pool does not grow
 * with the length of a run. (Kept per size class, it did: every rarely seen size, a chunk with a big key
 * frame, added its own buffers for good.)
 */

/** Smallest buffer (bytes): a chunk of a few audio frames still gets room for a whole one. */
const MIN = 64 * 1024;
/** Free buffers kept. */
const KEEP = 4;

export class ChunkPool {
  /** Free buffers, in the order they were given back. */
  private readonly free: ArrayBuffer[] = [];
  allocated = 0;
  reused = 0;

  /** A view of `size` bytes and the function that gives its buffer back. */
  get(size: number): { bytes: Uint8Array; release: () => void } {
    let cap = MIN;
    while (cap < size) cap *= 2;
    let at = this.free.findIndex((b) => b.byteLength === cap);
    if (at < 0) at = this.free.findIndex((b) => b.byteLength === 2 * cap);
    let buf: ArrayBuffer;
    if (at >= 0) {
      buf = this.free.splice(at, 1)[0]!;
      this.reused++;
    } else {
      buf = new ArrayBuffer(cap);
      this.allocated++;
    }
    const back = buf;
    return { bytes: new Uint8Array(back, 0, size), release: () => this.give(back) };
  }

  /** Bytes held by free buffers. */
  get freeBytes(): number {
    return this.free.reduce((n, b) => n + b.byteLength, 0);
  }

  private give(buf: ArrayBuffer): void {
    // A buffer transferred to another thread is detached: not reusable.
    if (buf.byteLength === 0) return;
    this.free.push(buf);
    if (this.free.length > KEEP) this.free.shift();
  }
}
