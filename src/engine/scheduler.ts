/**
 * The pull scheduler (spec §3.5, ARCHITECTURE §2). Each step runs the deepest runnable filter (closest
 * to the sinks), so data is pulled through the graph and queues stay short:
 *  - runnable = started, not ended, woken (new input, drained output, event, timer, or it said 'ok'),
 *    and not every one of its outputs blocked (back-pressure by queue duration and count);
 *  - 'not-ready' parks a filter until something wakes it; 'eos' ends it and its outputs;
 *  - when nothing can run, a filter whose inputs have all ended (or that said 'eos'), with no timer
 *    and no full output queue, is ended for it;
 *  - a filter whose every consumer has ended is ended too (nothing reads what it makes);
 *  - timers (requestProcess(ms)) sleep through the session clock; with nothing runnable, no timer
 *    and unfinished filters, the graph is stuck: an error lists who waits for what.
 * It yields to Node's event loop every few milliseconds so servers and signals stay responsive.
 * The scheduler knows the session only through SchedulerHost (no import of session.ts).
 */
import type { FilterNode } from './filter-node.js';
import type { SchedulerClock } from './clock.js';
import { GraphError } from './errors.js';
import type { ProcessResult } from './filter-api.js';
import { callFilter } from './filter-calls.js';

const YIELD_EVERY_MS = 8;

/** What the scheduler needs of its session. */
export interface SchedulerHost {
  readonly nodes: readonly FilterNode[];
  readonly clock: SchedulerClock;
  /** Set by stop(): 'flush' ends the media entry points and lets the rest drain; 'abort' ends now. */
  readonly stopMode: 'flush' | 'abort' | null;
  /** `-runfor`: milliseconds of session clock after which the run is flushed (undefined: none). */
  readonly runForMs: number | undefined;
  /** First failure of a filter's tracked asynchronous work. */
  readonly asyncError: GraphError | undefined;
  node(name: string): FilterNode | undefined;
  linkPending(): void;
  stop(mode: 'flush' | 'abort'): void;
  /** A promise resolved by anything that may unblock the graph (work settled, stop, a new source). */
  sleepSignal(): Promise<void>;
  /** Some filter's implementation is being imported (a lazy descriptor)… */
  readonly loading: boolean;
  /** …wait until every such filter has started. */
  settleLoads(): Promise<void>;
}

function consumersEnded(node: FilterNode, s: SchedulerHost): boolean {
  const conns = node.outputs.flatMap((p) => p.connections);
  return (
    conns.length > 0 &&
    node.outputs.every((p) => p.linked) &&
    conns.every((c) => s.node(c.consumer)?.finished)
  );
}

/** End a filter for it (its outputs end); with the session, wake the filters waiting for that. */
export function finish(node: FilterNode, s?: SchedulerHost): void {
  if (s) wakeWaiters(s);
  node.finished = true;
  node.timerAt = undefined;
  node.endOutputs();
}

/**
 * A filter that created no output PID yet (a source before its first read, a demuxer before its
 * header) may still create PIDs that link anywhere downstream: while one exists, other filters that
 * said 'eos' are parked, not ended, so a late PID still finds its consumer alive.
 */
export function unsettledUpstream(node: FilterNode, s: Pick<SchedulerHost, 'nodes'>): boolean {
  return s.nodes.some(
    (n) => n !== node && !n.finished && n.outputs.length === 0 && !n.isSink && n.depth <= node.depth,
  );
}

/**
 * Where media enters the graph: a source, a filter turning files into media (a demuxer), or a filter
 * reading sources it opened itself (flist): flushing ends it instead of letting it open the next one.
 */
function mediaEntry(n: FilterNode): boolean {
  return (
    n.inputs.length === 0 ||
    n.ownsSources ||
    (!n.isSink && n.inputs.every((c) => c.props.StreamType === 'File'))
  );
}

/** Something settled (a filter made its first PIDs or ended): wake the filters waiting for it. */
export function wakeWaiters(s: Pick<SchedulerHost, 'nodes'>): void {
  for (const n of s.nodes)
    if (n.waitsForConnections && !n.finished) {
      n.waitsForConnections = false;
      n.woken = true;
    }
}

function pick(s: SchedulerHost, now: number): FilterNode | undefined {
  let best: FilterNode | undefined;
  for (const n of s.nodes) {
    if (n.finished || !n.started) continue;
    if (n.timerAt !== undefined && n.timerAt <= now) {
      n.timerAt = undefined;
      n.woken = true;
    }
    if (!n.woken) continue;
    if (n.blocked && !n.upstreamEvents.length) continue;
    if (!best || n.depth > best.depth) best = n;
  }
  return best;
}

function deliverUpstreamEvents(node: FilterNode): void {
  while (node.upstreamEvents.length) {
    const { event, pid } = node.upstreamEvents.shift()!;
    if (callFilter(node, 'processEvent', () => node.impl.processEvent?.(event, pid)) === true) continue;
    for (const c of node.inputs) c.sendEvent(event);
  }
}

function stuckReport(s: SchedulerHost): string {
  return s.nodes
    .filter((n) => !n.finished)
    .map((n) => {
      const ins = n.inputs
        .map((c) => `${c.name}:${c.queuedPackets} queued${c.eos ? ' (ended)' : ''}`)
        .join(', ');
      const outs = n.outputs
        .map((p) => `${p.name}${p.wouldBlock ? ' blocked' : ''}${p.consumers ? '' : ' unlinked'}`)
        .join(', ');
      return `${n.name} [in: ${ins || 'none'}; out: ${outs || 'none'}]`;
    })
    .join('; ');
}

