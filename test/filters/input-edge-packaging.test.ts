/**
 * Inputs at the edges, packaged (issue #12 item 9): a track with no samples is left out of the manifests
 * with a warning naming it and the rest is packaged; a file whose tracks all have no samples is one error
 * naming it; huge timing values are printed as plain decimals in every playlist and MPD. Files are crafted
 * here from the committed clips; the outputs are decoded by ffprobe.
 */
import test from 'ava';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMain } from '../fuzz/in-process.js';
import { box, findBoxes, payload, setU32 } from '../fuzz/mp4-boxes.js';
import { checkManifests, decodePlaylists, masterUris } from '../fuzz/output-check.js';
import { repoRoot, runGraphpac } from '../helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'graphpac-edges-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

const clip = (name: string): Uint8Array => new Uint8Array(readFileSync(join(repoRoot, 'test/media', name)));

function craft(name: string, from: Uint8Array, edit: (d: Uint8Array) => void): string {
  const d = Uint8Array.from(from);
  edit(d);
  const p = join(dir, name);
  writeFileSync(p, d);
  return p;
}

/** Empties the sample tables of trak `n` (1-based): no sample, no chunk, no timing. */
function emptyTrack(d: Uint8Array, n: number): void {
  const stbl = `trak[${n}]/mdia/minf/stbl`;
  setU32(d, payload(box(d, `${stbl}/stsz`)) + 4, 0);
  for (const t of ['stts', 'stsc', 'stco', 'stss', 'ctts'])
    for (const b of findBoxes(d, `${stbl}/${t}`)) setU32(d, payload(b), 0);
}

function outDir(name: string): string {
  const o = join(dir, name);
  mkdirSync(o, { recursive: true });
  return o;
}

test('a track with no samples is left out with a warning; the others are packaged and decode', async (t) => {
  // v_2audio.mp4: video, audio (eng), audio: the third one emptied.
  const path = craft('one-empty.mp4', clip('v_2audio.mp4'), (d) => emptyTrack(d, 3));
  const out = outDir('one-empty');
  // A real process: the warning goes to its stderr.
  const r = await runGraphpac(['-i', path, '-o', `${out}/live.m3u8:dual:segdur=1`], { timeoutMs: 90_000 });
  t.is(r.code, 0, r.stderr);
  t.regex(
    r.stderr,
    /PID \\?"audio2\\?" of \\?".*one-empty\.mp4\\?" has no samples: left out of the manifests/,
  );
  t.deepEqual(await checkManifests(out, { hls: 'live.m3u8', mpd: 'live.mpd' }), []);
  const master = readFileSync(join(out, 'live.m3u8'), 'utf8');
  t.is(masterUris(master).length, 2, master);
  const mpd = readFileSync(join(out, 'live.mpd'), 'utf8');
  t.is(mpd.match(/<Representation /g)?.length, 2, mpd);
  t.false(mpd.includes('track3'), 'the empty track is not in the MPD');
  const decoded = await decodePlaylists(out, 'live.m3u8', dir);
  t.is(decoded.length, 2);
  for (const d of decoded) {
    t.false(d.decoded.failed, `${d.playlist}: ${d.decoded.error}`);
    t.true(
      d.decoded.frames.every((n) => n > 0),
      `${d.playlist}: ${d.decoded.frames.join(',')}`,
    );
  }
});

test('a file whose tracks all have no samples is one error naming it (the graph was stuck)', async (t) => {
  const path = craft('all-empty.mp4', clip('av_2997_faststart.mp4'), (d) => {
    emptyTrack(d, 1);
    emptyTrack(d, 2);
  });
  const r = await runMain(['-i', path, '-o', `${outDir('all-empty')}/live.m3u8:dual:segdur=1`]);
  t.is(r.code, 1);
  const lines = r.stderr.split('\n').filter(Boolean);
  t.is(lines.length, 1, r.stderr);
  t.regex(
    lines[0] ?? '',
    /^graphpac: dasher: nothing to package: PID "video1" of ".*all-empty\.mp4", PID "audio1" of ".*all-empty\.mp4" ended without a sample$/,
  );
});

test('huge timing values are printed as plain decimals (no 4.1943e+06) in playlists and MPD', async (t) => {
  // The audio track's timescale made 1 and its samples 4,194,304 s long: %g printed 4.1943e+06 and such.
  const path = craft('huge-timing.mp4', clip('av_2997_faststart.mp4'), (d) => {
    setU32(d, payload(box(d, 'trak[2]/mdia/mdhd')) + 8, 1);
    const stts = payload(box(d, 'trak[2]/mdia/minf/stbl/stts'));
    setU32(d, stts + 8, 4_194_304); // first run's sample_delta
    setU32(d, stts + 16, 4_194_304); // second run's
  });
  for (const [name, opts] of [
    ['static', 'segdur=1'],
    ['ll', 'segdur=1:cdur=0.5:llhls=br:dmode=dynamic'],
  ] as const) {
    const out = outDir(`huge-${name}`);
    const r = await runMain(['-i', path, '-o', `${out}/live.m3u8:dual:${opts}`]);
    t.is(r.code, 0, r.stderr);
    t.deepEqual(await checkManifests(out, { hls: 'live.m3u8', mpd: 'live.mpd' }), [], name);
    const variant = readFileSync(join(out, 'live_2.m3u8'), 'utf8');
    t.regex(variant, /#EXTINF:\d{7,}(\.\d+)?,/, `${name}: ${variant}`);
  }
});
