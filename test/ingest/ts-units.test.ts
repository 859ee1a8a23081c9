/**
 * The pure transport stream modules (src/media/ts) and the codec helpers they use, on hand-made packets:
 * packet headers and sync, sections and CRC, PES headers, time (33-bit wrap, continuous timeline), the
 * Annex-B and ADTS framers, avcC / hvcC built from parameter sets.
 */
import test from 'ava';
import {
  adtsToAudioSpecificConfig,
  parseAdtsHeader,
  parseAudioSpecificConfig,
} from '../../src/media/codecs/aac.js';
import { splitAnnexB, toLengthPrefixed } from '../../src/media/codecs/annexb.js';
import { avcCodecString, buildAvcC, parseAvcC } from '../../src/media/codecs/avc.js';
import { buildHvcC, hevcCodecString, parseHevcSps, parseHvcC } from '../../src/media/codecs/hevc.js';
import {
  AdtsFramer,
  crc32Mpeg2,
  findSync,
  NalFramer,
  parsePesHeader,
  parseTsPacket,
  probeTransportStream,
  ProgramClock,
  SectionAssembler,
  TsDemuxer,
  Unwrapper,
  WRAP_33,
} from '../../src/media/ts/index.js';
import type { PesPacket, Program } from '../../src/media/ts/index.js';
import { Muxer, pat, pmt } from './ts-builder.js';

const unhex = (h: string) => Uint8Array.from(h.match(/../g)!.map((b) => parseInt(b, 16)));

// source1's parameter sets (libx264, High 3.0, 640x360), as in test/media-writer/codecs.test.ts.
const SPS = unhex('6764001eacd940a02ff97011000003000100000300320f162d96');
const PPS = unhex('68efbcb0');

test('TS packet header: PID, PUSI, CC, adaptation field with PCR', (t) => {
  const m = new Muxer().pes(0x100, 0xe0, new Uint8Array(10), 90000, undefined, {
    pcr: 27_000_000 * 3 + 7,
    rai: true,
  });
  const p = parseTsPacket(m.packets[0]!, 0)!;
  t.is(p.pid, 0x100);
  t.true(p.pusi);
  t.true(p.randomAccess);
  t.is(p.pcr, 27_000_000 * 3 + 7);
  t.is(p.cc, 0);
  t.is(parseTsPacket(new Uint8Array(188), 0), undefined, 'no sync byte');
  const bad = m.packets[0]!.slice();
  bad[4] = 190; // adaptation field longer than the packet
  t.is(parseTsPacket(bad, 0), undefined);
});

test('sync: 188, 192 (.m2ts) and 204-byte packets; probe needs 3 packets in a row', (t) => {
  const m = new Muxer()
    .psi(0, pat([[1, 0x1000]]))
    .psi(0, pat([[1, 0x1000]]))
    .psi(0, pat([[1, 0x1000]]));
  const ts = m.bytes();
  t.deepEqual(findSync(ts), { offset: 0, stride: 188 });
  const m2ts = new Uint8Array(3 * 192);
  m.packets.forEach((p, i) => m2ts.set(p, i * 192 + 4));
  t.deepEqual(findSync(m2ts), { offset: 4, stride: 192 });
  t.truthy(probeTransportStream(m2ts));
  const rs = new Uint8Array(3 * 204);
  m.packets.forEach((p, i) => rs.set(p, i * 204));
  t.deepEqual(findSync(rs), { offset: 0, stride: 204 });
  t.falsy(probeTransportStream(ts.subarray(0, 2 * 188)), 'two packets are not enough');
  t.falsy(probeTransportStream(new TextEncoder().encode('G'.repeat(1000))), 'text full of G is no TS');
});

test('CRC-32/MPEG-2: a section with its CRC checks to 0', (t) => {
  const s = pat([[1, 0x1000]]);
  t.is(crc32Mpeg2(s), 0);
  t.is(crc32Mpeg2(Uint8Array.from([0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39])), 0x0376e6e7);
});

test('sections: spanning packets, pointer field, bad CRC reported', (t) => {
  const errors: string[] = [];
  const asm = new SectionAssembler((e) => errors.push(e));
  const big = pmt(
    1,
    0x100,
    Array.from({ length: 40 }, (_, i) => [0x1b, 0x100 + i] as [number, number]),
  );
  t.true(big.length > 184);
  const m = new Muxer().psi(0x1000, big);
  const out = m.packets.flatMap((p) => asm.push(p.subarray(4), (p[1]! & 0x40) !== 0));
  t.is(out.length, 1);
  t.deepEqual(out[0]!.data, big);
  const corrupt = big.slice();
  corrupt[20]! ^= 1;
  const m2 = new Muxer().psi(0x1000, corrupt);
  t.is(m2.packets.flatMap((p) => asm.push(p.subarray(4), (p[1]! & 0x40) !== 0)).length, 0);
  t.deepEqual(errors, ['crc']);
});

