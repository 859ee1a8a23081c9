// Our writers against GPAC's own files, line by line: the ONLY differences allowed are the deliberate ones
// listed here (each also in docs/MANIFESTS.md), and every listed difference must actually show up.

import { readFileSync } from 'node:fs';
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { writeMaster, writeMpd, writeVariant } from '../../src/manifest/index.js';
import * as fx from './fixtures.js';
import { type Hunk, diffLines } from './line-diff.js';

const ref = (path: string): string => readFileSync(new URL(`./gpac-ref/${path}`, import.meta.url), 'utf8');

/** One intended difference: a changed line pair (GPAC → ours) or, with `gpac` null, a line we add. */
interface Intended {
  why: string;
  gpac: RegExp | null;
  ours: RegExp;
  /** Extra condition on the pair (e.g. "same line except this attribute"). */
  same?: (gpac: string, ours: string) => boolean;
}

const GENERATOR: Intended = {
  why: 'generator comment names graphpac and carries no wall-clock time unless the model gives one',
  gpac: /^<!-- MPD file Generated with GPAC version .* at .* -->$/,
  ours: /^<!-- MPD file Generated with graphpac version 0\.1\.0 -->$/,
};
const MPD_CHANNELS: Intended = {
  why: 'AudioChannelConfiguration carries the real channel count (mono source: 1, GPAC says 2)',
  gpac: /AudioChannelConfiguration .* value="2"\/>$/,
  ours: /AudioChannelConfiguration .* value="1"\/>$/,
  same: (g, o) => g.replace('value="2"', 'value="1"') === o,
};
const HLS_CHANNELS: Intended = {
  why: 'EXT-X-MEDIA CHANNELS is the real channel count',
  gpac: /^#EXT-X-MEDIA:.*,CHANNELS="2"$/,
  ours: /^#EXT-X-MEDIA:.*,CHANNELS="1"$/,
  same: (g, o) => g.replace('CHANNELS="2"', 'CHANNELS="1"') === o,
};
const STREAM_INF: Intended = {
  why: 'STREAM-INF adds AVERAGE-BANDWIDTH and writes FRAME-RATE with three decimals (25 → 25.000)',
  gpac: /^#EXT-X-STREAM-INF:/,
  ours: /^#EXT-X-STREAM-INF:/,
  same: (g, o) =>
    g
      .replace(/BANDWIDTH=(\d+),/, 'BANDWIDTH=$1,AVERAGE-BANDWIDTH=$1,')
      .replace(/FRAME-RATE=25,/, 'FRAME-RATE=25.000,') === o,
};
const HOLD_BACK: Intended = {
  why: 'SERVER-CONTROL adds HOLD-BACK (3 × TD); PART-HOLD-BACK unchanged',
  gpac: /^#EXT-X-SERVER-CONTROL:PART-HOLD-BACK=[\d.]+$/,
  ours: /^#EXT-X-SERVER-CONTROL:HOLD-BACK=\d+,PART-HOLD-BACK=[\d.]+$/,
  same: (g, o) => o.endsWith(g.slice(g.indexOf('PART-HOLD-BACK'))),
};
const HOLD_BACK_FIXED: Intended = {
  why: 'SERVER-CONTROL adds HOLD-BACK; PART-HOLD-BACK comes from the fixed part targets of all renditions (GPAC: 3 before the first audio part, 3.009 after)',
  gpac: /^#EXT-X-SERVER-CONTROL:PART-HOLD-BACK=3$/,
  ours: /^#EXT-X-SERVER-CONTROL:HOLD-BACK=30,PART-HOLD-BACK=3\.009$/,
};
const PART_TARGET_FIXED: Intended = {
  why: 'PART-TARGET is the fixed value from the model, not the largest part seen so far',
  gpac: /^#EXT-X-PART-INF:PART-TARGET=1$/,
  ours: /^#EXT-X-PART-INF:PART-TARGET=1\.003$/,
};
const PDT: Intended = {
  why: 'EXT-X-PROGRAM-DATE-TIME before every segment of a live playlist (GPAC: never without hlsc)',
  gpac: null,
  ours: /^#EXT-X-PROGRAM-DATE-TIME:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/,
};
const LAST_PART: Intended = {
  why: 'RENDITION-REPORT LAST-PART is the 0-based index of the last part (GPAC writes the count)',
  gpac: /^#EXT-X-RENDITION-REPORT:.*,LAST-PART=\d+$/,
  ours: /^#EXT-X-RENDITION-REPORT:.*,LAST-PART=\d+$/,
  same: (g, o) => g.replace(/LAST-PART=(\d+)$/, (_, n: string) => `LAST-PART=${Number(n) - 1}`) === o,
};
const HINT_FIRST_PART: Intended = {
  why: 'PRELOAD-HINT names part .0 of a live segment without parts (GPAC hints .1, never produced first)',
  gpac: /^#EXT-X-PRELOAD-HINT:TYPE=PART,URI=".*\.m4s\.1"$/,
  ours: /^#EXT-X-PRELOAD-HINT:TYPE=PART,URI=".*\.m4s\.0"$/,
  same: (g, o) => g.replace(/\.1"$/, '.0"') === o,
};

function explain(h: Hunk): string {
  return `at GPAC line ${h.at}:\n${h.removed.map((l) => `- ${l}`).join('\n')}\n${h.added.map((l) => `+ ${l}`).join('\n')}`;
}

/** Problems: differences of `ours` from `gpac` that are not instances of `intended`, and unused `intended`. */
function unintended(gpac: string, ours: string, intended: Intended[]): string[] {
  const used = new Set<Intended>();
  const problems: string[] = [];
  const matchPair = (g: string | null, o: string): boolean => {
    const rule = intended.find(
      (r) =>
        (r.gpac === null ? g === null : g !== null && r.gpac.test(g)) &&
        r.ours.test(o) &&
        (!r.same || (g !== null && r.same(g, o))),
    );
    if (rule) used.add(rule);
    return rule !== undefined;
  };
  for (const h of diffLines(gpac, ours)) {
    let ok: boolean;
    if (h.removed.length === 0) ok = h.added.every((o) => matchPair(null, o));
    else if (h.removed.length === h.added.length)
      ok = h.removed.every((g, k) => matchPair(g, h.added[k] ?? ''));
    else ok = false;
    if (!ok) problems.push(`unintended difference ${explain(h)}`);
  }
  for (const rule of intended)
    if (!used.has(rule)) problems.push(`intended difference not seen: ${rule.why}`);
  return problems;
}

function onlyIntended(t: ExecutionContext, gpac: string, ours: string, intended: Intended[]): void {
  t.deepEqual(unintended(gpac, ours, intended), []);
}

test('fast_static_dual_mpd: MPD differs from GPAC only by generator comment and channel count', (t) => {
  onlyIntended(t, ref('fast_static_dual_mpd/live.mpd'), writeMpd(fx.fastStaticDual()), [
    GENERATOR,
    MPD_CHANNELS,
  ]);
});

test('fast_static_dual_mpd: master differs only by STREAM-INF additions and CHANNELS', (t) => {
  onlyIntended(t, ref('fast_static_dual_mpd/live.m3u8'), writeMaster(fx.fastStaticDual()), [
    STREAM_INF,
    HLS_CHANNELS,
  ]);
});

test('fast_static_dual_mpd: variants differ only by HOLD-BACK', (t) => {
  const model = fx.fastStaticDual();
  onlyIntended(t, ref('fast_static_dual_mpd/live_1.m3u8'), writeVariant(model, '1'), [HOLD_BACK]);
  onlyIntended(t, ref('fast_static_dual_mpd/live_2.m3u8'), writeVariant(model, '2'), [HOLD_BACK]);
});

test('server_dual_br: dynamic ATO MPD differs only by generator comment and channel count', (t) => {
  onlyIntended(t, ref('server_dual_br/live.mpd@004093ms'), writeMpd(fx.serverDualAsto()), [
    GENERATOR,
    MPD_CHANNELS,
  ]);
});

test('llhls_br_ll2s_rt @7645ms: HOLD-BACK, per-segment PDT and 0-based LAST-PART only', (t) => {
  const model = fx.ll2sLive();
  onlyIntended(t, ref('llhls_br_ll2s_rt/live_1.m3u8@007645ms'), writeVariant(model, '1'), [
    HOLD_BACK,
    PDT,
    LAST_PART,
  ]);
  onlyIntended(t, ref('llhls_br_ll2s_rt/live_2.m3u8@007645ms'), writeVariant(model, '2'), [
    HOLD_BACK,
    PDT,
    LAST_PART,
  ]);
});

test('llhls_sf_rt @12069ms: the same corrections in part-file mode', (t) => {
  onlyIntended(t, ref('llhls_sf_rt/live_1.m3u8@012069ms'), writeVariant(fx.sfLive(), '1'), [
    HOLD_BACK,
    PDT,
    LAST_PART,
  ]);
});

test('llhls_sf_rt @1039ms: hint .0, 0-based report, fixed part targets', (t) => {
  const model = fx.sfStart();
  onlyIntended(t, ref('llhls_sf_rt/live_1.m3u8@001039ms'), writeVariant(model, '1'), [HOLD_BACK_FIXED, PDT]);
  onlyIntended(t, ref('llhls_sf_rt/live_2.m3u8@001039ms'), writeVariant(model, '2'), [
    HOLD_BACK_FIXED,
    PART_TARGET_FIXED,
    HINT_FIRST_PART,
    LAST_PART,
  ]);
});

test('the diff helper reports changed, added and removed lines', (t) => {
  t.deepEqual(diffLines('a\nb\nc', 'a\nB\nc\nd'), [
    { at: 2, removed: ['b'], added: ['B'] },
    { at: 4, removed: [], added: ['d'] },
  ]);
  t.deepEqual(diffLines('a\nb', 'a'), [{ at: 2, removed: ['b'], added: [] }]);
  t.deepEqual(diffLines('same', 'same'), []);
});

test('the comparison rejects an unintended change and reports an intended one that is missing', (t) => {
  const gpac = ref('llhls_br_ll2s_rt/live_1.m3u8@007645ms');
  const ours = writeVariant(fx.ll2sLive(), '1').replace('BYTERANGE="33872@29196"', 'BYTERANGE="33873@29196"');
  const problems = unintended(gpac, ours, [HOLD_BACK, PDT, LAST_PART, HINT_FIRST_PART]);
  t.is(problems.length, 2);
  t.regex(problems[0] ?? '', /unintended difference[\s\S]*33873@29196/);
  t.regex(problems[1] ?? '', /not seen: PRELOAD-HINT names part \.0/);
});
