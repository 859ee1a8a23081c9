/**
 * PIDs: an output channel of a filter (OutputPidImpl) fanned out to one queue per consumer
 * (PidConnection). Queues carry packets, property changes and in-band events in order, so a
 * consumer sees a property change exactly between the packets it separates.
 */
import type { FilterEvent, InputPid, OutputPid, Packet, PacketInit } from './filter-api.js';
import type { PidProps } from './props.js';
import { propEquals } from './props.js';
import { dropPacket, holdPacket, leasedPacket } from './packet-lease.js';

/** Back-pressure limits of one queue (spec §3.5: by duration when timing is known, else by count). */
export interface QueueLimits {
  maxPackets: number;
  /** Microseconds of media (sum of packet durations). */
  maxDurationUs: number;
  /** Payload bytes: bounds queues of untimed data (a file reader's blocks) in memory, not in count. */
  maxBytes: number;
}

export const DEFAULT_QUEUE_LIMITS: QueueLimits = {
  maxPackets: 64,
  maxDurationUs: 1_000_000,
  maxBytes: 4 << 20,
};

type Item =
  | { kind: 'packet'; packet: Packet; us: number }
  | { kind: 'props'; props: Readonly<PidProps> }
  | { kind: 'event'; event: FilterEvent }
  | { kind: 'eos' };

/** Engine-side hooks a connection calls into (kept abstract so pid.ts knows nothing of filters). */
export interface ConnectionHost {
  /** Consumer side: deliver a property change (configurePid 'update'). */
  deliverProps(conn: PidConnection): void;
  /** Consumer side: deliver a downstream event. */
  deliverEvent(conn: PidConnection, event: FilterEvent): void;
  /** Producer side: an upstream event was sent on this connection. */
  upstreamEvent(conn: PidConnection, event: FilterEvent): void;
  /** Something was enqueued for the consumer. */
  wakeConsumer(conn: PidConnection): void;
  /** The queue drained below its limits: the producer may run again. */
  wakeProducer(conn: PidConnection): void;
}

/**
 * Bumped whenever what `releasable()` reads may change (a PID made, linked or connected): a PID's answer
 * is computed again only then, not for every packet.
 */
let topology = 0;

export class OutputPidImpl implements OutputPid {
  readonly connections: PidConnection[] = [];
  private current: PidProps;
  /** Properties at creation: what consumers linked before the first settle() start from. */
  private readonly initial: Readonly<PidProps>;
  private ended = false;
  /** Items produced before the PID was linked; flushed into the first connections. */
  private pending: Item[] = [];
  linked = false;
  removed = false;
  /** Statistics: packets and payload bytes sent. */
  packetsSent = 0;
  bytesSent = 0;
  /** releasable(0) as of `topology` = releasableAt. */
  private releasableAt = -1;
  private releasableNow = true;

  constructor(
    /** Unique in its session. */
    readonly id: number,
    readonly name: string,
    props: PidProps,
    readonly producer: string,
    private readonly host: ConnectionHost,
    readonly limits: QueueLimits,
  ) {
    this.current = { ...props };
    this.initial = this.current;
    topology++;
  }

  /** The properties a new consumer starts from (pending changes reach it in order after that). */
  get connectProps(): Readonly<PidProps> {
    return this.linked ? this.current : this.initial;
  }

  get props(): Readonly<PidProps> {
    return this.current;
  }

  setProps(props: PidProps, replace = false): void {
    const next: PidProps = replace ? { ...props } : { ...this.current, ...props };
    const changed =
      Object.keys({ ...next, ...this.current }).some((k) => !propEquals(next[k], this.current[k])) ||
      Object.keys(next).length !== Object.keys(this.current).length;
    if (!changed) return;
    this.current = next;
    this.push({ kind: 'props', props: next });
  }

  send(init: PacketInit | Packet): void {
    if (this.ended) throw new Error(`PID ${this.name} of ${this.producer}: packet sent after end of stream`);
    const { onRelease, ref } = init as PacketInit;
    let shared = onRelease !== undefined || ref !== undefined;
    if (shared && this.releasableAt !== topology) {
      this.releasableNow = this.releasable(0);
      this.releasableAt = topology;
    }
    if (shared && !this.releasableNow) {
      // It could never be released: no lease, and what it is cut from stays held for good. (Leases
      // that can never end only kept read blocks alive longer: +10 MiB when packaging 600 s.)
      if (ref) holdPacket(ref);
      shared = false;
    }
    // A shared packet is always a new object: its lease must not travel with copies of the init.
    const packet: Packet = shared
      ? leasedPacket(toPacket(init), onRelease, ref)
      : 'sap' in init && 'start' in init && 'end' in init && !ref && !onRelease
        ? (init as Packet)
        : toPacket(init);
    const ts = this.current.Timescale;
    const us = packet.duration !== undefined && ts ? (packet.duration * 1e6) / ts : 0;
    this.packetsSent++;
    this.bytesSent += packet.data.length;
    this.push({ kind: 'packet', packet, us });
  }

  /**
   * Can a packet sent now ever be released? Only if every consumer drops what it takes, and every PID
   * those consumers make is releasable in turn (a dropping demuxer feeding a filter that never drops
   * holds its input for good through the samples it cuts). Not linked yet: assume it can.
   */
  releasable(depth: number): boolean {
    if (!this.linked) return true;
    if (depth > 16) return false;
    for (const c of this.connections) {
      if (!c.onTake) return false;
      for (const o of c.consumerOutputs()) if (!o.releasable(depth + 1)) return false;
    }
    return true;
  }

  setEos(): void {
    if (this.ended) return;
    this.ended = true;
    this.push({ kind: 'eos' });
  }

  get isEos(): boolean {
    return this.ended;
  }

