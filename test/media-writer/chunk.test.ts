// writeChunk / writeStyp: layout, data offsets, zero-copy payload, defaults, and mp4box parse-back.
import test from 'ava';
import {
  type ChunkSample,
  CMAF_SEGMENT_BRANDS,
  NON_SYNC_SAMPLE_FLAGS,
  sampleFlagsForSap,
  SYNC_SAMPLE_FLAGS,
  writeChunk,
  writeEmsg,
  writeSidx,
  writeStyp,
} from '../../src/media/bmff/chunk.js';
import { TFHD, TRUN } from '../../src/media/bmff/fragment-boxes.js';
import { writeInitSegment } from '../../src/media/bmff/init-segment.js';
import { unixMsToNtp } from '../../src/media/time.js';
import type { TrackConfig } from '../../src/media/track.js';
import { type BoxInfo, children, hex, listBoxes, unhex } from './helpers/boxes.js';
import { parseMp4 } from './helpers/mp4box.js';

const video: TrackConfig = {
  trackId: 1,
  kind: 'video',
  codec: 'avc',
  timescale: 12800,
  decoderConfig: unhex(
    '0164001effe1001a6764001eacd940a02ff97011000003000100000300320f162d9601000468efbcb0fdf8f800',
  ),
};
const audio: TrackConfig = {
  trackId: 2,
  kind: 'audio',
  codec: 'aac',
  timescale: 48000,
  decoderConfig: unhex('1188'),
};

const bytesOf = (n: number, fill: number): Uint8Array => new Uint8Array(n).fill(fill);

/** I P B B: durations 512, CTS offsets as x264 writes them with 2 B-frames. */
const videoSamples: ChunkSample[] = [
  { data: bytesOf(10, 1), duration: 512, compositionOffset: 1024, sapType: 1 },
  { data: bytesOf(20, 2), duration: 512, compositionOffset: 2048, sapType: 0 },
  { data: bytesOf(30, 3), duration: 512, compositionOffset: 0, sapType: 0 },
  { data: bytesOf(40, 4), duration: 512, compositionOffset: 512, sapType: 0 },
];
const audioSamples: ChunkSample[] = [
  { data: bytesOf(7, 9), duration: 1024, sapType: 1 },
  { data: bytesOf(8, 8), duration: 1024, sapType: 1 },
];

const joined = (c: { header: Uint8Array; payload: Uint8Array[] }): Uint8Array =>
  Uint8Array.from(Buffer.concat([c.header, ...c.payload]));

const u32 = (b: Uint8Array, at: number): number => new DataView(b.buffer, b.byteOffset).getUint32(at);
const i32 = (b: Uint8Array, at: number): number => new DataView(b.buffer, b.byteOffset).getInt32(at);

function trafs(bytes: Uint8Array): BoxInfo[] {
  const moof = listBoxes(bytes).find((b) => b.type === 'moof');
  if (!moof) throw new Error('no moof');
  return children(bytes, moof).filter((b) => b.type === 'traf');
}

function child(bytes: Uint8Array, parent: BoxInfo, type: string): BoxInfo {
  const found = children(bytes, parent).find((b) => b.type === type);
  if (!found) throw new Error(`no ${type}`);
  return found;
}