test('PES header: PTS and DTS (33 bits), payload offset, bounded length', (t) => {
  const m = new Muxer().pes(0x100, 0xe0, Uint8Array.of(1, 2, 3), WRAP_33 - 1, WRAP_33 - 3601, {
    bounded: true,
  });
  const p = m.packets[0]!;
  const h = parsePesHeader(p.subarray(parseTsPacket(p, 0)!.payloadOffset))!;
  t.is(h.streamId, 0xe0);
  t.is(h.pts, WRAP_33 - 1);
  t.is(h.dts, WRAP_33 - 3601);
  t.is(h.payloadOffset, 19);
  t.is(h.packetLength, 13 + 3);
  t.is(parsePesHeader(Uint8Array.of(0, 0, 2, 0xe0, 0, 0)), undefined);
});

test('33-bit wrap: timestamps stay monotonic across it', (t) => {
  const u = new Unwrapper();
  t.is(u.unwrap(WRAP_33 - 3600), WRAP_33 - 3600);
  t.is(u.unwrap(100), WRAP_33 + 100);
  t.is(u.unwrap(WRAP_33 - 10), WRAP_33 - 10, 'a value just before the wrap (B-frame PTS) stays before it');
  t.is(u.unwrap(7300), WRAP_33 + 7300);
});

test('program clock: a restart (time goes back) continues where the media ended; a gap over maxgap is absorbed', (t) => {
  const c = new ProgramClock({ continuous: true, maxGap: 90000 });
  for (let i = 0; i < 5; i++) c.map(1, 126000 + i * 3600);
  c.map(2, 126000);
  c.map(2, 127920);
  // Encoder restart: video comes back at 1.4 s.
  const v = c.map(1, 126000);
  t.is(v.dts, 126000 + 5 * 3600, 'the restarted video follows the last frame');
  t.is(c.map(2, 126000).dts, v.dts, 'audio keeps the same offset (A/V sync of the new stream)');
  t.is(c.discontinuities, 1);
  // A 10 s jump forward: absorbed.
  const after = c.map(1, 126000 + 3600 + 900000);
  t.is(after.dts, v.dts + 3600);
  t.is(c.discontinuities, 2);
  // Jitter of one tick backwards is not a discontinuity.
  const j = c.map(1, 126000 + 3600 + 900000 - 1);
  t.is(j.dts, after.dts);
  t.is(c.discontinuities, 2);
  const raw = new ProgramClock({ continuous: false, maxGap: 90000 });
  raw.map(1, 500000);
  t.is(raw.map(1, 1000).dts, 1000, 'mappcr=no keeps the source time');
});

test('Annex-B: 3- and 4-byte start codes, trailing zeros; length-prefixed output', (t) => {
  const data = Uint8Array.of(0, 0, 0, 1, 9, 0xf0, 0, 0, 1, 0x67, 1, 2, 0, 0, 0, 0, 1, 0x65, 0, 0, 3, 1, 0);
  const nals = splitAnnexB(data);
  t.deepEqual(
    nals.map((n) => [...n]),
    [
      [9, 0xf0],
      [0x67, 1, 2],
      [0x65, 0, 0, 3, 1],
    ],
  );
  t.deepEqual([...toLengthPrefixed(nals.slice(0, 1))], [0, 0, 0, 2, 9, 0xf0]);
});

test('avcC built from SPS/PPS parses back with the same profile, level and sets', (t) => {
  const rec = buildAvcC([SPS], [PPS]);
  const c = parseAvcC(rec);
  t.is(avcCodecString(c), 'avc1.64001E');
  t.is(c.lengthSize, 4);
  t.deepEqual([...c.sps[0]!], [...SPS]);
  t.deepEqual([...c.pps[0]!], [...PPS]);
  t.is(c.chroma_format, 1);
  t.is(c.bit_depth_luma, 8);
});

