/**
 * A filter session: builds filter instances from a GraphSpec, links PIDs as they appear, and runs the
 * pull scheduler until every filter has ended (or the run is stopped). Observers (CLI, library users)
 * follow it through typed events; data and control never depend on them.
 */
import { EventEmitter } from 'eventemitter3';
import type { GraphSpec, OptionSpec } from '../syntax/graph-spec.js';
import type { FilterDescriptor, FilterEvent, SourceHandle } from './filter-api.js';
import type { SchedulerClock } from './clock.js';
import { systemClock } from './clock.js';
import type { Declaration } from './filter-node.js';
import { FilterNode } from './filter-node.js';
import type { LogSink } from './logger.js';
import { createLogSink, parseLogs } from './logger.js';
import type { PidConnection, QueueLimits } from './pid.js';
import { DEFAULT_QUEUE_LIMITS, PidConnection as Conn } from './pid.js';
import type { OutputPidImpl } from './pid.js';
import type { Registry } from './registry.js';
import { GraphError } from './errors.js';
import { OptionUsage, applyArgs, inheritablePart, trackedPart } from './apply-args.js';
import { describePid, resolvePid } from './linker.js';
import type { LinkHost } from './linker.js';
import { finish, runScheduler, unsettledUpstream, wakeWaiters } from './scheduler.js';
import { SourceGroup } from './source-group.js';
import { parsePropValue } from './prop-parse.js';

export interface SessionEvents {
  /** A filter was instantiated (declared or loaded by link resolution). */
  filter: (name: string, dynamic: boolean) => void;
  /** A filter was removed from the session (the chain of a source dropped with SourceHandle.remove()). */
  removed: (name: string) => void;
  /** A PID was linked from one filter to another. */
  link: (pid: string, from: string, to: string) => void;
  warning: (message: string) => void;
  /** Per-filter statistics, once, when the run has ended (before `end`). */
  stats: (stats: FilterStats[]) => void;
  /** The run ended (error is set when it failed). */
  end: (error?: GraphError) => void;
}

/** What `-stats` prints, as data. */
export interface FilterStats {
  filter: string;
  inputs: number;
  outputs: number;
  packetsSent: number;
  bytesSent: number;
  processCalls: number;
  processMs: number;
  /** The filter's last reported status (reportStatus). */
  status: Readonly<Record<string, number | string>>;
}

export interface SessionInit {
  registry: Registry;
  clock?: SchedulerClock;
  logs?: LogSink;
  queueLimits?: Partial<QueueLimits>;
  /** Longest chain of filters link resolution may insert (GPAC -max-chain, default 6). */
  maxChain?: number;
  /** Session options (-opt[=val]) visible to filters. */
  options?: Record<string, string | null>;
}

export class Session extends EventEmitter<SessionEvents> implements LinkHost {
  readonly registry: Registry;
  readonly clock: SchedulerClock;
  readonly queueLimits: QueueLimits;
  readonly maxChain: number;
  readonly sessionOptions: Readonly<Record<string, string | null>>;
  readonly logs: LogSink;
  readonly nodes: FilterNode[] = [];
  readonly usage = new OptionUsage();
  private spec: GraphSpec = { entries: [], globals: [], session: [] };
  /** Options written on the command line, to warn about those no filter used. */
  private readonly tracked: { owner: string; option: OptionSpec }[] = [];
  /** Set by stop(): 'flush' ends the sources and lets the rest drain; 'abort' ends at once. */
  stopMode: 'flush' | 'abort' | null = null;
  /** Ends the scheduler's current sleep (set only while it sleeps). */
  private wakeSleeper: (() => void) | undefined;

  /** A promise the scheduler sleeps on; anything that may unblock the graph resolves it. */
  sleepSignal(): Promise<void> {
    return new Promise<void>((resolve) => (this.wakeSleeper = resolve));
  }

  private interruptSleep(): void {
    const w = this.wakeSleeper;
    this.wakeSleeper = undefined;
    w?.();
  }
  private started = false;