test('layout: moof(mfhd, traf(tfhd, tfdt, trun)) + mdat; the payload is the samples by reference', (t) => {
  const chunk = writeChunk({
    sequenceNumber: 7,
    tracks: [{ trackId: 1, baseMediaDecodeTime: 25600, samples: videoSamples }],
  });
  t.is(chunk.payload.length, 4);
  chunk.payload.forEach((p, i) => t.true(p === videoSamples[i]?.data)); // same objects: no copy
  t.is(chunk.size, chunk.header.byteLength + 100);
  const all = joined(chunk);
  t.deepEqual(
    listBoxes(all).map((b) => b.type),
    ['moof', 'mdat'],
  );
  const [traf] = trafs(all);
  if (!traf) return t.fail();
  t.deepEqual(
    children(all, traf).map((b) => b.type),
    ['tfhd', 'tfdt', 'trun'],
  );
  t.is(u32(all, 12 + 8), 7); // mfhd sequence_number (moof header 8, mfhd header 12)
  const tfdt = child(all, traf, 'tfdt');
  t.is(all[tfdt.start + 8], 1); // version 1
  t.is(hex(all.subarray(tfdt.start + 12, tfdt.start + 20)), '0000000000006400');
  const trun = child(all, traf, 'trun');
  const dataOffset = i32(all, trun.start + 16);
  t.is(dataOffset, chunk.header.byteLength); // right after the mdat header (moof starts at 0)
  t.deepEqual(Array.from(all.subarray(dataOffset, dataOffset + 3)), [1, 1, 1]);
  t.true(chunk.independent);
});

test('tfhd defaults: uniform duration in tfhd, first_sample_flags + default flags, signed CTS offsets', (t) => {
  const all = joined(
    writeChunk({
      sequenceNumber: 1,
      tracks: [{ trackId: 1, baseMediaDecodeTime: 0, samples: videoSamples }],
    }),
  );
  const [traf] = trafs(all);
  if (!traf) return t.fail();
  const tfhd = child(all, traf, 'tfhd');
  const tfhdFlags = u32(all, tfhd.start + 8) & 0xffffff;
  t.is(
    tfhdFlags,
    TFHD.default_base_is_moof | TFHD.default_sample_duration_present | TFHD.default_sample_flags_present,
  );
  t.is(u32(all, tfhd.start + 16), 512);
  t.is(u32(all, tfhd.start + 20), NON_SYNC_SAMPLE_FLAGS);
  const trun = child(all, traf, 'trun');
  t.is(all[trun.start + 8], 1); // version 1
  t.is(
    u32(all, trun.start + 8) & 0xffffff,
    TRUN.data_offset_present |
      TRUN.first_sample_flags_present |
      TRUN.sample_size_present |
      TRUN.sample_composition_time_offsets_present,
  );
  t.is(u32(all, trun.start + 20), SYNC_SAMPLE_FLAGS); // first_sample_flags
  // rows: size, composition offset
  const rows = Array.from({ length: 4 }, (_, i) => [
    u32(all, trun.start + 24 + i * 8),
    i32(all, trun.start + 28 + i * 8),
  ]);
  t.deepEqual(rows, [
    [10, 1024],
    [20, 2048],
    [30, 0],
    [40, 512],
  ]);
});

test("sampleDefaults 'none': every field per sample (trun flags 0xF01), tfhd without defaults", (t) => {
  const all = joined(
    writeChunk({
      sequenceNumber: 1,
      sampleDefaults: 'none',
      tracks: [{ trackId: 2, baseMediaDecodeTime: 0, samples: audioSamples }],
    }),
  );
  const [traf] = trafs(all);
  if (!traf) return t.fail();
  t.is(u32(all, child(all, traf, 'tfhd').start + 8) & 0xffffff, TFHD.default_base_is_moof);
  const trun = child(all, traf, 'trun');
  t.is(u32(all, trun.start + 8) & 0xffffff, 0xf01);
  t.is(trun.size, 20 + 2 * 16);
});

test('audio (all sync, uniform duration): no flags or CTS columns in trun', (t) => {
  const all = joined(
    writeChunk({
      sequenceNumber: 1,
      tracks: [{ trackId: 2, baseMediaDecodeTime: 0, samples: audioSamples }],
    }),
  );
  const [traf] = trafs(all);
  if (!traf) return t.fail();
  const trun = child(all, traf, 'trun');
  t.is(u32(all, trun.start + 8) & 0xffffff, TRUN.data_offset_present | TRUN.sample_size_present);
  t.is(u32(all, child(all, traf, 'tfhd').start + 20), SYNC_SAMPLE_FLAGS);
});

