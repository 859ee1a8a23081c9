/**
 * Packet release (GPAC's shared packets with a destructor, gf_filter_pck_new_ref and the drop
 * contract): a packet sent with `onRelease` or `ref` gets a lease counting who holds it. Each queue
 * it enters holds it once; a consumer that declares `dropsTakenPackets` drops what it took when its
 * process() call returns, and `ctx.keep()` / `ctx.drop()` hold it longer. When the count falls to
 * zero the producer's `onRelease` runs and the packet it was cut from (`ref`) is dropped in turn.
 *
 * Safe by default: a packet that reaches a filter without the flag is never dropped there, so it is
 * never released and its memory is left to the garbage collector, as for any other packet.
 */
import type { Packet } from './filter-api.js';

interface Lease {
  holders: number;
  readonly release: (() => void) | undefined;
  readonly ref: Packet | undefined;
  done: boolean;
  /**
   * The first consumer that keeps the packet counts its keeps here (most packets are kept by one consumer,
   * once); another consumer's keeps go to its own map. A map entry per kept sample cost ~20 ms packaging 600 s.
   */
  keeper: Holdings | undefined;
  keeps: number;
}

/**
 * The lease rides on the packet object itself (a symbol-keyed property the public type does not show):
 * a WeakMap of every packet in flight made each garbage collection walk its ephemeron table (+0.3 s
 * of GC packaging 600 s with every sample leased).
 */
const LEASE = Symbol('lease');
type Leased = Packet & { [LEASE]?: Lease };

function leaseOf(packet: Packet): Lease | undefined {
  return (packet as Leased)[LEASE];
}

/** Give `packet` (a new object the engine made) a lease; the packet it refers to is held meanwhile. */
export function leasedPacket(packet: Packet, release?: () => void, ref?: Packet): Packet {
  (packet as Leased)[LEASE] = { holders: 0, release, ref, done: false, keeper: undefined, keeps: 0 };
  if (ref) holdPacket(ref);
  return packet;
}

/** One more holder (a queue it entered, a keep). No-op for packets without a lease. */
export function holdPacket(packet: Packet): void {
  const l = leaseOf(packet);
  if (l && !l.done) l.holders++;
}

/** One holder less; at zero the packet is released (and what it refers to dropped). */
export function dropPacket(packet: Packet): void {
  let p: Packet | undefined = packet;
  while (p) {
    const l = leaseOf(p);
    if (!l || l.done) return;
    if (--l.holders > 0) return;
    l.done = true;
    l.release?.();
    p = l.ref;
  }
}

/**
 * What one consumer holds: the packets taken during the current process() call (dropped when it
 * returns) and those kept with ctx.keep().
 */
export class Holdings {
  private taken: Packet[] = [];
  private readonly kept = new Map<Packet, number>();

  /** A packet was taken from a queue (the queue's hold passes to the consumer). */
  took(packet: Packet): void {
    if (leaseOf(packet)) this.taken.push(packet);
  }

  /** The process() call returned: drop what it took. */
  endOfCall(): void {
    if (!this.taken.length) return;
    const taken = this.taken;
    this.taken = [];
    for (const p of taken) dropPacket(p);
  }

  keep(packet: Packet): void {
    const l = leaseOf(packet);
    if (!l) return;
    holdPacket(packet);
    if (l.keeper === undefined || l.keeper === this) {
      l.keeper = this;
      l.keeps++;
    } else this.kept.set(packet, (this.kept.get(packet) ?? 0) + 1);
  }

  drop(packet: Packet): void {
    const l = leaseOf(packet);
    if (!l) return;
    if (l.keeper === this) {
      if (--l.keeps === 0) l.keeper = undefined;
      dropPacket(packet);
      return;
    }
    const n = this.kept.get(packet);
    if (!n) return;
    if (n === 1) this.kept.delete(packet);
    else this.kept.set(packet, n - 1);
    dropPacket(packet);
  }
}
