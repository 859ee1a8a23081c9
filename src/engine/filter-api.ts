/**
 * The public plugin API: everything a filter (built-in or third-party) may use. Built-in filters in
 * `filters/` are written only against this file (re-exported from `src/index.ts`).
 */
import type { ArgsOf, ArgsSchema } from './args.js';
import type { CapsBundle } from './caps.js';
import type { PacketProps, PidProps } from './props.js';

/** Bumped when the plugin API changes incompatibly; plugins declare the version they were written for. */
export const FILTER_API_VERSION = 1;

export type SapType = 0 | 1 | 2 | 3 | 4;

/** A unit of data on a PID. Immutable once sent; the same object may be forwarded downstream. */
export interface Packet {
  /** Payload (a view: never copied by the engine). */
  readonly data: Uint8Array;
  /** Decode timestamp, in the PID's Timescale. */
  readonly dts?: number;
  /** Composition timestamp, in the PID's Timescale. */
  readonly cts?: number;
  readonly duration?: number;
  /** Stream access point type (0 = not a SAP, 1 = IDR-like sync sample, …). */
  readonly sap: SapType;
  /** Framing: first / last packet of a frame or file (for unframed and File PIDs). */
  readonly start: boolean;
  readonly end: boolean;
  /** Byte offset of `data` in its source file (File PIDs). */
  readonly byteOffset?: number;
  readonly props?: PacketProps;
}

export interface PacketInit {
  data: Uint8Array;
  dts?: number;
  cts?: number;
  duration?: number;
  sap?: SapType;
  start?: boolean;
  end?: boolean;
  byteOffset?: number;
  props?: PacketProps;
  /**
   * Called once when every consumer has dropped the packet and every packet made with `ref` to it is
   * released (GPAC's gf_filter_pck_new_shared destructor): the producer may then reuse `data`'s memory.
   * Only consumers that declare `dropsTakenPackets` ever drop a packet; a packet reaching any other
   * filter is never released, and its memory is left to the garbage collector (always safe).
   */
  onRelease?: () => void;
  /**
   * `data` is a view into this packet's data (GPAC's gf_filter_pck_new_ref): a packet this filter took
   * and still holds (in the process() call that took it, or kept with `ctx.keep`). It stays unreleased
   * at least as long as the new packet.
   */
  ref?: Packet;
}

/** Events (spec §3.1): upstream (play, stop, source-seek) or downstream (file-delete, segment-size…). */
export interface FilterEvent {
  readonly type: string;
  readonly [key: string]: unknown;
}

export interface SourceSeekEvent extends FilterEvent {
  type: 'source-seek';
  /** Byte offset the consumer wants the next packet to start at. */
  start: number;
}

export interface FileDeleteEvent extends FilterEvent {
  type: 'file-delete';
  /** Path or URL of the file to remove, relative to the sink's destination. */
  url: string;
}

/** A PID as its consumer sees it: one queue per connection. */
export interface InputPid {
  readonly id: number;
  readonly name: string;
  readonly props: Readonly<PidProps>;
  /** Name of the producing filter instance. */
  readonly producer: string;
  /** Next packet, or undefined when the queue is empty. Pending property changes and in-band events
   *  before it are delivered (configurePid / processEvent) first. */
  peek(): Packet | undefined;
  /** Dequeue and return the next packet. */
  take(): Packet | undefined;
  /** True once the producer ended the PID and every packet before the end has been taken. */
  readonly eos: boolean;
  readonly queuedPackets: number;
  /** Send an event upstream to the producer. */
  sendEvent(event: FilterEvent): void;
  /** A free slot for the consuming filter's per-PID state. */
  state: unknown;
}

/** A PID as its producer sees it. */
export interface OutputPid {
  readonly id: number;
  readonly name: string;
  readonly props: Readonly<PidProps>;
  /** Merge (or with replace, set) properties; consumers see the change before the next packet sent. */
  setProps(props: PidProps, replace?: boolean): void;
  send(packet: PacketInit | Packet): void;
  /** End of stream: no packet follows. */
  setEos(): void;
  readonly isEos: boolean;
  /** True when a consumer's queue is full: stop producing on this PID until it drains. */
  readonly wouldBlock: boolean;
  /** Number of consumers linked. */
  readonly consumers: number;
  /** Send an event downstream, in order with the packets. */
  sendEvent(event: FilterEvent): void;
}

export interface Logger {
  debug(msg: string, data?: Record<string, unknown>): void;
  info(msg: string, data?: Record<string, unknown>): void;
  warn(msg: string, data?: Record<string, unknown>): void;
  error(msg: string, data?: Record<string, unknown>): void;
}

/** Time source: a wall clock in production, a manual clock in tests. */
export interface Clock {
  /** Monotonic milliseconds. */
  now(): number;
  /** Milliseconds since the Unix epoch (for availabilityStartTime, program date time…). */
  wallNow(): number;
}

