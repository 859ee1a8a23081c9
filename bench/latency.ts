/**
 * Latency with the players people embed, unconfigured: hls.js and dash.js from node_modules in headless
 * Chromium, through the origin's watch page in its `config=stock` mode (no player option at all), against
 * the seed's dual line in real time:
 *
 *   graphpac -i V -i A reframer:rt=on -o http://127.0.0.1:0/live.mpd:gpac:dual:segdur=2:cdur=C:profile=live:
 *            dmode=dynamic:llhls=br:asto=A:rdirs=…
 *
 * at cdur=0.5 (the seed's line: asto=1.5, 1 s GOP) and cdur=0.2 (the sub-second preset: asto=1.8, 0.4 s
 * GOP), with V 640x360 25 fps and A mono AAC, made with ffmpeg into
 * bench/media/ when missing. Each run: a fresh origin, the player joins JOIN_S seconds after the origin
 * answers, plays `--seconds` (60) and is measured every 250 ms (test/helpers/latency-run.ts):
 *
 * - latency: the wall clock minus the instant the frame on screen was live (hls.js: playingDate, from
 *   EXT-X-PROGRAM-DATE-TIME; dash.js: timeAsUTC()), median and p90 over the run after start-up; the
 *   player's own figure (hls.latency, getCurrentLiveLatency()) beside it;
 * - stalls: the position not moving for ≥ 0.15 s while playing (count, longest, total);
 * - start-up: page start to the position first moving.
 *
 *   node --import tsx bench/latency.ts [--seconds 60] [--runs 1] [--only hls,dash] [--cdur 0.5,0.2]
 *                                      [--hls-hold-back 2] [--join 4] [--dump DIR] [--logs]
 *                                      [--cli dist|compiled|tsx] [--no-write]
 *
 * --hls-hold-back F,…: hls.js also plays each preset with `ll_part_hb` = F × PART-TARGET (default 2: the least
 * RFC 8216bis allows; graphpac writes 3 × unless asked), the one setting that moves where stock hls.js starts;
 * `none` for no such run.
 *
 * --dump DIR: each run's samples, stalls, the browser's request timeline and (with --logs) the players'
 * debug logs as JSON, for docs/LATENCY.md's analyses. The machine's load (/proc/loadavg) is recorded before
 * and after each run: the machine is shared, so figures are noisy and are reported with it.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  COMPILED_NOTE,
  cliByName,
  codeVersion,
  machine,
  markers,
  median,
  root,
  sleep,
  writeSection,
  type Cli,
} from './lib.js';
import { get, parsePlaylist, startGraphpac } from './live.js';
import {
  describeSummary,
  makeClips,
  summarize,
  watchLive,
  type LatencySummary,
  type PlayerKind,
  type WatchResult,
} from '../test/helpers/latency-run.js';

const SCRIPT = 'bench/latency.ts';
const OUT = 'bench/out/latency';
/** Seconds of clip: the origin runs a join delay + one player's run at most. */
const CLIP_S = 200;

interface Preset {
  cdur: number;
  gopFrames: number;
  video: string;
  audio: string;
  opts: string;
  /** PART-TARGET the dasher derives (s): the longest part the grid makes, video at 25 fps or AAC at 48 kHz. */
  partTarget: number;
}

/**
 * cdur=0.5: the seed's line (1 s GOP, asto=1.5). Below: the sub-second preset of docs/LATENCY.md (0.4 s GOP,
 * asto = segdur − cdur, so that a segment is announced as soon as its first chunk is complete).
 */
/** A part of `cdur` cut on a grid of `frame` s: whole frames reaching cdur, rounded up to the ms. */
function partOf(cdur: number, frame: number): number {
  return Math.ceil(Math.ceil(cdur / frame - 1e-9) * frame * 1000 - 1e-6) / 1000;
}

function preset(cdur: number): Preset {
  const seed = cdur >= 0.5;
  const gopFrames = seed ? 25 : 10;
  const asto = seed ? 1.5 : Math.round((2 - cdur) * 1000) / 1000;
  return {
    cdur,
    gopFrames,
    video: `bench/media/lat_v_gop${gopFrames}.mp4`,
    audio: 'bench/media/lat_a.mp4',
    opts: `dual:segdur=2:cdur=${cdur}:profile=live:dmode=dynamic:llhls=br:asto=${asto}`,
    partTarget: Math.max(partOf(cdur, 1 / 25), partOf(cdur, 1024 / 48000)),
  };
}

interface RunRecord {
  cdur: number;
  player: PlayerKind;
  /** PART-HOLD-BACK in PART-TARGETs (3: the default, no `ll_part_hb`). */
  holdBack: number;
  summary: LatencySummary;
  loadBefore: number;
  loadAfter: number;
  errors: string[];
}

function loadAvg(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}

