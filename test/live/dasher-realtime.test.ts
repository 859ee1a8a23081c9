/**
 * One real-time run of GPAC's typical LL-HLS line, kept short with -runfor:
 *   graphpac -i source1 -i source2 reframer:rt=on -o res/live.m3u8:segdur=2:cdur=0.5:profile=live:dmode=dynamic:llhls=br -runfor=4000
 * It takes about 4 s of wall time, ends with #EXT-X-ENDLIST, and its playlists pass the strict
 * LL-HLS check both at the end and in snapshots read while the run is going on (each snapshot: the
 * two variants read twice, 25 ms apart, and kept only when both reads agree, so the pair is one
 * instant; its byte ranges are checked against the files right away).
 */
import test from 'ava';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkSequence, parsePlaylist } from '../helpers/llhls-check.js';
import { describe, startGraphpac } from '../dasher/helpers/cli.js';
import type { CliResult } from '../dasher/helpers/cli.js';
import { listedFilesProblems, readText, reportCheck, show, strictCheck } from '../dasher/helpers/output.js';
import { refDir, WorkRoot } from '../dasher/helpers/workdir.js';

const root = new WorkRoot('realtime');
test.after.always(() => root.cleanup());

const VARIANTS = ['live_1.m3u8', 'live_2.m3u8'] as const;

interface Snapshot {
  at: number;
  texts: Record<string, string>;
  /** Problems found when the snapshot was taken (strict check, files, reports). */
  problems: string[];
}

interface RtRun {
  result: CliResult;
  res: string;
  snapshots: Snapshot[];
}

async function readPair(res: string): Promise<Record<string, string> | undefined> {
  const out: Record<string, string> = {};
  for (const v of VARIANTS) {
    const text = await readText(join(res, v));
    if (text === undefined) return undefined;
    out[v] = text;
  }
  return out;
}

let rtRun: Promise<RtRun> | undefined;
function realtimeRun(): Promise<RtRun> {
  rtRun ??= (async () => {
    const dir = await root.workDir(['source1', 'source2']);
    const res = join(dir, 'res');
    const args = [
      '-i',
      'source1',
      '-i',
      'source2',
      'reframer:rt=on',
      '-o',
      'res/live.m3u8:segdur=2:cdur=0.5:profile=live:dmode=dynamic:llhls=br',
      '-runfor=4000',
    ];
    const t0 = performance.now();
    const running = startGraphpac(args, { cwd: dir, timeoutMs: 30_000 });
    let exited = false;
    void running.done.then(() => (exited = true));
    const snapshots: Snapshot[] = [];
    let last = '';
    while (!exited) {
      await sleep(40);
      const a = await readPair(res);
      await sleep(25);
      const b = await readPair(res);
      if (exited || !a || !b || VARIANTS.some((v) => a[v] !== b[v])) continue;
      const key = VARIANTS.map((v) => a[v]).join('\0');
      if (key === last) continue;
      last = key;
      const problems: string[] = [];
      for (const v of VARIANTS) {
        problems.push(...(await strictCheck(res, a[v]!)).map((p) => `${v}: ${p}`));
        problems.push(...(await listedFilesProblems(res, v, a[v]!)));
      }
      problems.push(...reportCheck(a));
      snapshots.push({ at: Math.round(performance.now() - t0), texts: a, problems });
    }
    return { result: await running.done, res, snapshots };
  })();
  return rtRun;
}

test.serial('reframer:rt=on … -runfor=4000 runs in real time (≈ 4 s) and exits cleanly', async (t) => {
  const { result } = await realtimeRun();
  t.is(result.code, 0, describe(result));
  // 4 s of media at real time plus start-up and the final flush; loose bounds for a loaded machine.
  t.true(result.ms >= 3_500, `finished in ${Math.round(result.ms)} ms: faster than real time`);
  t.true(result.ms < 12_000, `finished in ${Math.round(result.ms)} ms`);
});

test.serial('the final playlists end with EXT-X-ENDLIST and pass the strict LL-HLS check', async (t) => {
  const { res } = await realtimeRun();
  const all: Record<string, string> = {};
  for (const v of VARIANTS) {
    const text = await readFile(join(res, v), 'utf8');
    all[v] = text;
    t.true(text.trimEnd().endsWith('#EXT-X-ENDLIST'), `${v} ends with ENDLIST`);
    const pl = parsePlaylist(text);
    // 4 s of media: two complete 2 s segments, and what the flush closed.
    t.true(pl.segments.length >= 2 && pl.segments.length <= 3, `${v}: ${pl.segments.length} segments`);
    t.deepEqual(await strictCheck(res, text), [], `${v}: strict check`);
    t.deepEqual(await listedFilesProblems(res, v, text), [], `${v}: files`);
  }
  t.deepEqual(reportCheck(all), []);
});

test.serial('snapshots read during the run (≥ 2) each pass the strict LL-HLS check', async (t) => {
  const { snapshots } = await realtimeRun();
  const live = snapshots.filter((s) => !parsePlaylist(s.texts['live_1.m3u8']!).endlist);
  t.true(live.length >= 2, `${live.length} live snapshots`);
  const problems = live.flatMap((s) => s.problems.map((p) => `${s.at} ms: ${p}`));
  const first = live.find((s) => s.problems.length);
  t.deepEqual(
    problems,
    [],
    `${problems.length} problems in ${live.length} snapshots; the first failing one:\n${first ? VARIANTS.map((v) => first.texts[v]).join('\n') : ''}`,
  );
  for (const v of VARIANTS)
    for (let k = 1; k < snapshots.length; k++) {
      const [a, b] = [snapshots[k - 1]!, snapshots[k]!];
      t.deepEqual(show(checkSequence(a.texts[v]!, b.texts[v]!)), [], `${v}: ${a.at} ms → ${b.at} ms`);
    }
  // A snapshot is a live playlist: parts and a preload hint, and (with two renditions) a report.
  const withParts = live.filter((s) => parsePlaylist(s.texts['live_1.m3u8']!).openParts.length > 0);
  t.true(withParts.length >= 1, 'a snapshot lists parts of the open segment');
});

test.serial(
  'the live parts are GPAC’s: same part durations and INDEPENDENT flags as its 4 s snapshot',
  async (t) => {
    const { snapshots, res } = await realtimeRun();
    for (const v of VARIANTS) {
      const gpac = parsePlaylist(
        await readFile(join(refDir, 'llhls_br_ll2s_rt/snapshots', `${v}@004098ms`), 'utf8'),
      );
      const ours = parsePlaylist(await readFile(join(res, v), 'utf8'));
      const audio = v === 'live_2.m3u8';
      t.is(gpac.segments.length, 2);
      for (const [k, gs] of gpac.segments.entries()) {
        const os = ours.segments[k];
        t.is(os?.uri, gs.uri, `${v}: segment ${k + 1}`);
        t.is(os?.parts.length, gs.parts.length, `${v}: parts of ${gs.uri}`);
        if (audio) continue; // GPAC's audio parts follow another grid (0.512 ×3 + 0.469 vs ours 0.512/0.491).
        t.deepEqual(
          os?.parts.map((p) => [p.duration, p.independent]),
          gs.parts.map((p) => [p.duration, p.independent]),
          `${v}: parts of ${gs.uri}`,
        );
      }
    }
    t.true(snapshots.length > 0);
  },
);