test('two tracks in one chunk: one traf each, data offsets past the earlier track, mdat in track order', (t) => {
  const chunk = writeChunk({
    sequenceNumber: 3,
    tracks: [
      { trackId: 1, baseMediaDecodeTime: 0, samples: videoSamples },
      { trackId: 2, baseMediaDecodeTime: 0, samples: audioSamples },
    ],
  });
  const all = joined(chunk);
  const ts = trafs(all);
  t.is(ts.length, 2);
  const offsets = ts.map((tr) => i32(all, child(all, tr, 'trun').start + 16));
  t.is(offsets[0], chunk.header.byteLength);
  t.is(offsets[1], chunk.header.byteLength + 100);
  t.deepEqual(Array.from(all.subarray(offsets[1] ?? 0, (offsets[1] ?? 0) + 7)), Array(7).fill(9));
  t.is(chunk.payload.length, 6);
});

test('prft and emsg go before the moof; data_offset stays relative to the moof', (t) => {
  const chunk = writeChunk({
    sequenceNumber: 1,
    tracks: [{ trackId: 1, baseMediaDecodeTime: 0, samples: videoSamples }],
    prft: { referenceTrackId: 1, ntpTimestamp: unixMsToNtp(Date.UTC(2026, 0, 1)), mediaTime: 0 },
    emsg: [
      {
        schemeIdUri: 'urn:scte:scte35:2013:bin',
        value: '',
        timescale: 12800,
        presentationTime: 0,
        eventDuration: 0xffffffff,
        id: 1,
        messageData: Uint8Array.of(0xfc),
      },
    ],
  });
  const all = joined(chunk);
  const boxes = listBoxes(all);
  t.deepEqual(
    boxes.map((b) => b.type),
    ['prft', 'emsg', 'moof', 'mdat'],
  );
  const moof = boxes[2];
  if (!moof) return t.fail();
  const [traf] = trafs(all);
  if (!traf) return t.fail();
  const dataOffset = i32(all, child(all, traf, 'trun').start + 16);
  t.is(moof.start + dataOffset, chunk.header.byteLength);
});

test('independent is false when a track does not start with a SAP 1–3', (t) => {
  const rest = videoSamples.slice(1);
  t.false(
    writeChunk({ sequenceNumber: 1, tracks: [{ trackId: 1, baseMediaDecodeTime: 512, samples: rest }] })
      .independent,
  );
  const open = [{ ...videoSamples[0], sapType: 3 as const, data: bytesOf(1, 0), duration: 512 }];
  t.true(
    writeChunk({ sequenceNumber: 1, tracks: [{ trackId: 1, baseMediaDecodeTime: 0, samples: open }] })
      .independent,
  );
});

test('sample flags per SAP type', (t) => {
  t.is(sampleFlagsForSap(1), 0x02000000);
  t.is(sampleFlagsForSap(2), 0x02000000);
  t.is(sampleFlagsForSap(3), 0x02010000);
  t.is(sampleFlagsForSap(0), 0x01010000);
  t.is(sampleFlagsForSap(4), 0x01010000);
});

test('an mdat over 4 GiB gets a 64-bit largesize header; no sample byte is copied', (t) => {
  const mib = new Uint8Array(1 << 20);
  const samples: ChunkSample[] = Array.from({ length: 4097 }, () => ({ data: mib, duration: 1, sapType: 1 }));
  const chunk = writeChunk({ sequenceNumber: 1, tracks: [{ trackId: 1, baseMediaDecodeTime: 0, samples }] });
  const mdatAt = chunk.header.byteLength - 16;
  t.is(u32(chunk.header, mdatAt), 1);
  t.is(hex(chunk.header.subarray(mdatAt + 4, mdatAt + 8)), '6d646174');
  t.is(Number(new DataView(chunk.header.buffer).getBigUint64(mdatAt + 8)), 4097 * 2 ** 20 + 16);
  t.is(chunk.size, chunk.header.byteLength + 4097 * 2 ** 20);
});

