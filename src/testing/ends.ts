/**
 * The two ends of the single-filter harness: what the test feeds (an input PID, behind a filter of its
 * own that creates it and keeps the events sent up it) and what it reads (an output PID, collected by
 * a filter of its own into packets, property changes and events, in order), and the captured logs.
 */
import type {
  FilterDescriptor,
  FilterEvent,
  Logger,
  OutputPid,
  Packet,
  PacketInit,
} from '../engine/filter-api.js';
import type { PidProps } from '../engine/props.js';
import type { PidConnection } from '../engine/pid.js';
import type { LogSink } from '../engine/logger.js';
import { arg } from '../engine/args.js';

/** Something a collector received, in order. */
export type HarnessItem =
  /** `at`: the session clock (ms) when the packet reached the collector, i.e. when the filter sent it. */
  | { kind: 'packet'; packet: Packet; at: number }
  | { kind: 'props'; props: Readonly<PidProps> }
  | { kind: 'event'; event: FilterEvent }
  | { kind: 'eos' };

/** One log line of the filter (or of the engine: filter `graphpac`). */
export interface HarnessLogLine {
  filter: string;
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  data?: Record<string, unknown>;
}

/** An input PID the test feeds. */
export interface HarnessInput {
  readonly name: string;
  readonly props: Readonly<PidProps>;
  /** Queue a packet (bytes alone: a packet with no timing, SAP 1). Delivered at the next run(). */
  push(packet: PacketInit | Uint8Array): void;
  /** Change properties: the filter sees the change (configurePid 'update') between the packets it separates. */
  setProps(props: PidProps, replace?: boolean): void;
  /** A downstream event, in order with the packets (the filter's processEvent). */
  pushEvent(event: FilterEvent): void;
  /** End of stream on this PID. */
  end(): void;
  /** Events the filter sent upstream on this PID (source-seek…), oldest first. */
  readonly upstreamEvents: readonly FilterEvent[];
  /** Next upstream event not pulled yet. */
  pullUpstreamEvent(): FilterEvent | undefined;
}

/** An output PID of the filter (or a destination it opened), collected as it comes. */
export interface HarnessOutput {
  readonly name: string;
  /** For a destination the filter opened with connectDestination(): its URL. */
  readonly url: string | undefined;
  /** Properties as of the last item collected. */
  readonly props: Readonly<PidProps>;
  /** Every packet collected, in order. */
  readonly packets: readonly Packet[];
  /** Every downstream event collected, in order. */
  readonly events: readonly FilterEvent[];
  /** Packets, property changes, events and end of stream, in the order received. */
  readonly items: readonly HarnessItem[];
  /** The filter ended this PID (and every packet before the end was collected). */
  readonly ended: boolean;
  /** Next packet not pulled yet. */
  pull(): Packet | undefined;
  /** Send an event upstream to the filter (its processEvent gets it with this output PID). */
  pushUpstreamEvent(event: FilterEvent): void;
}

export class Collected implements HarnessOutput {
  readonly packets: Packet[] = [];
  readonly events: FilterEvent[] = [];
  readonly items: HarnessItem[] = [];
  ended = false;
  conn: PidConnection | undefined;
  private pulled = 0;
  constructor(
    readonly name: string,
    readonly url: string | undefined,
  ) {}
  get props(): Readonly<PidProps> {
    return this.conn?.props ?? {};
  }
  pull(): Packet | undefined {
    return this.packets[this.pulled] ? this.packets[this.pulled++] : undefined;
  }
  pushUpstreamEvent(event: FilterEvent): void {
    if (!this.conn) throw new Error(`harness: output ${this.name} is not linked`);
    this.conn.sendEvent(event);
  }
}

export class Feeder implements HarnessInput {
  private pulled = 0;
  constructor(
    private readonly pid: OutputPid,
    readonly upstreamEvents: FilterEvent[],
  ) {}
  get name(): string {
    return this.pid.name;
  }
  get props(): Readonly<PidProps> {
    return this.pid.props;
  }
  push(packet: PacketInit | Uint8Array): void {
    this.pid.send(packet instanceof Uint8Array ? { data: packet, sap: 1 } : packet);
  }
  setProps(props: PidProps, replace?: boolean): void {
    this.pid.setProps(props, replace);
  }
  pushEvent(event: FilterEvent): void {
    this.pid.sendEvent(event);
  }
  end(): void {
    this.pid.setEos();
  }
  pullUpstreamEvent(): FilterEvent | undefined {
    return this.upstreamEvents[this.pulled] ? this.upstreamEvents[this.pulled++] : undefined;
  }
}

/** The filter behind one input PID: creates the PID, keeps the events the filter sends up. */
export function feederDescriptor(
  props: PidProps,
  name: string,
  got: (pid: OutputPid) => void,
  events: FilterEvent[],
) {
  return {
    name: 'harness_in',
    description: 'test harness: an input PID fed by the test',
    args: {},
    caps: [{ name: 'anything out', out: {} }],
    create(ctx) {
      got(ctx.createPid(props, name));
      return {
        process: () => 'not-ready',
        processEvent(event) {
          events.push(event);
          return true;
        },
      };
    },
  } satisfies FilterDescriptor;
}

/** The filter behind one output: collects what reaches it into the Collected it is created for. */
export function collectorDescriptor(next: () => Collected): FilterDescriptor {
  return {
    name: 'harness_out',
    description: 'test harness: collects what reaches it',
    args: { dst: arg.string(undefined, 'the destination it stands for (connectDestination)') },
    caps: [{ name: 'anything in', in: {} }],
    // Claims any destination the filter under test opens, unless a registered sink claims it better.
    probeUrl: (_url, role) => (role === 'sink' ? 'maybe' : 'no'),
    create(ctx) {
      const c = next();
      return {
        configurePid(pid, status) {
          if (status === 'update') c.items.push({ kind: 'props', props: pid.props });
        },
        processEvent(event) {
          c.events.push(event);
          c.items.push({ kind: 'event', event });
          return true;
        },
        process() {
          for (const inp of ctx.inputs) {
            for (let p = inp.take(); p; p = inp.take()) {
              c.packets.push(p);
              c.items.push({ kind: 'packet', packet: p, at: ctx.clock.now() });
            }
            if (inp.eos && !c.ended) {
              c.ended = true;
              c.items.push({ kind: 'eos' });
            }
          }
          return 'not-ready';
        },
      };
    },
  } satisfies FilterDescriptor as FilterDescriptor;
}

export function captureLogs(lines: HarnessLogLine[]): LogSink {
  const logger = (filter: string): Logger => ({
    debug: (msg, data) => lines.push({ filter, level: 'debug', msg, ...(data ? { data } : {}) }),
    info: (msg, data) => lines.push({ filter, level: 'info', msg, ...(data ? { data } : {}) }),
    warn: (msg, data) => lines.push({ filter, level: 'warn', msg, ...(data ? { data } : {}) }),
    error: (msg, data) => lines.push({ filter, level: 'error', msg, ...(data ? { data } : {}) }),
  });
  return { root: logger('graphpac'), forFilter: (_cls, instance) => logger(instance), flush: () => {} };
}
