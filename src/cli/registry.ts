/** The registry the CLI and the library start from: every built-in filter, then plugins. */
import { Registry } from '../engine/registry.js';
import { builtinFilters } from '../../filters/index.js';

export function createRegistry(): Registry {
  const r = new Registry();
  for (const f of builtinFilters) r.register(f);
  return r;
}
