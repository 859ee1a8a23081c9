/**
 * Builders for expected GraphSpec values in the syntax tests. They only fill in defaults (no options,
 * no id, no sources, no links); every field they produce is compared with deepEqual.
 */
import type {
  Entry,
  FilterEntry,
  GlobalOptionSpec,
  GraphSpec,
  LinkSpec,
  OptionItem,
  OptionSpec,
  PropertySpec,
  SessionOptionSpec,
  SinkEntry,
  SourceEntry,
  SourceSelectorSpec,
} from '../../src/syntax/graph-spec.js';

interface EntryExtra {
  id?: string | null;
  sources?: SourceSelectorSpec[];
  links?: LinkSpec[];
}

/** `name[=value]`. */
export const opt = (name: string, value: string | null = null): OptionSpec => ({
  kind: 'option',
  name,
  value,
  negated: false,
});

/** `!name[=value]`. */
export const neg = (name: string, value: string | null = null): OptionSpec => ({
  kind: 'option',
  name,
  value,
  negated: true,
});

/** `#Name[=value]`. */
export const prop = (name: string, value: string | null = null): PropertySpec => ({
  kind: 'property',
  name,
  value,
});

export const source = (
  arg: number,
  url: string,
  options: OptionItem[] = [],
  extra: EntryExtra = {},
): SourceEntry => ({
  kind: 'source',
  arg,
  url,
  options,
  id: null,
  sources: [],
  links: [],
  ...extra,
});

export const sink = (
  arg: number,
  url: string,
  options: OptionItem[] = [],
  extra: EntryExtra = {},
): SinkEntry => ({
  kind: 'sink',
  arg,
  url,
  options,
  id: null,
  sources: [],
  links: [],
  ...extra,
});

export const filter = (
  arg: number,
  name: string,
  options: OptionItem[] = [],
  extra: EntryExtra = {},
): FilterEntry => ({
  kind: 'filter',
  arg,
  name,
  options,
  id: null,
  sources: [],
  links: [],
  ...extra,
});

export const link = (from: LinkSpec['from'], index: number, fragment: string | null = null): LinkSpec => ({
  from,
  index,
  fragment,
});

export const global = (
  arg: number,
  name: string,
  value: string | null = null,
  filterName: string | null = null,
): GlobalOptionSpec => ({ arg, filter: filterName, name, value });

export const session = (arg: number, name: string, value: string | null = null): SessionOptionSpec => ({
  arg,
  name,
  value,
});

export const graph = (
  entries: Entry[],
  globals: GlobalOptionSpec[] = [],
  sessionOptions: SessionOptionSpec[] = [],
): GraphSpec => ({ entries, globals, session: sessionOptions });

/** A command line written as one string is split at spaces; use an array when an element has spaces. */
export const toArgv = (cmd: string | readonly string[]): string[] =>
  typeof cmd === 'string' ? (cmd === '' ? [] : cmd.split(' ')) : [...cmd];
