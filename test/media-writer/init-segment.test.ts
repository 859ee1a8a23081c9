// writeInitSegment: structure (own walker) and meaning (parsed back by mp4box).
import test from 'ava';
import { initBrands, writeInitSegment } from '../../src/media/bmff/init-segment.js';
import type { TrackConfig } from '../../src/media/track.js';
import { boxBytes, findBox, hex, listBoxes, unhex } from './helpers/boxes.js';
import { parseMp4 } from './helpers/mp4box.js';

const AVCC_640x360 = unhex(
  '0164001effe1001a6764001eacd940a02ff97011000003000100000300320f162d9601000468efbcb0fdf8f800',
);
const AVCC_SAR_16_15 = unhex(
  '014d401effe1001c674d401eeca05a0937fe0020001e20000003002000000641e2c5b2c001000568ebe3cb20',
);

const video: TrackConfig = {
  trackId: 1,
  kind: 'video',
  codec: 'avc',
  timescale: 12800,
  decoderConfig: AVCC_640x360,
  editDelay: 1024,
};
const audio: TrackConfig = {
  trackId: 2,
  kind: 'audio',
  codec: 'aac',
  timescale: 48000,
  decoderConfig: unhex('118856e500'),
  editDelay: 1024,
  language: 'fra',
  bitrate: 96000,
};

test('top level is ftyp + moov; moov holds mvhd, one trak per track, mvex with trex', (t) => {
  const init = writeInitSegment([video, audio]);
  t.deepEqual(
    listBoxes(init).map((b) => b.type),
    ['ftyp', 'moov'],
  );
  const moov = findBox(init, ['moov']);
  if (!moov) return t.fail();
  const kids = listBoxes(init, moov.start + 8, moov.start + moov.size).map((b) => b.type);
  t.deepEqual(kids, ['mvhd', 'trak', 'trak', 'mvex']);
  const stbl = findBox(init, ['moov', 'trak', 'mdia', 'minf', 'stbl']);
  if (!stbl) return t.fail();
  t.deepEqual(
    listBoxes(init, stbl.start + 8, stbl.start + stbl.size).map((b) => b.type),
    ['stsd', 'stts', 'stsc', 'stsz', 'stco'],
  );
  t.truthy(findBox(init, ['moov', 'trak', 'mdia', 'minf', 'vmhd']));
  t.truthy(findBox(init, ['moov', 'trak', 'mdia', 'minf', 'dinf', 'dref', 'url ']));
});

test('mp4box reads tracks, timescales, codecs, sizes and languages back', (t) => {
  const { info, file } = parseMp4(writeInitSegment([video, audio]));
  t.true(info.isFragmented);
  t.is(info.timescale, 1000);
  t.is(info.tracks.length, 2);
  const [v, a] = info.tracks;
  t.is(v?.id, 1);
  t.is(v?.timescale, 12800);
  t.is(v?.codec, 'avc1.64001e');
  t.is(v?.video?.width, 640); // from the SPS (no width in the TrackConfig)
  t.is(v?.video?.height, 360);
  t.is(v?.track_width, 640);
  t.is(v?.language, 'und');
  t.is(a?.id, 2);
  t.is(a?.timescale, 48000);
  t.is(a?.codec, 'mp4a.40.2');
  t.is(a?.audio?.sample_rate, 48000);
  t.is(a?.audio?.channel_count, 1); // from the AudioSpecificConfig
  t.is(a?.language, 'fra');
  t.is(file.moov.mvhd.next_track_id, 3);
  const trexIds = file.moov.mvex?.trexs.map((x) => x.track_id);
  t.deepEqual(trexIds, [1, 2]);
});

test('edit-list policy: one elst per delayed track, segment_duration 0 when the duration is unknown', (t) => {
  const { file } = parseMp4(writeInitSegment([video, audio]));
  for (const id of [1, 2]) {
    const entries = file.getTrackById(id).edts?.elst?.entries;
    t.deepEqual(
      entries?.map((e) => [e.segment_duration, e.media_time, e.media_rate_integer]),
      [[0, 1024, 1]],
    );
  }
  const none = parseMp4(writeInitSegment([video, audio], { editList: 'none' }));
  t.is(none.file.getTrackById(1).edts, undefined);
  const zero = parseMp4(writeInitSegment([{ ...video, editDelay: 0 }]));
  t.is(zero.file.getTrackById(1).edts, undefined);
});

test('edit-list policy: AAC priming also as an iTunSMPB tag in the audio trak (can be turned off)', (t) => {
  const init = writeInitSegment([video, audio]);
  const text = Buffer.from(init).toString('latin1');
  t.true(text.includes('iTunSMPB'));
  t.true(text.includes(' 00000000 00000400 00000000 0000000000000000'));
  // Only in the audio trak (the second one).
  const firstTrak = findBox(init, ['moov', 'trak']);
  if (!firstTrak) return t.fail();
  t.false(Buffer.from(boxBytes(init, firstTrak)).toString('latin1').includes('iTunSMPB'));
  const off = Buffer.from(writeInitSegment([video, audio], { aacPrimingTag: false })).toString('latin1');
  t.false(off.includes('iTunSMPB'));
  const noElst = Buffer.from(writeInitSegment([audio], { editList: 'none' })).toString('latin1');
  t.false(noElst.includes('iTunSMPB'));
});

