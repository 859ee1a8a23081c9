import test from 'ava';
import { partHoldBackFor, writeMaster, writeVariant } from '../../src/manifest/index.js';
import type { Presentation, Representation } from '../../src/manifest/model.js';
import * as fx from './fixtures.js';

const lines = (text: string, prefix: string): string[] =>
  text.split('\n').filter((l) => l.startsWith(prefix));
const rep = (model: Presentation, set: number): Representation => {
  const r = model.periods[0]?.adaptationSets[set]?.representations[0];
  if (!r) throw new Error('no such representation');
  return r;
};

/** ll2sLive with segment 4 completed (4th part added) and the live run over. */
function ll2sEnded(): Presentation {
  const model = fx.ll2sLive();
  const v = rep(model, 0).segments[3];
  const a = rep(model, 1).segments[3];
  if (!v || !a) throw new Error('fixture');
  v.parts?.push({ duration: 6144, size: 30000, independent: false });
  a.parts?.push({ duration: 22528, size: 5800, independent: true });
  a.duration = 96256;
  delete v.open;
  delete a.open;
  model.ended = true;
  return model;
}

test('a dynamic run that reached its end gets ENDLIST, keeps recent parts, drops hint and reports', (t) => {
  const text = writeVariant(ll2sEnded(), '1');
  t.true(text.endsWith('source1_dash4.m4s\n\n#EXT-X-ENDLIST\n'));
  t.is(lines(text, '#EXT-X-PRELOAD-HINT').length, 0);
  t.is(lines(text, '#EXT-X-RENDITION-REPORT').length, 0);
  t.is(lines(text, '#EXT-X-PART:').length, 16);
  t.is(lines(text, '#EXT-X-PROGRAM-DATE-TIME').length, 4);
});

test('static playlists: ENDLIST, no parts, no PDT unless hlsc asks for it', (t) => {
  const model = fx.fastStaticDual();
  model.availabilityStartTime = fx.LIVE_AST;
  const text = writeVariant(model, '1');
  t.true(text.endsWith('\n\n#EXT-X-ENDLIST\n'));
  t.is(lines(text, '#EXT-X-PART:').length, 0);
  t.is(lines(text, '#EXT-X-PROGRAM-DATE-TIME').length, 0);
  if (model.hls) model.hls.programDateTime = true;
  t.deepEqual(lines(writeVariant(model, '1'), '#EXT-X-PROGRAM-DATE-TIME'), [
    '#EXT-X-PROGRAM-DATE-TIME:2026-11-26T07:25:00.000Z',
    '#EXT-X-PROGRAM-DATE-TIME:2026-11-26T07:25:10.000Z',
    '#EXT-X-PROGRAM-DATE-TIME:2026-11-26T07:25:20.000Z',
  ]);
});

test('a live playlist has no ENDLIST; an open segment left in an ended playlist is dropped', (t) => {
  t.false(writeVariant(fx.ll2sLive(), '1').includes('ENDLIST'));
  const model = fx.ll2sLive();
  model.ended = true;
  const text = writeVariant(model, '1');
  t.false(text.includes('source1_dash4.m4s'));
  t.true(text.endsWith('source1_dash3.m4s\n\n#EXT-X-ENDLIST\n'));
});

test('EXT-X-PART lines are kept for segments ending within 3 × TD of the playlist end', (t) => {
  // 31 s in, TD 2: segments ending at ≥ 25 s (13, 14, 15 and the open 16) keep their parts.
  const text = writeVariant(fx.longLive(), '1');
  const withParts = new Set(lines(text, '#EXT-X-PART:').map((l) => /dash(\d+)\.m4s/.exec(l)?.[1]));
  t.deepEqual([...withParts], ['13', '14', '15', '16']);
  // Exactly 3 × TD before the end still counts as within: with 16 closed the end is 32 s, 26 s qualifies.
  const model = fx.longLive();
  const last = rep(model, 0).segments[15];
  if (!last) throw new Error('fixture');
  last.parts?.push(
    { duration: 6656, size: 41000, independent: true },
    { duration: 6144, size: 31000, independent: false },
  );
  delete last.open;
  const closed = new Set(
    lines(writeVariant(model, '1'), '#EXT-X-PART:').map((l) => /dash(\d+)\.m4s/.exec(l)?.[1]),
  );
  t.deepEqual([...closed], ['13', '14', '15', '16']);
});