async function oneRun(
  cli: Cli,
  p: Preset,
  player: PlayerKind,
  o: { seconds: number; joinS: number; logs: boolean; dump?: string; n: number; holdBack: number },
): Promise<RunRecord> {
  const phb = o.holdBack === 3 ? '' : `:ll_part_hb=${Math.round(o.holdBack * p.partTarget * 1000) / 1000}`;
  const dir = `${OUT}/origin`;
  rmSync(join(root, dir), { recursive: true, force: true });
  const args = [
    '-i',
    p.video,
    '-i',
    p.audio,
    'reframer:rt=on',
    '-o',
    `http://127.0.0.1:0/live.mpd:gpac:${p.opts}${phb}:rdirs=${dir}`,
  ];
  const loadBefore = loadAvg();
  const g = await startGraphpac(cli, args, { server: true, timeoutMs: 90_000 });
  try {
    const base = `http://127.0.0.1:${g.port}`;
    // The player joins JOIN_S after the first playlist answers (a live stream already running).
    for (let i = 0; i < 200; i++) {
      const r = await get(`${base}/live_1.m3u8`).catch(() => undefined);
      if (r?.status === 200 && parsePlaylist(r.body.toString()).parts.length) break;
      await sleep(50);
    }
    await sleep(o.joinS * 1000);
    const r: WatchResult = await watchLive({
      base,
      player,
      seconds: o.seconds,
      timeline: o.dump !== undefined,
      logs: o.logs,
    });
    const tag = o.holdBack === 3 ? '' : `-phb${o.holdBack}`;
    if (o.dump)
      writeFileSync(join(o.dump, `${player}-cdur${p.cdur}${tag}-run${o.n}.json`), JSON.stringify(r));
    const summary = summarize(r);
    const holdBack = o.holdBack;
    return { cdur: p.cdur, player, holdBack, summary, loadBefore, loadAfter: loadAvg(), errors: r.errors };
  } finally {
    await g.stop();
  }
}

const f2 = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : '–');

