import test from 'ava';
import { deriveServiceDescription, writeMpd } from '../../src/manifest/index.js';
import { timelineEntries } from '../../src/manifest/mpd-sets.js';
import type { Presentation, Segment } from '../../src/manifest/model.js';
import * as fx from './fixtures.js';

const seg = (number: number, time: number, duration: number, open = false): Segment => ({
  number,
  time,
  duration,
  uri: `s${number}.m4s`,
  ...(open ? { open } : {}),
});
const line = (mpd: string, element: string): string =>
  mpd
    .split('\n')
    .map((l) => l.trimStart())
    .find((l) => l.startsWith(`<${element}`)) ?? '';

test('SegmentTimeline compresses repeats and restates t after a gap', (t) => {
  t.deepEqual(
    timelineEntries([
      seg(1, 0, 100),
      seg(2, 100, 100),
      seg(3, 200, 100),
      seg(4, 300, 90),
      seg(5, 500, 90),
      seg(6, 590, 90),
    ]),
    [
      { t: 0, d: 100, r: 2 },
      { t: undefined, d: 90, r: 0 },
      { t: 500, d: 90, r: 1 },
    ],
  );
  t.deepEqual(timelineEntries([seg(3, 1000, 50)]), [{ t: 1000, d: 50, r: 0 }]);
  t.deepEqual(timelineEntries([]), []);
});

test('the live-edge segment is in the timeline only with chunked delivery (ATO > 0)', (t) => {
  const model = fx.llDash();
  t.true(writeMpd(model).includes('<S t="0" d="25600" r="3"/>'));
  const video = model.periods[0]?.adaptationSets[0];
  if (!video?.segmentTemplate) throw new Error('fixture');
  delete video.segmentTemplate.availabilityTimeOffset;
  delete video.segmentTemplate.availabilityTimeComplete;
  const mpd = writeMpd(model);
  t.true(mpd.includes('<S t="0" d="25600" r="2"/>'));
  t.true(line(mpd, 'SegmentTemplate media="source1').endsWith('timescale="12800" startNumber="1">'));
});

test('static MPDs carry no live attributes; dynamic ones take publishTime from the model or `now`', (t) => {
  const model = fx.fastStaticDual();
  Object.assign(model, {
    availabilityStartTime: 1,
    publishTime: 2,
    minimumUpdatePeriod: 2,
    suggestedPresentationDelay: 3,
  });
  const mpd = line(writeMpd(model), 'MPD');
  t.false(/availabilityStartTime|publishTime|minimumUpdatePeriod|suggestedPresentationDelay/.test(mpd));

  const live = fx.serverDualAsto();
  delete live.publishTime;
  t.false(line(writeMpd(live), 'MPD').includes('publishTime'));
  t.true(
    line(writeMpd(live, { now: Date.UTC(2026, 10, 26, 8) }), 'MPD').includes(
      'publishTime="2026-11-26T08:00:00.000Z"',
    ),
  );
  live.timeShiftBufferDepth = 0;
  live.mediaPresentationDuration = 30;
  const head = line(writeMpd(live), 'MPD');
  t.false(head.includes('timeShiftBufferDepth'));
  t.true(head.includes('mediaPresentationDuration="PT0H0M30.000S" minimumUpdatePeriod="PT0H0M10.000S"'));
});

test('periods: dynamic ones always say start, static ones only when not 0', (t) => {
  const model = fx.fastStaticDual();
  const first = model.periods[0];
  if (!first) throw new Error('fixture');
  model.periods.push({ ...first, id: 'P2', start: 30 });
  const mpd = writeMpd(model);
  t.deepEqual(
    mpd.split('\n').filter((l) => l.startsWith(' <Period')),
    [
      ' <Period duration="PT0H0M30.000S">',
      ' <Period id="P2" start="PT0H0M30.000S" duration="PT0H0M30.000S">',
    ],
  );
});

