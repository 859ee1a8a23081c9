/**
 * Option precedence (spec §1.4): schema default, then the first matching global (`--opt`,
 * `--FILTER@opt`), then the filter's own options (inherited ones first, local last: local wins).
 * Enum shorthand (`:dynamic` ⇒ dmode=dynamic) resolves against the schema here.
 */
import type { ArgDef, ArgValue, ArgsSchema } from './args.js';
import { convertArg } from './args.js';
import type { GlobalOptionSpec, OptionItem, OptionSpec } from '../syntax/graph-spec.js';

/** An option value as a script writes it; converted like the command line's text. */
export type OptionValue = string | number | boolean | readonly (string | number)[];
export type Options = Readonly<Record<string, OptionValue>>;

/**
 * Script-style options (`{ segdur: 2, llhls: 'br', dual: true, rdirs: ['a', 'b'] }`) as the option items
 * the command line would give (`segdur=2:llhls=br:dual:rdirs=a,b`); `false` is `:!opt`.
 */
export function optionItems(options: Options | undefined): OptionItem[] {
  return Object.entries(options ?? {}).map(([name, v]) => {
    if (v === true) return { kind: 'option', name, value: null, negated: false };
    if (v === false) return { kind: 'option', name, value: null, negated: true };
    const value = Array.isArray(v) ? v.map((x) => String(x).replace(/,/g, ',,')).join(',') : String(v);
    return { kind: 'option', name, value, negated: false };
  });
}

/** Option names every filter accepts (spec §1.3 reserved names); the engine handles them. */
export const RESERVED_OPTIONS = new Set([
  'FID',
  'SID',
  'N',
  'FS',
  'RSID',
  'TAG',
  'ITAG',
  'FBT',
  'FBU',
  'FBD',
  'DL',
  'LT',
  'clone',
  'nomux',
  'gfreg',
  'gfloc',
  'gfopt',
  'gpac',
  'ccp',
  'NCID',
  'DBG',
]);

/** Records which command-line options some filter used, to warn about the others at the end. */
export class OptionUsage {
  // Weak: options of sources opened and dropped during a run (connectSource) must not accumulate.
  private readonly used = new WeakSet<object>();
  mark(o: object): void {
    this.used.add(o);
  }
  isUsed(o: object): boolean {
    return this.used.has(o);
  }
}

export interface ArgsResult {
  args: Record<string, ArgValue>;
  /** Local options the filter does not know (to warn about by name). */
  unknown: OptionSpec[];
  /** Bare words that matched enum values of several options (GPAC ignores them with a warning). */
  ambiguous: { option: OptionSpec; candidates: string[] }[];
}

function enumOwners(schema: ArgsSchema, word: string): string[] {
  return Object.entries(schema)
    .filter(([, d]) => d.type === 'enum' && d.values.includes(word))
    .map(([k]) => k);
}

/**
 * Typed args for a filter. `own` are the options written on the filter itself (or, for a declared
 * sink, after its URL); `inherited` come from the sources/destination a dynamic filter serves.
 * Throws GraphError on a badly typed value (naming filter, option and value).
 */
export function applyArgs(
  filter: string,
  schema: ArgsSchema,
  own: readonly OptionSpec[],
  inherited: readonly OptionSpec[],
  globals: readonly GlobalOptionSpec[],
  usage: OptionUsage,
  preset: Record<string, string> = {},
): ArgsResult {
  const args: Record<string, ArgValue> = {};
  for (const [k, d] of Object.entries(schema)) args[k] = d.default;
  const set = (name: string, d: ArgDef, raw: string | null, negated: boolean) => {
    args[name] = convertArg(filter, name, d, raw, negated);
  };
  for (const [name, d] of Object.entries(schema)) {
    const g = globals.find((x) => x.name === name && (x.filter === null || x.filter === filter));
    if (g) {
      usage.mark(g);
      set(name, d, g.value, false);
    }
  }
  for (const [name, raw] of Object.entries(preset)) {
    const d = schema[name];
    if (d) set(name, d, raw, false);
  }
  const unknown: OptionSpec[] = [];
  const ambiguous: ArgsResult['ambiguous'] = [];
  const apply = (opts: readonly OptionSpec[], local: boolean) => {
    for (const o of opts) {
      if (RESERVED_OPTIONS.has(o.name)) continue;
      const d = schema[o.name];
      if (d) {
        usage.mark(o);
        set(o.name, d, o.value, o.negated);
        continue;
      }
      if (o.value === null && !o.negated) {
        const owners = enumOwners(schema, o.name);
        if (owners.length === 1) {
          usage.mark(o);
          set(owners[0]!, schema[owners[0]!]!, o.name, false);
          continue;
        }
        if (owners.length > 1) {
          ambiguous.push({ option: o, candidates: owners });
          continue;
        }
      }
      if (local) unknown.push(o);
    }
  };
  apply(inherited, false);
  apply(own, true);
  return { args, unknown, ambiguous };
}

/** The part of an option list that is passed on to other filters: everything before `gfloc`. */
export function inheritablePart(opts: readonly OptionSpec[]): OptionSpec[] {
  const i = opts.findIndex((o) => o.name === 'gfloc');
  return (i < 0 ? opts : opts.slice(0, i)).filter(
    (o) => !['FID', 'SID', 'TAG', 'FS', 'RSID', 'FBT', 'FBU', 'DL', 'LT'].includes(o.name),
  );
}

/** Options after `gfopt` are not tracked (never warned about as unused). */
export function trackedPart(opts: readonly OptionSpec[]): OptionSpec[] {
  const i = opts.findIndex((o) => o.name === 'gfopt');
  return i < 0 ? [...opts] : opts.slice(0, i);
}