/** Result of one `process()` call. */
export type ProcessResult =
  /** Made progress; call again when possible. */
  | 'ok'
  /** Cannot progress until new input arrives or the timer asked with requestProcess() fires. */
  | 'not-ready'
  /** Finished: every output has ended (the engine ends any still open). A filter may be called again
   *  after saying so (a late input PID may still reach it): it then answers 'eos' again, or processes. */
  | 'eos';

/**
 * A source a filter opened for itself with `ctx.connectSource()` (GPAC's gf_filter_connect_source): the
 * source filter and every filter link resolution loads after it (a demuxer…) form one chain whose PIDs
 * link only to the filter that opened it.
 */
export interface SourceHandle {
  /** The URL as given to connectSource(). */
  readonly url: string;
  /** The opener's input PIDs that come from this source (they also appear in `ctx.inputs`). */
  readonly inputs: readonly InputPid[];
  /**
   * True while a filter of the chain may still create PIDs (the source before its first read, a
   * demuxer before its header). The opener is woken when this changes.
   */
  readonly pending: boolean;
  /** True once every filter of the chain has ended (or the chain was removed). */
  readonly done: boolean;
  /**
   * Drop the chain (GPAC's gf_filter_remove_src): its filters are ended if they have not, finalized
   * and removed from the session; its PIDs leave `ctx.inputs` at once (no configurePid 'remove').
   * Call it from process(); a filter looping over sources calls it for every finished source, so a
   * run that never ends keeps a constant number of filters.
   */
  remove(): void;
}

/** What a filter instance may ask of the engine. */
export interface FilterContext<A> {
  /** Instance name, e.g. `mp4dmx` or `fout#2`. */
  readonly name: string;
  readonly args: A;
  readonly log: Logger;
  readonly clock: Clock;
  readonly inputs: readonly InputPid[];
  readonly outputs: readonly OutputPid[];
  /** Create an output PID. Linking happens when the engine next runs. */
  createPid(props: PidProps, name?: string): OutputPid;
  /** Remove an output PID (consumers see it as ended and removed). */
  removePid(pid: OutputPid): void;
  /**
   * Declare asynchronous work in flight (a write, an upload) started outside process(): the session
   * does not end, nor report a stuck graph, while it runs; when it settles the filter is processed
   * again; if it rejects, the run fails with that error. Returns the same promise.
   */
  track<T>(work: Promise<T>): Promise<T>;
  /**
   * Publish a few live figures for progress displays and `-stats` (segments written, clients, queue
   * lengths…): replaces this filter's previous status. Cheap; call it when the figures change.
   */
  reportStatus(status: Readonly<Record<string, number | string>>): void;
  /**
   * Keep a taken packet past the process() call that took it (GPAC's gf_filter_pck_ref), in a filter
   * that declares `dropsTakenPackets`; `drop()` it when done with its data.
   */
  keep(packet: Packet): void;
  /** Drop a packet kept with keep() (GPAC's gf_filter_pck_unref). Unmatched calls are ignored. */
  drop(packet: Packet): void;
  /** Ask to be processed again after `delayMs` (default: as soon as possible). */
  requestProcess(delayMs?: number): void;
  /**
   * True while a filter upstream of this one may still create PIDs that link here (a source not read
   * yet, a demuxer before its header): a filter that needs all its inputs before starting (a dasher
   * writing one manifest for every stream) waits; it is woken when this changes.
   */
  connectionsPending(): boolean;
  /** Ask the registry which format `data` (the first bytes of a file) is: returns a MIME type. */
  probeData(data: Uint8Array): string | undefined;
  /**
   * Open a new destination for `pid` (like GPAC's gf_filter_connect_destination): the sink that claims
   * `url` is created with `options` (raw strings, as if written after the URL) and linked to `pid`.
   */
  connectDestination(pid: OutputPid, url: string, options?: Readonly<Record<string, string>>): void;
  /**
   * Open a source for this filter alone (like GPAC's gf_filter_connect_source): the filter that claims
   * `url` (as for `-i url`: fin for local files) is created with `options` (raw strings, as if written
   * after the URL; the filters link resolution loads after it inherit them), and its PIDs — through
   * whatever chain link resolution finds, e.g. fin → mp4dmx — link only to this filter, which needs
   * input caps accepting them. Throws a GraphError when no filter claims `url`.
   */
  connectSource(url: string, options?: Readonly<Record<string, string>>): SourceHandle;
  /**
   * URL of the destination this filter works toward: the sink it was loaded for by link resolution,
   * or else the first sink declared after it (a dasher uses it to name manifests and segments).
   */
  readonly destination: string | undefined;
  /** The session this instance belongs to. */
  readonly session: SessionScope;
}

/** What a filter sees of its session (`ctx.session`). */
export interface SessionScope {
  /** Session options as written (`-runfor=5000`, `-ca-bundle=…`), raw strings; null for a bare flag. */
  readonly options: Readonly<Record<string, string | null>>;
  /**
   * State shared by the filters of this session, and by no other session in the process (a server
   * several instances on one address share, a cache, a counter): the value stored under `key`, made
   * by `init()` the first time. Keys compare by identity: use a module-level symbol. The value lives
   * as long as the session.
   */
  shared<T>(key: symbol | object, init: () => T): T;
}

