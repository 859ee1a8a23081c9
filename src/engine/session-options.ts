/**
 * Session options (`-opt[=val]` on a command line): ONE table, read by the CLI, by scripts
 * (`createSession({ options })`, `.load('…')`), by JSON graph files and by `-h`. A name not in the
 * table is refused, and a value is parsed, in one place: the same line is accepted or refused the same
 * way everywhere.
 */
import type { SessionOptionSpec } from '../syntax/graph-spec.js';
import { GraphError } from './errors.js';
import { parseLogs } from './logger.js';

/** What the session options of a run add up to. */
export interface SessionOptionValues {
  /** `-runfor` (also `-runforf`, `-runforx`): flush the run after this many milliseconds. */
  runForMs?: number;
  /** `-max-chain`: longest chain link resolution may insert. */
  maxChain?: number;
  /** `-buffer-gen`: queue bound in microseconds of media. */
  bufferGenUs?: number;
  /** `-buffer-units`: queue bound in packets. */
  bufferUnits?: number;
  /** `-logs` values, in order (several may be given). */
  logs: string[];
  /** `-graph`, `-stats`: print the graph, the per-filter statistics after the run (command line). */
  graph: boolean;
  stats: boolean;
  /** `-quiet` / `-noprog`: no progress display (command line). */
  quiet: boolean;
  /** `-h [topic]` (also -ha, -hx, -hh): the help topic, null for the usage text (command line). */
  help?: string | null;
  /** `-ca-bundle`: extra trusted CA certificates (PEM file) for https:// origins. */
  caBundle?: string;
}

export interface SessionOptionDef {
  name: string;
  /** 'flag': no value (or a boolean); 'value': a value is required; 'topic': an optional value. */
  takes: 'flag' | 'value' | 'topic';
  /** What `-h` shows after the name (`MS`, `N`, `TOOL@LEVEL`…). */
  metavar?: string;
  help: string;
  /** Accepted (GPAC compatibility) but not shown by -h. */
  hidden?: boolean;
  /** Parse `raw` (null when no value was written) into `values`; throws a plain Error saying what is expected. */
  apply(values: SessionOptionValues, raw: string | null): void;
}

function number(raw: string | null, what: string, integer = false, min = 0): number {
  const n = raw === null || raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n)))
    throw new Error(`expected ${integer ? 'an integer' : 'a number'} ${min > 0 ? `≥ ${min}` : '≥ 0'}${what}`);
  return n;
}

function flag(raw: string | null): boolean {
  if (raw === null) return true;
  const v = raw.toLowerCase();
  if (['true', 'yes', 'on', '1'].includes(v)) return true;
  if (['false', 'no', 'off', '0'].includes(v)) return false;
  throw new Error('expected no value, or a boolean (yes, no, true, false, 1, 0)');
}

const runfor = (alias: string): SessionOptionDef => ({
  name: alias,
  takes: 'value',
  metavar: 'MS',
  help: alias === 'runfor' ? 'stop (with a full flush) after MS milliseconds' : 'same as -runfor',
  hidden: alias !== 'runfor',
  apply: (v, raw) => (v.runForMs = number(raw, ' (milliseconds)')),
});

const help = (name: string): SessionOptionDef => ({
  name,
  takes: 'topic',
  metavar: '[filters|FILTER|FILTER.OPT]',
  help: 'help',
  hidden: name !== 'h',
  apply: (v, raw) => (v.help = raw),
});

