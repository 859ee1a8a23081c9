/**
 * Writes docs/filters/<name>.md (and README.md, the index) for every built-in filter, from the same
 * descriptors and args schemas as `graphpac -h FILTER`. Run: node --import tsx scripts/gen-filter-docs.ts
 * test/docs/filter-docs.test.ts fails when the committed pages differ from what this writes.
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinFilters } from '../filters/index.js';
import { renderFilterDocs } from '../src/cli/filter-format.js';

const outDir = resolve(dirname(fileURLToPath(import.meta.url)), '../docs/filters');
const files = renderFilterDocs(builtinFilters);
await mkdir(outDir, { recursive: true });
// Pages of filters that no longer exist go away.
for (const name of await readdir(outDir))
  if (name.endsWith('.md') && !files.has(name)) await rm(join(outDir, name));
for (const [name, text] of files) await writeFile(join(outDir, name), text);
process.stdout.write(`wrote ${files.size} files to ${outDir}\n`);
