// Codec helpers: avcC/SPS, hvcC and AudioSpecificConfig parsing, RFC 6381 codec strings (table-driven).
import test from 'ava';
import { aacCodecString, parseAudioSpecificConfig } from '../../src/media/codecs/aac.js';
import { avcCodecString, parseAvcC, parseAvcSps } from '../../src/media/codecs/avc.js';
import { BitReader, unescapeRbsp } from '../../src/media/codecs/bit-reader.js';
import { hevcCodecString, parseHvcC } from '../../src/media/codecs/hevc.js';
import { trackCodecString } from '../../src/media/codecs/index.js';
import { demuxFile } from './helpers/demux.js';
import { unhex } from './helpers/boxes.js';

// avcC records taken from real files (ffmpeg/libx264), with what ffprobe reports for them.
const AVC_CASES = [
  {
    name: 'test/media/source1 (High 3.0, 640x360, cropped from 368)',
    avcC: '0164001effe1001a6764001eacd940a02ff97011000003000100000300320f162d9601000468efbcb0fdf8f800',
    codec: 'avc1.64001E',
    width: 640,
    height: 360,
    sar: { num: 1, den: 1 },
  },
  {
    name: 'constrained Baseline 4.0 1920x1080',
    avcC: '0142c028ffe1001a6742c028d900780227e5c044000003000400000300c83c60c92001000568cb83cb20',
    codec: 'avc1.42C028',
    width: 1920,
    height: 1080,
    sar: { num: 1, den: 1 },
  },
  {
    name: 'Main 3.0 720x576, SAR 16:15 (aspect_ratio_idc 255)',
    avcC: '014d401effe1001c674d401eeca05a0937fe0020001e20000003002000000641e2c5b2c001000568ebe3cb20',
    codec: 'avc1.4D401E',
    width: 720,
    height: 576,
    sar: { num: 16, den: 15 },
  },
  {
    name: 'High 1.3 352x288, SAR 12:11 (aspect_ratio_idc 2)',
    avcC: '0164000dffe100196764000dacd9416096c084000003000400000300c83c50a65801000668ebe3cb22c0fdf8f800',
    codec: 'avc1.64000D',
    width: 352,
    height: 288,
    sar: { num: 12, den: 11 },
  },
];

for (const c of AVC_CASES) {
  test(`avcC + SPS: ${c.name}`, (t) => {
    const cfg = parseAvcC(unhex(c.avcC));
    t.is(cfg.lengthSize, 4);
    t.is(cfg.sps.length, 1);
    t.is(cfg.pps.length, 1);
    t.is(avcCodecString(cfg), c.codec);
    const sps = parseAvcSps(cfg.sps[0] ?? new Uint8Array());
    t.is(sps.profile_idc, cfg.AVCProfileIndication);
    t.is(sps.level_idc, cfg.AVCLevelIndication);
    t.is(sps.width, c.width);
    t.is(sps.height, c.height);
    t.deepEqual(sps.sar, c.sar);
  });
}

test('avc codec string: avc3 prefix, uppercase zero-padded hex', (t) => {
  const cfg = { AVCProfileIndication: 0x42, profile_compatibility: 0xe0, AVCLevelIndication: 0x0a };
  t.is(avcCodecString(cfg), 'avc1.42E00A');
  t.is(avcCodecString(cfg, 'avc3'), 'avc3.42E00A');
});

test('parseAvcC rejects a bad version and a truncated record', (t) => {
  t.throws(() => parseAvcC(Uint8Array.of(2, 0x64, 0, 0x1e, 0xff, 0xe0, 0)), { instanceOf: RangeError });
  t.throws(() => parseAvcC(unhex('0164001effe1001a6764')), { instanceOf: RangeError });
});

const hevcBase = {
  general_profile_space: 0,
  general_tier_flag: 0,
  general_profile_idc: 1,
  general_profile_compatibility_flags: 0x60000000,
  general_constraint_indicator_flags: Uint8Array.of(0xb0, 0, 0, 0, 0, 0),
  general_level_idc: 93,
};

