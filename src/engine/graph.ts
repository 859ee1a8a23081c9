/**
 * The running filter graph: its filter instances, how they are created (declared, inserted by link
 * resolution, opened by a filter), linked and removed, and the hooks their PIDs and contexts call.
 * Session (session.ts) builds one from a GraphSpec and runs it; the test harness (src/testing) drives
 * one filter in it directly.
 */
import { EventEmitter } from 'eventemitter3';
import type { GlobalOptionSpec, OptionSpec } from '../syntax/graph-spec.js';
import type { AnyFilterDescriptor, FilterDescriptor, FilterEvent, SourceHandle } from './filter-api.js';
import type { SchedulerClock } from './clock.js';
import { FilterNode } from './filter-node.js';
import type { Declaration } from './filter-node.js';
import type { LogSink } from './logger.js';
import type { PidConnection, QueueLimits } from './pid.js';
import { PidConnection as Conn } from './pid.js';
import type { OutputPidImpl } from './pid.js';
import type { Registry } from './registry.js';
import { implementationOf, loadImplementation } from './registry.js';
import { GraphError } from './errors.js';
import { OptionUsage, applyArgs, inheritablePart } from './apply-args.js';
import { describePid, resolvePid } from './linker.js';
import type { LinkHost, LinkOutcome } from './linker.js';
import { finish, unsettledUpstream, wakeWaiters } from './scheduler.js';
import type { SchedulerHost } from './scheduler.js';
import { SourceGroup } from './source-group.js';
import { callFilter, filterError } from './filter-calls.js';
import type { FilterStats, SessionEvents, SessionProgress } from './session-events.js';
import type { ArgValue } from './args.js';

/** What a graph is made with (a Session derives it from its options). */
export interface GraphConfig {
  registry: Registry;
  clock: SchedulerClock;
  logs: LogSink;
  queueLimits: QueueLimits;
  /** Longest chain of filters link resolution may insert. */
  maxChain: number;
  /** Milliseconds after which the run is flushed (`-runfor`). */
  runForMs: number | undefined;
  /** Session options (-opt[=val]) visible to filters, raw. */
  options: Readonly<Record<string, string | null>>;
}

export class FilterGraph extends EventEmitter<SessionEvents> implements LinkHost, SchedulerHost {
  readonly registry: Registry;
  readonly clock: SchedulerClock;
  readonly queueLimits: QueueLimits;
  readonly maxChain: number;
  readonly runForMs: number | undefined;
  readonly sessionOptions: Readonly<Record<string, string | null>>;
  readonly logs: LogSink;
  readonly nodes: FilterNode[] = [];
  readonly usage = new OptionUsage();
  /** `--opt` / `--FILTER@opt` globals every filter created in this graph starts from. */
  protected globals: readonly GlobalOptionSpec[] = [];
  /** Set by stop(): 'flush' ends the sources and lets the rest drain; 'abort' ends at once. */
  stopMode: 'flush' | 'abort' | null = null;
  /** First failure of a filter's tracked async work; the scheduler throws it. */
  asyncError: GraphError | undefined;
  /** Ends the scheduler's current sleep (set only while it sleeps). */
  private wakeSleeper: (() => void) | undefined;
  private readonly byName = new Map<string, FilterNode>();
  private readonly instances = new Map<string, number>();
  private nextPidId = 1;
  private nextGroupId = 1;
  private readonly sharedState = new Map<symbol | object, unknown>();

  constructor(config: GraphConfig) {
    super();
    this.registry = config.registry;
    this.clock = config.clock;
    this.queueLimits = config.queueLimits;
    this.maxChain = config.maxChain;
    this.runForMs = config.runForMs;
    this.sessionOptions = config.options;
    this.logs = config.logs;
  }

  get filters(): readonly AnyFilterDescriptor[] {
    return this.registry.list();
  }

  /** A promise the scheduler sleeps on; anything that may unblock the graph resolves it. */
  sleepSignal(): Promise<void> {
    return new Promise<void>((resolve) => (this.wakeSleeper = resolve));
  }

  protected interruptSleep(): void {
    const w = this.wakeSleeper;
    this.wakeSleeper = undefined;
    w?.();
  }

  // ---- filter instances -------------------------------------------------------------------------

  /** A session-unique instance name: `dasher`, then `dasher#2`… */
  instanceName(filterClass: string): string {
    const n = (this.instances.get(filterClass) ?? 0) + 1;
    this.instances.set(filterClass, n);
    return n === 1 ? filterClass : `${filterClass}#${n}`;
  }