test('br preload hint on a live segment without parts starts at byte 0 of that segment', (t) => {
  const model = fx.ll2sLive();
  const video = rep(model, 0);
  const last = video.segments[3];
  if (!last) throw new Error('fixture');
  last.parts = [];
  const text = writeVariant(model, '1');
  t.deepEqual(lines(text, '#EXT-X-PRELOAD-HINT'), [
    '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="source1_dash4.m4s",BYTERANGE-START=0',
  ]);
  t.is(lines(text, '#EXT-X-PROGRAM-DATE-TIME').length, 3, 'no PDT for a segment with nothing listed yet');
  // …and the audio playlist reports the previous video segment's last part.
  t.deepEqual(lines(writeVariant(model, '2'), '#EXT-X-RENDITION-REPORT'), [
    '#EXT-X-RENDITION-REPORT:URI="live_1.m3u8",LAST-MSN=3,LAST-PART=3',
  ]);
});

test('sf hint uses an explicit next part URI when the model gives one ($SubNumber$ templates)', (t) => {
  const model = fx.sfLive();
  const seg = rep(model, 0).segments[1];
  if (!seg) throw new Error('fixture');
  seg.nextPartUri = 'source1_dash2_p3.m4s';
  t.deepEqual(lines(writeVariant(model, '1'), '#EXT-X-PRELOAD-HINT'), [
    '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="source1_dash2_p3.m4s"',
  ]);
});

test('hints and rendition reports can be turned off (ll_preload_hint / ll_rend_rep)', (t) => {
  const text = writeVariant(fx.ll2sLive(), '1', { preloadHint: false, renditionReports: false });
  t.false(text.includes('PRELOAD-HINT'));
  t.false(text.includes('RENDITION-REPORT'));
});

test('rendition report URIs are relative to the reporting playlist', (t) => {
  const model = fx.ll2sLive();
  const video = rep(model, 0);
  const audio = rep(model, 1);
  if (!video.hls || !audio.hls) throw new Error('fixture');
  video.hls.playlist = 'v/live_1.m3u8';
  audio.hls.playlist = 'a/live_2.m3u8';
  const text = writeVariant(model, '1');
  t.deepEqual(lines(text, '#EXT-X-RENDITION-REPORT'), [
    '#EXT-X-RENDITION-REPORT:URI="../a/live_2.m3u8",LAST-MSN=4,LAST-PART=2',
  ]);
  t.true(text.includes('#EXT-X-MAP:URI="../source1_dashinit.mp4"'));
  t.true(text.includes('\n../source1_dash1.m4s\n'));
  t.true(writeMaster(model).includes('\nv/live_1.m3u8\n'));
});

test('SERVER-CONTROL is identical in every rendition and set; directives only when honoured', (t) => {
  const model = fx.ll2sLive('brsf');
  const all = ['1', '2'].flatMap((id) => [
    ...lines(writeVariant(model, id), '#EXT-X-SERVER-CONTROL'),
    ...lines(writeVariant(model, id, { set: 'IF' }), '#EXT-X-SERVER-CONTROL'),
  ]);
  t.deepEqual(new Set(all), new Set(['#EXT-X-SERVER-CONTROL:HOLD-BACK=6,PART-HOLD-BACK=1.56']));
  t.deepEqual(
    lines(writeVariant(model, '2', { blockingReload: true, canSkipUntil: 5 }), '#EXT-X-SERVER-CONTROL'),
    ['#EXT-X-SERVER-CONTROL:CAN-SKIP-UNTIL=12,HOLD-BACK=6,PART-HOLD-BACK=1.56,CAN-BLOCK-RELOAD=YES'],
  );
});

