/**
 * Bugs the fuzzer found in the MPEG-TS path, each on a transport stream made here by ffmpeg from a clip
 * (the fuzzer's own corpus, test/fuzz/mutator.ts) and corrupted by hand.
 */
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMain } from './in-process.js';
import { clipBytes } from './mutator.js';
import { checkManifests, decodePlaylists } from './output-check.js';

const dir = mkdtempSync(join(tmpdir(), 'graphpac-ts-reg-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a 33-bit PES timestamp (PTS or DTS field of 5 bytes) with its marker bits. */
function writeTimestamp(d: Uint8Array, at: number, prefix: number, t: number): void {
  d[at] = (prefix << 4) | (Math.floor(t / 2 ** 29) & 0x0e) | 1;
  d[at + 1] = Math.floor(t / 2 ** 22) & 0xff;
  d[at + 2] = (Math.floor(t / 2 ** 14) & 0xfe) | 1;
  d[at + 3] = Math.floor(t / 2 ** 7) & 0xff;
  d[at + 4] = ((t * 2) & 0xfe) | 1;
}

function readTimestamp(d: Uint8Array, at: number): number {
  return (
    ((d[at]! >> 1) & 7) * 2 ** 30 +
    d[at + 1]! * 2 ** 22 +
    (d[at + 2]! >> 1) * 2 ** 15 +
    d[at + 3]! * 2 ** 7 +
    (d[at + 4]! >> 1)
  );
}

test('ts: a PTS far from its DTS is taken as the DTS ("dasher: RangeError: trun sample_composition_time_offset does not fit i32" before)', async (t) => {
  const d = Uint8Array.from(clipBytes('av.ts'));
  let done = 0;
  for (let at = 0; at + 188 <= d.length && done < 3; at += 188) {
    const pid = ((d[at + 1]! & 0x1f) << 8) | d[at + 2]!;
    if (pid !== 256 || !(d[at + 1]! & 0x40)) continue;
    const h = (d[at + 3]! & 0x20 ? at + 5 + d[at + 4]! : at + 4) as number;
    if (d[h] !== 0 || d[h + 1] !== 0 || d[h + 2] !== 1 || d[h + 7]! >> 6 !== 3) continue;
    if (done++ === 0) continue; // not the first: a later frame's PTS goes 2^32 ticks (13 h) ahead of its DTS
    writeTimestamp(d, h + 9, 3, (readTimestamp(d, h + 14) + 2 ** 32) % 2 ** 33);
  }
  t.true(done >= 2, 'video PES packets with PTS and DTS found');
  const file = join(dir, 'pts.ts');
  writeFileSync(file, d);
  const out = join(dir, 'pts-out');
  const r = await runMain(['-i', file, '-o', `${out}/live.m3u8:dual:segdur=1`]);
  t.is(r.code, 0, r.stderr);
  t.deepEqual(await checkManifests(out, { hls: 'live.m3u8', mpd: 'live.mpd' }), []);
  for (const x of await decodePlaylists(out, 'live.m3u8', dir))
    t.false(x.decoded.failed, `${x.playlist}: ${x.decoded.error}`);
});