  /** Session-unique PID ids (InputPid.id / OutputPid.id). */
  newPidId(): number {
    return this.nextPidId++;
  }

  /** Filters' per-session state (ctx.session.shared). */
  shared<T>(key: symbol | object, init: () => T): T {
    if (!this.sharedState.has(key)) this.sharedState.set(key, init());
    return this.sharedState.get(key) as T;
  }

  /** A filter instance of this graph (not started: see startNode). */
  protected newNode(
    desc: AnyFilterDescriptor,
    args: Record<string, ArgValue>,
    decl: Declaration | null,
    inheritable: readonly OptionSpec[],
    id: string | null,
  ): FilterNode {
    const node = new FilterNode(desc, args, decl, inheritable, id, this, (cls, instance, tools) =>
      this.logs.forFilter(cls, instance, tools),
    );
    this.nodes.push(node);
    this.byName.set(node.name, node);
    return node;
  }

  node(name: string): FilterNode | undefined {
    return this.byName.get(name);
  }

  warn(message: string): void {
    this.logs.root.warn(message);
    this.emit('warning', message);
  }

  /** Filters whose implementation is being imported (lazy descriptors): they start once it is. */
  private readonly loads = new Set<Promise<void>>();

  /**
   * Instantiate a filter (its create()). A lazy filter whose implementation is not loaded yet starts
   * once it is: the scheduler waits for that (settleLoads) before running anything; PIDs linked to it
   * meanwhile queue up and reach its configurePid('new') when it starts.
   */
  startNode(node: FilterNode): void {
    const impl = implementationOf(node.desc);
    if (impl) return this.startWith(node, impl);
    const p: Promise<void> = loadImplementation(node.desc).then((loaded) => {
      this.loads.delete(p);
      if (!node.finished && this.byName.get(node.name) === node) this.startWith(node, loaded);
    });
    p.catch(() => {}); // awaited (and thrown) by settleLoads
    this.loads.add(p);
    this.interruptSleep();
  }

  private startWith(node: FilterNode, impl: FilterDescriptor): void {
    node.start(impl);
    for (const c of node.inputs)
      if (!c.configured) {
        callFilter(node, 'configurePid', () => node.impl.configurePid?.(c, 'new'));
        c.configured = true;
      }
    node.woken = true;
  }

  /** Some filter's implementation is being imported. */
  get loading(): boolean {
    return this.loads.size > 0;
  }

  /** Wait until every filter being loaded has started (throws a load or create() error). */
  async settleLoads(): Promise<void> {
    while (this.loads.size) await Promise.all([...this.loads]);
  }

  // ---- LinkHost ---------------------------------------------------------------------------------

  createDynamic(desc: AnyFilterDescriptor, from: FilterNode, target: FilterNode): FilterNode {
    // GPAC: sources a filter opens for itself do not inherit the opener's options.
    const inherited = from.group ? [...from.inheritable] : [...from.inheritable, ...target.inheritable];
    const res = applyArgs(desc.name, desc.args, [], inherited, this.globals, this.usage);
    const node = this.newNode(desc, res.args, null, inherited, null);
    node.depth = from.depth + 1;
    // A filter loaded after a connected source belongs to its chain.
    if (from.group) {
      node.group = from.group;
      from.group.nodes.add(node);
    }
    this.emit('filter', node.name, true);
    return node;
  }

  connect(pid: OutputPidImpl, from: FilterNode, to: FilterNode): void {
    const conn = new Conn(pid, to.name, this);
    if (to.dropsTakenPackets) conn.onTake = (p) => to.holdings.took(p);
    conn.consumerOutputs = () => to.outputs;
    pid.connect(conn);
    to.inputs.push(conn);
    this.raiseDepth(to, from.depth + 1);
    this.emit('link', pid.name, from.name, to.name);
    // A filter still loading is configured when it starts (startWith).
    if (to.started) {
      callFilter(to, 'configurePid', () => to.impl.configurePid?.(conn, 'new'));
      conn.configured = true;
    }
    to.woken = true;
    to.saidEos = false;
  }

  /** Pull order: a filter is deeper than everything feeding it (a source opened late may deepen a chain). */
  private raiseDepth(node: FilterNode, depth: number, guard = 0): void {
    if (depth <= node.depth || guard > 64) return;
    node.depth = depth;
    for (const p of node.outputs)
      for (const c of p.connections) {
        const next = this.byName.get(c.consumer);
        if (next) this.raiseDepth(next, depth + 1, guard + 1);
      }
  }

