/**
 * The compact sample tables (filters/mp4dmx/stbl.ts): the tables read where they lie in the moov give
 * the very samples mp4box.js's parsed tables give, on every non-fragmented clip of test/media and of
 * bench/media (when `bash bench/make-long-clip.sh` has made them); mp4box gets a moov without them.
 */
import test from 'ava';
import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { createFile, MP4BoxBuffer } from 'mp4box';
import type { ISOFile } from 'mp4box';
import { SampleCursor, tableDataEnd, tableStats } from '../../filters/mp4dmx/sample-table.js';
import { stripSampleTables, tablesFromBoxes, tablesFromTrak } from '../../filters/mp4dmx/stbl.js';
import type { SampleTables } from '../../filters/mp4dmx/stbl.js';
import { repoRoot } from '../helpers/run-cli.js';

const CLIPS = [
  'source1',
  'source2',
  'h264_bframes_moovend.mp4',
  'av_2997_faststart.mp4',
  'av_fragmented.mp4',
  'hevc.mp4',
  'v_2audio.mp4',
];

/** The moov of an MP4 file, read from disk without reading the rest. */
function readMoov(path: string): Uint8Array | undefined {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const h = Buffer.alloc(16);
    for (let pos = 0; pos + 8 <= size;) {
      readSync(fd, h, 0, 16, pos);
      let box = h.readUInt32BE(0);
      if (box === 1) box = Number(h.readBigUInt64BE(8));
      if (box === 0) box = size - pos;
      if (h.toString('latin1', 4, 8) === 'moov') {
        const moov = Buffer.alloc(box);
        readSync(fd, moov, 0, box, pos);
        return moov;
      }
      if (box < 8) return undefined;
      pos += box;
    }
    return undefined;
  } finally {
    closeSync(fd);
  }
}

function parseMoov(bytes: Uint8Array): ISOFile {
  const file = createFile(false);
  file.sampleListBuilt = true;
  const buf = new MP4BoxBuffer(bytes.length);
  new Uint8Array(buf).set(bytes);
  file.appendBuffer(buf);
  return file;
}

function walk(tables: SampleTables): string[] {
  const out: string[] = [];
  const c = new SampleCursor(tables);
  for (let s = c.current; s; c.advance(), s = c.current)
    out.push(`${s.offset} ${s.size} ${s.dts} ${s.cts} ${s.duration} ${s.sync}`);
  return out;
}

const BENCH_CLIPS = ['av_60s.mp4', 'long_av.mp4', 'long_3600.mp4']
  .map((n) => `${repoRoot}bench/media/${n}`)
  .filter((p) => existsSync(p));

for (const path of [
  ...CLIPS.filter((c) => c !== 'av_fragmented.mp4').map((c) => `${repoRoot}test/media/${c}`),
  ...BENCH_CLIPS,
]) {
  const name = path.slice(repoRoot.length);
  test(`compact sample tables give mp4box.js's samples: ${name}`, (t) => {
    const moov = readMoov(path);
    if (!moov) return t.fail('no moov');
    const full = parseMoov(moov);
    const stripped = stripSampleTables(moov);
    if (!stripped) return t.fail('the moov could not be walked');
    t.true(stripped.moov.length < moov.length, 'mp4box gets a smaller moov');
    const light = parseMoov(stripped.moov);
    t.is(light.moov.traks.length, full.moov.traks.length);
    t.is(stripped.traks.length, full.moov.traks.length);
    let samples = 0;
    full.moov.traks.forEach((trak, i) => {
      t.is(stripped.traks[i]!.trackId, trak.tkhd.track_id);
      const stbl = light.moov.traks[i]!.mdia.minf.stbl as { stsz?: unknown };
      t.is(stbl.stsz, undefined, 'mp4box parsed no table');
      const ours = walk(tablesFromBoxes(stripped.traks[i]!.boxes));
      const theirs = walk(tablesFromTrak(trak));
      t.is(ours.length, theirs.length, `track ${trak.tkhd.track_id}: sample count`);
      const diff = ours.findIndex((s, j) => s !== theirs[j]);
      t.is(diff, -1, `track ${trak.tkhd.track_id}: sample ${diff + 1}: ${ours[diff]} vs ${theirs[diff]}`);
      // Where the data ends, from the chunk tables alone: the furthest end of any sample the walk gives.
      const end = ours.reduce((e, l) => {
        const [offset, size] = l.split(' ').map(Number);
        return Math.max(e, offset! + size!);
      }, 0);
      t.is(tableDataEnd(tablesFromBoxes(stripped.traks[i]!.boxes)), end);
      // The total the track's bitrate comes from: the sizes the walk gives, added up.
      const total = ours.reduce((n, l) => n + Number(l.split(' ')[1]), 0);
      t.is(tableStats(tablesFromBoxes(stripped.traks[i]!.boxes)).totalSize, total);
      samples += ours.length;
    });
    t.true(samples > 0);
  });
}