const HEVC_CASES: { name: string; cfg: typeof hevcBase; entry?: 'hvc1' | 'hev1'; codec: string }[] = [
  { name: 'Main, level 3.1 (Annex E example)', cfg: hevcBase, entry: 'hev1', codec: 'hev1.1.6.L93.B0' },
  { name: 'Main, hvc1 sample entry', cfg: hevcBase, codec: 'hvc1.1.6.L93.B0' },
  {
    name: 'Main 10 (compat flag 2 only), level 4',
    cfg: {
      ...hevcBase,
      general_profile_idc: 2,
      general_profile_compatibility_flags: 0x20000000,
      general_level_idc: 120,
    },
    codec: 'hvc1.2.4.L120.B0',
  },
  {
    name: 'profile space 1, High tier, two constraint bytes (Annex E example)',
    cfg: {
      ...hevcBase,
      general_profile_space: 1,
      general_tier_flag: 1,
      general_profile_idc: 4,
      general_profile_compatibility_flags: 0x82000000,
      general_constraint_indicator_flags: Uint8Array.of(0xb0, 0x23, 0, 0, 0, 0),
      general_level_idc: 120,
    },
    entry: 'hev1',
    codec: 'hev1.A4.41.H120.B0.23',
  },
  {
    name: 'all-zero constraint bytes are all omitted',
    cfg: { ...hevcBase, general_constraint_indicator_flags: new Uint8Array(6) },
    codec: 'hvc1.1.6.L93',
  },
  {
    name: 'zero bytes inside are kept, unpadded',
    cfg: { ...hevcBase, general_constraint_indicator_flags: Uint8Array.of(0x90, 0, 0x01, 0, 0, 0) },
    codec: 'hvc1.1.6.L93.90.0.1',
  },
];

for (const c of HEVC_CASES) {
  test(`hevc codec string: ${c.name}`, (t) => {
    t.is(hevcCodecString(c.cfg, c.entry), c.codec);
  });
}

test('parseHvcC on test/media/hevc.mp4 matches mp4box', async (t) => {
  const [track] = await demuxFile('test/media/hevc.mp4');
  if (!track) return t.fail('no track');
  const cfg = parseHvcC(track.config.decoderConfig);
  t.is(cfg.general_profile_idc, 1);
  t.is(cfg.general_profile_compatibility_flags, 0x60000000);
  t.is(cfg.general_level_idc, 60);
  t.is(cfg.lengthSize, 4);
  t.deepEqual(
    cfg.arrays.map((a) => a.NAL_unit_type),
    [32, 33, 34, 39],
  );
  t.is(hevcCodecString(cfg), 'hvc1.1.6.L60.90');
  t.is(hevcCodecString(cfg).toLowerCase(), track.codec.toLowerCase());
  t.is(trackCodecString(track.config), 'hvc1.1.6.L60.90');
});

