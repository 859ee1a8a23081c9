/**
 * docs/filters/*.md are generated from the filters' args schemas (scripts/gen-filter-docs.ts): they
 * must match what the script writes now, and every option must say what it does.
 */
import test from 'ava';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinFilters } from '../../filters/index.js';
import { filterHelpText, renderFilterDocs, visibleOptions } from '../../src/cli/filter-format.js';

const docsDir = fileURLToPath(new URL('../../docs/filters/', import.meta.url));
const REGEN = 'run: node --import tsx scripts/gen-filter-docs.ts';

test('docs/filters/*.md are up to date with the args schemas', async (t) => {
  const expected = renderFilterDocs(builtinFilters);
  for (const [name, text] of expected) {
    const committed = await readFile(join(docsDir, name), 'utf8').catch(() => null);
    const what = name === 'README.md' ? 'the filter index' : `filter ${name.replace(/\.md$/, '')}`;
    t.not(committed, null, `docs/filters/${name} is missing (${what}); ${REGEN}`);
    if (committed !== null)
      t.true(committed === text, `docs/filters/${name} is out of date (${what}); ${REGEN}`);
  }
  const stale = (await readdir(docsDir)).filter((f) => f.endsWith('.md') && !expected.has(f));
  t.deepEqual(stale, [], `docs/filters has pages of no built-in filter; ${REGEN}`);
});

test('every schema option of every built-in filter has a description', (t) => {
  const missing = builtinFilters.flatMap((f) =>
    Object.entries(f.args)
      .filter(([, d]) => d.doc.trim() === '')
      .map(([k]) => `${f.name}.${k}`),
  );
  t.deepEqual(missing, []);
  for (const f of builtinFilters) t.not(f.description.trim(), '', `filter ${f.name} has no description`);
});

test('each page lists what graphpac -h FILTER lists', (t) => {
  const docs = renderFilterDocs(builtinFilters);
  for (const f of builtinFilters) {
    const page = docs.get(`${f.name}.md`) ?? '';
    const help = filterHelpText(f);
    t.true(help.startsWith(`${f.name}: ${f.description}\n`));
    t.true(page.includes(`\n${f.description}\n`), f.name);
    if (f.help) t.true(page.includes(f.help.trim()), `${f.name}: help text`);
    for (const [k, d] of visibleOptions(f)) {
      t.true(page.includes(`| \`${k}\` |`), `${f.name}.${k} row`);
      t.true(help.includes(`  ${k} (`), `${f.name}.${k} in -h`);
      t.true(page.includes(d.doc.replace(/\|/g, '\\|')), `${f.name}.${k} description`);
    }
    for (const [k, d] of Object.entries(f.args))
      if (d.hidden) t.false(page.includes(`| \`${k}\` |`), `${f.name}.${k} is hidden`);
  }
});
