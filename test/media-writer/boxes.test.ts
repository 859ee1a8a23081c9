// Golden bytes for small boxes, written by hand from ISO/IEC 14496-12 / 14496-14 / 23009-1.
import test from 'ava';
import {
  emsg,
  mdatHeader,
  mfhd,
  prft,
  sidx,
  styp,
  tfdt,
  tfhd,
  trun,
} from '../../src/media/bmff/fragment-boxes.js';
import { iTunSMPBText } from '../../src/media/bmff/itunes-boxes.js';
import { elst, ftyp, mdhd, packLanguage, tkhd, trex } from '../../src/media/bmff/movie-boxes.js';
import { box, fullBox, type Part, serialize, u16, u32, u64, u8, zeros } from '../../src/media/bmff/part.js';
import { btrt, esds, pasp } from '../../src/media/bmff/sample-entry-boxes.js';
import { cc, hex, unhex } from './helpers/boxes.js';

const golden = (part: Part): string => hex(serialize(part));
const g = (text: string): string => hex(unhex(text.replace(/'(....)'/g, (_m, t: string) => cc(t))));

test('mfhd', (t) => {
  t.is(golden(mfhd(1)), g(`00000010 'mfhd' 00 000000 00000001`));
  t.is(golden(mfhd(0xfffffffe)), g(`00000010 'mfhd' 00 000000 fffffffe`));
});

test('tfdt is version 1 with a 64-bit baseMediaDecodeTime', (t) => {
  t.is(golden(tfdt(0x123456789)), g(`00000014 'tfdt' 01 000000 00000001 23456789`));
  t.is(golden(tfdt(2n ** 40n)), g(`00000014 'tfdt' 01 000000 00000100 00000000`));
});

test('trun v1 with data offset, per-sample fields and a negative composition offset', (t) => {
  const samples = [
    { d: 512, s: 100, f: 0x02000000, c: 1024 },
    { d: 512, s: 50, f: 0x01010000, c: -512 },
  ];
  const part = trun({
    version: 1,
    sample_count: 2,
    data_offset: 0x70,
    sample_duration: (i) => samples[i]?.d ?? 0,
    sample_size: (i) => samples[i]?.s ?? 0,
    sample_flags: (i) => samples[i]?.f ?? 0,
    sample_composition_time_offset: (i) => samples[i]?.c ?? 0,
  });
  t.is(
    golden(part),
    g(`00000034 'trun' 01 000f01 00000002 00000070
       00000200 00000064 02000000 00000400
       00000200 00000032 01010000 fffffe00`),
  );
});

test('trun with first_sample_flags and sizes only', (t) => {
  const part = trun({
    version: 1,
    sample_count: 3,
    data_offset: 8,
    first_sample_flags: 0x02000000,
    sample_size: (i) => [10, 20, 30][i] ?? 0,
  });
  t.is(golden(part), g(`00000024 'trun' 01 000205 00000003 00000008 02000000 0000000a 00000014 0000001e`));
});

test('trun v0 refuses a negative composition offset; u32 fields refuse out-of-range values', (t) => {
  t.throws(() => trun({ version: 0, sample_count: 1, sample_composition_time_offset: () => -1 }), {
    instanceOf: RangeError,
  });
  t.throws(() => trun({ version: 1, sample_count: 1, sample_size: () => 2 ** 32 }), {
    instanceOf: RangeError,
  });
});

test('tfhd derives its flags from the optional fields', (t) => {
  const part = tfhd({
    track_ID: 1,
    default_base_is_moof: true,
    default_sample_duration: 512,
    default_sample_flags: 0x01010000,
  });
  t.is(golden(part), g(`00000018 'tfhd' 00 020028 00000001 00000200 01010000`));
  t.is(golden(tfhd({ track_ID: 2, default_base_is_moof: true })), g(`00000010 'tfhd' 00 020000 00000002`));
});

test('elst: one edit, segment_duration 0, media_time 1024 (version 0), and version 1 for 64-bit values', (t) => {
  t.is(
    golden(elst([{ segment_duration: 0, media_time: 1024 }])),
    g(`0000001c 'elst' 00 000000 00000001 00000000 00000400 0001 0000`),
  );
  t.is(
    golden(elst([{ segment_duration: 2 ** 33, media_time: -1 }])),
    g(`00000024 'elst' 01 000000 00000001 0000000200000000 ffffffffffffffff 0001 0000`),
  );
});

test('esds for AAC-LC 48 kHz mono (ASC 1188), shortest descriptor lengths', (t) => {
  const part = esds({
    ES_ID: 0,
    objectTypeIndication: 0x40,
    streamType: 5,
    bufferSizeDB: 0,
    maxBitrate: 96000,
    avgBitrate: 96000,
    decoderSpecificInfo: Uint8Array.of(0x11, 0x88),
  });
  t.is(
    golden(part),
    g(`00000027 'esds' 00 000000
       03 19 0000 00
         04 11 40 15 000000 00017700 00017700
           05 02 1188
         06 01 02`),
  );
});

