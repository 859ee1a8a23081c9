/**
 * The compact sample tables (filters/mp4dmx/stbl.ts): the tables read where they lie in the moov give
 * the very samples mp4box.js's parsed tables give, on every non-fragmented clip of test/media and of
 * bench/media (when `bash bench/make-long-clip.sh` has made them); mp4box gets a moov without them.
 */
import test from 'ava';
import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { createFile, MP4BoxBuffer } from 'mp4box';
import type { ISOFile } from 'mp4box';
import { SampleCursor } from '../../filters/mp4dmx/sample-table.js';
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
