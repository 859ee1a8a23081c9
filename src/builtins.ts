/**
 * The built-in filters, loaded on first use. A dynamic import: the public API (src/index.ts) must
 * import no filter, since every filter imports the public API (scripts/check-cycles.mjs).
 */
import type { AnyFilterDescriptor } from './engine/filter-api.js';
import { Registry } from './engine/registry.js';

let builtins: Promise<readonly AnyFilterDescriptor[]> | undefined;

export function loadBuiltinFilters(): Promise<readonly AnyFilterDescriptor[]> {
  builtins ??= import('../filters/index.js').then((m) => m.builtinFilters);
  return builtins;
}

/** A registry holding the built-in filters, then `plugins` (their origin names them in errors). */
export async function createRegistry(
  plugins: readonly { desc: AnyFilterDescriptor; origin: string }[] = [],
): Promise<Registry> {
  const r = new Registry();
  for (const f of await loadBuiltinFilters()) r.register(f);
  for (const p of plugins) r.register(p.desc, p.origin);
  return r;
}
