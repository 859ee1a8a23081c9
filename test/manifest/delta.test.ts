// Playlist delta updates (_HLS_skip=YES|v2), RFC 8216bis §4.4.5.2 / §6.2.5.1.

import test from 'ava';
import { skippedCount, writeVariant } from '../../src/manifest/index.js';
import * as fx from './fixtures.js';
import { checkPlaylist } from '../helpers/llhls-check.js';

const caps = { blockingReload: true, canSkipUntil: 12 };

test('v2 delta: version 10 and an (empty) RECENTLY-REMOVED-DATERANGES', (t) => {
  const yes = writeVariant(fx.longLive(), '1', { ...caps, skip: 'YES' });
  const v2 = writeVariant(fx.longLive(), '1', { ...caps, skip: 'v2' });
  t.is(
    v2,
    yes
      .replace('#EXT-X-VERSION:9', '#EXT-X-VERSION:10')
      .replace(
        '#EXT-X-SKIP:SKIPPED-SEGMENTS=8',
        '#EXT-X-SKIP:SKIPPED-SEGMENTS=8,RECENTLY-REMOVED-DATERANGES=""',
      ),
  );
  t.deepEqual(checkPlaylist(v2), []);
  t.deepEqual(checkPlaylist(yes), []);
});

test('the skip boundary is measured from the end of the last complete segment', (t) => {
  const model = fx.longLive();
  const video = model.periods[0]?.adaptationSets[0]?.representations[0];
  const tpl = model.periods[0]?.adaptationSets[0]?.segmentTemplate;
  if (!video) throw new Error('fixture');
  // Segments end at 2, 4, … 30 s; 16 is open. Boundary 12 s before 30 s: 1–8 end before 18 s.
  t.is(skippedCount(video.segments, tpl, 12), 8);
  t.is(skippedCount(video.segments, tpl, 13), 8);
  t.is(skippedCount(video.segments, tpl, 14), 7);
  t.is(skippedCount(video.segments, tpl, 28), 0);
  t.is(skippedCount(video.segments, tpl, 27.9), 1);
  t.is(skippedCount([], tpl, 12), 0);
});

test('the skip directive is ignored without CAN-SKIP-UNTIL or once the playlist has ENDLIST', (t) => {
  const full = writeVariant(fx.longLive(), '1');
  t.is(writeVariant(fx.longLive(), '1', { skip: 'YES' }), full);
  const ended = fx.longLive();
  ended.ended = true;
  const text = writeVariant(ended, '1', { ...caps, skip: 'YES' });
  t.false(text.includes('EXT-X-SKIP'));
  t.true(text.includes('#EXT-X-VERSION:6\n'));
});

test('a delta with nothing old enough to skip still says SKIPPED-SEGMENTS=0', (t) => {
  const text = writeVariant(fx.ll2sLive(), '1', { canSkipUntil: 12, skip: 'YES' });
  t.true(text.includes('#EXT-X-MAP:URI="source1_dashinit.mp4"\n#EXT-X-SKIP:SKIPPED-SEGMENTS=0\n'));
  t.deepEqual(checkPlaylist(text), []);
});
