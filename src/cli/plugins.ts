/**
 * `--plugin MODULE`: a file (ESM), a folder holding a package (its package.json `main`, else index.mjs /
 * index.js), or an installed package name. The module exports a filter (`export default`) or several
 * (`export const filters = [...]`); each is checked at registration and errors name the plugin.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GraphError, errorMessage } from '../engine/errors.js';
import type { AnyFilterDescriptor } from '../engine/filter-api.js';
import type { Registry } from '../engine/registry.js';
import { importModule } from './import-module.js';

function entryOf(m: string): string {
  const isPath = m.startsWith('.') || m.startsWith('/');
  if (!isPath) return m;
  const path = resolve(m);
  if (existsSync(path) && statSync(path).isDirectory()) {
    let main: string | undefined;
    try {
      main = (JSON.parse(readFileSync(join(path, 'package.json'), 'utf8')) as { main?: string }).main;
    } catch {
      main = undefined;
    }
    const candidates = [main, 'index.mjs', 'index.js'].filter((x): x is string => Boolean(x));
    const found = candidates.map((c) => join(path, c)).find((c) => existsSync(c));
    if (!found)
      throw new GraphError(
        'PLUGIN_INVALID',
        `cannot load plugin "${m}": the folder has no package.json main, index.mjs or index.js`,
        { plugin: m },
      );
    return pathToFileURL(found).href;
  }
  return pathToFileURL(path).href;
}

export async function loadPlugins(registry: Registry, modules: readonly string[]): Promise<void> {
  for (const m of modules) {
    let mod: { default?: unknown; filters?: unknown };
    try {
      mod = (await importModule(entryOf(m))) as typeof mod;
    } catch (e) {
      if (e instanceof GraphError) throw e;
      throw new GraphError(
        'PLUGIN_INVALID',
        `cannot load plugin "${m}": ${errorMessage(e)}`,
        { plugin: m },
        { cause: e },
      );
    }
    const list = Array.isArray(mod.filters) ? mod.filters : [mod.default];
    for (const f of list) registry.register(f as AnyFilterDescriptor, `plugin "${m}"`);
  }
}
