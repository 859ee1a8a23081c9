import test from 'ava';
import { parseGraph } from '../../src/syntax/parse.js';
import { toArgv } from './helpers.js';
import { rows } from './table.js';

test('the table has at least 60 command lines with unique titles', (t) => {
  t.true(rows.length >= 60, `only ${rows.length} rows`);
  t.is(new Set(rows.map((r) => r.title)).size, rows.length);
});

for (const row of rows) {
  test(`parse: ${row.title}`, (t) => {
    t.deepEqual(parseGraph(toArgv(row.argv)), row.expected);
  });
}
