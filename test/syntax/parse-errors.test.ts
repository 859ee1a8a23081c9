import test from 'ava';
import { GraphSyntaxError, parseGraph } from '../../src/syntax/parse.js';
import { errorRows } from './error-table.js';
import { toArgv } from './helpers.js';

for (const row of errorRows) {
  test(`error: ${row.title}`, (t) => {
    const argv = toArgv(row.argv);
    const error = t.throws(() => parseGraph(argv), { instanceOf: GraphSyntaxError });
    t.is(error?.arg, row.arg);
    t.is(error?.position, row.position);
    t.is(error?.expected, row.expected);
    t.is(error?.argText, argv[row.arg] ?? 'argument index out of range');
  });
}

test('the message names the argument, its text, the position and what was expected', (t) => {
  const error = t.throws(() => parseGraph(['-i', 'a.mp4', '-i', 'b.mp4', '-o']), {
    instanceOf: GraphSyntaxError,
  });
  t.is(error?.message, 'argument 5 "-o", position 2: expected a destination URL after -o');
  t.is(error?.arg, 4);
  t.is(error?.name, 'GraphSyntaxError');
});

test('the first error in argv order is reported', (t) => {
  const error = t.throws(() => parseGraph([':a', ':b']), { instanceOf: GraphSyntaxError });
  t.is(error?.arg, 0);
});
