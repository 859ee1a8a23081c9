/**
 * A single-filter test harness, in the spirit of GStreamer's GstHarness: one filter instance, created
 * with its args exactly as a session would, fed input PIDs and packets by the test, its output PIDs
 * collected one by one; virtual time; events both ways; errors as the session reports them.
 *
 * It runs the real engine: PID queues, property changes between packets, in-band events, packet
 * release, the scheduler's pull order and end-of-stream rules are those of a session. Only the
 * linking differs: inputs are linked to the filter directly (after checking its input caps), and each
 * output PID of the filter goes to a collector of its own.
 */
import type {
  AnyFilterDescriptor,
  FilterDescriptor,
  FilterEvent,
  FilterImpl,
  OutputPid,
} from '../engine/filter-api.js';
import type { PidProps } from '../engine/props.js';
import { ManualClock } from '../engine/clock.js';
import type { SchedulerClock } from '../engine/clock.js';
import { FilterGraph, finalizeNode } from '../engine/graph.js';
import type { FilterNode } from '../engine/filter-node.js';
import type { OutputPidImpl, PidConnection } from '../engine/pid.js';
import { DEFAULT_QUEUE_LIMITS } from '../engine/pid.js';
import { loadImplementation, Registry } from '../engine/registry.js';
import { GraphError } from '../engine/errors.js';
import { applyArgs, optionItems } from '../engine/apply-args.js';
import type { Options } from '../engine/apply-args.js';
import type { OptionSpec } from '../syntax/graph-spec.js';
import { matchInput } from '../engine/caps.js';
import type { LinkOutcome } from '../engine/linker.js';
import type { LogSink } from '../engine/logger.js';
import { nextTimer, runUntilIdle } from '../engine/scheduler.js';
import { captureLogs, Collected, collectorDescriptor, Feeder, feederDescriptor } from './ends.js';
import type { HarnessInput, HarnessLogLine, HarnessOutput } from './ends.js';

export type { HarnessInput, HarnessItem, HarnessLogLine, HarnessOutput } from './ends.js';

export interface HarnessOptions {
  /** The filter's options, as a script writes them: `{ rt: 'on', speed: 2, dual: true }`. */
  args?: Options;
  /** Session options visible to the filter (`ctx.session.options`), raw strings as on a command line. */
  sessionOptions?: Readonly<Record<string, string | null>>;
  /** Defaults to a ManualClock at 0 (`harness.clock`): time moves only with `advance()`. */
  clock?: SchedulerClock;
  /** `ctx.destination`: the URL the filter works toward (a dasher names its files from it). */
  destination?: string;
  /**
   * Other filters the one under test may open with `ctx.connectSource()` / `ctx.connectDestination()`
   * (e.g. fin). Without a registered sink for a URL, a destination opened by the filter is a collector
   * like its output PIDs, found with `output(url)`.
   */
  filters?: readonly AnyFilterDescriptor[];
}

/** The graph the harness drives: its own linking, the rest is the engine's. */
class HarnessGraph extends FilterGraph {
  subject: FilterNode | undefined;
  readonly feeders = new Map<FilterNode, Feeder>();
  readonly collectors = new Map<FilterNode, Collected>();
  readonly collectorDesc: FilterDescriptor;
  destination: string | undefined;
  private nextCollected: Collected | undefined;

  constructor(registry: Registry, clock: SchedulerClock, logs: LogSink, options: HarnessOptions) {
    super({
      registry,
      clock,
      logs,
      queueLimits: DEFAULT_QUEUE_LIMITS,
      maxChain: 6,
      runForMs: undefined,
      options: options.sessionOptions ?? {},
    });
    this.collectorDesc = collectorDescriptor(() => this.nextCollected!);
    registry.register(this.collectorDesc, 'test harness');
    this.destination = options.destination;
  }

  add(
    desc: AnyFilterDescriptor,
    own: readonly OptionSpec[],
    preset: Record<string, string> = {},
  ): FilterNode {
    const res = applyArgs(desc.name, desc.args, own, [], this.globals, this.usage, preset);
    if (res.unknown.length)
      throw new GraphError(
        'UNKNOWN_OPTION',
        `harness: ${desc.name} has no option ${res.unknown.map((o) => `"${o.name}"`).join(', ')}`,
        { filter: desc.name },
      );
    return this.newNode(desc, res.args, null, [], null);
  }

