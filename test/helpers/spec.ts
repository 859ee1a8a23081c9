/** Build GraphSpecs by hand for engine tests (the grammar has its own tests). */
import type { Entry, GraphSpec, OptionSpec } from '../../src/syntax/graph-spec.js';

export function opts(o: Record<string, string | null>): OptionSpec[] {
  return Object.entries(o).map(([name, value]) => ({ kind: 'option', name, value, negated: false }));
}

type Loose =
  | {
      kind: 'source' | 'sink';
      url: string;
      options?: Record<string, string | null>;
      links?: Entry['links'];
      id?: string;
    }
  | {
      kind: 'filter';
      name: string;
      options?: Record<string, string | null>;
      links?: Entry['links'];
      id?: string;
      sources?: Entry['sources'];
    };

export function graph(...entries: Loose[]): GraphSpec {
  return {
    entries: entries.map((e, arg): Entry => {
      const base = {
        arg,
        options: opts(e.options ?? {}),
        id: e.id ?? null,
        sources: e.kind === 'filter' ? (e.sources ?? []) : [],
        links: e.links ?? [],
      };
      return e.kind === 'filter'
        ? { ...base, kind: 'filter', name: e.name }
        : { ...base, kind: e.kind, url: e.url };
    }),
    globals: [],
    session: [],
  };
}