const AAC_CASES = [
  {
    name: 'LC 48 kHz mono',
    asc: '1188',
    aot: 2,
    hz: 48000,
    ch: 1,
    codec: 'mp4a.40.2',
    sbr: false,
    sig: 'none',
  },
  {
    name: 'LC 48 kHz mono + 0x2B7 sync extension without SBR (test/media/source2)',
    asc: '118856e500',
    aot: 2,
    hz: 48000,
    ch: 1,
    codec: 'mp4a.40.2',
    sbr: false,
    sig: 'none',
  },
  {
    name: 'LC 44.1 kHz stereo',
    asc: '1210',
    aot: 2,
    hz: 44100,
    ch: 2,
    codec: 'mp4a.40.2',
    sbr: false,
    sig: 'none',
  },
  {
    name: 'LC 7.1 (configuration 7)',
    asc: '11b8',
    aot: 2,
    hz: 48000,
    ch: 8,
    codec: 'mp4a.40.2',
    sbr: false,
    sig: 'none',
  },
  {
    name: 'explicit frequency (index 15)',
    asc: '178061a810',
    aot: 2,
    hz: 50000,
    ch: 2,
    codec: 'mp4a.40.2',
    sbr: false,
    sig: 'none',
  },
  {
    name: 'HE-AAC v1, explicit (AOT 5, core 24 kHz, SBR 48 kHz)',
    asc: '2b118800',
    aot: 5,
    hz: 24000,
    ch: 2,
    codec: 'mp4a.40.5',
    sbr: true,
    sig: 'explicit',
  },
  {
    name: 'HE-AAC v2, explicit (AOT 29)',
    asc: 'eb098800',
    aot: 29,
    hz: 24000,
    ch: 1,
    codec: 'mp4a.40.29',
    sbr: true,
    sig: 'explicit',
  },
  {
    name: 'HE-AAC v1, backward-compatible (0x2B7, sbrPresentFlag)',
    asc: '131056e598',
    aot: 2,
    hz: 24000,
    ch: 2,
    codec: 'mp4a.40.2',
    sbr: true,
    sig: 'backward-compatible',
  },
  {
    name: 'USAC, escaped object type 42',
    asc: 'f94640',
    aot: 42,
    hz: 48000,
    ch: 2,
    codec: 'mp4a.40.42',
    sbr: false,
    sig: 'none',
  },
] as const;

for (const c of AAC_CASES) {
  test(`AudioSpecificConfig: ${c.name}`, (t) => {
    const asc = parseAudioSpecificConfig(unhex(c.asc));
    t.is(asc.audioObjectType, c.aot);
    t.is(asc.samplingFrequency, c.hz);
    t.is(asc.channels, c.ch);
    t.is(asc.sbr, c.sbr);
    t.is(asc.signalling, c.sig);
    t.is(aacCodecString(asc), c.codec);
  });
}

test('AudioSpecificConfig: HE-AAC details (core type, SBR rate, PS, 960 frames)', (t) => {
  const he = parseAudioSpecificConfig(unhex('2b118800'));
  t.is(he.coreObjectType, 2);
  t.is(he.extensionSamplingFrequency, 48000);
  t.false(he.ps);
  const bc = parseAudioSpecificConfig(unhex('130856e59d4880'));
  t.true(bc.sbr);
  t.true(bc.ps);
  t.is(bc.extensionSamplingFrequency, 48000);
  t.is(aacCodecString(bc), 'mp4a.40.2');
  t.is(aacCodecString(bc, { preferExtension: true }), 'mp4a.40.29');
  t.is(parseAudioSpecificConfig(unhex('1194')).frameLength, 960);
  t.throws(() => parseAudioSpecificConfig(unhex('16')), { instanceOf: RangeError }); // index 13: reserved
});

test('BitReader: bits, Exp-Golomb, end of data; RBSP unescaping', (t) => {
  // '1' '010' '011' '00100' '00111' = ue 0, 1, 2, 3, 6 → 1010 0110 0100 0011 1(000 0000)
  const bytes = Uint8Array.of(0xa6, 0x43, 0x80);
  const u = new BitReader(bytes);
  t.deepEqual([u.ue(), u.ue(), u.ue(), u.ue(), u.ue()], [0, 1, 2, 3, 6]);
  t.is(u.bitsLeft, 7);
  const s = new BitReader(bytes);
  t.deepEqual([s.se(), s.se(), s.se(), s.se(), s.se()], [0, 1, -1, 2, -3]);
  const b = new BitReader(Uint8Array.of(0xf0, 0x0f));
  t.is(b.bits(4), 15);
  t.is(b.bits(8), 0);
  t.true(b.flag());
  t.throws(() => b.bits(4), { instanceOf: RangeError });
  t.deepEqual(Array.from(unescapeRbsp(Uint8Array.of(0, 0, 3, 1, 0, 0, 3, 0, 3))), [0, 0, 1, 0, 0, 0, 3]);
});
