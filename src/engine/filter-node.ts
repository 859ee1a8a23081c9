/**
 * One filter instance inside a session: its descriptor, typed args, PIDs, scheduling state, and the
 * FilterContext handed to the filter's create(). Knows nothing of any particular filter.
 */
import type { ArgValue } from './args.js';
import type { CapsBundle } from './caps.js';
import type {
  FilterContext,
  AnyFilterDescriptor,
  FilterDescriptor,
  FilterEvent,
  FilterImpl,
  Logger,
  OutputPid,
  SourceHandle,
} from './filter-api.js';
import type { SchedulerClock } from './clock.js';
import type { OptionSpec } from '../syntax/graph-spec.js';
import type { PidProps } from './props.js';
import type { PidConnection, QueueLimits } from './pid.js';
import { OutputPidImpl } from './pid.js';
import type { ConnectionHost } from './pid.js';
import type { SourceGroup } from './source-group.js';
import { Holdings } from './packet-lease.js';
import { callFilter } from './filter-calls.js';

/** Where a node came from on the command line. */
export interface Declaration {
  /** Order of declaration among all declared filters (sources, filters, sinks). */
  index: number;
  kind: 'source' | 'sink' | 'filter';
  /** A source declared after a sink starts a new sub-session (spec §1.6). */
  subSession: number;
  /** Source selectors from SID= and link directives (empty: implicit linking). */
  sources: { node: FilterNode | null; id: string; fragment: string | null }[];
}

/** What a node needs from its session. */
export interface NodeHost extends ConnectionHost {
  readonly clock: SchedulerClock;
  readonly queueLimits: QueueLimits;
  readonly sessionOptions: Readonly<Record<string, string | null>>;
  probeData(data: Uint8Array): string | undefined;
  connectDestination(
    from: FilterNode,
    pid: OutputPidImpl,
    url: string,
    options: Readonly<Record<string, string>>,
  ): void;
  connectSource(from: FilterNode, url: string, options: Readonly<Record<string, string>>): SourceHandle;
  destinationOf(node: FilterNode): string | undefined;
  connectionsPending(node: FilterNode): boolean;
  /** Async work of a filter failed: the run ends with this error. */
  workFailed(node: FilterNode, error: unknown): void;
  /** A session-unique instance name: `dasher`, then `dasher#2`… */
  instanceName(filterClass: string): string;
  /** A session-unique PID id. */
  newPidId(): number;
  /** ctx.session.shared(): per-session state by key. */
  shared<T>(key: symbol | object, init: () => T): T;
  pidCreated(node: FilterNode, pid: OutputPidImpl): void;
  pidRemoved(node: FilterNode, pid: OutputPidImpl): void;
  wake(node: FilterNode): void;
}

export class FilterNode {
  readonly name: string;
  impl!: FilterImpl;
  /** create() has returned: `impl` is set. */
  started = false;
  readonly inputs: PidConnection[] = [];
  readonly outputs: OutputPidImpl[] = [];
  /** Output PIDs created since the last linking pass. */
  readonly unlinked: OutputPidImpl[] = [];
  /** Set on the filters of a source opened with connectSource(): their PIDs go only to its owner. */
  group: SourceGroup | null = null;
  /** Sources this filter opened with connectSource() and has not removed. */
  readonly ownedGroups = new Set<SourceGroup>();
  /** Dynamic chain: the next node the chain was built toward, and the final destination. */
  chain: { next: FilterNode; target: FilterNode } | null = null;
  /** For dynamic nodes: the declared node whose destination the chain serves. */
  finished = false;
  /** Last figures the filter reported (reportStatus). */
  status: Readonly<Record<string, number | string>> = {};
  /** Async operations declared with track() and not settled yet. */
  inFlight = 0;
  /** Asked connectionsPending() and got true: woken when a filter settles. */
  waitsForConnections = false;
  /** process() returned 'eos' but the filter was kept alive (a late PID may still reach it). */
  saidEos = false;
  /** Runnable because something happened since process() last said 'not-ready'. */
  woken = true;
  timerAt: number | undefined;
  readonly upstreamEvents: { event: FilterEvent; pid: OutputPidImpl }[] = [];
  /** Distance from the sources (for pull order: deepest first). */
  depth = 0;
  /** `#Prop=value` assignments applied to every output PID. */
  pidOverrides: PidProps = {};
  readonly log: Logger;
  private pidCount = 0;
  /** Packets this filter took or kept (released ones let producers recycle memory). */
  readonly holdings = new Holdings();
  /** Statistics: process() calls and milliseconds spent in them. */
  processCalls = 0;
  processMs = 0;

  constructor(
    readonly desc: AnyFilterDescriptor,
    readonly args: Record<string, ArgValue>,
    readonly decl: Declaration | null,
    /** Options passed on to filters loaded between this node and its sources/destinations (spec §1.7). */
    readonly inheritable: readonly OptionSpec[],
    readonly id: string | null,
    private readonly host: NodeHost,
    logFor: (cls: string, instance: string, tools: readonly string[]) => Logger,
  ) {
    this.name = host.instanceName(desc.name);
    this.log = logFor(desc.name, this.name, desc.logTools ?? []);
  }