/** Every session option graphpac accepts, in `-h` order. */
export const SESSION_OPTIONS: readonly SessionOptionDef[] = [
  {
    name: 'graph',
    takes: 'flag',
    help: 'print the resolved graph after the run',
    apply: (v, raw) => (v.graph = flag(raw)),
  },
  {
    name: 'stats',
    takes: 'flag',
    help: 'print per-filter statistics after the run',
    apply: (v, raw) => (v.stats = flag(raw)),
  },
  {
    name: 'logs',
    takes: 'value',
    metavar: 'TOOL@LEVEL',
    help: 'log levels (tools: all dash container http media core, or a filter name; levels: quiet error warning info debug)',
    apply: (v, raw) => {
      parseLogs([raw ?? '']);
      v.logs.push(raw ?? '');
    },
  },
  runfor('runfor'),
  runfor('runforf'),
  runfor('runforx'),
  {
    name: 'max-chain',
    takes: 'value',
    metavar: 'N',
    help: 'longest chain of filters link resolution may insert (default 6; 0: none)',
    apply: (v, raw) => (v.maxChain = number(raw, '', true)),
  },
  {
    name: 'buffer-gen',
    takes: 'value',
    metavar: 'US',
    help: 'a PID queue is full at this much media, microseconds (default 1000000)',
    apply: (v, raw) => (v.bufferGenUs = number(raw, ' (microseconds)', true, 1)),
  },
  {
    name: 'buffer-units',
    takes: 'value',
    metavar: 'N',
    help: 'a PID queue is full at this many packets (default 64)',
    apply: (v, raw) => (v.bufferUnits = number(raw, ' (packets)', true, 1)),
  },
  {
    name: 'ca-bundle',
    takes: 'value',
    metavar: 'FILE',
    help: 'extra trusted CA certificates (PEM) for https:// origins (or NODE_EXTRA_CA_CERTS=FILE)',
    apply: (v, raw) => {
      if (!raw) throw new Error('expected a file name');
      v.caBundle = raw;
    },
  },
  {
    name: 'quiet',
    takes: 'flag',
    help: 'no progress output',
    apply: (v, raw) => (v.quiet = flag(raw) || v.quiet),
  },
  {
    name: 'noprog',
    takes: 'flag',
    help: 'no progress output',
    apply: (v, raw) => (v.quiet = flag(raw) || v.quiet),
  },
  help('h'),
  help('ha'),
  help('hx'),
  help('hh'),
  // GPAC options accepted for compatibility; graphpac runs one thread and has no keyboard prompt.
  {
    name: 'threads',
    takes: 'value',
    help: 'ignored (one thread)',
    hidden: true,
    apply: (_v, raw) => void number(raw, '', true),
  },
  { name: 'ltf', takes: 'flag', help: 'ignored', hidden: true, apply: (_v, raw) => void flag(raw) },
  { name: 'k', takes: 'flag', help: 'ignored', hidden: true, apply: (_v, raw) => void flag(raw) },
];

const BY_NAME = new Map(SESSION_OPTIONS.map((d) => [d.name, d]));

export function sessionOptionDef(name: string): SessionOptionDef | undefined {
  return BY_NAME.get(name);
}

function where(o: SessionOptionSpec): string {
  return o.arg >= 0 ? ` (argument ${o.arg + 1})` : '';
}

/**
 * Check and parse session options. Throws UNKNOWN_OPTION for a name not in the table and
 * BAD_OPTION_VALUE for a value it refuses, each naming the option and the value.
 */
export function readSessionOptions(options: readonly SessionOptionSpec[]): SessionOptionValues {
  const values: SessionOptionValues = { logs: [], graph: false, stats: false, quiet: false };
  for (const o of options) {
    const def = BY_NAME.get(o.name);
    if (!def)
      throw new GraphError('UNKNOWN_OPTION', `unrecognized option "-${o.name}"${where(o)}; see graphpac -h`, {
        option: o.name,
      });
    if (def.takes === 'value' && o.value === null)
      throw new GraphError(
        'BAD_OPTION_VALUE',
        `-${o.name}${where(o)} needs a value: -${o.name}=${def.metavar ?? 'VALUE'}`,
        {
          option: o.name,
        },
      );
    try {
      def.apply(values, o.value);
    } catch (e) {
      if (e instanceof GraphError) throw e;
      const msg = (e as Error).message;
      // parseLogs names its option itself ("-logs: …").
      throw new GraphError(
        'BAD_OPTION_VALUE',
        msg.startsWith(`-${o.name}`) ? msg : `-${o.name}=${o.value ?? ''}${where(o)}: ${msg}`,
        { option: o.name, value: o.value },
        { cause: e },
      );
    }
  }
  return values;
}

/** Script-style session options (`{ runfor: 5000, graph: true }`) as the specs a command line gives. */
export function sessionOptionSpecs(
  options: Readonly<Record<string, string | number | boolean | null>> | undefined,
): SessionOptionSpec[] {
  return Object.entries(options ?? {}).map(([name, v]) => ({
    arg: -1,
    name,
    value: v === null || v === true ? null : String(v),
  }));
}

/** The session options part of `-h`. */
export function sessionOptionsHelp(): string {
  const rows = SESSION_OPTIONS.filter((d) => !d.hidden).map((d) => {
    const head = `-${d.name}${d.metavar ? (d.takes === 'topic' ? ` ${d.metavar}` : `=${d.metavar}`) : ''}`;
    return [head, d.help] as const;
  });
  const w = Math.max(...rows.map(([h]) => h.length));
  return rows.map(([h, text]) => `  ${h.padEnd(w)}  ${text}`).join('\n');
}