  constructor(init: SessionInit) {
    super();
    this.registry = init.registry;
    this.clock = init.clock ?? systemClock;
    this.queueLimits = { ...DEFAULT_QUEUE_LIMITS, ...init.queueLimits };
    this.maxChain = init.maxChain ?? 6;
    this.sessionOptions = init.options ?? {};
    this.logs = init.logs ?? createLogSink(parseLogs([]));
  }

  get filters(): readonly FilterDescriptor[] {
    return this.registry.list();
  }

  /** Create the declared filters of a parsed command line. Throws GraphError on any bad entry. */
  load(spec: GraphSpec): this {
    this.spec = spec;
    const declared: FilterNode[] = [];
    let subSession = 0;
    let sawSink = false;
    for (const [index, e] of spec.entries.entries()) {
      let desc: FilterDescriptor | undefined;
      const preset: Record<string, string> = {};
      if (e.kind === 'source') {
        if (sawSink) {
          subSession++;
          sawSink = false;
        }
        desc = this.registry.probeUrl(e.url, 'source');
        if (!desc)
          throw new GraphError(
            'NO_SOURCE_HANDLER',
            `no filter can open source "${e.url}" (argument ${e.arg + 1})`,
            {
              url: e.url,
            },
          );
        preset[desc.urlOption ?? 'src'] = e.url;
      } else if (e.kind === 'sink') {
        sawSink = true;
        desc = this.registry.probeUrl(e.url, 'sink');
        if (!desc)
          throw new GraphError(
            'NO_SINK_HANDLER',
            `no filter can write destination "${e.url}" (argument ${e.arg + 1})`,
            {
              url: e.url,
            },
          );
        preset[desc.urlOption ?? 'dst'] = e.url;
      } else {
        desc = this.registry.get(e.name);
        if (!desc) {
          const near = this.registry
            .list()
            .map((d) => d.name)
            .filter((n) => n.startsWith(e.name.slice(0, 2)));
          throw new GraphError(
            'UNKNOWN_FILTER',
            `unknown filter "${e.name}" (argument ${e.arg + 1})${near.length ? `; did you mean ${near.join(', ')}?` : ''}; see graphpac -h filters`,
            { filter: e.name },
          );
        }
      }
      const own = e.options.filter((o): o is OptionSpec => o.kind === 'option');
      const res = applyArgs(desc.name, desc.args, own, [], this.spec.globals, this.usage, preset);
      for (const a of res.ambiguous)
        this.warn(
          `${desc.name}: "${a.option.name}" matches values of several options (${a.candidates.join(', ')}): ignored`,
        );
      if (e.kind === 'filter') {
        for (const u of res.unknown)
          this.warn(`${desc.name}: unknown option "${u.name}" ignored (see graphpac -h ${desc.name})`);
      } else {
        for (const o of trackedPart(own))
          this.tracked.push({ owner: `${e.kind === 'source' ? '-i' : '-o'} ${e.url}`, option: o });
      }
      const decl: Declaration = { index, kind: e.kind, subSession, sources: [] };
      const node = this.addNode(
        new FilterNode(desc, res.args, decl, inheritablePart(own), e.id, this, this.logFor),
      );
      for (const p of e.options)
        if (p.kind === 'property') node.pidOverrides[p.name] = parsePropValue(p.value);
      declared.push(node);
    }
    // Link directives (@, @N, @@N) and SID= lists: resolved against the declared filters.
    for (const [i, e] of spec.entries.entries()) {
      const node = declared[i]!;
      for (const l of e.links) {
        const j = l.from === 'previous' ? i - 1 - l.index : l.index;
        const target = declared[j];
        if (!target || j === i)
          throw new GraphError(
            'BAD_LINK_DIRECTIVE',
            `link directive ${l.from === 'first' ? '@@' : '@'}${l.index} before "${node.name}" (argument ${e.arg + 1}) names no declared filter`,
            { index: l.index },
          );
        node.decl!.sources.push({ node: target, id: '', fragment: l.fragment });
      }
      for (const s of e.sources) {
        const target = declared.find((n) => n.id === s.id);
        if (!target)
          throw new GraphError(
            'BAD_LINK_DIRECTIVE',
            `SID=${s.id} on "${node.name}" names no filter (no FID=${s.id})`,
            {
              id: s.id,
            },
          );
        node.decl!.sources.push({ node: target, id: s.id, fragment: s.fragment });
      }
    }
    return this;
  }

