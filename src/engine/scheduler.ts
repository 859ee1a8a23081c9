/**
 * The pull scheduler (spec §3.5, ARCHITECTURE §2). Each step runs the deepest runnable filter (closest
 * to the sinks), so data is pulled through the graph and queues stay short:
 *  - runnable = not ended, woken (new input, drained output, event, timer, or it said 'ok'), and not
 *    every one of its outputs blocked (back-pressure by queue duration and count);
 *  - 'not-ready' parks a filter until something wakes it; 'eos' ends it and its outputs;
 *  - when nothing can run, a filter whose inputs have all ended (or that said 'eos'), with no timer
 *    and no full output queue, is ended for it;
 *  - a filter whose every consumer has ended is ended too (nothing reads what it makes);
 *  - timers (requestProcess(ms)) sleep through the session clock; with nothing runnable, no timer
 *    and unfinished filters, the graph is stuck: an error lists who waits for what.
 * It yields to Node's event loop every few milliseconds so servers and signals stay responsive.
 */
import type { FilterNode } from './filter-node.js';
import type { Session } from './session.js';
import { wrapFilterError } from './session.js';
import { GraphError } from './errors.js';
import type { ProcessResult } from './filter-api.js';

const YIELD_EVERY_MS = 8;

function consumersEnded(node: FilterNode, s: Session): boolean {
  const conns = node.outputs.flatMap((p) => p.connections);
  return (
    conns.length > 0 &&
    node.outputs.every((p) => p.linked) &&
    conns.every((c) => s.node(c.consumer)?.finished)
  );
}

/** End a filter for it (its outputs end); with the session, wake the filters waiting for that. */
export function finish(node: FilterNode, s?: Session): void {
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
export function unsettledUpstream(node: FilterNode, s: Session): boolean {
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

function canFinish(node: FilterNode, s: Session): boolean {
  return !unsettledUpstream(node, s);
}

/** Something settled (a filter made its first PIDs or ended): wake the filters waiting for it. */
export function wakeWaiters(s: Session): void {
  for (const n of s.nodes)
    if (n.waitsForConnections && !n.finished) {
      n.waitsForConnections = false;
      n.woken = true;
    }
}

function pick(s: Session, now: number): FilterNode | undefined {
  let best: FilterNode | undefined;
  for (const n of s.nodes) {
    if (n.finished) continue;
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
    if (node.impl.processEvent?.(event, pid) === true) continue;
    for (const c of node.inputs) c.sendEvent(event);
  }
}

function stuckReport(s: Session): string {
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

export async function runScheduler(s: Session): Promise<void> {
  const runfor = s.sessionOptions.runfor;
  const stopAt = runfor != null && runfor !== '' ? s.clock.now() + Number(runfor) : undefined;
  let lastYield = performance.now();
  s.linkPending();
  for (;;) {
    if (s.stopMode === 'abort') throw new GraphError('INTERRUPTED', 'run aborted');
    if (s.asyncError) throw s.asyncError;
    if (stopAt !== undefined && s.clock.now() >= stopAt && !s.stopMode) s.stop('flush');
    if (s.stopMode === 'flush') {
      // Stop where media enters the graph: sources, and filters reading only files (demuxers);
      // what is already in flight drains, and the sinks finalize.
      for (const n of s.nodes) if (!n.finished && mediaEntry(n)) finish(n, s);
    }
    const now = s.clock.now();
    const node = pick(s, now);
    if (node) {
      deliverUpstreamEvents(node);
      let r: ProcessResult;
      const t0 = performance.now();
      try {
        const p = node.impl.process();
        r = typeof p === 'string' ? p : await p;
      } catch (e) {
        throw wrapFilterError(node, e);
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
        if (canFinish(node, s) && node.inFlight === 0) finish(node, s);
      } else if (r === 'not-ready') {
        node.woken = false;
      } else node.saidEos = false;
      for (const c of node.inputs) {
        const producer = s.node(c.producer);
        if (producer && !producer.finished && consumersEnded(producer, s)) finish(producer, s);
      }
      if (performance.now() - lastYield > YIELD_EVERY_MS) {
        await new Promise((r) => setImmediate(r));
        lastYield = performance.now();
      }
      continue;
    }
    const pending = s.nodes.filter((n) => !n.finished);
    if (!pending.length) return;
    // Nothing runnable. Work in flight (writes, uploads) may still wake someone: wait for it first.
    // Then end filters that said 'eos' or whose inputs are all done, that wait for no timer and
    // have no full output queue.
    const inFlight = pending.some((n) => n.inFlight > 0);
    let ended = false;
    if (!inFlight)
      for (const n of pending)
        if (
          (n.saidEos || (n.inputsDone && !n.ownsSources)) &&
          n.timerAt === undefined &&
          !n.outputs.some((o) => o.wouldBlock)
        ) {
          finish(n, s);
          ended = true;
        }
    if (ended) continue;
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
