import test from 'ava';
import {
  parseBoolean,
  parseFraction,
  parseNumber,
  parseTime,
  splitList,
  ValueSyntaxError,
} from '../../src/syntax/values.js';

test('parseNumber: plain numbers', (t) => {
  t.is(parseNumber('2'), 2);
  t.is(parseNumber('-3'), -3);
  t.is(parseNumber('+4'), 4);
  t.is(parseNumber('0.25'), 0.25);
  t.is(parseNumber('.5'), 0.5);
  t.is(parseNumber('1e3'), 1000);
});

test('parseNumber: suffixes', (t) => {
  t.is(parseNumber('2k'), 2000);
  t.is(parseNumber('1.5K'), 1500);
  t.is(parseNumber('3m'), 3e6);
  t.is(parseNumber('3M'), 3e6);
  t.is(parseNumber('2g'), 2e9);
  t.is(parseNumber('1G'), 1e9);
  t.is(parseNumber('2sec'), 2000);
  t.is(parseNumber('1.5min'), 90000);
});

test('parseNumber: infinities', (t) => {
  t.is(parseNumber('+I'), Infinity);
  t.is(parseNumber('-I'), -Infinity);
});

test('parseNumber: errors', (t) => {
  for (const bad of ['abc', '', '2x', 'k', '1.2.3', ' 2', 'I', '2 k', '0x10']) {
    const e = t.throws(() => parseNumber(bad), { instanceOf: ValueSyntaxError }, bad);
    t.is(e?.message, `expected a number, got ${JSON.stringify(bad)}`);
  }
});

test('parseFraction', (t) => {
  t.deepEqual(parseFraction('1001/30000'), { num: 1001, den: 30000 });
  t.deepEqual(parseFraction('25-1'), { num: 25, den: 1 });
  t.deepEqual(parseFraction('-1-2'), { num: -1, den: 2 });
  t.deepEqual(parseFraction('10'), { num: 10, den: 1 });
  t.deepEqual(parseFraction('-3'), { num: -3, den: 1 });
  t.deepEqual(parseFraction('0.5'), { num: 500000, den: 1000000 });
  t.deepEqual(parseFraction('0.2'), { num: 200000, den: 1000000 });
  t.deepEqual(parseFraction('29.97'), { num: 29970000, den: 1000000 });
});

test('parseFraction: errors', (t) => {
  t.is(
    t.throws(() => parseFraction('1/0'), { instanceOf: ValueSyntaxError })?.message,
    'expected a fraction with a non-zero denominator, got "1/0"',
  );
  for (const bad of ['a/b', '', '1/', '/2', '1/2/3', '1.5/2', 'x']) {
    t.throws(() => parseFraction(bad), { instanceOf: ValueSyntaxError }, bad);
  }
});

test('parseBoolean', (t) => {
  for (const v of ['yes', 'true', '1', 'YES', 'True']) t.true(parseBoolean(v), v);
  for (const v of ['no', 'false', '0', 'NO', 'False']) t.false(parseBoolean(v), v);
  const e = t.throws(() => parseBoolean('maybe'), { instanceOf: ValueSyntaxError });
  t.is(e?.expected, 'a boolean (yes, no, true, false, 1, 0)');
  t.is(e?.value, 'maybe');
  t.throws(() => parseBoolean(''), { instanceOf: ValueSyntaxError });
});

test('parseTime returns milliseconds', (t) => {
  t.is(parseTime('T10:00:00'), 36_000_000);
  t.is(parseTime('T00:00:10.5'), 10_500);
  t.is(parseTime('01:02:03'), 3_723_000);
  t.is(parseTime('01:30.5'), 90_500);
  t.is(parseTime('T5:00'), 300_000);
  t.is(parseTime('2.5'), 2500);
  t.is(parseTime('30'), 30_000);
  t.is(parseTime('100:00:00'), 360_000_000);
});

test('parseTime: errors', (t) => {
  for (const bad of ['', 'T', 'abc', '10:60', '00:61:00', '1:2:3:4', '-5', 'T10:00:00Z']) {
    const e = t.throws(() => parseTime(bad), { instanceOf: ValueSyntaxError }, bad);
    t.is(e?.expected, 'a time (THH:MM:SS[.ms], MM:SS or seconds)');
  }
});

test('splitList with ,, escapes', (t) => {
  t.deepEqual(splitList('a,b1,,b2,c'), ['a', 'b1,b2', 'c']);
  t.deepEqual(splitList('single'), ['single']);
  t.deepEqual(splitList(''), []);
  t.deepEqual(splitList('a,'), ['a', '']);
  t.deepEqual(splitList(',,'), [',']);
  t.deepEqual(splitList('a,,,b'), ['a,', 'b']);
  t.deepEqual(splitList('T10:00:00Z,T11:00:00Z'), ['T10:00:00Z', 'T11:00:00Z']);
});