/** Run one filter: its pending upstream events, then process(); the bookkeeping that follows. */
async function runNode(s: SchedulerHost, node: FilterNode): Promise<void> {
  deliverUpstreamEvents(node);
  let r: ProcessResult;
  const t0 = performance.now();
  try {
    const p = callFilter(node, 'process', () => node.impl.process());
    r = typeof p === 'string' ? p : await p;
  } finally {
    // GPAC's drop contract (dropsTakenPackets): what the call took is dropped now.
    node.holdings.endOfCall();
  }
  node.processCalls++;
  node.processMs += performance.now() - t0;
  // Link what it created first: the finish rules below look at the graph as it now is.
  if (node.unlinked.length) {
    s.linkPending();
    wakeWaiters(s);
  }
  if (r === 'eos') {
    node.saidEos = true;
    node.woken = false;
    if (!unsettledUpstream(node, s) && node.inFlight === 0) finish(node, s);
  } else if (r === 'not-ready') {
    node.woken = false;
  } else node.saidEos = false;
  // An event its new consumers sent up while being linked (from configurePid) wakes it again.
  if (node.upstreamEvents.length && !node.finished) node.woken = true;
  // A producer whose consumers all ended ends too; this node is one of them, so only once it has ended.
  if (node.finished)
    for (const c of node.inputs) {
      const producer = s.node(c.producer);
      if (producer && !producer.finished && consumersEnded(producer, s)) finish(producer, s);
    }
}

/**
 * Nothing runnable and no work in flight: end the filters that said 'eos' or whose inputs are all
 * done, that wait for no timer and have no full output queue. True if one was ended.
 */
function finishIdle(s: SchedulerHost, pending: readonly FilterNode[]): boolean {
  let ended = false;
  for (const n of pending)
    if (
      (n.saidEos || (n.inputsDone && !n.ownsSources)) &&
      n.timerAt === undefined &&
      !n.outputs.some((o) => o.wouldBlock)
    ) {
      finish(n, s);
      ended = true;
    }
  return ended;
}

/** Run to the end of the graph (or of a stop). Throws the first filter error as a GraphError. */
export async function runScheduler(s: SchedulerHost): Promise<void> {
  const runfor = s.runForMs;
  const stopAt = runfor !== undefined ? s.clock.now() + runfor : undefined;
  let lastYield = performance.now();
  s.linkPending();
  for (;;) {
    if (s.stopMode === 'abort') throw new GraphError('INTERRUPTED', 'run aborted');
    if (s.asyncError) throw s.asyncError;
    if (s.loading) await s.settleLoads();
    if (stopAt !== undefined && s.clock.now() >= stopAt && !s.stopMode) s.stop('flush');
    if (s.stopMode === 'flush') {
      // Stop where media enters the graph: sources, and filters reading only files (demuxers);
      // what is already in flight drains, and the sinks finalize.
      for (const n of s.nodes) if (!n.finished && mediaEntry(n)) finish(n, s);
    }
    const node = pick(s, s.clock.now());
    if (node) {
      await runNode(s, node);
      if (performance.now() - lastYield > YIELD_EVERY_MS) {
        await new Promise((r) => setImmediate(r));
        lastYield = performance.now();
      }
      continue;
    }
    const pending = s.nodes.filter((n) => !n.finished);
    if (!pending.length) return;
    // Nothing runnable. Work in flight (writes, uploads) may still wake someone: wait for it first.
    const inFlight = pending.some((n) => n.inFlight > 0);
    if (!inFlight && finishIdle(s, pending)) continue;
    const timers = pending.map((n) => n.timerAt).filter((t): t is number => t !== undefined);
    const wakeAt = Math.min(...timers, !s.stopMode && stopAt !== undefined ? stopAt : Infinity);
    if (wakeAt === Infinity && !inFlight) {
      if (s.stopMode === 'flush' && pending.every(mediaEntry)) return;
      throw new GraphError(
        'GRAPH_STUCK',
        `the graph is stuck: no filter can make progress: ${stuckReport(s)}`,
      );
    }
    await s.clock.sleepUntil(wakeAt, s.sleepSignal());
    lastYield = performance.now();
  }
}

/**
 * Run until nothing can run at the clock's current time and no tracked work is in flight, without
 * sleeping on timers and without ending the run (the test harness drives the clock itself). With
 * `finishIdle`, filters that are done (see above) are ended on the way, as the full run would.
 */
export async function runUntilIdle(s: SchedulerHost, opts: { finishIdle: boolean }): Promise<void> {
  s.linkPending();
  for (;;) {
    if (s.asyncError) throw s.asyncError;
    if (s.loading) await s.settleLoads();
    const node = pick(s, s.clock.now());
    if (node) {
      await runNode(s, node);
      continue;
    }
    const pending = s.nodes.filter((n) => !n.finished);
    if (pending.some((n) => n.inFlight > 0)) {
      await s.sleepSignal();
      continue;
    }
    if (opts.finishIdle && finishIdle(s, pending)) continue;
    return;
  }
}

/** The earliest timer any unfinished filter waits for (undefined: none). */
export function nextTimer(s: Pick<SchedulerHost, 'nodes'>): number | undefined {
  let t: number | undefined;
  for (const n of s.nodes)
    if (!n.finished && n.timerAt !== undefined && (t === undefined || n.timerAt < t)) t = n.timerAt;
  return t;
}
