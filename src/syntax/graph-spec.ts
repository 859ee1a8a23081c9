/**
 * GraphSpec: the plain, serialisable result of parsing a gpac command line (spec §1).
 * The parser knows nothing of the filter registry: option values stay strings here and are typed
 * later by each filter's args schema (enum shorthand such as `:dynamic` needs the schema too).
 */

/** One `name[=value]` piece of a filter declaration, in the order written. */
export interface OptionSpec {
  kind: 'option';
  name: string;
  /** The raw value after `=`; `null` for a bare word (boolean true, or an enum shorthand such as `dynamic`). */
  value: string | null;
  /** `:!opt` (and `:!opt=false`). */
  negated: boolean;
}

/** `:#Prop=value` (or `:#Prop` with no value): a property assignment on the filter's output PIDs. */
export interface PropertySpec {
  kind: 'property';
  name: string;
  value: string | null;
}

export type OptionItem = OptionSpec | PropertySpec;

/**
 * A link directive written before a filter: `@` / `@N` (N-th previously declared filter counting
 * backwards, 0 = previous), `@@N` (N-th declared filter counting from the first, 0-based), each with an
 * optional `#fragment` (`@#video`, `@1#PID=2`).
 */
export interface LinkSpec {
  from: 'previous' | 'first';
  index: number;
  fragment: string | null;
}

/** One entry of a SID list: `SID=fin1#video,fin2`. */
export interface SourceSelectorSpec {
  id: string;
  fragment: string | null;
}

interface EntryBase {
  /** Index of the argv element this entry was parsed from (0-based, after any leading `gpac` word). */
  arg: number;
  /** Options in the order written, excluding the reserved FID/SID/gpac markers. */
  options: OptionItem[];
  /** `FID=` if given. */
  id: string | null;
  /** `SID=` if given. */
  sources: SourceSelectorSpec[];
  /** Link directives that precede this entry, in order. */
  links: LinkSpec[];
}

/** `-i URL`, `-src URL`, `src=URL`. */
export interface SourceEntry extends EntryBase {
  kind: 'source';
  url: string;
}

/** `-o URL`, `-dst URL`, `dst=URL`. */
export interface SinkEntry extends EntryBase {
  kind: 'sink';
  url: string;
}

/** `NAME[:opts]`. */
export interface FilterEntry extends EntryBase {
  kind: 'filter';
  name: string;
}

export type Entry = SourceEntry | SinkEntry | FilterEntry;

/** `--opt[=val]` (filter: null) or `--FILTER@opt=val` / `--FILTER:opt=val`. A bare `--opt` has value null (true). */
export interface GlobalOptionSpec {
  arg: number;
  filter: string | null;
  name: string;
  value: string | null;
}

/** `-opt[=val]` or `-opt val` (session / core / app options: -graph, -stats, -logs=…, -runfor=…). */
export interface SessionOptionSpec {
  arg: number;
  name: string;
  value: string | null;
}

export interface GraphSpec {
  entries: Entry[];
  globals: GlobalOptionSpec[];
  session: SessionOptionSpec[];
}
