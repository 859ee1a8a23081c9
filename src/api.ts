/**
 * Scripted graphs: the library face of the engine. A script creates a session, adds sources, filters
 * and sinks with options (or loads a gpac command line, or a JSON graph file), links explicitly or
 * lets capabilities resolve, runs, and follows typed events.
 *
 *   const s = createSession();
 *   const a = s.addSource('source1');
 *   s.addSource('source2');
 *   s.addFilter('reframer', { rt: 'on' });
 *   s.addSink('res/live.m3u8', { segdur: 2, cdur: 0.5, dmode: 'dynamic', llhls: 'br' });
 *   s.on('warning', (m) => console.warn(m));
 *   await s.run();
 */
import { readFile } from 'node:fs/promises';
import type { Entry, GraphSpec, OptionItem, SessionOptionSpec } from './syntax/graph-spec.js';
import { parseGraph } from './syntax/parse.js';
import { Session } from './engine/session.js';
import type { SessionEvents } from './engine/session.js';
import { checkDescriptor } from './engine/registry.js';
import type { AnyFilterDescriptor } from './engine/filter-api.js';
import type { SchedulerClock } from './engine/clock.js';
import { createLogSink, parseLogs } from './engine/logger.js';
import { GraphError } from './engine/errors.js';
import { optionItems } from './engine/apply-args.js';
import { readSessionOptions, sessionOptionSpecs } from './engine/session-options.js';
import type { Options } from './engine/apply-args.js';
import { createRegistry } from './builtins.js';

export type { OptionValue, Options } from './engine/apply-args.js';

/** A filter added to a session: pass it to link() or as a source of another filter. */
export interface FilterRef {
  /** The FID the builder gave it (used by SID links). */
  readonly id: string;
  readonly index: number;
}

export interface SessionSettings {
  /** Extra filters (plugins), registered after the built-ins. */
  plugins?: readonly AnyFilterDescriptor[];
  /** GPAC -logs syntax, e.g. `all@warning` (default) or `dash@debug`. */
  logs?: string;
  clock?: SchedulerClock;
  /** How often onProgress() listeners are called, ms (default 500). */
  progressEveryMs?: number;
  /**
   * Session options as on the command line without the dash: `{ runfor: 5000, 'max-chain': 4 }`
   * (`true` or null for a flag). Checked like the command line's (`graphpac -h` lists them).
   */
  options?: Readonly<Record<string, string | number | boolean | null>>;
}

/** JSON graph file: the same graph as a command line, as data. */
export interface GraphFile {
  graph: (
    | { source: string; options?: Options; id?: string }
    | { filter: string; options?: Options; id?: string; sources?: readonly string[] }
    | { sink: string; options?: Options; id?: string; sources?: readonly string[] }
  )[];
  /** Session options (`runfor`, `max-chain`…), checked like the command line's. */
  options?: Readonly<Record<string, string | number | boolean | null>>;
}

export class GraphSession {
  private readonly entries: Entry[] = [];
  private readonly sessionOptions: SessionOptionSpec[] = [];
  private globals: GraphSpec['globals'] = [];
  private session: Session | undefined;
  private readonly listeners: [keyof SessionEvents, (...a: never[]) => void][] = [];
  private stopRequested: 'flush' | 'abort' | undefined;
  private ran = false;

  constructor(private readonly settings: SessionSettings = {}) {
    // Plugins are checked now; the built-ins (and a name clash with one) when the session runs.
    for (const p of settings.plugins ?? []) checkDescriptor(p, 'plugin');
    this.addSessionOptions(sessionOptionSpecs(settings.options));
  }

  /** Session options are checked when given, by the table the CLI uses (engine/session-options.ts). */
  private addSessionOptions(specs: readonly SessionOptionSpec[]): void {
    readSessionOptions(specs);
    this.sessionOptions.push(...specs);
  }

  private add(
    entry:
      | { kind: 'source' | 'sink'; url: string; options: OptionItem[]; sources?: Entry['sources'] }
      | { kind: 'filter'; name: string; options: OptionItem[]; sources?: Entry['sources'] },
    id?: string,
  ): FilterRef {
    const index = this.entries.length;
    const fid = id ?? `_api${index}`;
    this.entries.push({ ...entry, arg: index, id: fid, links: [], sources: entry.sources ?? [] });
    return { id: fid, index };
  }

  /** A source (`-i URL`). */
  addSource(url: string, options?: Options, id?: string): FilterRef {
    return this.add({ kind: 'source', url, options: optionItems(options) }, id);
  }

  /** A filter by name (`reframer:rt=on`); `sources` restricts its inputs (SID). */
  addFilter(name: string, options?: Options, sources?: readonly FilterRef[]): FilterRef {
    return this.add({
      kind: 'filter',
      name,
      options: optionItems(options),
      sources: (sources ?? []).map((s) => ({ id: s.id, fragment: null })),
    });
  }

  /** A destination (`-o URL`). */
  addSink(url: string, options?: Options, sources?: readonly FilterRef[]): FilterRef {
    return this.add({
      kind: 'sink',
      url,
      options: optionItems(options),
      sources: (sources ?? []).map((s) => ({ id: s.id, fragment: null })),
    });
  }

  /** Link `to` explicitly to `from` (optionally only PIDs matching `fragment`, e.g. `video`). */
  link(from: FilterRef, to: FilterRef, fragment: string | null = null): this {
    const e = this.entries[to.index];
    if (!e) throw new GraphError('BAD_LINK_DIRECTIVE', `link(): no filter #${to.index} in this session`);
    e.sources.push({ id: from.id, fragment });
    return this;
  }

