/**
 * GPAC's LL-HLS guide lines, pasted unchanged after `graphpac`, run on the committed 30 s clips with
 * no reframer: each must finish far faster than real time and give GPAC's file set (names and
 * counts from GPAC's own listing in gpac-ref/, segment sizes matching frame for frame) and GPAC's
 * playlists / MPD except the deliberate differences of docs/MANIFESTS.md, asserted one by one.
 */
import test from 'ava';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, graphpac } from './helpers/cli.js';
import { compareMaster, compareMpd, compareVariant } from './helpers/compare.js';
import { listTree, naturalSort, refFile, refListing, WorkRoot } from './helpers/workdir.js';

const root = new WorkRoot('gpac-lines');
test.after.always(() => root.cleanup());

/** 30 s of media with no reframer: a generous bound for a loaded 2-core machine (GPAC: 60 ms). */
const FAST_LIMIT_MS = 15_000;

interface Line {
  title: string;
  /** The -o argument, as in GPAC's guide. */
  out: string;
  /** Reference run whose listing gives the file set. */
  listing: string;
  /** Reference run whose final playlists / MPD we compare with. */
  manifests: string;
  dynamic: boolean;
  td: number;
  /** Files we write that GPAC does not, each explained. */
  extra?: string[];
}

// GPAC's audio ends with the video (30.0 s); we keep the source's last AAC frames (30.016 s), which
// in sf mode make one more, one-frame part file at the end of the last audio segment.
const UNTRIMMED_AUDIO_PART = 'source2_dash3.m4s.10';

const LINES: Line[] = [
  {
    title: 'static, byte ranges',
    out: 'res/live.m3u8:segdur=10:cdur=1:profile=live:dmode=static:llhls=br',
    listing: 'fast_static_br',
    manifests: 'fast_static_br',
    dynamic: false,
    td: 10,
  },
  {
    // GPAC writes the same files whatever dmode is (compare fast_static_br with fast_dynamic_br), so
    // the dynamic sf listing is the file set of static sf too; static playlists carry no parts.
    title: 'static, part files',
    out: 'res/live.m3u8:segdur=10:cdur=1:profile=live:dmode=static:llhls=sf',
    listing: 'fast_dynamic_sf',
    manifests: 'fast_static_br',
    dynamic: false,
    td: 10,
    extra: [UNTRIMMED_AUDIO_PART],
  },
  {
    title: 'MPD + HLS (dual), static',
    out: 'res/live.mpd:dual:segdur=10:cdur=1:profile=live:dmode=static:llhls=br',
    listing: 'fast_static_dual_mpd',
    manifests: 'fast_static_dual_mpd',
    dynamic: false,
    td: 10,
  },
  {
    title: 'dynamic, byte ranges',
    out: 'res/live.m3u8:segdur=10:cdur=1:profile=live:dmode=dynamic:llhls=br',
    listing: 'fast_dynamic_br',
    manifests: 'fast_dynamic_br',
    dynamic: true,
    td: 10,
  },
  {
    title: 'dynamic, part files',
    out: 'res/live.m3u8:segdur=10:cdur=1:profile=live:dmode=dynamic:llhls=sf',
    listing: 'fast_dynamic_sf',
    manifests: 'fast_dynamic_sf',
    dynamic: true,
    td: 10,
    extra: [UNTRIMMED_AUDIO_PART],
  },
  {
    title: 'static, 2 s segments, 0.5 s parts',
    out: 'res/live.m3u8:segdur=2:cdur=0.5:profile=live:dmode=static:llhls=br',
    listing: 'fast_static_ll2s_br',
    manifests: 'fast_static_ll2s_br',
    dynamic: false,
    td: 2,
  },
  {
    title: 'dynamic, 2 s segments, 0.5 s parts',
    out: 'res/live.m3u8:segdur=2:cdur=0.5:profile=live:dmode=dynamic:llhls=br',
    listing: 'fast_dynamic_ll2s_br',
    manifests: 'fast_dynamic_ll2s_br',
    dynamic: true,
    td: 2,
  },
];