test('esds descriptor length over 127 bytes uses two 7-bit groups', (t) => {
  const dsi = new Uint8Array(200);
  const bytes = serialize(
    esds({
      ES_ID: 0,
      objectTypeIndication: 0x40,
      streamType: 5,
      bufferSizeDB: 0,
      maxBitrate: 0,
      avgBitrate: 0,
      decoderSpecificInfo: dsi,
    }),
  );
  // DSI 200 → 05 81 48; DecoderConfig 13+203 = 216 → 04 81 58; ES 3+219+3 = 225 → 03 81 61
  t.is(hex(bytes.subarray(12, 15)), '038161');
  t.is(hex(bytes.subarray(18, 21)), '048158');
  t.is(hex(bytes.subarray(34, 37)), '058148');
});

test('ftyp and styp', (t) => {
  t.is(golden(ftyp('iso6', 0, ['iso6', 'isom'])), g(`00000018 'ftyp' 'iso6' 00000000 'iso6' 'isom'`));
  t.is(golden(styp('msdh', 0, ['msdh', 'msix'])), g(`00000018 'styp' 'msdh' 00000000 'msdh' 'msix'`));
});

test('mdhd packs the language; packLanguage rejects non-ISO-639-2 codes', (t) => {
  t.is(packLanguage('und'), 0x55c4);
  t.is(packLanguage('eng'), 0x15c7);
  t.is(
    golden(mdhd({ timescale: 48000, duration: 0, language: 'eng' })),
    g(`00000020 'mdhd' 00 000000 00000000 00000000 0000bb80 00000000 15c7 0000`),
  );
  t.throws(() => packLanguage('EN'), { instanceOf: RangeError });
});

test('mdhd and tkhd switch to version 1 for 64-bit durations', (t) => {
  const bytes = serialize(mdhd({ timescale: 90000, duration: 2 ** 32, language: 'und' }));
  t.is(bytes[8], 1);
  t.is(bytes.byteLength, 44);
  const tk = serialize(
    tkhd({ track_ID: 1, duration: 0, flags: 3, alternate_group: 0, volume: 0, width: 640, height: 360 }),
  );
  t.is(tk.byteLength, 92);
  t.is(hex(tk.subarray(84, 92)), '0280000001680000'); // width 640.0, height 360.0 (16.16)
});

test('trex, pasp, btrt', (t) => {
  t.is(
    golden(trex({ track_ID: 1 })),
    g(`00000020 'trex' 00 000000 00000001 00000001 00000000 00000000 00000000`),
  );
  t.is(golden(pasp(16, 15)), g(`00000010 'pasp' 00000010 0000000f`));
  t.is(golden(btrt(0, 800000, 600000)), g(`00000014 'btrt' 00000000 000c3500 000927c0`));
});

test('prft version 1', (t) => {
  const part = prft({
    flags: 0,
    reference_track_ID: 1,
    ntp_timestamp: 0xe3a1b2c380000000n,
    media_time: 0x1234,
  });
  t.is(golden(part), g(`00000020 'prft' 01 000000 00000001 e3a1b2c380000000 0000000000001234`));
});

test('emsg version 1', (t) => {
  const part = emsg({
    scheme_id_uri: 'urn:x',
    value: '1',
    timescale: 1000,
    presentation_time: 5000,
    event_duration: 0xffffffff,
    id: 7,
    message_data: Uint8Array.of(0x68, 0x69),
  });
  t.is(
    golden(part),
    g(`0000002a 'emsg' 01 000000 000003e8 0000000000001388 ffffffff 00000007
       75726e3a7800 3100 6869`),
  );
});

test('sidx version 1 with one reference', (t) => {
  const part = sidx({
    reference_ID: 1,
    timescale: 12800,
    earliest_presentation_time: 0,
    first_offset: 0,
    references: [
      {
        reference_type: 0,
        referenced_size: 1000,
        subsegment_duration: 25600,
        starts_with_SAP: true,
        SAP_type: 1,
        SAP_delta_time: 0,
      },
    ],
  });
  t.is(
    golden(part),
    g(`00000034 'sidx' 01 000000 00000001 00003200 0000000000000000 0000000000000000 0000 0001
       000003e8 00006400 90000000`),
  );
});

test('mdat header: 8 bytes, or 16 with a largesize beyond 4 GiB', (t) => {
  t.is(golden(mdatHeader(100)), g(`0000006c 'mdat'`));
  t.is(golden(mdatHeader(2 ** 32)), g(`00000001 'mdat' 0000000100000010`));
});

test('box/fullBox sizes, serialize writes one exact buffer; bad values throw', (t) => {
  const b = serialize(box('free', u8(1), u16(2)), fullBox('abcd', 1, 0x000203, u32(3), u64(4n), zeros(2)));
  t.is(hex(b), g(`0000000b 'free' 01 0002 0000001a 'abcd' 01 000203 00000003 0000000000000004 0000`));
  t.throws(() => u8(256), { instanceOf: RangeError });
  t.throws(() => u32(-1), { instanceOf: RangeError });
  t.throws(() => u64(-1), { instanceOf: RangeError });
  t.throws(() => box('toolong'), { instanceOf: RangeError });
});

test('iTunSMPB text carries the priming in hex', (t) => {
  t.is(
    iTunSMPBText(1024, 0, 0),
    ' 00000000 00000400 00000000 0000000000000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000',
  );
  t.true(iTunSMPBText(2112, 448, 1440000).startsWith(' 00000000 00000840 000001C0 000000000015F900'));
});
