/** Unit tests of the per-element splitters (url.ts, pieces.ts) on positions the table does not show. */
import test from 'ava';
import { splitPieces } from '../../src/syntax/pieces.js';
import { cutUrl } from '../../src/syntax/url.js';

const url = (text: string, role: 'source' | 'sink', start = 0): [string, string | null] => {
  const cut = cutUrl(text, start, role);
  return [text.slice(start, cut.end), cut.next === null ? null : text.slice(cut.next)];
};

test('cutUrl: sink vs source for a remote URL without marker', (t) => {
  t.deepEqual(url('http://h/a.mp4:x=1', 'sink'), ['http://h/a.mp4', 'x=1']);
  t.deepEqual(url('http://h/a.mp4:x=1', 'source'), ['http://h/a.mp4:x=1', null]);
});

test('cutUrl: the earliest marker wins', (t) => {
  t.deepEqual(url('https://h/a::b:gpac:c', 'sink'), ['https://h/a', 'b:gpac:c']);
  t.deepEqual(url('https://h/a:gfloc:b::c', 'source'), ['https://h/a', 'gfloc:b::c']);
});

test('cutUrl: host-port schemes', (t) => {
  t.deepEqual(url('tcp://h:abc', 'sink'), ['tcp://h', 'abc']);
  t.deepEqual(url('route://234.1.1.1:1234/x.mpd:ifce=eth0', 'source'), [
    'route://234.1.1.1:1234/x.mpd',
    'ifce=eth0',
  ]);
  t.deepEqual(url('udp://h:0:x', 'sink'), ['udp://h', '0:x']);
  t.deepEqual(url('UDP://h:1234', 'sink'), ['UDP://h:1234', null]);
});

test('cutUrl: local paths', (t) => {
  t.deepEqual(url('a.mp4', 'source'), ['a.mp4', null]);
  t.deepEqual(url('x/live.mpd:segdur=1.5', 'sink'), ['x/live.mpd', 'segdur=1.5']);
  t.deepEqual(url('live:segdur=1.5', 'sink'), ['live', 'segdur=1.5']);
  t.deepEqual(url('a:gpac:b.mp4', 'source'), ['a', 'b.mp4']);
  t.deepEqual(url('dst=C:\\x.mp4:y', 'sink', 4), ['C:\\x.mp4', 'y']);
});

test('splitPieces keeps the offset of each piece', (t) => {
  t.deepEqual(splitPieces('f:a=1::b=2:c::d', 2), [
    { text: 'a=1', offset: 2 },
    { text: 'b=2:c', offset: 7 },
    { text: 'd', offset: 14 },
  ]);
});

test('splitPieces: a value that is a URL ends after its path', (t) => {
  t.deepEqual(
    splitPieces('base=http://cdn:80/live/:x=1', 0).map((p) => p.text),
    ['base=http://cdn:80/live/', 'x=1'],
  );
  t.deepEqual(
    splitPieces('u=http://h/a::x=1:y', 0).map((p) => p.text),
    ['u=http://h/a', 'x=1', 'y'],
  );
});

test('splitPieces: a :gpac: after a URL value extends it', (t) => {
  t.deepEqual(
    splitPieces('u=http://h/a:gfopt:b:gpac:c', 0).map((p) => p.text),
    ['u=http://h/a:gfopt:b', 'c'],
  );
});

test('splitPieces: times that are not times', (t) => {
  t.deepEqual(
    splitPieces('fmt=TS:x=1', 0).map((p) => p.text),
    ['fmt=TS', 'x=1'],
  );
  t.deepEqual(
    splitPieces('t=T1.5:x', 0).map((p) => p.text),
    ['t=T1.5', 'x'],
  );
});

test('splitPieces: unterminated XML runs to the end', (t) => {
  t.deepEqual(
    splitPieces('d=<a b="x:y">:c', 0).map((p) => p.text),
    ['d=<a b="x:y">', 'c'],
  );
  t.deepEqual(
    splitPieces('d=<a b="x:y:z', 0).map((p) => p.text),
    ['d=<a b="x:y:z'],
  );
});
