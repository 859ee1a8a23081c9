/**
 * The pieces of a live restart (filters/dasher/periods.ts): the segmenter ends its segment at the packet
 * after a restart and anchors its grid there; the periods bookkeeping (who joined, where on the clock,
 * frozen once published).
 */
import test from 'ava';
import type { Packet } from '../../src/index.js';
import { Segmenter } from '../../filters/dasher/segmenter.js';
import { Periods } from '../../filters/dasher/periods.js';
import type { Rep } from '../../filters/dasher/rep.js';

const frame = (dts: number, sap = false): Packet => ({
  data: new Uint8Array(1),
  dts,
  cts: dts,
  duration: 40,
  sap: sap ? 1 : 0,
  start: true,
  end: true,
});

test('segmenter: a restart ends the segment in progress and anchors the grid at the restart', (t) => {
  const s = new Segmenter({ timescale: 1000, segdur: 1000, cdur: 0, sapOnly: true, startNumber: 1 });
  const closed = [];
  // 1.4 s of frames (GOP 0.4 s): segment 1 [0, 1.2), segment 2 from 1.2.
  for (let d = 0; d < 1400; d += 40) closed.push(...s.push(frame(d, d % 400 === 0)));
  t.deepEqual(
    closed.map((c) => [c.segment, c.baseDts]),
    [[1, 0]],
  );
  // The restart at 1.4 s: segment 2 ends there, segment 3 starts with it.
  const atRestart = s.restart(frame(1400, true));
  t.deepEqual(
    atRestart.map((c) => [c.segment, c.baseDts, c.endsSegment]),
    [[2, 1200, true]],
  );
  t.is(s.upcomingNumber, 3);
  // Its grid: the next boundary is 1 s after the restart (2.4 s), not on the old grid (2.0 s).
  const after = [];
  for (let d = 1440; d < 3000; d += 40) after.push(...s.push(frame(d, d % 200 === 0)));
  t.deepEqual(
    after.map((c) => [c.segment, c.baseDts]),
    [[3, 1400]],
  );
  t.is(s.currentSegment, 4);
});

test('periods: representations join the restart period; a second restart of one makes another', (t) => {
  const video = { ended: false } as Rep;
  const audio = { ended: false } as Rep;
  const p = new Periods();
  const made = p.restart(video, 10, 2.5, 6, 1000);
  t.is(made?.id, 'DID2');
  t.deepEqual(p.complete([video, audio], 1500, 4000), [], 'waits for the audio');
  t.is(p.restart(audio, 9.99, 2.6, 7, 1100), undefined, 'the audio joins');
  const [d2] = p.complete([video, audio], 1500, 4000);
  t.is(d2?.t0, 9.99, 'time 0: the earliest representation');
  t.is(d2?.offset, 2.5, 'the earliest arrival');
  t.is(p.periodOf(video, 5), undefined);
  t.is(p.periodOf(video, 6), d2);
  t.is(p.periodOf(audio, 6), undefined, 'audio numbers of its own');
  // Later packets move the estimate until it is published.
  p.observe(video, 2.4);
  t.is(d2?.offset, 2.4);
  p.freeze(p.complete([video, audio], 1600, 4000));
  p.observe(video, 2.0);
  t.is(d2?.offset, 2.4, 'frozen once published');
  t.is(p.offsetOf(audio), 2.4, 'the clock of the latest period it joined (the lag it reports)');
  // Another restart.
  t.is(p.restart(video, 30, 0.1, 16, 21000)?.id, 'DID3');
  const d3 = p.list[1]!;
  t.is(d3.offset, 2.4, 'never earlier on the clock than the period before');
  t.deepEqual(p.complete([video, audio], 22000, 4000), [d2], 'DID3 waits for the audio…');
  t.is(p.offsetOf(audio), 2.4, 'the audio is still in DID2');
  const shown = p.complete([video, audio], 26000, 4000);
  t.deepEqual(shown, [d2, d3], '…for two segments at most');
  p.freeze(shown);
  t.is(p.restart(audio, 30, 0.2, 17, 27000), undefined, 'a late audio joins it');
  t.is(p.periodOf(audio, 17), d3);
  audio.ended = true;
  t.is(p.restart(video, 40, 0.2, 21, 31000)?.id, 'DID4');
  t.is(p.complete([video, audio], 31000, 4000).length, 3, 'none waits for one that ended');
  // DID2's segments left the time-shift buffer: forgotten; ids go on.
  p.forgetBefore('DID3');
  t.is(p.list[0], d3);
  t.is(p.restart(video, 50, 3, 26, 41000)?.id, 'DID5');
});
