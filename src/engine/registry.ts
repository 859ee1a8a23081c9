/**
 * The filter registry: built-ins and plugins register the same way. Validates descriptors (a bad
 * plugin gets one clear error naming it), answers URL and content probes, and gives a filter's
 * implementation, importing it on first use for a lazy descriptor (LazyFilterDescriptor).
 */
import type { AnyFilterDescriptor, FilterDescriptor, FilterMetadata, ProbeScore } from './filter-api.js';
import { FILTER_API_VERSION } from './filter-api.js';
import { GraphError } from './errors.js';
import { hasInputCaps, hasOutputCaps } from './caps.js';
import { callFilter, ofDescriptor } from './filter-calls.js';

const SCORE: Record<ProbeScore, number> = { supported: 2, maybe: 1, no: 0 };

function invalid(desc: FilterMetadata | undefined, origin: string, why: string): GraphError {
  const where = `${origin}${desc?.name ? ` (filter "${desc.name}")` : ''}`;
  return new GraphError('PLUGIN_INVALID', `invalid filter ${where}: ${why}`, { origin });
}

/** Throws PLUGIN_INVALID (naming `origin` and the filter) when `desc` is not a usable filter descriptor. */
export function checkDescriptor(desc: AnyFilterDescriptor, origin: string): void {
  const bad = (why: string) => invalid(desc, origin, why);
  if (!desc || typeof desc !== 'object') throw bad('the module does not export a filter descriptor');
  if (typeof desc.name !== 'string' || !/^[A-Za-z][A-Za-z0-9_]*$/.test(desc.name))
    throw bad(`name must be a word of letters, digits and _ (got ${JSON.stringify(desc.name)})`);
  const lazy = 'load' in desc && typeof desc.load === 'function';
  if (typeof (desc as FilterDescriptor).create !== 'function' && !lazy)
    throw bad('create() is missing (or load(), for a filter loaded on first use)');
  if (!Array.isArray(desc.caps)) throw bad('caps must be an array of bundles');
  if (!desc.args || typeof desc.args !== 'object') throw bad('args must be an object (the args schema)');
  const v = desc.apiVersion ?? FILTER_API_VERSION;
  if (v !== FILTER_API_VERSION)
    throw bad(`written for filter API version ${v}; this graphpac provides version ${FILTER_API_VERSION}`);
}

/** Implementations of lazy descriptors, once loaded (shared by every registry holding the descriptor). */
const loaded = new WeakMap<object, FilterDescriptor>();
const loading = new WeakMap<object, Promise<FilterDescriptor>>();

/** The implementation of `desc` if it is at hand (not lazy, or already loaded). */
export function implementationOf(desc: AnyFilterDescriptor): FilterDescriptor | undefined {
  return typeof (desc as FilterDescriptor).create === 'function'
    ? (desc as FilterDescriptor)
    : loaded.get(desc);
}

/**
 * The implementation of `desc`: itself, or for a lazy descriptor the full filter its load() imports
 * (once). Throws PLUGIN_INVALID naming the filter when the module cannot be imported or does not
 * export that filter.
 */
export function loadImplementation(desc: AnyFilterDescriptor): Promise<FilterDescriptor> {
  const ready = implementationOf(desc);
  if (ready) return Promise.resolve(ready);
  let p = loading.get(desc);
  if (!p) {
    const lazy = desc as { load(): Promise<{ default: FilterDescriptor } | FilterDescriptor> };
    p = (async () => {
      let mod: { default?: FilterDescriptor } | FilterDescriptor;
      try {
        mod = await lazy.load();
      } catch (e) {
        throw new GraphError(
          'PLUGIN_INVALID',
          `cannot load filter "${desc.name}": ${e instanceof Error ? e.message : String(e)}`,
          { filter: desc.name, phase: 'load' },
          { cause: e },
        );
      }
      const full = ('default' in mod ? mod.default : mod) as FilterDescriptor | undefined;
      if (!full || typeof full.create !== 'function' || full.name !== desc.name)
        throw new GraphError(
          'PLUGIN_INVALID',
          `cannot load filter "${desc.name}": its module does not export it (a default export with create())`,
          { filter: desc.name, phase: 'load' },
        );
      loaded.set(desc, full);
      return full;
    })();
    loading.set(desc, p);
  }
  return p;
}

export class Registry {
  private readonly filters = new Map<string, AnyFilterDescriptor>();

  /** Register a filter; `replace` lets it take the place of one already registered under its name. */
  register(desc: AnyFilterDescriptor, origin = 'built-in', opts: { replace?: boolean } = {}): void {
    checkDescriptor(desc, origin);
    if (this.filters.has(desc.name) && !opts.replace)
      throw invalid(desc, origin, `a filter named "${desc.name}" is already registered`);
    this.filters.set(desc.name, desc);
  }

  get(name: string): AnyFilterDescriptor | undefined {
    return this.filters.get(name);
  }

  list(): AnyFilterDescriptor[] {
    return [...this.filters.values()];
  }

  isSource(d: FilterMetadata): boolean {
    return !hasInputCaps(d.caps) && d.probeUrl !== undefined;
  }

  isSink(d: FilterMetadata): boolean {
    return !hasOutputCaps(d.caps);
  }

  /** The filter that best claims `url` as a source or sink (ties: lower priority, then registration order). */
  probeUrl(url: string, role: 'source' | 'sink'): AnyFilterDescriptor | undefined {
    let best: AnyFilterDescriptor | undefined;
    let bestScore = 0;
    for (const d of this.filters.values()) {
      if (!d.probeUrl) continue;
      if (role === 'source' && hasInputCaps(d.caps)) continue;
      if (role === 'sink' && hasOutputCaps(d.caps)) continue;
      const probe = d.probeUrl;
      const s = SCORE[callFilter(ofDescriptor(d), 'probeUrl', () => probe(url, role))] ?? 0;
      if (s > bestScore || (s === bestScore && s > 0 && best && (d.priority ?? 0) < (best.priority ?? 0))) {
        best = d;
        bestScore = s;
      }
    }
    return best;
  }

  /** MIME type of `data` according to the demuxers' content probes. */
  probeData(data: Uint8Array): string | undefined {
    let mime: string | undefined;
    let bestScore = 0;
    for (const d of this.filters.values()) {
      const probe = d.probeData;
      if (!probe) continue;
      const r = callFilter(ofDescriptor(d), 'probeData', () => probe(data));
      if (r && SCORE[r.score] > bestScore) {
        mime = r.mime;
        bestScore = SCORE[r.score];
      }
    }
    return mime;
  }
}