  /** Where one new PID goes (link resolution; the test harness routes its filter's PIDs itself). */
  protected resolveLink(pid: OutputPidImpl, node: FilterNode): LinkOutcome {
    return resolvePid(pid, node, this);
  }

  /** Link every PID created since the last pass. Throws when a filter's PIDs can go nowhere. */
  linkPending(): void {
    for (let i = 0; i < this.nodes.length; i++) {
      const node = this.nodes[i]!;
      if (!node.unlinked.length) continue;
      const pids = node.unlinked.splice(0);
      const failures: { pid: OutputPidImpl; reasons: string[]; noCandidates: boolean }[] = [];
      for (const pid of pids) {
        const out = this.resolveLink(pid, node);
        pid.settle();
        // Its producer may have stopped at the one packet allowed before linking.
        node.woken = true;
        if (!out.linked) failures.push({ pid, reasons: out.reasons, noCandidates: out.noCandidates });
      }
      const anyLinked = node.outputs.some((p) => p.consumers > 0);
      for (const f of failures) {
        if (f.noCandidates) {
          this.warn(`${describePid(f.pid)} has no destination: its packets are dropped`);
        } else if (anyLinked) {
          this.warn(
            `${describePid(f.pid)} could not be linked and is dropped: ${[...new Set(f.reasons)].join('; ')}`,
          );
        } else {
          // One reason per destination (two alike, e.g. dual outputs to one fout, said once).
          const why = [...new Set(f.reasons)].join('; ');
          throw new GraphError('LINK_FAILED', `cannot link ${describePid(f.pid)}: ${why}`, {
            pid: f.pid.name,
            filter: node.name,
          });
        }
      }
    }
  }

  // ---- NodeHost: what a filter's context asks of the graph ----------------------------------------

  probeData(data: Uint8Array): string | undefined {
    return this.registry.probeData(data);
  }

  connectDestination(
    from: FilterNode,
    pid: OutputPidImpl,
    url: string,
    options: Readonly<Record<string, string>>,
  ): void {
    const desc = this.registry.probeUrl(url, 'sink');
    if (!desc)
      throw new GraphError('NO_SINK_HANDLER', `${from.name}: no filter can write destination "${url}"`, {
        url,
      });
    const res = applyArgs(
      desc.name,
      desc.args,
      optionSpecs(options),
      from.inheritable,
      this.globals,
      this.usage,
      {
        [desc.urlOption ?? 'dst']: url,
      },
    );
    const node = this.newNode(desc, res.args, null, from.inheritable, null);
    node.depth = from.depth + 1;
    this.startNode(node);
    this.emit('filter', node.name, true);
    const i = from.unlinked.indexOf(pid);
    if (i >= 0) from.unlinked.splice(i, 1);
    this.connect(pid, from, node);
    pid.settle();
  }

  connectSource(from: FilterNode, url: string, options: Readonly<Record<string, string>>): SourceHandle {
    const desc = this.registry.probeUrl(url, 'source');
    if (!desc)
      throw new GraphError('NO_SOURCE_HANDLER', `${from.name}: no filter can open source "${url}"`, { url });
    const own = optionSpecs(options);
    const res = applyArgs(desc.name, desc.args, own, [], this.globals, this.usage, {
      [desc.urlOption ?? 'src']: url,
    });
    const group = new SourceGroup(this.nextGroupId++, url, from, this);
    const node = this.newNode(desc, res.args, null, inheritablePart(own), null);
    node.group = group;
    group.nodes.add(node);
    from.ownedGroups.add(group);
    this.startNode(node);
    this.emit('filter', node.name, true);
    this.interruptSleep();
    return group;
  }

  /** SourceHandle.remove(): end, detach, finalize and forget every filter of a connected source's chain. */
  removeGroup(group: SourceGroup): void {
    if (group.removed) return;
    const nodes = [...group.nodes];
    group.removed = true;
    group.nodes.clear();
    group.owner.ownedGroups.delete(group);
    const members = new Set(nodes);
    for (const n of nodes) if (!n.finished) finish(n);
    // The chain's PIDs leave their consumers outside it (the owner).
    for (const n of nodes)
      for (const p of n.outputs)
        for (const c of p.connections) {
          const consumer = this.byName.get(c.consumer);
          if (!consumer || members.has(consumer)) continue;
          const i = consumer.inputs.indexOf(c);
          if (i >= 0) consumer.inputs.splice(i, 1);
        }
    for (let i = this.nodes.length - 1; i >= 0; i--) if (members.has(this.nodes[i]!)) this.nodes.splice(i, 1);
    for (const n of nodes) this.byName.delete(n.name);
    group.owner.track(Promise.all(nodes.map((n) => finalizeNode(n))));
    wakeWaiters(this);
    for (const n of nodes) this.emit('removed', n.name);
  }