test('ADTS header and AudioSpecificConfig', (t) => {
  // AAC-LC 48 kHz stereo, 100-byte frame, no CRC.
  const h = parseAdtsHeader(Uint8Array.of(0xff, 0xf1, 0x4c, 0x80, 0x0c, 0x9f, 0xfc))!;
  t.is(h.objectType, 2);
  t.is(h.sampleRate, 48000);
  t.is(h.channelConfiguration, 2);
  t.is(h.frameLength, 100);
  t.is(h.headerLength, 7);
  const asc = parseAudioSpecificConfig(adtsToAudioSpecificConfig(h));
  t.is(asc.samplingFrequency, 48000);
  t.is(asc.channels, 2);
  t.is(
    parseAdtsHeader(Uint8Array.of(0xff, 0xf1, 0x7c, 0x80, 0x0c, 0x9f, 0xfc)),
    undefined,
    'reserved frequency',
  );
});

function adtsFrame(size: number, fill: number): Uint8Array {
  const f = new Uint8Array(size);
  f.set([0xff, 0xf1, 0x4c, 0x80 | ((size >> 11) & 3), (size >> 3) & 0xff, ((size & 7) << 5) | 0x1f, 0xfc]);
  f.fill(fill, 7);
  return f;
}

test('ADTS framer: frames across PES packets, times in samples from the PTS', (t) => {
  const f = new AdtsFramer();
  const a = adtsFrame(50, 1);
  const b = adtsFrame(60, 2);
  const c = adtsFrame(70, 3);
  const pes1 = new Uint8Array([...a, ...b.subarray(0, 20)]);
  const pes2 = new Uint8Array([...b.subarray(20), ...c]);
  const out1 = f.add(pes1, 90000);
  t.is(out1.length, 1);
  t.is(out1[0]!.pts, 48000);
  t.is(out1[0]!.data.length, 43);
  const out2 = f.add(pes2, 90000 + 1920);
  t.deepEqual(
    out2.map((x) => [x.pts, x.data.length, x.data[0]]),
    [
      [49024, 53, 2],
      [50048, 63, 3],
    ],
  );
  t.is(f.config!.sampleRate, 48000);
});

test('NAL framer: parameter sets out of the samples into avcC, SAP from IDR, duration from the next decode time', (t) => {
  const f = new NalFramer('avc');
  const sc = [0, 0, 0, 1];
  const idr = Uint8Array.of(...sc, 9, 0xf0, ...sc, ...SPS, ...sc, ...PPS, ...sc, 0x65, 0x88, 0x80);
  const p = Uint8Array.of(...sc, 9, 0xf0, ...sc, 0x41, 0x9a, 0x02);
  t.is(f.add(idr, { pts: 7200, dts: 3600 }), undefined);
  const first = f.add(p, { pts: 10800, dts: 7200 })!;
  t.is(first.sap, 1);
  t.is(first.duration, 3600);
  t.deepEqual([...first.data], [0, 0, 0, 3, 0x65, 0x88, 0x80]);
  t.is(avcCodecString(parseAvcC(f.config!.record)), 'avc1.64001E');
  t.is(f.config!.width, 640);
  // A PES without PTS continues the picture.
  t.is(f.add(Uint8Array.of(...sc, 0x01, 0x11), undefined), undefined);
  const second = f.next(10800)!;
  t.is(second.sap, 0);
  t.deepEqual([...second.data], [0, 0, 0, 3, 0x41, 0x9a, 0x02, 0, 0, 0, 2, 0x01, 0x11]);
  t.is(f.flush(), undefined);
});

test('hvcC from VPS/SPS/PPS: the codec string of the MP4 the stream came from', (t) => {
  // hevc.mp4's parameter sets (x265, Main, 320x180), as its hvcC holds them.
  const vps = unhex('40010c01ffff016000000300b0000003000003003c95940900');
  const sps = unhex('420101016000000300b0000003000003003ca00a080b9f7965952924b20000030002000003003210');
  const pps = unhex('4401c172b46240');
  const info = parseHevcSps(sps);
  t.is(info.width, 320);
  t.is(info.height, 180);
  const c = parseHvcC(buildHvcC([vps], [sps], [pps]));
  t.is(hevcCodecString(c), 'hvc1.1.6.L60.B0');
  t.deepEqual(
    c.arrays.map((a) => a.NAL_unit_type),
    [32, 33, 34],
  );
});