  private readonly logFor = (cls: string, instance: string) => this.logs.forFilter(cls, instance);

  private readonly byName = new Map<string, FilterNode>();
  private readonly instances = new Map<string, number>();

  instanceName(filterClass: string): string {
    const n = (this.instances.get(filterClass) ?? 0) + 1;
    this.instances.set(filterClass, n);
    return n === 1 ? filterClass : `${filterClass}#${n}`;
  }

  private addNode(n: FilterNode): FilterNode {
    this.nodes.push(n);
    this.byName.set(n.name, n);
    return n;
  }

  node(name: string): FilterNode | undefined {
    return this.byName.get(name);
  }

  warn(message: string): void {
    this.logs.root.warn(message);
    this.emit('warning', message);
  }

  // ---- LinkHost ---------------------------------------------------------------------------------

  createDynamic(desc: FilterDescriptor, from: FilterNode, target: FilterNode): FilterNode {
    // GPAC: sources a filter opens for itself do not inherit the opener's options.
    const inherited = from.group ? [...from.inheritable] : [...from.inheritable, ...target.inheritable];
    const res = applyArgs(desc.name, desc.args, [], inherited, this.spec.globals, this.usage);
    const node = this.addNode(new FilterNode(desc, res.args, null, inherited, null, this, this.logFor));
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
    to.impl.configurePid?.(conn, 'new');
    conn.configured = true;
    to.woken = true;
    to.saidEos = false;
  }

  // ---- NodeHost / ConnectionHost --------------------------------------------------------------

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
    const own = optionSpecs(options);
    const res = applyArgs(desc.name, desc.args, own, from.inheritable, this.spec.globals, this.usage, {
      [desc.urlOption ?? 'dst']: url,
    });
    const node = this.addNode(
      new FilterNode(desc, res.args, null, from.inheritable, null, this, this.logFor),
    );
    node.depth = from.depth + 1;
    this.startNode(node);
    this.emit('filter', node.name, true);
    const i = from.unlinked.indexOf(pid);
    if (i >= 0) from.unlinked.splice(i, 1);
    this.connect(pid, from, node);
    pid.settle();
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

