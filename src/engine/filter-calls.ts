/**
 * The one place where the engine calls into filter code. Every call — create, configurePid, process,
 * processEvent, finalize, the asynchronous work a filter tracks, and the descriptor's probeUrl,
 * probeData and instanceCaps — goes through `callFilter`, so an
 * exception always surfaces as a GraphError naming the filter instance and the phase, with the thrown
 * value kept as `cause`.
 */
import { GraphError } from './errors.js';

/** Which entry point of a filter was running when it threw. */
export type FilterPhase =
  | 'create'
  | 'configurePid'
  | 'process'
  | 'processEvent'
  | 'finalize'
  | 'work'
  // Descriptor functions, called without an instance (the name is then the filter class).
  | 'probeUrl'
  | 'probeData'
  | 'instanceCaps';

/** Marks errors already attributed to a filter: they pass through outer calls unchanged. */
const attributed = new WeakSet<GraphError>();

/** What the wrapper needs of a filter instance (a descriptor alone: `ofDescriptor`). */
export interface CalledFilter {
  /** Instance name (`fout#2`). */
  readonly name: string;
  /** Filter class (`fout`). */
  readonly desc: { readonly name: string };
}

/**
 * The error a filter's exception becomes. A GraphError keeps its code and message (prefixed with the
 * instance name when the message does not name the filter already); anything else is FILTER_FAILED.
 * Either way `details` gains `filter` and `phase`, and `cause` is the thrown value. An error already
 * attributed (a sink created by the filter's connectDestination() failed) is returned as it is.
 */
export function filterError(node: CalledFilter, phase: FilterPhase, e: unknown): GraphError {
  if (e instanceof GraphError && attributed.has(e)) return e;
  const where = phase === 'process' ? '' : ` (in ${phase})`;
  let err: GraphError;
  if (e instanceof GraphError) {
    const named = e.message.startsWith(node.name) || e.message.startsWith(`${node.desc.name}:`);
    err = new GraphError(
      e.code,
      named ? e.message : `${node.name}: ${e.message}`,
      { ...e.details, filter: node.name, phase },
      { cause: e },
    );
  } else {
    const what =
      e instanceof Error ? (e.name && e.name !== 'Error' ? `${e.name}: ${e.message}` : e.message) : String(e);
    err = new GraphError(
      'FILTER_FAILED',
      `${node.name}: ${what}${where}`,
      { filter: node.name, phase },
      { cause: e },
    );
  }
  attributed.add(err);
  return err;
}

/** A descriptor seen as the caller of its own functions (probes): named by its class. */
export function ofDescriptor(desc: { readonly name: string }): CalledFilter {
  return { name: desc.name, desc };
}

/**
 * Call filter code: a synchronous throw or a rejected promise becomes `filterError(node, phase, …)`.
 * A synchronous result is returned as it is (no extra tick).
 */
export function callFilter<T>(node: CalledFilter, phase: FilterPhase, fn: () => T): T {
  let r: T;
  try {
    r = fn();
  } catch (e) {
    throw filterError(node, phase, e);
  }
  if (r instanceof Promise)
    return r.catch((e: unknown) => {
      throw filterError(node, phase, e);
    }) as T;
  return r;
}