test('compact sample tables: a table claiming more entries than it holds is corrupt, by name', (t) => {
  const moov = readMoov(`${repoRoot}test/media/av_2997_faststart.mp4`)!;
  const stripped = stripSampleTables(moov)!;
  const stsz = Uint8Array.from(stripped.traks[0]!.boxes.stsz!);
  new DataView(stsz.buffer).setUint32(16, 1e6); // sample_count
  t.throws(() => tablesFromBoxes({ ...stripped.traks[0]!.boxes, stsz }), {
    message: /stbl\/stsz declares 1000000 entries \(4000000 bytes\) but holds \d+ bytes of them/,
  });
});

/** Tables of `count` samples of 10 bytes with the given stco and stsc (first chunks, samples per chunk). */
function tables(
  count: number,
  chunkOffsets: number[],
  firstChunk: number[],
  perChunk: number[],
): SampleTables {
  const col = (v: number[]) => ({
    length: v.length,
    at: (i: number) => v[i]!,
    sum: (from: number, to: number) => v.slice(from, to).reduce((a, b) => a + b, 0),
  });
  return {
    count,
    constantSize: 0,
    sizes: col(Array.from({ length: count }, (_, i) => 10 + (i % 3))),
    chunkOffsets: col(chunkOffsets),
    firstChunk: col(firstChunk),
    perChunk: col(perChunk),
    sttsCounts: col([count]),
    sttsDeltas: col([1]),
    cttsCounts: undefined,
    cttsOffsets: undefined,
    syncNumbers: undefined,
    bytes: 0,
    where: 'moov/trak/mdia/minf/stbl',
  };
}

/** What a cursor's walk gives: the furthest sample end, or its error. */
function cursorEnd(t: SampleTables): number | string {
  try {
    let end = 0;
    const c = new SampleCursor(t);
    for (let s = c.current; s; c.advance(), s = c.current) end = Math.max(end, s.offset + s.size);
    return end;
  } catch (e) {
    return (e as Error).message;
  }
}

function dataEnd(t: SampleTables): number | string {
  try {
    return tableDataEnd(t);
  } catch (e) {
    return (e as Error).message;
  }
}

test('where the sample data ends: the chunk walk gives what a cursor gives, errors included', (t) => {
  const cases: [string, SampleTables][] = [
    ['runs, chunks out of order', tables(7, [5000, 100, 900], [1, 2], [3, 2])],
    ['a chunk without samples', tables(4, [100, 9999, 300], [1, 2, 3], [2, 0, 2])],
    ['no sample', tables(0, [], [], [])],
    ['samples in no chunk', tables(3, [], [1], [3])],
    ['too few chunks', tables(9, [100, 200], [1], [4])],
    ['a last run of 0 samples per chunk', tables(5, [100, 200, 300], [1, 2], [2, 0])],
    ['the last sample placed, chunks left over', tables(2, [100, 200, 300], [1], [2])],
  ];
  for (const [what, tb] of cases) t.is(dataEnd(tb), cursorEnd(tb), what);
  t.is(dataEnd(cases[0]![1]), 5000 + 10 + 11 + 12, 'the furthest chunk, not the last');
  t.regex(
    String(dataEnd(cases[4]![1])),
    /sample 9 of 9 falls in chunk 3 but the chunk offset table lists 2 chunks/,
  );
});
