/**
 * The argv grammar must give exactly one parse for every input (dependencies.md §2: an ambiguous
 * grammar silently picks a wrong parse). Checked over the table, the error cases and random argv.
 */
import test from 'ava';
import { parseGraphResults } from '../../src/syntax/parse.js';
import { errorRows } from './error-table.js';
import { toArgv } from './helpers.js';
import { rows } from './table.js';

test('exactly one parse for every table row', (t) => {
  for (const row of rows) t.is(parseGraphResults(toArgv(row.argv)).length, 1, row.title);
});

test('exactly one parse for every error case (errors are reported after parsing)', (t) => {
  // A NUL inside an element is rejected before the grammar runs (it is the element terminator).
  const parsable = errorRows.filter((row) => !toArgv(row.argv).some((a) => a.includes('\u0000')));
  t.true(parsable.length >= errorRows.length - 1);
  for (const row of parsable) t.is(parseGraphResults(toArgv(row.argv)).length, 1, row.title);
});

/** Elements of every lexical class, including ones that are only valid in some positions. */
const vocabulary = [
  '-i',
  '-src',
  '-o',
  '-dst',
  '-h',
  '-ha',
  '-hx',
  '-hh',
  '-logs',
  '-threads',
  '-p',
  '-xopt',
  '-graph',
  '-logs=x',
  '--segdur=2',
  '--dasher@segdur=1',
  '-+opt=1',
  '@',
  '@1',
  '@@0#video',
  '@x',
  'src=a.mp4',
  'dst=b.mpd',
  'reframer:rt=on',
  'dasher',
  'a.mp4',
  'http://h:8080/x.mpd',
  '',
  ':foo',
  '-',
  '--',
  'T10:00:00',
];

test('exactly one parse for 3000 random command lines', (t) => {
  // Deterministic LCG so failures are reproducible.
  let seed = 12345;
  const next = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  for (let run = 0; run < 3000; run++) {
    const argv = Array.from({ length: next(9) }, () => vocabulary[next(vocabulary.length)] ?? '');
    const count = parseGraphResults(argv).length;
    if (count !== 1) t.fail(`${count} parses for ${JSON.stringify(argv)}`);
  }
  t.pass();
});