const isVideo = (name: string): boolean => name.startsWith('source1_');
const isMedia = (name: string): boolean => /\.m4s(\.\d+)?$/.test(name);

for (const line of LINES) {
  test.serial(`-i source1 -i source2 -o ${line.out} (${line.title})`, async (t) => {
    const dir = await root.workDir(['source1', 'source2']);
    const r = await graphpac(['-i', 'source1', '-i', 'source2', '-o', line.out], {
      cwd: dir,
      timeoutMs: 60_000,
    });
    t.is(r.code, 0, describe(r));
    t.true(r.ms < FAST_LIMIT_MS, `30 s of media took ${Math.round(r.ms)} ms without a reframer`);
    if (r.code !== 0) return;
    const res = join(dir, 'res');

    // File set: GPAC's names, plus only the extras explained above.
    const ours = await listTree(res);
    const gpac = await refListing(line.listing);
    t.deepEqual(naturalSort(ours.keys()), naturalSort([...gpac.keys(), ...(line.extra ?? [])]), 'file names');
    const count = (names: Iterable<string>, re: RegExp): number =>
      [...names].filter((n) => re.test(n)).length;
    for (const [what, re] of [
      ['video segments', /^source1_dash\d+\.m4s$/],
      ['audio segments', /^source2_dash\d+\.m4s$/],
      ['video part files', /^source1_dash\d+\.m4s\.\d+$/],
    ] as const)
      t.is(count(ours.keys(), re), count(gpac.keys(), re), what);

    // Same media in each segment / part: video within 0.1 % of GPAC's size (one frame is more),
    // audio within 5 % (boundaries may move by an AAC frame or two); inits differ in layout.
    for (const [name, size] of gpac) {
      const mine = ours.get(name)?.size;
      if (mine === undefined || !isMedia(name)) continue;
      const tol = (isVideo(name) ? 0.001 : 0.05) * size;
      t.true(Math.abs(mine - size) <= tol, `${name}: ${mine} bytes, GPAC ${size}`);
    }

    // Playlists (and MPD): GPAC's, but for the deliberate differences.
    const text = (name: string): Promise<string> => readFile(join(res, name), 'utf8');
    compareMaster(t, 'live.m3u8', await text('live.m3u8'), await refFile(line.manifests, 'live.m3u8'));
    for (const [name, audio] of [
      ['live_1.m3u8', false],
      ['live_2.m3u8', true],
    ] as const)
      compareVariant(t, name, await text(name), await refFile(line.manifests, name), {
        audio,
        dynamic: line.dynamic,
        targetDuration: line.td,
      });
    if (line.out.includes('.mpd'))
      compareMpd(t, 'live.mpd', await text('live.mpd'), await refFile(line.manifests, 'live.mpd'));
  });
}

test.serial(
  'llhls=sf part files are numbered from 0, as GPAC writes them (not .1 as its help says)',
  async (t) => {
    const dir = await root.workDir(['source1', 'source2']);
    const r = await graphpac(
      [
        '-i',
        'source1',
        '-i',
        'source2',
        '-o',
        'res/live.m3u8:segdur=10:cdur=1:profile=live:dmode=dynamic:llhls=sf',
      ],
      { cwd: dir },
    );
    t.is(r.code, 0, describe(r));
    const files = [...(await listTree(join(dir, 'res'))).keys()];
    for (const seg of files.filter((f) => /\.m4s$/.test(f))) {
      const parts = naturalSort(files.filter((f) => f.startsWith(`${seg}.`)));
      t.true(parts.length >= 10, `${seg}: ${parts.length} part files`);
      t.deepEqual(
        parts,
        parts.map((_, k) => `${seg}.${k}`),
        `${seg}: parts .0 … .${parts.length - 1} with no gap`,
      );
    }
    const playlist = await readFile(join(dir, 'res/live_1.m3u8'), 'utf8');
    t.regex(playlist, /^#EXT-X-PART:DURATION=1,URI="source1_dash1\.m4s\.0",INDEPENDENT=YES$/m);
    t.notRegex(playlist, /BYTERANGE/);
  },
);