test('hold-backs: HOLD-BACK at least 3 × TD; PART-HOLD-BACK as asked down to 2 × PART-TARGET (the MUST), 3 × by default', (t) => {
  const model = fx.ll2sLive();
  if (!model.hls) throw new Error('fixture');
  // PART-TARGET 0.52: the default is 3 ×, the floor of a requested value 2 × (1.04).
  t.deepEqual(partHoldBackFor(model), { value: 1.56, recommended: 1.56 });
  model.hls.partHoldBack = 1;
  model.hls.holdBack = 4;
  t.deepEqual(lines(writeVariant(model, '1'), '#EXT-X-SERVER-CONTROL'), [
    '#EXT-X-SERVER-CONTROL:HOLD-BACK=6,PART-HOLD-BACK=1.04',
  ]);
  t.like(partHoldBackFor(model), { requested: 1, raised: true });
  model.hls.partHoldBack = 1.2;
  t.deepEqual(lines(writeVariant(model, '2'), '#EXT-X-SERVER-CONTROL'), [
    '#EXT-X-SERVER-CONTROL:HOLD-BACK=6,PART-HOLD-BACK=1.2',
  ]);
  t.deepEqual(partHoldBackFor(model), { value: 1.2, recommended: 1.56, requested: 1.2 });
  model.hls.partHoldBack = 2.5;
  model.hls.holdBack = 8;
  t.deepEqual(lines(writeVariant(model, '1'), '#EXT-X-SERVER-CONTROL'), [
    '#EXT-X-SERVER-CONTROL:HOLD-BACK=8,PART-HOLD-BACK=2.5',
  ]);
});

test('PART-TARGET falls back to the presentation value, then to the largest part', (t) => {
  const model = fx.ll2sLive();
  const video = rep(model, 0);
  if (!video.hls || !model.hls) throw new Error('fixture');
  delete video.hls.partTarget;
  t.true(writeVariant(model, '1').includes('#EXT-X-PART-INF:PART-TARGET=0.52\n'), 'largest part: 6656/12800');
  model.hls.partTarget = 0.5;
  t.true(writeVariant(model, '1').includes('#EXT-X-PART-INF:PART-TARGET=0.5\n'));
});

test('a non-LL live playlist: PDT per segment, no SERVER-CONTROL / PART-INF / parts / hint', (t) => {
  const model = fx.ll2sLive('off');
  const text = writeVariant(model, '1');
  t.false(/SERVER-CONTROL|PART-INF|EXT-X-PART|PRELOAD-HINT|RENDITION-REPORT|ENDLIST/.test(text));
  t.is(lines(text, '#EXT-X-PROGRAM-DATE-TIME').length, 3);
  t.is(lines(text, '#EXTINF').length, 3);
});

test('single-file segments get EXT-X-BYTERANGE; discontinuities come before PDT and parts', (t) => {
  const model = fx.ll2sLive('off');
  const video = rep(model, 0);
  video.segments.forEach((s, i) => {
    s.uri = 'source1_dash.mp4';
    s.byteRange = { offset: i * 1000, length: 1000 };
  });
  const second = video.segments[1];
  if (second) second.discontinuity = true;
  const text = writeVariant(model, '1');
  t.true(text.includes('#EXTINF:2,\n#EXT-X-BYTERANGE:1000@1000\nsource1_dash.mp4\n'));
  t.true(text.includes('#EXT-X-DISCONTINUITY\n#EXT-X-PROGRAM-DATE-TIME:2026-11-26T07:25:02.000Z\n'));
});

test('unknown representation ids are an error', (t) => {
  t.throws(() => writeVariant(fx.ll2sLive(), '9'), { message: /no HLS representation with id "9"/ });
});

