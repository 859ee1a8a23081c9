#!/usr/bin/env node
// Verifies that src/syntax/gpac-grammar.ts is exactly what `npm run gen:grammar` produces from
// grammar/gpac.ne: regenerates it into a temp file with the same nearleyc + prettier pipeline (prettier
// options resolved for the committed path, i.e. the repo's .prettierrc.json) and compares.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'grammar/gpac.ne');
const committed = join(root, 'src/syntax/gpac-grammar.ts');
const nearleyc = join(
  dirname(createRequire(import.meta.url).resolve('nearley/package.json')),
  'bin/nearleyc.js',
);

const dir = mkdtempSync(join(tmpdir(), 'gpac-grammar-'));
let expected;
try {
  const raw = join(dir, 'gpac-grammar.ts');
  execFileSync(process.execPath, [nearleyc, source, '-o', raw], { stdio: ['ignore', 'ignore', 'inherit'] });
  const options = (await prettier.resolveConfig(committed)) ?? {};
  expected = await prettier.format(readFileSync(raw, 'utf8'), { ...options, filepath: committed });
} finally {
  rmSync(dir, { recursive: true, force: true });
}

let actual;
try {
  actual = readFileSync(committed, 'utf8');
} catch {
  console.error(`check:grammar: ${committed} is missing; run \`npm run gen:grammar\` and commit the result.`);
  process.exit(1);
}

if (actual !== expected) {
  const a = actual.split('\n');
  const e = expected.split('\n');
  let line = 0;
  while (line < Math.max(a.length, e.length) && a[line] === e[line]) line++;
  console.error(
    `check:grammar: src/syntax/gpac-grammar.ts is out of date with grammar/gpac.ne (first difference at line ${line + 1}).\n` +
      `  committed:   ${JSON.stringify(a[line] ?? '<end of file>')}\n` +
      `  regenerated: ${JSON.stringify(e[line] ?? '<end of file>')}\n` +
      'Run `npm run gen:grammar` and commit src/syntax/gpac-grammar.ts.',
  );
  process.exit(1);
}
console.log('check:grammar: src/syntax/gpac-grammar.ts is up to date.');