  /** Add a gpac command line (a string split on spaces, or argv) after what is already there. */
  load(commandLine: string | readonly string[]): this {
    const argv = typeof commandLine === 'string' ? splitCommandLine(commandLine) : commandLine;
    const spec = parseGraph(argv);
    readSessionOptions(spec.session);
    const offset = this.entries.length;
    for (const e of spec.entries) this.entries.push({ ...e, arg: e.arg + offset });
    this.globals = [...this.globals, ...spec.globals];
    this.sessionOptions.push(...spec.session);
    return this;
  }

  /** Add the graph of a JSON graph file (see GraphFile). */
  loadGraphFile(file: GraphFile): this {
    if (!file || !Array.isArray(file.graph))
      throw new GraphError('SYNTAX', 'graph file: expected { "graph": [ … ] }');
    const refs = new Map<string, FilterRef>();
    for (const [i, node] of file.graph.entries()) {
      const id = node.id;
      let ref: FilterRef;
      if ('source' in node) ref = this.addSource(node.source, node.options, id);
      else if ('filter' in node)
        ref = this.add({ kind: 'filter', name: node.filter, options: optionItems(node.options) }, id);
      else if ('sink' in node)
        ref = this.add({ kind: 'sink', url: node.sink, options: optionItems(node.options) }, id);
      else throw new GraphError('SYNTAX', `graph file: entry ${i + 1} has no "source", "filter" or "sink"`);
      if (id) refs.set(id, ref);
      if ('sources' in node && node.sources)
        for (const s of node.sources) {
          const from = refs.get(s);
          if (!from)
            throw new GraphError(
              'BAD_LINK_DIRECTIVE',
              `graph file: entry ${i + 1} names unknown source "${s}"`,
            );
          this.link(from, ref);
        }
    }
    this.addSessionOptions(sessionOptionSpecs(file.options));
    return this;
  }

  /** The plain graph this session will run (what `graphpac -graph` resolves). */
  get spec(): GraphSpec {
    return { entries: this.entries, globals: this.globals, session: this.sessionOptions };
  }

  on<E extends keyof SessionEvents>(event: E, listener: SessionEvents[E]): this {
    this.listeners.push([event, listener as (...a: never[]) => void]);
    this.session?.on(event, listener as never);
    return this;
  }

  /**
   * Where the run stands (media time reached, input duration, every filter's status), or undefined
   * before run(). Also delivered as `progress` events every `progressEveryMs` (SessionSettings) while running.
   */
  progress(): ReturnType<Session['progress']> | undefined {
    return this.session?.progress();
  }

  private progressListeners: ((p: ReturnType<Session['progress']>) => void)[] = [];

  /** Follow the run: called every `progressEveryMs` (default 500 ms) while it runs. */
  onProgress(listener: (p: ReturnType<Session['progress']>) => void): this {
    this.progressListeners.push(listener);
    return this;
  }

  /** Build and run the graph; resolves when every filter has ended, rejects with a GraphError. */
  async run(): Promise<void> {
    if (this.ran) throw new Error('a session runs once');
    this.ran = true;
    const registry = await createRegistry(
      (this.settings.plugins ?? []).map((desc) => ({ desc, origin: 'plugin' })),
    );
    this.session = new Session({
      registry,
      logs: createLogSink(parseLogs(this.logLevels())),
      ...(this.settings.clock ? { clock: this.settings.clock } : {}),
      options: this.sessionOptions,
    });
    for (const [e, l] of this.listeners) this.session.on(e, l as never);
    this.session.load(this.spec);
    if (this.stopRequested) this.session.stop(this.stopRequested);
    const session = this.session;
    const timer = this.progressListeners.length
      ? setInterval(() => {
          const p = session.progress();
          for (const l of this.progressListeners) l(p);
        }, this.settings.progressEveryMs ?? 500)
      : undefined;
    try {
      await session.run();
    } finally {
      if (timer) clearInterval(timer);
    }
  }

  /** `logs` of the settings, else the `-logs` options given, else warnings only. */
  private logLevels(): string[] {
    if (this.settings.logs !== undefined) return [this.settings.logs];
    const given = readSessionOptions(this.sessionOptions).logs;
    return given.length ? given : ['all@warning'];
  }

  /** Stop: 'flush' writes what is in flight and ends cleanly (like Ctrl-C); 'abort' ends at once. */
  stop(mode: 'flush' | 'abort' = 'flush'): void {
    this.stopRequested = mode;
    this.session?.stop(mode);
  }
}

export function createSession(settings?: SessionSettings): GraphSession {
  return new GraphSession(settings);
}

/** Read a JSON graph file. Errors name the file. */
export async function readGraphFile(path: string): Promise<GraphFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new GraphError(
      'FILE_NOT_FOUND',
      `cannot read graph file "${path}": ${(e as Error).message}`,
      { path },
      { cause: e },
    );
  }
  try {
    return JSON.parse(text) as GraphFile;
  } catch (e) {
    throw new GraphError(
      'SYNTAX',
      `graph file "${path}" is not valid JSON: ${(e as Error).message}`,
      { path },
      { cause: e },
    );
  }
}

/** Split a command line on spaces, honouring '…' and "…" quoting (no escapes). */
export function splitCommandLine(line: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  let cur = '';
  let last = -1;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    const piece = m[1] ?? m[2] ?? m[3] ?? '';
    if (m.index === last) cur += piece;
    else {
      if (last >= 0) out.push(cur);
      cur = piece;
    }
    last = m.index + m[0].length;
  }
  if (last >= 0) out.push(cur);
  return out;
}