test('master: FRAME-RATE with three decimals, LANGUAGE, one STREAM-INF per audio group', (t) => {
  const model = fx.fastStaticDual();
  const video = rep(model, 0);
  video.frameRate = { num: 30000, den: 1001 };
  const audioSet = model.periods[0]?.adaptationSets[1];
  if (!audioSet) throw new Error('fixture');
  audioSet.lang = 'fr';
  const ac3: Representation = {
    id: '3',
    codecs: 'ac-3',
    bandwidth: 384000,
    channels: 6,
    segments: [],
    hls: { playlist: 'live_3.m3u8', group: 'ac3' },
  };
  audioSet.representations.push(ac3);
  const text = writeMaster(model);
  t.deepEqual(lines(text, '#EXT-X-STREAM-INF'), [
    '#EXT-X-STREAM-INF:BANDWIDTH=703118,AVERAGE-BANDWIDTH=703118,CODECS="avc1.64001E,mp4a.40.2",RESOLUTION=640x360,FRAME-RATE=29.970,AUDIO="audio",CLOSED-CAPTIONS=NONE',
    '#EXT-X-STREAM-INF:BANDWIDTH=990861,AVERAGE-BANDWIDTH=990861,CODECS="avc1.64001E,ac-3",RESOLUTION=640x360,FRAME-RATE=29.970,AUDIO="ac3",CLOSED-CAPTIONS=NONE',
  ]);
  t.deepEqual(lines(text, '#EXT-X-MEDIA'), [
    '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="2",LANGUAGE="fr",AUTOSELECT=YES,URI="live_2.m3u8",CHANNELS="1"',
    '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="ac3",NAME="3",LANGUAGE="fr",AUTOSELECT=YES,URI="live_3.m3u8",CHANNELS="6"',
  ]);
});

test('master: peak and average bandwidths, header lines, no INDEPENDENT-SEGMENTS with SAP 3', (t) => {
  const model = fx.fastStaticDual();
  const video = rep(model, 0);
  if (!video.hls || !model.hls) throw new Error('fixture');
  video.hls.peakBandwidth = 900000;
  video.hls.averageBandwidth = 500000;
  model.hls.masterHeaderLines = ['#EXT-X-SESSION-DATA:DATA-ID="com.example.x",VALUE="1"'];
  const set = model.periods[0]?.adaptationSets[0];
  if (set) set.startWithSAP = 3;
  const text = writeMaster(model);
  t.true(
    text.startsWith('#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-SESSION-DATA:DATA-ID="com.example.x",VALUE="1"\n\n'),
  );
  t.true(text.includes('BANDWIDTH=996257,AVERAGE-BANDWIDTH=596257,'));
  t.false(writeVariant(model, '1').includes('INDEPENDENT-SEGMENTS'));
});

test('master: an audio-only presentation lists its audio as variant streams', (t) => {
  const model = fx.fastStaticDual();
  model.periods[0]?.adaptationSets.shift();
  t.is(
    writeMaster(model),
    '#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-INDEPENDENT-SEGMENTS\n\n' +
      '#EXT-X-STREAM-INF:BANDWIDTH=96257,AVERAGE-BANDWIDTH=96257,CODECS="mp4a.40.2",CLOSED-CAPTIONS=NONE\nlive_2.m3u8\n',
  );
});

test('versions: 6 with fMP4, an explicit override wins', (t) => {
  const model = fx.fastStaticDual();
  t.true(writeMaster(model).includes('#EXT-X-VERSION:6\n'));
  if (model.hls) model.hls.version = 7;
  t.true(writeMaster(model).includes('#EXT-X-VERSION:7\n'));
  t.true(writeVariant(model, '2').includes('#EXT-X-VERSION:7\n'));
});

test('PROGRAM-DATE-TIME dates the first presented sample: a representation presented early is dated early', (t) => {
  const model = fx.ll2sLive();
  const audio = rep(model, 1);
  if (!audio.hls) throw new Error('fixture');
  const dates = (text: string) =>
    lines(text, '#EXT-X-PROGRAM-DATE-TIME').map((l) =>
      Date.parse(l.slice('#EXT-X-PROGRAM-DATE-TIME:'.length)),
    );
  const before = dates(writeVariant(model, '2'));
  t.true(before.length > 1, 'a live playlist dates its segments');
  // AAC priming hidden by the edit list: 1024 samples at 48 kHz.
  audio.hls.presentedEarly = 1024 / 48000;
  const after = dates(writeVariant(model, '2'));
  // 21.33 ms earlier, each date printed to the ms.
  for (const [i, d] of after.entries())
    t.true(d - before[i]! <= -21 && d - before[i]! >= -22, `${d - before[i]!} ms`);
  t.deepEqual(dates(writeVariant(model, '1')), dates(writeVariant(fx.ll2sLive(), '1')), 'video unchanged');
});