test('known durations: mvhd/mehd in the movie timescale, tkhd and elst segment_duration after the edit', (t) => {
  const init = writeInitSegment([{ ...video, duration: 384000 + 1024 }], { duration: 30000 });
  const { file, info } = parseMp4(init);
  t.is(info.duration, 30000);
  t.is(file.moov.mvex?.mehd?.fragment_duration, 30000);
  t.is(file.getTrackById(1).tkhd.duration, 30000);
  t.is(file.getTrackById(1).mdia.mdhd.duration, 385024);
  t.deepEqual(
    file.getTrackById(1).edts?.elst?.entries.map((e) => [e.segment_duration, e.media_time]),
    [[30000, 1024]],
  );
});

test('brands: default iso6, CMAF cmfc/cmf2, overrides', (t) => {
  t.deepEqual(initBrands(), { major: 'iso6', compatible: ['iso6', 'isom', 'dash'] });
  t.deepEqual(initBrands({ cmaf: 'cmfc' }), { major: 'cmfc', compatible: ['cmfc', 'iso6', 'isom', 'dash'] });
  t.deepEqual(initBrands({ cmaf: 'cmf2' }), {
    major: 'cmf2',
    compatible: ['cmf2', 'cmfc', 'iso6', 'isom', 'dash'],
  });
  t.deepEqual(initBrands({ majorBrand: 'isom', extraBrands: ['cfhd', 'iso6'] }), {
    major: 'isom',
    compatible: ['isom', 'iso6', 'dash', 'cfhd'],
  });
  const { info } = parseMp4(writeInitSegment([video], { cmaf: 'cmf2' }));
  t.deepEqual(info.brands, ['cmf2', 'cmf2', 'cmfc', 'iso6', 'isom', 'dash']);
});

test('pasp when the SAR is not 1:1; tkhd width is the display width', (t) => {
  const init = writeInitSegment([{ ...video, decoderConfig: AVCC_SAR_16_15 }]);
  const pasp = findBox(init, ['moov', 'trak', 'mdia', 'minf', 'stbl', 'stsd', 'avc1', 'pasp']);
  if (!pasp) return t.fail('no pasp');
  t.is(hex(boxBytes(init, pasp)), '000000107061737000000010' + '0000000f');
  const { info } = parseMp4(init);
  t.is(info.tracks[0]?.video?.width, 720);
  t.is(info.tracks[0]?.track_width, 768); // 720 × 16/15
  t.is(info.tracks[0]?.track_height, 576);
  const square = writeInitSegment([video]);
  t.is(findBox(square, ['moov', 'trak', 'mdia', 'minf', 'stbl', 'stsd', 'avc1', 'pasp']), undefined);
  const explicit = writeInitSegment([{ ...video, sar: { num: 4, den: 3 }, width: 640, height: 360 }]);
  t.truthy(findBox(explicit, ['moov', 'trak', 'mdia', 'minf', 'stbl', 'stsd', 'avc1', 'pasp']));
});

test('btrt only with a bitrate; avc3 and hev1 sample entries', (t) => {
  const withRate = writeInitSegment([
    { ...video, bitrate: 600000, maxBitrate: 800000, sampleEntryType: 'avc3' },
  ]);
  const btrt = findBox(withRate, ['moov', 'trak', 'mdia', 'minf', 'stbl', 'stsd', 'avc3', 'btrt']);
  if (!btrt) return t.fail('no btrt');
  t.is(hex(boxBytes(withRate, btrt)).slice(16), '00000000000c3500000927c0');
  t.is(parseMp4(withRate).info.tracks[0]?.codec, 'avc3.64001e');
  t.is(
    findBox(writeInitSegment([video]), ['moov', 'trak', 'mdia', 'minf', 'stbl', 'stsd', 'avc1', 'btrt']),
    undefined,
  );
});

test('input errors are reported with the track and the value', (t) => {
  t.throws(() => writeInitSegment([]), { message: /no tracks/ });
  t.throws(() => writeInitSegment([video, { ...audio, trackId: 1 }]), { message: /trackId 1 is used twice/ });
  t.throws(() => writeInitSegment([{ ...video, trackId: 0 }]), { message: /trackId 0/ });
  t.throws(() => writeInitSegment([{ ...video, codec: 'hevc', sampleEntryType: 'hvc1' }]), {
    message: /width and height are required/,
  });
  t.throws(() => writeInitSegment([{ ...video, sampleEntryType: 'hvc1' }]), {
    message: /hvc1 does not carry avc/,
  });
  t.throws(() => writeInitSegment([{ ...video, timescale: 0 }]), { message: /timescale 0/ });
  t.throws(() => writeInitSegment([{ ...video, editDelay: -5 }]), { message: /editDelay -5/ });
  t.throws(() => writeInitSegment([{ ...audio, language: 'French' }]), { message: /language/ });
});