  pidCreated(): void {}

  connectionsPending(node: FilterNode): boolean {
    return unsettledUpstream(node, this);
  }

  destinationOf(node: FilterNode): string | undefined {
    const target =
      node.chain?.target ??
      this.nodes.find(
        (n) =>
          n.decl?.kind === 'sink' &&
          node.decl &&
          n.decl.subSession === node.decl.subSession &&
          n.decl.index > node.decl.index,
      );
    const url = target?.args[target.desc.urlOption ?? 'dst'];
    return typeof url === 'string' ? url : undefined;
  }

  pidRemoved(_node: FilterNode, pid: OutputPidImpl): void {
    for (const c of pid.connections) {
      const consumer = this.byName.get(c.consumer);
      if (consumer) consumer.woken = true;
    }
  }

  wake(node: FilterNode): void {
    node.woken = true;
    this.interruptSleep();
  }

  workFailed(node: FilterNode, error: unknown): void {
    this.asyncError ??= filterError(node, 'work', error);
    this.interruptSleep();
  }

  // ---- ConnectionHost: what PID queues ask of the graph -------------------------------------------

  deliverProps(conn: PidConnection): void {
    const n = this.byName.get(conn.consumer);
    if (n) callFilter(n, 'configurePid', () => n.impl.configurePid?.(conn, 'update'));
  }

  deliverEvent(conn: PidConnection, event: FilterEvent): void {
    const n = this.byName.get(conn.consumer);
    if (!n) return;
    if (callFilter(n, 'processEvent', () => n.impl.processEvent?.(event, conn)) === true) return;
    for (const o of n.outputs) o.sendEvent(event);
  }

  upstreamEvent(conn: PidConnection, event: FilterEvent): void {
    const producer = this.byName.get(conn.producer);
    if (!producer || producer.finished) return;
    producer.upstreamEvents.push({ event, pid: conn.output });
    this.wake(producer);
  }

  wakeConsumer(conn: PidConnection): void {
    const n = this.byName.get(conn.consumer);
    if (n) n.woken = true;
  }

  wakeProducer(conn: PidConnection): void {
    const n = this.byName.get(conn.producer);
    if (n) n.woken = true;
  }

  // ---- observing ----------------------------------------------------------------------------------

  /** Per-filter statistics so far. */
  stats(): FilterStats[] {
    return this.nodes.map((n) => ({
      filter: n.name,
      inputs: n.inputs.length,
      outputs: n.outputs.length,
      packetsSent: n.outputs.reduce((a, p) => a + p.packetsSent, 0),
      bytesSent: n.outputs.reduce((a, p) => a + p.bytesSent, 0),
      processCalls: n.processCalls,
      processMs: n.processMs,
      status: n.status,
    }));
  }

  /** Where the run stands: media time reached, input duration when known, every filter's status. */
  progress(): SessionProgress {
    let media = 0;
    let duration: number | undefined;
    const status: Record<string, Readonly<Record<string, number | string>>> = {};
    for (const n of this.nodes) {
      if (Object.keys(n.status).length) status[n.name] = n.status;
      const m = n.status.mediaSeconds;
      if (typeof m === 'number') media = Math.max(media, m);
      for (const p of n.outputs) {
        const d = p.props.Duration;
        if (p.props.StreamType !== 'File' && d && d.den > 0)
          duration = Math.max(duration ?? 0, d.num / d.den);
      }
    }
    return { mediaSeconds: media, durationSeconds: duration, status };
  }

  /** 'flush' (SIGINT, -runfor): end the sources and let what is in flight drain; 'abort' (SIGTERM): end now. */
  stop(mode: 'flush' | 'abort' = 'flush'): void {
    if (this.stopMode === 'abort') return;
    this.stopMode = mode;
    this.interruptSleep();
  }
}

/** Call a filter's finalize() (errors attributed to it). */
export async function finalizeNode(n: FilterNode): Promise<void> {
  if (!n.started) return;
  await callFilter(n, 'finalize', () => n.impl.finalize?.());
}

/** Options a filter passes to connectSource / connectDestination, as if written after the URL. */
function optionSpecs(options: Readonly<Record<string, string>>): OptionSpec[] {
  return Object.entries(options).map(([name, value]) => ({ kind: 'option', name, value, negated: false }));
}
