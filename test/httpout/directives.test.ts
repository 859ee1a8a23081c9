/** LL-HLS delivery directive logic (pure functions of filters/httpout/directives.ts). */
import test from 'ava';
import {
  advancePartLimit,
  decide,
  holdLimitMs,
  parseDirectives,
  partTargetOf,
  preloadHints,
  satisfied,
} from '../../filters/httpout/directives.js';
import type { PlaylistState } from '../../filters/httpout/directives.js';

const q = (s: string) => parseDirectives(new URLSearchParams(s));
const st: PlaylistState = { lastMsn: 5, lastPart: 1, ended: false, targetDuration: 1, partTarget: 0.25 };

test('parse: msn, part, skip; part without msn and malformed or absurd values are errors', (t) => {
  t.deepEqual(q('_HLS_msn=3&_HLS_part=2&_HLS_skip=YES'), { msn: 3, part: 2, skip: 'YES' });
  t.deepEqual(q('_HLS_msn=3&_HLS_skip=v2'), { msn: 3, skip: 'v2' });
  t.deepEqual(q('_HLS_skip=no'), {});
  t.true('error' in q('_HLS_part=2'));
  for (const bad of ['abc', '-1', '1.5', '', '99999999999999999999', '4294967296', '1e3'])
    t.true('error' in q(`_HLS_msn=${bad}`), bad);
  t.true('error' in q('_HLS_msn=1&_HLS_part=x'));
});

test('advance part limit: 3 / PART-TARGET below 1 s, else 3', (t) => {
  t.is(advancePartLimit(0.25), 12);
  t.is(advancePartLimit(1), 3);
  t.is(advancePartLimit(2), 3);
  t.is(advancePartLimit(undefined), 3);
});

test('satisfied: lexicographic (msn, part); msn alone = the segment is listed', (t) => {
  t.true(satisfied(st, { msn: 4, part: 99 }));
  t.true(satisfied(st, { msn: 5, part: 1 }));
  t.false(satisfied(st, { msn: 5, part: 2 }));
  t.true(satisfied(st, { msn: 5 }));
  t.false(satisfied(st, { msn: 6 }));
  t.true(satisfied(st, {}));
});

test('a part index past the last part of its segment waits for the next segment (part 0)', (t) => {
  const closed: PlaylistState = { ...st, lastPart: 3 }; // segment 5 has 4 parts, 0..3
  t.deepEqual(decide(closed, { msn: 5, part: 4 }), { kind: 'wait' });
  t.deepEqual(decide({ ...closed, lastMsn: 6, lastPart: 0 }, { msn: 5, part: 4 }), { kind: 'now' });
});

test('decide: 400 past msn + 2 and past the advance part limit; ENDLIST ignores directives', (t) => {
  t.deepEqual(decide(st, { msn: 7 }), { kind: 'wait' });
  t.is(decide(st, { msn: 8 }).kind, 'error');
  t.deepEqual(decide(st, { msn: 6, part: 2 }), { kind: 'wait' }); // 4 + 2 - 1 = 5 parts ahead
  t.is(decide(st, { msn: 7, part: 10 }).kind, 'error'); // 8 + 10 - 1 = 17 > 12
  t.is(decide(st, { msn: 5, part: 14 }).kind, 'error'); // 13 > 12
  t.deepEqual(decide(st, { msn: 5, part: 13 }), { kind: 'wait' }); // 12
  const oneSecond: PlaylistState = {
    lastMsn: 1,
    lastPart: 5,
    ended: false,
    targetDuration: 10,
    partTarget: 1,
  };
  t.is(decide(oneSecond, { msn: 1, part: 9 }).kind, 'error'); // 4 > 3
  t.deepEqual(decide(oneSecond, { msn: 1, part: 8 }), { kind: 'wait' });
  t.deepEqual(decide({ ...st, ended: true }, { msn: 99, part: 3 }), { kind: 'now' });
  t.deepEqual(decide({ ...st, lastMsn: -1, lastPart: -1 }, { msn: 1 }), { kind: 'wait' });
  t.is(decide({ ...st, lastMsn: -1, lastPart: -1 }, { msn: 2 }).kind, 'error');
});

test('hold limit is 3 target durations; PART-TARGET and preload hints read from the text', (t) => {
  t.is(holdLimitMs(2), 6000);
  t.is(holdLimitMs(0), 3000);
  const text =
    '#EXTM3U\n#EXT-X-PART-INF:PART-TARGET=0.52\n#EXT-X-PRELOAD-HINT:TYPE=PART,URI="a_dash2.m4s",BYTERANGE-START=100\n';
  t.is(partTargetOf(text), 0.52);
  t.deepEqual(preloadHints(text), ['a_dash2.m4s']);
  t.is(partTargetOf('#EXTM3U\n'), undefined);
});