  /** Link until no PID is left unlinked (a PID created by a configurePid() during linking too). */
  linkAll(): void {
    for (let pass = 0; pass < 16 && this.nodes.some((n) => n.unlinked.length); pass++) this.linkPending();
  }

  protected override resolveLink(pid: OutputPidImpl, node: FilterNode): LinkOutcome {
    const subject = this.subject!;
    if (this.feeders.has(node)) {
      this.connect(pid, node, subject);
      return { linked: true, noCandidates: false, reasons: [] };
    }
    if (node === subject) {
      this.collect(pid, subject, undefined);
      return { linked: true, noCandidates: false, reasons: [] };
    }
    return super.resolveLink(pid, node);
  }

  private collect(pid: OutputPidImpl, from: FilterNode, url: string | undefined): void {
    const node = this.newNode(this.collectorDesc, { dst: url }, null, [], null);
    node.depth = from.depth + 1;
    const col = new Collected(url ?? pid.name, url);
    this.collectors.set(node, col);
    this.nextCollected = col;
    node.start(this.collectorDesc);
    this.connect(pid, from, node);
    col.conn = node.inputs[0] as PidConnection;
  }

  override connectDestination(
    from: FilterNode,
    pid: OutputPidImpl,
    url: string,
    options: Readonly<Record<string, string>>,
  ): void {
    const desc = this.registry.probeUrl(url, 'sink');
    if (desc !== this.collectorDesc) return super.connectDestination(from, pid, url, options);
    const i = from.unlinked.indexOf(pid);
    if (i >= 0) from.unlinked.splice(i, 1);
    this.collect(pid, from, url);
    pid.settle();
  }

  override destinationOf(node: FilterNode): string | undefined {
    return node === this.subject ? this.destination : super.destinationOf(node);
  }
}

/** The single-filter harness. Create one with `createHarness()`. */
export class FilterHarness {
  /** Log lines of the filter (and of the engine), in order. */
  readonly logs: HarnessLogLine[] = [];
  /** Engine warnings (what a session reports with its `warning` event). */
  readonly warnings: string[] = [];
  private readonly graph: HarnessGraph;
  private readonly node: FilterNode;
  private closed = false;

  private constructor(desc: AnyFilterDescriptor, impl: FilterDescriptor, options: HarnessOptions) {
    const registry = new Registry();
    registry.register(desc, 'the filter under test');
    for (const f of options.filters ?? []) if (f.name !== desc.name) registry.register(f, 'harness filters');
    this.clock = options.clock ?? new ManualClock();
    this.graph = new HarnessGraph(registry, this.clock, captureLogs(this.logs), options);
    this.graph.on('warning', (w) => this.warnings.push(w));
    const own = optionItems(options.args).filter((o): o is OptionSpec => o.kind === 'option');
    this.node = this.graph.add(desc, own);
    this.node.depth = 1;
    this.graph.subject = this.node;
    this.node.start(impl);
  }

  /**
   * Instantiate `desc` (its create() runs now; a throw is reported like in a session). A lazy
   * descriptor's implementation is loaded first.
   */
  static async create(desc: AnyFilterDescriptor, options: HarnessOptions = {}): Promise<FilterHarness> {
    return new FilterHarness(desc, await loadImplementation(desc), options);
  }

  /** The session clock the filter sees (a ManualClock unless one was given). */
  readonly clock: SchedulerClock;

  /** The filter's instance name (what errors and logs name). */
  get name(): string {
    return this.node.name;
  }

  /** The filter's args, typed by its schema, as create() got them. */
  get args(): Readonly<Record<string, unknown>> {
    return this.node.args;
  }

  /** The figures the filter last reported with ctx.reportStatus(). */
  get status(): Readonly<Record<string, number | string>> {
    return this.node.status;
  }

  /** The filter has ended (said 'eos' with nothing left to wait for, or was ended for it). */
  get ended(): boolean {
    return this.node.finished;
  }

  /** The filter's implementation, for white-box checks. */
  get impl(): FilterImpl {
    return this.node.impl;
  }