test('the generator comment has a time only when the model gives one', (t) => {
  const model: Presentation = fx.fastStaticDual();
  t.is(writeMpd(model).split('\n')[1], '<!-- MPD file Generated with graphpac version 0.1.0 -->');
  model.generator = { name: 'x--y', time: Date.UTC(2026, 0, 2, 3, 4, 5, 6) };
  t.is(writeMpd(model).split('\n')[1], '<!-- MPD file Generated with x- -y at 2026-01-02T03:04:05.006Z -->');
  delete model.generator;
  t.is(writeMpd(model).split('\n')[1], '<!-- MPD file Generated with graphpac -->');
  t.is(writeMpd(fx.ll2sLive()), writeMpd(fx.ll2sLive()), 'deterministic');
});

test('representation and set attributes: contentType, fractional frame rates, PTO, PRFT, BaseURL', (t) => {
  const model = fx.fastStaticDual();
  const set = model.periods[0]?.adaptationSets[0];
  const rep = set?.representations[0];
  if (!set?.segmentTemplate || !rep) throw new Error('fixture');
  set.id = 1;
  set.contentType = 'video';
  set.maxFrameRate = { num: 30000, den: 1001 };
  rep.frameRate = { num: 30000, den: 1001 };
  rep.baseUrls = ['video/'];
  rep.producerReferenceTimes = [{ id: 7, inband: true, wallClockTime: 0, presentationTime: 900 }];
  set.segmentTemplate.presentationTimeOffset = 900;
  const mpd = writeMpd(model);
  t.true(
    line(mpd, 'AdaptationSet').startsWith(
      '<AdaptationSet id="1" contentType="video" segmentAlignment="true"',
    ),
  );
  t.true(line(mpd, 'AdaptationSet').includes('maxFrameRate="30000/1001"'));
  t.true(line(mpd, 'Representation').includes('frameRate="30000/1001"'));
  t.true(
    line(mpd, 'SegmentTemplate').includes('timescale="12800" presentationTimeOffset="900" startNumber="1"'),
  );
  t.true(
    mpd.includes(
      '    <ProducerReferenceTime id="7" inband="true" type="encoder" wallClockTime="1970-01-01T00:00:00.000Z" presentationTime="900"/>\n    <BaseURL>video/</BaseURL>\n   </Representation>',
    ),
  );
});

test('ServiceDescription latencies follow the chunk (or segment) duration', (t) => {
  t.deepEqual(deriveServiceDescription({ segmentDuration: 2, chunkDuration: 0.5, chunkedDelivery: true }), {
    id: 0,
    latency: { target: 1500, min: 500, max: 2000, referenceId: 0 },
    playbackRate: { min: 0.92, max: 1.08 },
  });
  t.deepEqual(
    deriveServiceDescription({ segmentDuration: 10, chunkDuration: 1, chunkedDelivery: true }).latency,
    {
      target: 3000,
      min: 1000,
      max: 4000,
      referenceId: 0,
    },
  );
  // Without chunked delivery (no ATO) a client can only fetch whole segments.
  t.deepEqual(
    deriveServiceDescription({
      segmentDuration: 2,
      chunkDuration: 0.5,
      chunkedDelivery: false,
      referenceId: 3,
    }).latency,
    {
      target: 6000,
      min: 2000,
      max: 8000,
      referenceId: 3,
    },
  );
  t.is(deriveServiceDescription({ segmentDuration: 2, chunkedDelivery: true }).latency?.target, 6000);
});

test('ATO is written with %g; availabilityTimeComplete only when the model sets it', (t) => {
  const model = fx.serverDualAsto();
  const tpl = model.periods[0]?.adaptationSets[0]?.segmentTemplate;
  if (!tpl) throw new Error('fixture');
  tpl.availabilityTimeOffset = 1.8;
  delete tpl.availabilityTimeComplete;
  t.true(line(writeMpd(model), 'SegmentTemplate').includes('availabilityTimeOffset="1.8" startNumber="1"'));
  tpl.availabilityTimeComplete = true;
  t.true(
    line(writeMpd(model), 'SegmentTemplate').includes(
      'availabilityTimeOffset="1.8" availabilityTimeComplete="true"',
    ),
  );
});