test('errors: no tracks, empty track, duplicate track, negative offset with trun v0', (t) => {
  t.throws(() => writeChunk({ sequenceNumber: 1, tracks: [] }), { message: /no tracks/ });
  t.throws(
    () => writeChunk({ sequenceNumber: 1, tracks: [{ trackId: 1, baseMediaDecodeTime: 0, samples: [] }] }),
    {
      message: /track 1 has no samples/,
    },
  );
  const tr = { trackId: 1, baseMediaDecodeTime: 0, samples: audioSamples };
  t.throws(() => writeChunk({ sequenceNumber: 1, tracks: [tr, tr] }), { message: /appears twice/ });
  const neg = [{ data: bytesOf(1, 0), duration: 1, compositionOffset: -1, sapType: 1 as const }];
  t.throws(
    () =>
      writeChunk({
        sequenceNumber: 1,
        trunVersion: 0,
        tracks: [{ trackId: 1, baseMediaDecodeTime: 0, samples: neg }],
      }),
    { instanceOf: RangeError },
  );
});

test('styp, emsg and sidx standalone writers', (t) => {
  const styp = writeStyp(CMAF_SEGMENT_BRANDS);
  t.is(Buffer.from(styp.subarray(4, 12)).toString('latin1'), 'stypmsdh');
  t.is(styp.byteLength, 16 + 4 * CMAF_SEGMENT_BRANDS.length);
  t.is(Buffer.from(writeStyp().subarray(16)).toString('latin1'), 'msdhmsix');
  t.throws(() => writeStyp([]), { message: /no brand/ });
  const e = writeEmsg({
    schemeIdUri: 'urn:x',
    value: 'v',
    timescale: 1,
    presentationTime: 1,
    eventDuration: 0,
    id: 0,
    messageData: new Uint8Array(),
  });
  t.is(listBoxes(e)[0]?.type, 'emsg');
  const s = writeSidx({
    reference_ID: 1,
    timescale: 1000,
    earliest_presentation_time: 0,
    first_offset: 0,
    references: [],
  });
  t.is(s.byteLength, 40);
});

test('mp4box parses init + styp + chunks back: samples, DTS/CTS, sync flags, tfdt, sequence numbers', (t) => {
  const init = writeInitSegment([video, audio]);
  const c1 = writeChunk({
    sequenceNumber: 1,
    tracks: [
      { trackId: 1, baseMediaDecodeTime: 0, samples: videoSamples },
      { trackId: 2, baseMediaDecodeTime: 0, samples: audioSamples },
    ],
  });
  const c2 = writeChunk({
    sequenceNumber: 2,
    tracks: [{ trackId: 1, baseMediaDecodeTime: 2048, samples: videoSamples }],
  });
  const file = Uint8Array.from(Buffer.concat([init, writeStyp(), joined(c1), joined(c2)]));
  const parsed = parseMp4(file);
  const v = parsed.samples.get(1) ?? [];
  t.is(v.length, 8);
  t.deepEqual(
    v.map((s) => [s.dts, s.cts, s.is_sync, s.size]),
    [
      [0, 1024, true, 10],
      [512, 2560, false, 20],
      [1024, 1024, false, 30],
      [1536, 2048, false, 40],
      [2048, 3072, true, 10],
      [2560, 4608, false, 20],
      [3072, 3072, false, 30],
      [3584, 4096, false, 40],
    ],
  );
  t.deepEqual(Array.from(v[5]?.data ?? []), Array(20).fill(2));
  const a = parsed.samples.get(2) ?? [];
  t.deepEqual(
    a.map((s) => [s.dts, s.duration, s.is_sync]),
    [
      [0, 1024, true],
      [1024, 1024, true],
    ],
  );
  const moofs = parsed.file.moofs;
  t.deepEqual(
    moofs.map((m) => m.mfhd.sequence_number),
    [1, 2],
  );
  t.deepEqual(
    moofs.map((m) => m.trafs.map((tr) => [tr.tfhd.track_id, tr.tfdt.baseMediaDecodeTime])),
    [
      [
        [1, 0],
        [2, 0],
      ],
      [[1, 2048]],
    ],
  );
});