test('demuxer: PAT, PMT, PES in any chunking; CC errors counted, the damaged PES flagged', (t) => {
  const m = new Muxer().psi(0, pat([[1, 0x1000]])).psi(
    0x1000,
    pmt(1, 0x100, [
      [0x1b, 0x100],
      [0x0f, 0x101, 'eng'],
    ]),
  );
  for (let i = 0; i < 4; i++)
    m.pes(0x100, 0xe0, new Uint8Array(400).fill(i), 90000 + i * 3600, undefined, {
      pcr: (90000 + i * 3600) * 300,
    });
  const bytes = m.bytes();
  const got: PesPacket[] = [];
  const programs: Program[] = [];
  const d = new TsDemuxer({ onPes: (p) => got.push(p), onProgram: (p) => programs.push(p) });
  for (let i = 0; i < bytes.length; i += 100) d.push(bytes.subarray(i, i + 100));
  d.flush();
  t.is(programs.length, 1);
  t.deepEqual(
    programs[0]!.streams.map((s) => [s.pid, s.streamType, s.language]),
    [
      [0x100, 0x1b, undefined],
      [0x101, 0x0f, 'eng'],
    ],
  );
  t.deepEqual(
    got.map((p) => [p.header.pts, p.data.length, p.data[0]]),
    [0, 1, 2, 3].map((i) => [90000 + i * 3600, 400, i]),
  );
  // Drop the second packet of the second PES: a continuity error; that PES comes flagged corrupt, with its hole.
  const lossy = new Muxer().psi(0, pat([[1, 0x1000]])).psi(0x1000, pmt(1, 0x100, [[0x1b, 0x100]]));
  for (let i = 0; i < 3; i++) lossy.pes(0x100, 0xe0, new Uint8Array(400).fill(i), 90000 + i * 3600);
  lossy.packets.splice(2 + 4, 1);
  const got2: PesPacket[] = [];
  const d2 = new TsDemuxer({ onPes: (p) => got2.push(p) });
  d2.push(lossy.bytes());
  d2.flush();
  t.is(d2.stats.ccErrors, 1);
  t.is(d2.stats.corruptPes, 1);
  t.deepEqual(
    got2.map((p) => [p.data[0], p.data.length, p.corrupt ?? false]),
    [
      [0, 400, false],
      [1, 400 - 184, true],
      [2, 400, false],
    ],
    'the damaged PES comes with its hole, flagged',
  );
});

test('demuxer: garbage between packets is skipped and sync found again', (t) => {
  const m = new Muxer().psi(0, pat([[1, 0x1000]])).psi(0x1000, pmt(1, 0x100, [[0x1b, 0x100]]));
  for (let i = 0; i < 3; i++)
    m.pes(0x100, 0xe0, new Uint8Array(100).fill(i), 90000 + i * 3600, undefined, { bounded: true });
  const clean = m.bytes();
  const dirty = new Uint8Array(clean.length + 1000);
  dirty.set(clean.subarray(0, 188 * 3));
  for (let i = 0; i < 1000; i++) dirty[188 * 3 + i] = (i * 7) & 0x3f; // no 0x47 in it
  dirty.set(clean.subarray(188 * 3), 188 * 3 + 1000);
  const got: number[] = [];
  const d = new TsDemuxer({ onPes: (p) => got.push(p.data[0]!) });
  d.push(dirty);
  d.flush();
  t.deepEqual(got, [0, 1, 2]);
  t.is(d.stats.syncLosses, 1);
  t.is(d.stats.bytesSkipped, 1000);
});

test('NAL framer: a stream of a single access unit gets one frame at 25 Hz (no next decode time to measure)', (t) => {
  const f = new NalFramer('avc');
  const sc = [0, 0, 0, 1];
  const idr = Uint8Array.of(...sc, 9, 0xf0, ...sc, ...SPS, ...sc, ...PPS, ...sc, 0x65, 0x88, 0x80);
  t.is(f.add(idr, { pts: 7200, dts: 7200 }), undefined);
  const only = f.flush()!;
  t.is(only.sap, 1);
  t.is(only.duration, 90_000 / 25);
});

test('program clock: a stream whose first timestamp falls before the origin (another stream moved the offset) continues where the program ends', (t) => {
  const c = new ProgramClock({ continuous: true, maxGap: 90_000 });
  t.is(c.map(256, 900_000).dts, 900_000);
  t.is(c.map(256, 903_003).dts, 903_003);
  // A corrupt DTS far ahead: absorbed, so the offset goes negative for the real clock.
  t.is(c.map(256, 5_000_000).dts, 906_006);
  // The audio's first frame, on the real clock: before the origin through that offset; placed at the end.
  const a = c.map(257, 900_500);
  t.true(a.dts >= 0, String(a.dts));
  t.is(a.dts, 909_009);
  t.is(c.discontinuities, 2);
});
