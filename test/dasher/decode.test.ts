/**
 * Every segment decodes: for each representation of a real CLI run, init + media segments (in
 * number order, exactly the files on disk) are concatenated and checked with ffmpeg/ffprobe against
 * the source clip: no decode error, the same frame count, identical video frames (framemd5), audio
 * starting at 0 with the source's decoded samples and PCM. In sf mode the part files of a segment,
 * concatenated, must be that segment byte for byte.
 */
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, graphpac, mediaDir } from './helpers/cli.js';
import { checkAgainstSource, concatRep } from './helpers/decode.js';
import { readVariants } from './helpers/output.js';
import type { Variant } from './helpers/output.js';
import { listTree, naturalSort, WorkRoot } from './helpers/workdir.js';

const root = new WorkRoot('decode');
test.after.always(() => root.cleanup());

interface Packaged {
  res: string;
  variants: Variant[];
  files: string[];
}

async function packageClips(
  t: ExecutionContext,
  clips: string[],
  out: string,
): Promise<Packaged | undefined> {
  const dir = await root.workDir(clips);
  const r = await graphpac([...clips.flatMap((c) => ['-i', c]), '-o', out], { cwd: dir });
  t.is(r.code, 0, describe(r));
  if (r.code !== 0) return undefined;
  const res = join(dir, 'res');
  return { res, variants: await readVariants(res), files: [...(await listTree(res)).keys()] };
}

/**
 * The playlist of each representation lists its segments `<stem>1.m4s` … `<stem>N.m4s` in order
 * (stem: the init name without `init.mp4`), and the folder holds no other media segment.
 */
function segmentsInOrder(t: ExecutionContext, p: Packaged): Map<Variant, string[]> {
  const out = new Map<Variant, string[]>();
  for (const v of p.variants) {
    const listed = v.parsed.segments.map((s) => s.uri);
    const stem = v.init?.replace(/init\.mp4$/, '') ?? '?';
    t.deepEqual(
      listed,
      listed.map((_, k) => `${stem}${k + 1}.m4s`),
      `${v.name}: segments numbered 1…${listed.length} after ${v.init}`,
    );
    t.true(listed.length > 0, `${v.name} lists segments`);
    out.set(v, listed);
  }
  const all = naturalSort([...out.values()].flat());
  t.deepEqual(
    naturalSort(p.files.filter((f) => /\.m4s$/.test(f))),
    all,
    'segment files on disk = segments listed',
  );
  return out;
}

async function decodeAll(t: ExecutionContext, p: Packaged, source: (v: Variant) => string): Promise<void> {
  for (const [v, segments] of segmentsInOrder(t, p)) {
    if (!v.init) {
      t.fail(`${v.name}: no EXT-X-MAP`);
      continue;
    }
    const concat = join(p.res, `${v.name}.concat.mp4`);
    await concatRep(p.res, v.init, segments, concat);
    await checkAgainstSource(t, v.name, concat, join(mediaDir, source(v)), v.audio ? 'audio' : 'video');
  }
}

test.serial(
  'source1 + source2, 2 s segments, byte-range parts: both representations decode like the sources',
  async (t) => {
    const p = await packageClips(
      t,
      ['source1', 'source2'],
      'res/live.m3u8:segdur=2:cdur=0.5:profile=live:dmode=dynamic:llhls=br',
    );
    if (!p) return;
    t.is(p.variants.length, 2);
    t.deepEqual(
      p.variants.map((v) => v.parsed.segments.length),
      [15, 15],
    );
    await decodeAll(t, p, (v) => (v.audio ? 'source2' : 'source1'));
  },
);

test.serial(
  'source1 + source2, part files: decode, and the parts of each segment are the segment byte for byte',
  async (t) => {
    const p = await packageClips(
      t,
      ['source1', 'source2'],
      'res/live.m3u8:segdur=10:cdur=1:profile=live:dmode=dynamic:llhls=sf',
    );
    if (!p) return;
    await decodeAll(t, p, (v) => (v.audio ? 'source2' : 'source1'));
    const segments = p.files.filter((f) => /\.m4s$/.test(f));
    t.is(segments.length, 6);
    for (const seg of segments) {
      const parts = naturalSort(p.files.filter((f) => f.startsWith(`${seg}.`)));
      t.true(parts.length >= 10, `${seg}: ${parts.length} parts`);
      const whole = await readFile(join(p.res, seg));
      const joined = Buffer.concat(await Promise.all(parts.map((f) => readFile(join(p.res, f)))));
      t.is(joined.length, whole.length, `${seg}: parts total ${joined.length} B, segment ${whole.length} B`);
      t.true(joined.equals(whole), `${seg}: parts concatenated = segment`);
    }
  },
);

test.serial(
  'av_2997_faststart.mp4 (A/V in one file): two representations, each decodes like its track',
  async (t) => {
    const p = await packageClips(
      t,
      ['av_2997_faststart.mp4'],
      'res/live.m3u8:segdur=1:cdur=0.5:profile=live:dmode=static:llhls=br',
    );
    if (!p) return;
    t.deepEqual(
      p.variants.map((v) => v.audio),
      [false, true],
    );
    await decodeAll(t, p, () => 'av_2997_faststart.mp4');
  },
);

test.serial(
  'av_2997_faststart.mp4: $FS$ names each track like GPAC, `_trackN_` (file_dash_track1_init.mp4, file_dash_track1_1.m4s)',
  async (t) => {
    const p = await packageClips(
      t,
      ['av_2997_faststart.mp4'],
      'res/live.m3u8:segdur=1:cdur=0.5:profile=live:dmode=static:llhls=br',
    );
    if (!p) return;
    // GPAC (dasher.c) sets $FS$ to "_track%d_" (the track ID) when several streams come from one
    // source, so the number never runs into the track ID: track 1 segment 11 ≠ track 11 segment 1.
    t.deepEqual(
      p.variants.map((v) => v.init),
      ['av_2997_faststart_dash_track1_init.mp4', 'av_2997_faststart_dash_track2_init.mp4'],
    );
    t.deepEqual(
      p.variants.map((v) => v.parsed.segments[0]?.uri),
      ['av_2997_faststart_dash_track1_1.m4s', 'av_2997_faststart_dash_track2_1.m4s'],
    );
  },
);

test.serial('h264_bframes_moovend.mp4 (B-frames, moov at the end): decodes like the source', async (t) => {
  const p = await packageClips(
    t,
    ['h264_bframes_moovend.mp4'],
    'res/live.m3u8:segdur=1:cdur=0.5:profile=live:dmode=static:llhls=br',
  );
  if (!p) return;
  t.is(p.variants.length, 1);
  // Its GOP is 2 s: segments start at the sync samples at 0 and 2 s, whatever segdur=1 asks.
  t.is(p.variants[0]?.parsed.segments.length, 2);
  await decodeAll(t, p, () => 'h264_bframes_moovend.mp4');
});

test.serial('hevc.mp4: decodes like the source', async (t) => {
  const p = await packageClips(
    t,
    ['hevc.mp4'],
    'res/live.m3u8:segdur=1:cdur=0.5:profile=live:dmode=static:llhls=br',
  );
  if (!p) return;
  t.is(p.variants.length, 1);
  t.is(p.variants[0]?.parsed.segments.length, 2);
  await decodeAll(t, p, () => 'hevc.mp4');
});
