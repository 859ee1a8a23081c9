import test from 'ava';
import { HELP_FLAGS, SINK_FLAGS, SOURCE_FLAGS, VALUE_OPTIONS } from '../../src/syntax/argv-lexer.js';
import { parseGraph } from '../../src/syntax/parse.js';
import { graph, session, sink, source } from './helpers.js';

const REQUIRED_VALUE_OPTIONS = [
  'logs',
  'lf',
  'seps',
  'threads',
  'runfor',
  'runforf',
  'runforx',
  'max-chain',
  'buffer-gen',
  'buffer-units',
  'buffer-dec',
  'p',
  'cfg',
];

test('VALUE_OPTIONS holds every core option that takes the next element', (t) => {
  for (const name of REQUIRED_VALUE_OPTIONS)
    t.true((VALUE_OPTIONS as readonly string[]).includes(name), name);
  t.is(new Set(VALUE_OPTIONS).size, VALUE_OPTIONS.length);
});

for (const name of VALUE_OPTIONS) {
  test(`-${name} VALUE and -${name}=VALUE give the same session option`, (t) => {
    const expected = graph([sink(3, 'x.mpd')], [], [session(0, name, 'v1')]);
    t.deepEqual(parseGraph([`-${name}`, 'v1', '-o', 'x.mpd']), expected);
    t.deepEqual(parseGraph([`-${name}=v1`, 'x', '-o', 'x.mpd']).session, [session(0, name, 'v1')]);
  });
}

test('an option outside VALUE_OPTIONS does not take the next element', (t) => {
  t.deepEqual(parseGraph(['-stats', '-i', 'a.mp4']), graph([source(2, 'a.mp4')], [], [session(0, 'stats')]));
});

test('source, sink and help flag lists', (t) => {
  t.deepEqual([...SOURCE_FLAGS], ['i', 'src']);
  t.deepEqual([...SINK_FLAGS], ['o', 'dst']);
  t.deepEqual([...HELP_FLAGS], ['h', 'ha', 'hx', 'hh']);
});

for (const flag of HELP_FLAGS) {
  test(`-${flag} takes a topic unless the next element starts with -`, (t) => {
    t.deepEqual(parseGraph([`-${flag}`, 'dasher']).session, [session(0, flag, 'dasher')]);
    t.deepEqual(parseGraph([`-${flag}`, '-graph']).session, [session(0, flag), session(1, 'graph')]);
  });
}