export interface FilterImpl {
  /** A PID was linked (`new`), its properties changed (`update`) or it was removed (`remove`). Throw to refuse. */
  configurePid?(pid: InputPid, status: 'new' | 'update' | 'remove'): void;
  process(): ProcessResult | Promise<ProcessResult>;
  /** An event reached this filter (upstream on one of its outputs, or downstream on an input).
   *  Return true to stop it here; otherwise the engine forwards it (upstream events go to every input). */
  processEvent?(event: FilterEvent, pid: InputPid | OutputPid): boolean | void;
  /** Called once at the end of the run, also after an error. Release resources here. */
  finalize?(): void | Promise<void>;
}

export type ProbeScore = 'supported' | 'maybe' | 'no';

export interface FilterDescriptor<S extends ArgsSchema = ArgsSchema> {
  name: string;
  /** One line. */
  description: string;
  /** Longer help text, with runnable examples. */
  help?: string;
  /** The FILTER_API_VERSION the filter was written for. */
  apiVersion?: number;
  args: S;
  /** Capability bundles (see caps.ts). A source has no input caps; a sink has no output caps. */
  caps: readonly CapsBundle[];
  /** Caps of an instance when they depend on its args (e.g. a sink's input extension from `dst`). */
  instanceCaps?(args: ArgsOf<S>): readonly CapsBundle[];
  /** Never inserted by link resolution; must be declared (reframer). */
  explicitOnly?: boolean;
  /**
   * The filter follows GPAC's drop contract: a packet it takes is dropped when the process() call that
   * took it returns, so it uses a packet's data only during that call unless it keeps the packet with
   * `ctx.keep()`, and a packet it sends whose data is a view of a taken one names it with `ref` (sending
   * the taken packet itself is fine). Producers can then recycle the memory (PacketInit.onRelease).
   * Without this flag the engine assumes the filter may hold any packet it took: those packets are
   * never released.
   */
  dropsTakenPackets?: boolean;
  /** How many input PIDs one instance accepts (default 1). */
  maxInputs?: number;
  /** Lower is preferred when two chains cost the same. */
  priority?: number;
  /** For sources and sinks: can this filter open `url`? */
  probeUrl?(url: string, role: 'source' | 'sink'): ProbeScore;
  /** For demuxers: does `data` (first bytes of a file) look like a format this filter reads? */
  probeData?(data: Uint8Array): { mime: string; score: ProbeScore } | undefined;
  /**
   * GPAC log tools this filter logs under (`container`, `dash`, `http`, `network`, `media`, `mmio`…):
   * `-logs=dash@debug` reaches every filter listing `dash`. `-logs=NAME@LEVEL` always reaches a filter by name.
   */
  logTools?: readonly string[];
  /** Name of the option that receives the URL of `-i`/`-o` (default `src` for sources, `dst` for sinks). */
  urlOption?: string;
  create(ctx: FilterContext<ArgsOf<S>>): FilterImpl;
}

/** Declare a filter. Identity at run time; gives `create()` typed args. */
export function defineFilter<const S extends ArgsSchema>(
  descriptor: FilterDescriptor<S>,
): FilterDescriptor<S> {
  return { apiVersion: FILTER_API_VERSION, ...descriptor };
}

/** What the engine knows of a filter without its implementation: everything but create(). */
export type FilterMetadata<S extends ArgsSchema = ArgsSchema> = Omit<FilterDescriptor<S>, 'create'>;

/**
 * A filter whose implementation is imported on first use. The descriptor holds what link resolution,
 * option parsing, probing and help need (name, args, caps, probes…) and `load()`; nothing the filter
 * does at run time is imported until a graph uses it. A filter with heavy dependencies (a server, a
 * codec library) stays out of the start-up of every run that does not use it.
 *
 *   // descriptor.ts (imported by whoever registers the filter)
 *   export default defineLazyFilter({ name: 'mydmx', args, caps, probeData, load: () => import('./index.js') });
 *   // index.ts (the implementation: the same descriptor, with create)
 *   export default defineFilter({ ...descriptor, create(ctx) { … } });
 */
export interface LazyFilterDescriptor<S extends ArgsSchema = ArgsSchema> extends FilterMetadata<S> {
  /** The module whose default export is the full filter (this descriptor with create()). */
  load(): Promise<{ default: FilterDescriptor } | FilterDescriptor>;
}

/** What a registry holds: a filter with its implementation, or one loaded on first use. */
export type AnyFilterDescriptor = FilterDescriptor | LazyFilterDescriptor;

/** Declare a filter whose implementation is loaded on first use (see LazyFilterDescriptor). */
export function defineLazyFilter<const S extends ArgsSchema>(
  descriptor: LazyFilterDescriptor<S>,
): LazyFilterDescriptor<S> {
  return { apiVersion: FILTER_API_VERSION, ...descriptor };
}