  get wouldBlock(): boolean {
    // Before linking, produce no more than one packet: the rest waits for a consumer's queue.
    if (!this.linked) return this.pending.some((i) => i.kind === 'packet');
    return this.connections.some((c) => c.full);
  }

  get consumers(): number {
    return this.connections.length;
  }

  sendEvent(event: FilterEvent): void {
    this.push({ kind: 'event', event });
  }

  /** Link a new consumer queue; the first links receive what was produced before linking. */
  connect(conn: PidConnection): void {
    this.connections.push(conn);
    topology++;
  }

  /** Called once linking for this PID is settled (linked to 0..n consumers). */
  settle(): void {
    this.linked = true;
    topology++;
    const items = this.pending;
    this.pending = [];
    for (const it of items) {
      for (const c of this.connections) c.enqueue(it);
      if (!this.connections.length && it.kind === 'packet') {
        holdPacket(it.packet);
        dropPacket(it.packet);
      }
    }
  }

  private push(item: Item): void {
    if (!this.linked) {
      this.pending.push(item);
      return;
    }
    for (const c of this.connections) c.enqueue(item);
    // Nobody will ever take it: release it at once.
    if (!this.connections.length && item.kind === 'packet') {
      holdPacket(item.packet);
      dropPacket(item.packet);
    }
  }
}

function toPacket(p: PacketInit): Packet {
  return {
    data: p.data,
    dts: p.dts,
    cts: p.cts ?? p.dts,
    duration: p.duration,
    sap: p.sap ?? 0,
    start: p.start ?? true,
    end: p.end ?? true,
    byteOffset: p.byteOffset,
    props: p.props,
  };
}

export class PidConnection implements InputPid {
  /**
   * The queue: items[head..tail). Consumed slots are cleared (undefined) at once: a packet's data may pin a
   * whole read block. The array keeps its length when the queue empties (head and tail go back to 0): an
   * emptied array given up (`length = 0`) was allocated again at the next packet, several times per packet.
   */
  private items: (Item | undefined)[] = [];
  private head = 0;
  private tail = 0;
  private packets = 0;
  private durationUs = 0;
  private bytes = 0;
  private eosSeen = false;
  /** Properties as the consumer currently sees them (lag behind the producer until delivered). */
  private seenProps: Readonly<PidProps>;
  state: unknown = undefined;
  /** Set by the engine once configurePid('new') ran. */
  configured = false;
  /** Set by the engine for consumers that drop what they take (packet-lease.ts). */
  onTake: ((packet: Packet) => void) | undefined;
  /** The consumer's output PIDs (set by the engine; for OutputPidImpl.releasable). */
  consumerOutputs: () => readonly OutputPidImpl[] = () => [];

  constructor(
    readonly output: OutputPidImpl,
    readonly consumer: string,
    private readonly host: ConnectionHost,
  ) {
    this.seenProps = output.connectProps;
  }

  get id(): number {
    return this.output.id;
  }
  get name(): string {
    return this.output.name;
  }
  get producer(): string {
    return this.output.producer;
  }
  get props(): Readonly<PidProps> {
    return this.seenProps;
  }

  /** The consumer's queue holds more than its limits allow. */
  get full(): boolean {
    const l = this.output.limits;
    return this.packets >= l.maxPackets || this.durationUs >= l.maxDurationUs || this.bytes >= l.maxBytes;
  }

  get queuedPackets(): number {
    return this.packets;
  }

  get queuedDurationUs(): number {
    return this.durationUs;
  }

  enqueue(item: Item): void {
    this.items[this.tail++] = item;
    if (item.kind === 'packet') {
      holdPacket(item.packet);
      this.packets++;
      this.durationUs += item.us;
      this.bytes += item.packet.data.length;
    }
    this.host.wakeConsumer(this);
  }

  /** Deliver leading non-packet items (property changes, events, EOS) to the consumer. */
  private settleHead(): void {
    while (this.head < this.tail) {
      const it = this.items[this.head]!;
      if (it.kind === 'packet') return;
      this.items[this.head++] = undefined;
      if (it.kind === 'props') {
        this.seenProps = it.props;
        this.host.deliverProps(this);
      } else if (it.kind === 'event') {
        this.host.deliverEvent(this, it.event);
      } else {
        this.eosSeen = true;
      }
    }
    this.compact();
  }

  peek(): Packet | undefined {
    this.settleHead();
    const it = this.items[this.head];
    return it?.kind === 'packet' ? it.packet : undefined;
  }

  take(): Packet | undefined {
    const p = this.peek();
    if (!p) return undefined;
    const it = this.items[this.head] as { kind: 'packet'; us: number };
    this.items[this.head++] = undefined;
    const wasFull = this.full;
    this.packets--;
    this.durationUs -= it.us;
    this.bytes -= p.data.length;
    if (this.packets === 0) this.durationUs = this.bytes = 0;
    this.compact();
    if (wasFull && !this.full) this.host.wakeProducer(this);
    this.onTake?.(p);
    return p;
  }

  get eos(): boolean {
    this.settleHead();
    return this.eosSeen && this.head >= this.tail;
  }

  /** True when something (packet, change, event, EOS) waits for the consumer. */
  get hasPending(): boolean {
    return this.head < this.tail;
  }

  sendEvent(event: FilterEvent): void {
    this.host.upstreamEvent(this, event);
  }

  private compact(): void {
    if (this.head === this.tail) {
      this.head = this.tail = 0;
    } else if (this.head > 1024 && this.head * 2 > this.tail) {
      // Most of the array consumed: move what is left to the front (the slots it leaves are cleared).
      const left = this.tail - this.head;
      this.items.copyWithin(0, this.head, this.tail);
      this.items.fill(undefined, left, this.tail);
      this.head = 0;
      this.tail = left;
    }
  }
}