function section(cli: Cli, runs: RunRecord[], o: { seconds: number; joinS: number }): string {
  const { start, end } = markers(SCRIPT);
  const lines = [
    start,
    '## Latency with stock players (bench/latency.ts)',
    '',
    `hls.js and dash.js exactly as a site embeds them (no option at all), in headless Chromium, against the seed's`,
    `dual line in real time (cdur=0.5: asto=1.5, 1 s GOP) and the sub-second preset (cdur=0.2: asto=1.8, 0.4 s`,
    `GOP; segdur=2 both); a fresh origin per run, the player joining ${o.joinS} s after the origin answers and`,
    `playing ${o.seconds} s. Latency = wall clock − the instant the frame on screen was live (capture to display);`,
    `median and p90 over each run after its start-up (several runs: the median of the runs' figures, then`,
    `[min–max]). Stalls: the position not moving for ≥ 0.15 s while playing. Start-up: page start to the position`,
    `first moving. The player's own latency figure is given beside ours. hls.js never catches up: its latency is`,
    `how far behind live it chose to start (its target PART-HOLD-BACK + the first playlist's staleness) plus`,
    `what its own start-up added (last column). Why the figures are what they are: \`docs/LATENCY.md\`.`,
    `PART-HOLD-BACK is 3 × PART-TARGET unless the row says \`ll_part_hb\` (2 ×: the least RFC 8216bis allows, only`,
    `hls.js uses it: dash.js follows the MPD's ServiceDescription).`,
    '',
    '| cdur | player | PART-HOLD-BACK (s) | runs | latency median (s) | p90 (s) | player’s own (s) | stalls (count / longest / total s) | start-up (s) | load avg (before → after) | hls.js: behind when chosen / start-up added (s) |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  const key = (r: RunRecord): string => `${r.cdur}|${r.player}|${r.holdBack}`;
  const keys = [...new Set(runs.map(key))];
  for (const k of keys) {
    const rs = runs.filter((r) => key(r) === k);
    const [cdur, player, factor] = k.split('|');
    const pt = preset(Number(cdur)).partTarget;
    const phb = `${f2(Number(factor) * pt)} (${factor} ×${factor === '3' ? '' : ', `ll_part_hb`'})`;
    const rng = (xs: number[]): string =>
      xs.length > 1
        ? `**${f2(median(xs))}** [${f2(Math.min(...xs))}–${f2(Math.max(...xs))}]`
        : `**${f2(xs[0] ?? NaN)}**`;
    const s = rs.map((r) => r.summary);
    lines.push(
      `| ${cdur} | ${player === 'hls' ? 'hls.js 1.7.4' : 'dash.js 5.2.1'} | ${player === 'hls' ? phb : '–'} | ${rs.length} | ${rng(s.map((x) => x.median))} | ${rng(s.map((x) => x.p90))} | ${f2(median(s.map((x) => x.playerMedian)))} | ${s.map((x) => `${x.stallCount} / ${f2(x.longestStall)} / ${f2(x.stalledTotal)}`).join('; ')} | ${s.map((x) => f2(x.startup ?? NaN)).join(', ')} | ${rs.map((r) => `${r.loadBefore.toFixed(1)} → ${r.loadAfter.toFixed(1)}`).join('; ')} | ${player === 'hls' ? s.map((x) => `${f2(x.chosen ?? NaN)} / ${f2(x.startDelay ?? NaN)}`).join('; ') : '–'} |`,
    );
  }
  const errs = runs.flatMap((r) => r.errors);
  lines.push(
    '',
    `Goal (issue 14, the default PART-HOLD-BACK): median ≤ 1.6 s at cdur=0.5 and < 1.0 s at cdur=0.2, 0 stalls. Player errors: ${errs.length ? errs.join('; ') : 'none'}.`,
    '',
    `Machine: ${machine().text}; the load averages above are the whole machine's (2 CPUs: other work on it`,
    `slows the players' start-up, docs/LATENCY.md). Code: ${codeVersion()}. CLI: ${cli.name === 'compiled' ? `\`${cli.shown}\` (${COMPILED_NOTE})` : `\`${cli.shown}\``}.`,
    `Reproduce: \`node --import tsx bench/latency.ts --seconds ${o.seconds}\`.`,
    end,
  );
  return lines.join('\n');
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  let seconds = 60;
  let runsPer = 1;
  let joinS = 4;
  let write = true;
  let logs = false;
  let dump: string | undefined;
  let cliName = 'compiled';
  let players: PlayerKind[] = ['hls', 'dash'];
  let cdurs = [0.5, 0.2];
  let hlsHoldBacks = [2];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--seconds') seconds = Number(argv[++i]);
    else if (a === '--quick') seconds = 20;
    else if (a === '--runs') runsPer = Number(argv[++i]);
    else if (a === '--join') joinS = Number(argv[++i]);
    else if (a === '--no-write') write = false;
    else if (a === '--logs') logs = true;
    else if (a === '--dump') dump = argv[++i];
    else if (a === '--cli') cliName = argv[++i] ?? cliName;
    else if (a === '--only') {
      players = (argv[++i] ?? '').split(',').filter((x): x is PlayerKind => x === 'hls' || x === 'dash');
      if (!players.length) throw new Error('--only hls, dash or hls,dash');
    } else if (a === '--cdur') cdurs = (argv[++i] ?? '').split(',').map(Number);
    else if (a === '--hls-hold-back') {
      const v = argv[++i] ?? '';
      hlsHoldBacks = v === 'none' ? [] : v.split(',').map(Number);
      if (hlsHoldBacks.some((f) => !(f >= 2 && f < 3)))
        throw new Error('--hls-hold-back: factors within [2, 3), or none');
    } else throw new Error(`unknown argument ${a}`);
  }
  if (!(seconds >= 5 && seconds <= 170)) throw new Error('--seconds must be within 5–170');
  if (!(runsPer >= 1)) throw new Error('--runs must be ≥ 1');
  if (dump) mkdirSync(dump, { recursive: true });
  mkdirSync(join(root, 'bench/media'), { recursive: true });
  process.stdout.write(`machine: ${machine().text}\n`);
  const cli = cliByName(cliName);
  const runs: RunRecord[] = [];
  for (const cdur of cdurs) {
    const p = preset(cdur);
    await makeClips(join(root, p.video), join(root, p.audio), { seconds: CLIP_S, gopFrames: p.gopFrames });
    const plan: [PlayerKind, number][] = [
      ...players.map((pl): [PlayerKind, number] => [pl, 3]),
      ...(players.includes('hls') ? hlsHoldBacks.map((f): [PlayerKind, number] => ['hls', f]) : []),
    ];
    for (let n = 1; n <= runsPer; n++)
      for (const [player, holdBack] of plan) {
        process.stdout.write(
          `cdur=${cdur} ${player}${holdBack === 3 ? '' : ` ll_part_hb=${holdBack}×`} run ${n}: `,
        );
        const r = await oneRun(cli, p, player, {
          seconds,
          joinS,
          logs,
          n,
          holdBack,
          ...(dump ? { dump } : {}),
        });
        process.stdout.write(
          `${describeSummary(r.summary)}; load ${r.loadBefore.toFixed(1)} → ${r.loadAfter.toFixed(1)}\n`,
        );
        runs.push(r);
      }
  }
  rmSync(join(root, OUT), { recursive: true, force: true });
  const text = section(cli, runs, { seconds, joinS });
  process.stdout.write(`\n${text}\n`);
  if (write) writeSection(SCRIPT, text);
}

await main();
