/**
 * Segment and init names from the dasher's templates (filters/dasher/naming.ts): GPAC's keys with and
 * without a width, several in one name, none; the init name from the media template.
 */
import test from 'ava';
import { repNames, resolveName } from '../../filters/dasher/naming.js';

const v = { number: 7, time: 180000, repId: '2', bandwidth: 1250000, subNumber: 3 };

test('every key, with and without a width, several in one name', (t) => {
  t.is(resolveName('seg_$Number$.m4s', v), 'seg_7.m4s');
  t.is(resolveName('seg_$Number%05d$.m4s', v), 'seg_00007.m4s');
  t.is(resolveName('$RepresentationID$/$Time$-$Bandwidth$', v), '2/180000-1250000');
  t.is(resolveName('$Number%03d$$SubNumber%02d$', v), '00703');
  t.is(resolveName('$Time%012d$', v), '000000180000');
  t.is(resolveName('plain.m4s', v), 'plain.m4s');
  t.is(resolveName('$Number$', { repId: '1', bandwidth: 0 }), '', 'a value not given is empty');
  // A number wider than its width is not cut.
  t.is(resolveName('$Number%02d$', { ...v, number: 1234 }), '1234');
  // The same template again (compiled once) gives each call its own values.
  t.deepEqual(
    [1, 2, 10].map((number) => resolveName('x_$Number%02d$_$RepresentationID$', { ...v, number })),
    ['x_01_2', 'x_02_2', 'x_10_2'],
  );
});

test("GPAC's default names and the init name from the template", (t) => {
  const names = (template: string | undefined, fs: string, repId: string, bandwidth: number) =>
    repNames({ template, segext: undefined, initext: undefined, file: 'clip', fs, repId, bandwidth });
  const n = names(undefined, '_track1_', '1', 0);
  t.deepEqual(n, { media: 'clip_dash_track1_$Number$.m4s', init: 'clip_dash_track1_init.mp4' });
  t.is(resolveName(n.media, { number: 12, repId: '1', bandwidth: 0 }), 'clip_dash_track1_12.m4s');
  const custom = names('r$RepresentationID$_$Number%04d$', '', '3', 64000);
  t.deepEqual(custom, { media: 'r$RepresentationID$_$Number%04d$.m4s', init: 'r3_init.mp4' });
  t.is(resolveName(custom.media, { number: 5, repId: '3', bandwidth: 64000 }), 'r3_0005.m4s');
});
