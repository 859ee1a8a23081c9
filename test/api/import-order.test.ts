/**
 * Any module may be imported first: each built-in filter module imported before anything else, in a
 * fresh process, compiled (dist/) and from source under tsx, then the public API, and a session built
 * from the built-in registry. Before #10 this crashed (dist: "Cannot access 'fin' before
 * initialization") or registered `undefined` (tsx: a misleading PLUGIN_INVALID).
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../helpers/run-cli.js';

const run = promisify(execFile);
const filters = readdirSync(join(repoRoot, 'filters'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(repoRoot, 'filters', d.name, 'index.ts')))
  .map((d) => d.name);

/** Imports the filter, then the API; registers the built-ins; prints what it saw. */
function script(filterUrl: string, apiUrl: string, builtinsUrl: string): string {
  return `
const f = await import(${JSON.stringify(filterUrl)});
const api = await import(${JSON.stringify(apiUrl)});
const { createRegistry } = await import(${JSON.stringify(builtinsUrl)});
const r = await createRegistry();
const s = api.createSession({ logs: 'all@quiet' });
console.log(JSON.stringify({
  name: f.default?.name,
  create: typeof f.default?.create,
  api: [typeof api.createSession, typeof api.defineFilter, typeof s.run],
  registered: r.list().length,
}));`;
}

async function importFirst(mode: 'dist' | 'tsx', filter: string): Promise<unknown> {
  const ext = mode === 'dist' ? 'js' : 'ts';
  const base = mode === 'dist' ? join(repoRoot, 'dist') : repoRoot;
  const url = (p: string) => `file://${join(base, p)}.${ext}`;
  const { stdout } = await run(
    process.execPath,
    [
      ...(mode === 'tsx' ? ['--import', 'tsx'] : []),
      '--input-type=module',
      '-e',
      script(url(`filters/${filter}/index`), url('src/index'), url('src/builtins')),
    ],
    { cwd: repoRoot },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

for (const mode of ['dist', 'tsx'] as const)
  test(`every built-in filter module can be imported first (${mode})`, async (t) => {
    t.true(filters.length >= 8, filters.join(' '));
    // A few at a time: each is a Node process (tsx compiles the sources).
    const results: Record<string, unknown> = {};
    for (let i = 0; i < filters.length; i += 4)
      await Promise.all(
        filters.slice(i, i + 4).map(async (f) => {
          results[f] = await importFirst(mode, f);
        }),
      );
    for (const f of filters)
      t.like(
        results[f],
        {
          name: f,
          create: 'function',
          api: ['function', 'function', 'function'],
          registered: filters.length,
        },
        f,
      );
  });