  connectSource(from: FilterNode, url: string, options: Readonly<Record<string, string>>): SourceHandle {
    const desc = this.registry.probeUrl(url, 'source');
    if (!desc)
      throw new GraphError('NO_SOURCE_HANDLER', `${from.name}: no filter can open source "${url}"`, { url });
    const own = optionSpecs(options);
    const res = applyArgs(desc.name, desc.args, own, [], this.spec.globals, this.usage, {
      [desc.urlOption ?? 'src']: url,
    });
    const group = new SourceGroup(url, from, this);
    const node = this.addNode(
      new FilterNode(desc, res.args, null, inheritablePart(own), null, this, this.logFor),
    );
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
    const finalized = Promise.all(
      nodes.map(async (n) => {
        try {
          await n.impl?.finalize?.();
        } catch (e) {
          throw wrapFilterError(n, e);
        }
      }),
    );
    group.owner.track(finalized);
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

  deliverProps(conn: PidConnection): void {
    const n = this.consumerOf(conn);
    n?.impl.configurePid?.(conn, 'update');
  }

  deliverEvent(conn: PidConnection, event: FilterEvent): void {
    const n = this.consumerOf(conn);
    if (!n) return;
    if (n.impl.processEvent?.(event, conn) === true) return;
    for (const o of n.outputs) o.sendEvent(event);
  }

  upstreamEvent(conn: PidConnection, event: FilterEvent): void {
    const producer = this.byName.get(conn.producer);
    if (!producer || producer.finished) return;
    producer.upstreamEvents.push({ event, pid: conn.output });
    this.wake(producer);
  }

  /** First failure of a filter's tracked async work; the scheduler throws it. */
  asyncError: GraphError | undefined;

  workFailed(node: FilterNode, error: unknown): void {
    this.asyncError ??= wrapFilterError(node, error);
    this.interruptSleep();
  }

  wakeConsumer(conn: PidConnection): void {
    const n = this.consumerOf(conn);
    if (n) n.woken = true;
  }

  wakeProducer(conn: PidConnection): void {
    const n = this.byName.get(conn.producer);
    if (n) n.woken = true;
  }

  private consumerOf(conn: PidConnection): FilterNode | undefined {
    return this.byName.get(conn.consumer);
  }

  // ---- running ----------------------------------------------------------------------------------

  startNode(node: FilterNode): void {
    try {
      node.start();
    } catch (e) {
      throw wrapFilterError(node, e);
    }
  }

  /** Link every PID created since the last pass. Throws when a filter's PIDs can go nowhere. */
  linkPending(): void {
    for (let i = 0; i < this.nodes.length; i++) {
      const node = this.nodes[i]!;
      if (!node.unlinked.length) continue;
      const pids = node.unlinked.splice(0);
      const failures: { pid: OutputPidImpl; reasons: string[]; noCandidates: boolean }[] = [];
      for (const pid of pids) {
        const out = resolvePid(pid, node, this);
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
          this.warn(`${describePid(f.pid)} could not be linked and is dropped: ${f.reasons.join('; ')}`);
        } else {
          throw new GraphError('LINK_FAILED', `cannot link ${describePid(f.pid)}: ${f.reasons.join('; ')}`, {
            pid: f.pid.name,
            filter: node.name,
          });
        }
      }
    }
  }

  /** Run to the end. Resolves when every filter has ended; rejects with a GraphError. */
  async run(): Promise<void> {
    if (this.started) throw new Error('a session runs once');
    this.started = true;
    let error: GraphError | undefined;
    try {
      for (const n of [...this.nodes]) {
        this.startNode(n);
        this.emit('filter', n.name, false);
      }
      await runScheduler(this);
      this.warnUnused();
    } catch (e) {
      error = e instanceof GraphError ? e : new GraphError('FILTER_FAILED', String(e), {}, { cause: e });
    }
    for (const n of this.nodes) {
      try {
        await n.impl?.finalize?.();
      } catch (e) {
        error ??= wrapFilterError(n, e);
      }
    }
    this.emit('stats', this.stats());
    this.emit('end', error);
    if (error) throw error;
  }

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

  /**
   * Where the run stands: media time reached (seconds, the furthest any filter reported as
   * `mediaSeconds`), the input duration when known (the longest demuxed stream), and every filter's
   * reported status.
   */
  progress(): {
    mediaSeconds: number;
    durationSeconds: number | undefined;
    status: Record<string, Readonly<Record<string, number | string>>>;
  } {
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

  private warnUnused(): void {
    for (const t of this.tracked)
      if (!this.usage.isUsed(t.option))
        this.warn(`option "${t.option.name}" of ${t.owner} was not used by any filter`);
    for (const g of this.spec.globals)
      if (!this.usage.isUsed(g))
        this.warn(`global option --${g.filter ? `${g.filter}@` : ''}${g.name} was not used by any filter`);
  }
}

/** Options a filter passes to connectSource / connectDestination, as if written after the URL. */
function optionSpecs(options: Readonly<Record<string, string>>): OptionSpec[] {
  return Object.entries(options).map(([name, value]) => ({ kind: 'option', name, value, negated: false }));
}

export function wrapFilterError(node: FilterNode, e: unknown): GraphError {
  if (e instanceof GraphError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new GraphError('FILTER_FAILED', `${node.name}: ${msg}`, { filter: node.name }, { cause: e });
}
