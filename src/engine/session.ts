/**
 * A filter session: builds the declared filter instances from a GraphSpec, then runs the pull
 * scheduler until every filter has ended (or the run is stopped). Linking and the hooks filters call
 * are in graph.ts. Observers (CLI, library users) follow it through typed events (session-events.ts);
 * data and control never depend on them.
 */
import type { GraphSpec, OptionSpec, SessionOptionSpec } from '../syntax/graph-spec.js';
import type { AnyFilterDescriptor as FilterDescriptor } from './filter-api.js';
import type { SchedulerClock } from './clock.js';
import { systemClock } from './clock.js';
import type { Declaration, FilterNode } from './filter-node.js';
import type { LogSink } from './logger.js';
import { createLogSink, parseLogs } from './logger.js';
import type { QueueLimits } from './pid.js';
import { DEFAULT_QUEUE_LIMITS } from './pid.js';
import type { Registry } from './registry.js';
import { loadImplementation } from './registry.js';
import { GraphError, errorMessage } from './errors.js';
import { applyArgs, inheritablePart, trackedPart } from './apply-args.js';
import { runScheduler } from './scheduler.js';
import { parsePropValue } from './prop-parse.js';
import { FilterGraph, finalizeNode } from './graph.js';
import { readSessionOptions, sessionOptionSpecs } from './session-options.js';
import type { SessionOptionValues } from './session-options.js';

export type { FilterStats, SessionEvents, SessionProgress } from './session-events.js';

export interface SessionInit {
  registry: Registry;
  clock?: SchedulerClock;
  logs?: LogSink;
  /**
   * Session options as written (`-runfor=5000` → `{ runfor: 5000 }`, or the command line's list),
   * checked and parsed by the session-options table (session-options.ts): an unknown name or a bad
   * value throws a GraphError. Filters see them raw (`ctx.session.options`).
   */
  options?: readonly SessionOptionSpec[] | Readonly<Record<string, string | number | boolean | null>>;
  /** Overrides `-buffer-gen` / `-buffer-units` (tests). */
  queueLimits?: Partial<QueueLimits>;
  /** Overrides `-max-chain`. */
  maxChain?: number;
}

export class Session extends FilterGraph {
  private spec: GraphSpec = { entries: [], globals: [], session: [] };
  /** Options written on the command line, to warn about those no filter used. */
  private readonly tracked: { owner: string; option: OptionSpec }[] = [];
  private started = false;
  /** The session options, parsed. */
  readonly optionValues: SessionOptionValues;

  constructor(init: SessionInit) {
    const specs = Array.isArray(init.options)
      ? (init.options as readonly SessionOptionSpec[])
      : sessionOptionSpecs(init.options as Record<string, string | number | boolean | null> | undefined);
    const v = readSessionOptions(specs);
    super({
      registry: init.registry,
      clock: init.clock ?? systemClock,
      logs: init.logs ?? createLogSink(parseLogs(v.logs)),
      queueLimits: {
        ...DEFAULT_QUEUE_LIMITS,
        ...(v.bufferGenUs !== undefined ? { maxDurationUs: v.bufferGenUs } : {}),
        ...(v.bufferUnits !== undefined ? { maxPackets: v.bufferUnits } : {}),
        ...init.queueLimits,
      },
      maxChain: init.maxChain ?? v.maxChain ?? 6,
      runForMs: v.runForMs,
      options: Object.fromEntries(specs.map((o) => [o.name, o.value])),
    });
    this.optionValues = v;
  }

  /** Create the declared filters of a parsed command line. Throws GraphError on any bad entry. */
  load(spec: GraphSpec): this {
    this.spec = spec;
    this.globals = spec.globals;
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
      const node = this.newNode(desc, res.args, decl, inheritablePart(own), e.id);
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

  /** Run to the end. Resolves when every filter has ended; rejects with a GraphError. */
  async run(): Promise<void> {
    if (this.started) throw new Error('a session runs once');
    this.started = true;
    let error: GraphError | undefined;
    try {
      // The declared filters' implementations first (lazy ones are imported now, all at once).
      await Promise.all(this.nodes.map((n) => loadImplementation(n.desc)));
      for (const n of [...this.nodes]) {
        this.startNode(n);
        this.emit('filter', n.name, false);
      }
      await runScheduler(this);
      this.warnUnused();
    } catch (e) {
      error = asGraphError(e);
    }
    for (const n of this.nodes) {
      try {
        await finalizeNode(n);
      } catch (e) {
        error ??= asGraphError(e);
      }
    }
    this.emit('stats', this.stats());
    this.emit('end', error);
    if (error) throw error;
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

/** Errors from the engine itself (not from a filter: those are GraphErrors already) keep their cause. */
function asGraphError(e: unknown): GraphError {
  return e instanceof GraphError
    ? e
    : new GraphError('FILTER_FAILED', `internal error: ${errorMessage(e)}`, {}, { cause: e });
}