  /**
   * Add an input PID with these properties, linked to the filter at once (its configurePid('new')
   * runs now). Refused, like link resolution would, when the filter's input caps do not accept it
   * or it takes no more inputs; `{ force: true }` skips the caps check.
   */
  input(props: PidProps, name?: string, opts: { force?: boolean } = {}): HarnessInput {
    const node = this.node;
    const pidName = name ?? `in${this.graph.feeders.size + 1}`;
    if (!opts.force) {
      const m = matchInput(props, node.inputCaps);
      if (!m.bundle)
        throw new GraphError(
          'LINK_FAILED',
          `harness: ${node.name} does not accept input "${pidName}": ${m.reasons.join('; ') || 'it has no input caps'}`,
          { filter: node.name },
        );
    }
    if (!node.hasRoom)
      throw new GraphError(
        'LINK_FAILED',
        `harness: ${node.name} already has all the inputs it takes (${node.maxInputs})`,
        { filter: node.name },
      );
    const events: FilterEvent[] = [];
    let pid: OutputPid | undefined;
    const feederDesc = feederDescriptor(props, pidName, (p) => (pid = p), events);
    const feederNode = this.graph.add(feederDesc, []);
    feederNode.start(feederDesc);
    const feeder = new Feeder(pid!, events);
    this.graph.feeders.set(feederNode, feeder);
    this.graph.linkAll();
    return feeder;
  }

  /** Every output collected so far: the filter's output PIDs, then destinations it opened, in creation order. */
  get outputs(): readonly HarnessOutput[] {
    return [...this.graph.collectors.values()];
  }

  /** An output by PID name (or destination URL) or by index; throws naming what exists when absent. */
  output(which: string | number): HarnessOutput {
    const all = this.outputs;
    const found =
      typeof which === 'number' ? all[which] : all.find((o) => o.name === which || o.url === which);
    if (!found)
      throw new Error(
        `harness: ${this.node.name} has no output ${JSON.stringify(which)} (outputs: ${all.map((o) => o.name).join(', ') || 'none'})`,
      );
    return found;
  }

  /**
   * Process until nothing can run at the current time and no tracked work is in flight. Filters
   * that are done are ended as in a session (inputs all ended, nothing to wait for). Rejects with
   * the filter's error: a GraphError naming it and the phase (`details.phase`), the thrown value as cause.
   */
  async run(): Promise<void> {
    this.checkOpen();
    await runUntilIdle(this.graph, { finishIdle: true });
  }

  /** Move the manual clock by `ms`, firing every timer due on the way (in order), and run. */
  async advance(ms: number): Promise<void> {
    const clock = this.clock;
    if (!(clock instanceof ManualClock)) throw new Error('harness: advance() needs the ManualClock');
    const target = clock.now() + ms;
    await this.run();
    for (;;) {
      const t = nextTimer(this.graph);
      if (t === undefined || t > target) break;
      if (t > clock.now()) clock.advance(t - clock.now());
      await this.run();
    }
    if (target > clock.now()) clock.advance(target - clock.now());
    await this.run();
  }

  /**
   * End every input, run, and finalize the filter. Throws if the filter has not ended by then (it
   * waits for a timer: advance() first, or for a PID it never ended).
   */
  async finish(): Promise<void> {
    for (const f of this.graph.feeders.values()) f.end();
    await this.run();
    if (!this.node.finished) {
      const t = this.node.timerAt;
      throw new Error(
        `harness: ${this.node.name} has not ended after its inputs did${t !== undefined ? ` (it waits for a timer at ${t} ms; advance())` : ''}`,
      );
    }
    await this.close();
  }

  /** Finalize the filter (and whatever it opened); idempotent. Use it in test teardown. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    let error: unknown;
    for (const n of this.graph.nodes) {
      try {
        await finalizeNode(n);
      } catch (e) {
        error ??= e;
      }
    }
    if (error) throw error;
  }

  private checkOpen(): void {
    if (this.closed) throw new Error(`harness: ${this.node.name} was closed`);
  }
}

/** Instantiate one filter in a harness (see FilterHarness). */
export function createHarness(
  desc: AnyFilterDescriptor,
  options: HarnessOptions = {},
): Promise<FilterHarness> {
  return FilterHarness.create(desc, options);
}
