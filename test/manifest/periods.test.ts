/**
 * A live presentation split into periods at an encoder restart (filters/dasher/periods.ts): the media
 * timeline goes on, the second period is placed later on the clock. The HLS playlists go on across the
 * periods (one playlist per representation id) and date each segment by its own period; the MPD writes
 * each period's start, the first one's duration and each one's addressing.
 */
import test from 'ava';
import { writeMpd, writeVariant } from '../../src/manifest/index.js';
import type { Presentation, SegmentAddressing } from '../../src/manifest/model.js';
import * as fx from './fixtures.js';

const LATER = 3.5;

/**
 * ll2sLive split before segment 3: period DID2's time 0 is where the video's segment 3 starts (every
 * representation's presentationTimeOffset is that instant, as the dasher sets it), LATER s later on the clock.
 */
function restarted(): Presentation {
  const model = fx.ll2sLive();
  const p1 = model.periods[0]!;
  const p2 = structuredClone(p1);
  p2.id = 'DID2';
  const video = p1.adaptationSets[0]!;
  const vts = (video.segmentTemplate as SegmentAddressing).timescale;
  const t0 = video.representations[0]!.segments.find((s) => s.number === 3)!.time / vts;
  for (const [k, set] of p1.adaptationSets.entries()) {
    const rep1 = set.representations[0]!;
    const set2 = p2.adaptationSets[k]!;
    const tpl = set2.segmentTemplate as SegmentAddressing;
    const at = rep1.segments.findIndex((s) => s.number === 3);
    set2.representations[0]!.segments = rep1.segments.slice(at);
    rep1.segments = rep1.segments.slice(0, at);
    tpl.startNumber = 3;
    tpl.presentationTimeOffset = Math.round(t0 * tpl.timescale);
  }
  p1.duration = t0;
  p2.start = t0 + LATER;
  model.periods.push(p2);
  return model;
}

const dates = (text: string): number[] =>
  [...text.matchAll(/#EXT-X-PROGRAM-DATE-TIME:(.*)/g)].map((m) => Date.parse(m[1]!));

for (const id of ['1', '2']) {
  test(`HLS across periods, representation ${id}: the same playlist, the segments of the second period dated ${LATER} s later`, (t) => {
    const one = writeVariant(fx.ll2sLive(), id);
    const two = writeVariant(restarted(), id);
    const strip = (s: string) => s.replace(/#EXT-X-PROGRAM-DATE-TIME:.*\n/g, '');
    t.is(strip(two), strip(one), 'segments, parts, hints and reports unchanged');
    const a = dates(one);
    const b = dates(two);
    t.is(b.length, a.length);
    t.deepEqual(
      b.map((d, i) => (d - a[i]!) / 1000),
      a.map((_, i) => (i < 2 ? 0 : LATER)),
    );
  });
}

test('MPD: both periods, the first with its duration, the second with its start and addressing', (t) => {
  const mpd = writeMpd(restarted());
  const periods = [...mpd.matchAll(/<Period [^>]*>/g)].map((m) => m[0]);
  t.is(periods.length, 2);
  t.regex(periods[0]!, /id="DID1" start="PT0H0M0\.000S" duration="PT0H0M4\.000S"/);
  t.regex(periods[1]!, /id="DID2" start="PT0H0M7\.500S"/);
  t.regex(
    mpd,
    /presentationTimeOffset="51200"[^>]*startNumber="3"|startNumber="3"[^>]*presentationTimeOffset="51200"/,
  );
});