  get isSink(): boolean {
    return this.decl?.kind === 'sink' || !this.desc.caps.some((b) => b.out !== undefined);
  }

  get inputCaps(): readonly CapsBundle[] {
    const dyn = this.desc.instanceCaps as
      ((a: Record<string, ArgValue>) => readonly CapsBundle[]) | undefined;
    return dyn ? callFilter(this, 'instanceCaps', () => dyn(this.args)) : this.desc.caps;
  }

  get maxInputs(): number {
    return this.desc.maxInputs ?? 1;
  }

  get hasRoom(): boolean {
    return this.inputs.length < this.maxInputs;
  }

  /**
   * Instantiate the filter: create() of `impl`, the filter's implementation (the descriptor itself,
   * or what a lazy descriptor's load() gave: the registry's loadImplementation()).
   */
  start(impl: FilterDescriptor): void {
    const host = this.host;
    const node = this as FilterNode;
    const inputs = () => this.inputs;
    const outputs = () => this.outputs;
    const ctx: FilterContext<Record<string, ArgValue>> = {
      name: this.name,
      args: this.args,
      log: this.log,
      clock: host.clock,
      get inputs() {
        return inputs();
      },
      get outputs() {
        return outputs();
      },
      createPid: (props, name) => this.createPid(props, name),
      removePid: (pid) => this.removePid(pid),
      requestProcess: (delayMs) => this.requestProcess(delayMs),
      keep: (packet) => this.holdings.keep(packet),
      drop: (packet) => this.holdings.drop(packet),
      reportStatus: (status) => {
        this.status = status;
      },
      track: <T>(work: Promise<T>) => this.track(work),
      probeData: (data) => host.probeData(data),
      connectionsPending: () => {
        const pending = host.connectionsPending(this);
        this.waitsForConnections = pending;
        return pending;
      },
      connectDestination: (pid, url, options = {}) => {
        if (!(pid instanceof OutputPidImpl) || !this.outputs.includes(pid))
          throw new Error(`${this.name}: connectDestination() needs one of this filter's output PIDs`);
        host.connectDestination(this, pid, url, options);
      },
      connectSource: (url, options = {}) => host.connectSource(this, url, options),
      get destination() {
        return host.destinationOf(node);
      },
      session: { options: host.sessionOptions, shared: (key, init) => host.shared(key, init) },
    };
    this.impl = callFilter(this, 'create', () => (impl.create as (c: typeof ctx) => FilterImpl)(ctx));
    this.started = true;
  }

  /** Asynchronous work in flight for this filter (ctx.track): the run waits for it and fails with its error. */
  track<T>(work: Promise<T>): Promise<T> {
    this.inFlight++;
    work.then(
      () => {
        this.inFlight--;
        this.requestProcess();
      },
      (e: unknown) => {
        this.inFlight--;
        this.host.workFailed(this, e);
      },
    );
    return work;
  }

  /** True while this filter has sources of its own (connectSource): it is where media enters the graph. */
  get ownsSources(): boolean {
    return this.ownedGroups.size > 0;
  }

  private createPid(props: PidProps, name?: string): OutputPid {
    this.pidCount++;
    const pid = new OutputPidImpl(
      this.host.newPidId(),
      name ?? `${this.desc.name}${this.pidCount}`,
      { ...props, ...this.pidOverrides },
      this.name,
      this.host,
      this.host.queueLimits,
    );
    this.outputs.push(pid);
    this.unlinked.push(pid);
    this.host.pidCreated(this, pid);
    return pid;
  }

  private removePid(pid: OutputPid): void {
    const i = this.outputs.indexOf(pid as OutputPidImpl);
    if (i < 0) return;
    const impl = this.outputs[i]!;
    impl.removed = true;
    impl.setEos();
    this.host.pidRemoved(this, impl);
  }

  requestProcess(delayMs = 0): void {
    if (delayMs <= 0) {
      this.timerAt = undefined;
      this.host.wake(this);
    } else {
      const at = this.host.clock.now() + delayMs;
      if (this.timerAt === undefined || at < this.timerAt) this.timerAt = at;
    }
  }

  /** All connected outputs are blocked (a node with no linked output is never blocked by them). */
  get blocked(): boolean {
    const live = this.outputs.filter((p) => !p.isEos && (p.consumers > 0 || !p.linked));
    return live.length > 0 && live.every((p) => p.wouldBlock);
  }

  get inputsDone(): boolean {
    return this.inputs.length > 0 && this.inputs.every((c) => c.eos);
  }

  /** Does this filter drop what it takes when process() returns (FilterDescriptor.dropsTakenPackets)? */
  get dropsTakenPackets(): boolean {
    return this.desc.dropsTakenPackets === true;
  }

  endOutputs(): void {
    for (const p of this.outputs) p.setEos();
  }
}
