/**
 * Buffers the dasher writes its chunks into, given back when the sink has written them (the packet's
 * onRelease: packet release, src/engine/packet-lease.ts). A run then reuses a few buffers per
 * representation instead of leaving one dead buffer per chunk to the garbage collector. A sink that
 * does not drop what it takes (an origin keeping the bytes) never gives them back: those buffers are
 * simply collected, as any other.
 */

/** Smallest buffer (bytes): a chunk of a few audio frames still gets room for a whole one. */
const MIN = 64 * 1024;
/** Free buffers kept per size. */
const KEEP = 4;

export class ChunkPool {
  /** Free buffers by capacity (a power of two). */
  private readonly free = new Map<number, ArrayBuffer[]>();
  allocated = 0;
  reused = 0;

  /** A view of `size` bytes and the function that gives its buffer back. */
  get(size: number): { bytes: Uint8Array; release: () => void } {
    let cap = MIN;
    while (cap < size) cap *= 2;
    const list = this.free.get(cap);
    let buf = list?.pop();
    if (buf) this.reused++;
    else {
      buf = new ArrayBuffer(cap);
      this.allocated++;
    }
    const back = buf;
    return { bytes: new Uint8Array(back, 0, size), release: () => this.give(back) };
  }

  private give(buf: ArrayBuffer): void {
    // A buffer transferred to another thread is detached: not reusable.
    if (buf.byteLength === 0) return;
    let list = this.free.get(buf.byteLength);
    if (!list) this.free.set(buf.byteLength, (list = []));
    if (list.length < KEEP) list.push(buf);
  }
}
