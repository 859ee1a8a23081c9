/**
 * Packaging benchmark: graphpac's ordinary packaging jobs against ffmpeg's copy DASH on the same clip, side
 * by side in the same run. The machine this runs on is shared and its load comes and goes, so every
 * graphpac run is paired with an ffmpeg run made just before it (`ffmpeg -i IN -c copy -f dash
 * -seg_duration 2`, the peer measurable here: gpac is not installed); each round makes one pair of every job in
 * turn (a slow phase of the machine falls on all jobs alike), and the figures
 * are medians of the runs and of the per-pair ratios. Each process is timed from outside with
 * `/usr/bin/time -v sh -c "rm -rf D && <command>"` (as the performance anchor timed GPAC), after the previous
 * run's output is deleted and `sync` is run, untimed (settleDisk). Each job's output
 * is checked once (file count, total bytes within 1% of the input, MPD type) so that a broken run cannot give
 * a fast number. Writes its section of docs/PERFORMANCE.md and says whether the issue's targets are met.
 *
 *   bash bench/make-long-clip.sh --3600          # makes bench/media/av_60s.mp4, long_av.mp4, long_3600.mp4 (once)
 *   node --import tsx bench/package.ts [--runs 5] [--quick] [--cli compiled|dist|tsx]
 *                                      [--jobs G1,plain,G4,G3,G1-60,G1-3600] [--keep] [--no-write]
 *
 * G1-3600 (3,600 s of media, ~960 MB in and out) makes at most LONG_RUNS pairs, and is skipped with a
 * message when its clip is missing or less than MIN_FREE_BYTES are free. --quick: 1 pair each.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import {
  COMPILED_NOTE,
  cliByName,
  codeVersion,
  cpuTimes,
  fmtRange,
  freeBytes,
  machine,
  machineBusy,
  markers,
  median,
  range,
  root,
  rssMiB,
  shq,
  timed,
  walls,
  writeSection,
  type Cli,
  type Sample,
} from './lib.js';

const SCRIPT = 'bench/package.ts';
const OUT = 'bench/out/package';
const LONG = 'bench/media/long_av.mp4';
const SHORT = 'bench/media/av_60s.mp4';
/** 3,600 s: long_av.mp4 six times (bash bench/make-long-clip.sh --3600). */
const HOUR = 'bench/media/long_3600.mp4';
/** Counted pairs of the 3,600 s job at most. */
const LONG_RUNS = 3;
/** Free space needed with the 3,600 s job (its output and ffmpeg's, about 1 GB each, beside the other jobs' while the rounds run). */
const MIN_FREE_BYTES = 4e9;
/** The issue's targets. */
const RSS_TARGET_MIB = 100;
const RSS_GROWTH_TOLERANCE = 0.1;
const FFMPEG_RATIO_TARGET = 0.6;
const LINEAR_TOLERANCE = 1.2;

/** GPAC's figures from /work/shared/spec/performance-anchors.md (2 vCPU Intel Xeon, 2026-11-26): reference only. */
const GPAC: Record<string, { wall: number; cpu: number; peakMiB: number }> = {
  G1: { wall: 1.572, cpu: 1.087, peakMiB: 14.8 },
  G3: { wall: 1.84, cpu: 1.264, peakMiB: 14.9 },
  G4: { wall: 0.361, cpu: 0.359, peakMiB: 14.9 },
  plain: { wall: 0.336, cpu: 0.334, peakMiB: 14.8 },
};

interface Job {
  id: string;
  what: string;
  clip: string;
  /** Media duration in seconds. */
  seconds: number;
  /** Dasher options after `live.mpd:`. */
  opts: string;
  mpdType: 'static' | 'dynamic';
  /** Manifests written besides the segments and init segments (MPD, master and variant playlists). */
  manifests: number;
  maxRuns?: number;
}

const G1 = 'dual:segdur=2:cdur=0.5:profile=live:dmode=static:llhls=br';
const JOBS: Job[] = [
  {
    id: 'G1',
    what: 'DASH + LL-HLS (br)',
    clip: LONG,
    seconds: 600,
    opts: G1,
    mpdType: 'static',
    manifests: 4,
  },
  {
    id: 'plain',
    what: 'plain DASH',
    clip: LONG,
    seconds: 600,
    opts: 'segdur=2:profile=live:dmode=static',
    mpdType: 'static',
    manifests: 1,
  },
  {
    id: 'G4',
    what: 'DASH + HLS, no LL',
    clip: LONG,
    seconds: 600,
    opts: 'dual:segdur=2:cdur=0.5:profile=live:dmode=static',
    mpdType: 'static',
    manifests: 4,
  },
  {
    id: 'G3',
    what: 'dynamic, LL-HLS br + MPD, keep_segs',
    clip: LONG,
    seconds: 600,
    opts: 'dual:segdur=2:cdur=0.5:profile=live:dmode=dynamic:llhls=br:keep_segs',
    mpdType: 'dynamic',
    manifests: 4,
  },
  { id: 'G1-60', what: 'G1 on 60 s', clip: SHORT, seconds: 60, opts: G1, mpdType: 'static', manifests: 4 },
  {
    id: 'G1-3600',
    what: 'G1 on 3,600 s',
    clip: HOUR,
    seconds: 3600,
    opts: G1,
    mpdType: 'static',
    manifests: 4,
    maxRuns: LONG_RUNS,
  },
];

/** A timed run with the CPU seconds the rest of the machine used meanwhile. */
interface Run extends Sample {
  others: number;
}

interface Result {
  job: Job;
  command: string;
  ffCommand: string;
  runs: Run[];
  ff: Run[];
  check: string;
  files: number;
  bytes: number;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/** Checks the output of the last run; throws if it is not a complete packaging of the clip. */
function validate(job: Job, dir: string): { check: string; files: number; bytes: number } {
  const files = listFiles(dir);
  const bytes = files.reduce((n, f) => n + statSync(f).size, 0);
  const input = statSync(join(root, job.clip)).size;
  const segs = files.filter((f) => f.endsWith('.m4s')).length;
  const want = 2 * (Math.ceil(job.seconds / 2) + 1) + job.manifests;
  const problems: string[] = [];
  if (files.length !== want) problems.push(`${files.length} files, expected ${want}`);
  const dev = (bytes - input) / input;
  if (Math.abs(dev) > 0.01)
    problems.push(`${bytes} bytes, ${(dev * 100).toFixed(2)}% off the input's ${input}`);
  const mpd = join(dir, 'live.mpd');
  const type = existsSync(mpd) ? /\btype="(\w+)"/.exec(readFileSync(mpd, 'utf8'))?.[1] : 'missing';
  if (type !== job.mpdType) problems.push(`MPD type ${type}, expected ${job.mpdType}`);
  if (segs !== 2 * Math.ceil(job.seconds / 2)) problems.push(`${segs} media segments`);
  if (problems.length) throw new Error(`${job.id}: broken output in ${dir}: ${problems.join('; ')}`);
  return {
    files: files.length,
    bytes,
    check: `${job.id}: ${files.length} files (${segs} segments), ${bytes.toLocaleString('en-US')} B (${dev >= 0 ? '+' : ''}${(dev * 100).toFixed(2)}%), MPD ${type}`,
  };
}

/**
 * Each timed run starts with no dirty page left by the run before it and its output folder gone: the
 * folder `dir` (if any) is deleted, then `sync`, both untimed. Without the sync a run paid for part of the previous
 * run's write-back (160 MB): ffmpeg's time for one command varied from 0.74 to 1.17 s with its place in the
 * round, which made the paired ratios of two jobs incomparable. With the sync but the folder deleted by the
 * timed command's `rm -rf`, every run paid for deleting 160 MB the sync had put on the disk: 0.19 s here
 * (ext4 frees the blocks and, mounted with `discard`, trims them), where the anchor's method cost ~0.02 s
 * (nothing synced): a constant added to both tools, which pulled every ratio toward 1.
 */
function settleDisk(dir?: string): void {
  if (dir) rmSync(join(root, dir), { recursive: true, force: true });
  execFileSync('sync');
}

async function watched(argv: string[], dir?: string): Promise<Run> {
  settleDisk(dir);
  const a = machineBusy();
  const s = await timed(argv);
  const b = machineBusy();
  return { ...s, others: a === undefined || b === undefined ? 0 : Math.max(0, b - a - s.user - s.sys) };
}

const shell = (dir: string, command: string): string => `rm -rf ${shq(dir)} && ${command}`;

function ffmpegArgv(clip: string, dir: string): string[] {
  return [
    'ffmpeg',
    '-nostdin',
    '-y',
    '-loglevel',
    'error',
    '-i',
    clip,
    '-c',
    'copy',
    '-f',
    'dash',
    '-seg_duration',
    '2',
    `${dir}/out.mpd`,
  ];
}

/** One job's commands and the pairs run so far. */
interface Pairs {
  job: Job;
  /** Counted pairs to make. */
  n: number;
  dir: string;
  ffDir: string;
  gpSh: string[];
  ffSh: string[];
  runs: Run[];
  ffs: Run[];
  command: string;
  ffCommand: string;
}

function pairsOf(cli: Cli, job: Job, n: number): Pairs {
  const dir = join(OUT, job.id);
  const ffDir = join(OUT, `${job.id}-ffmpeg`);
  const gp = [...cli.argv, '-i', job.clip, '-o', `${dir}/live.mpd:${job.opts}`];
  const ff = ffmpegArgv(job.clip, ffDir);
  return {
    job,
    n,
    dir,
    ffDir,
    gpSh: ['sh', '-c', shell(dir, gp.map(shq).join(' '))],
    ffSh: ['sh', '-c', `${shell(ffDir, `mkdir -p ${shq(ffDir)}`)} && ${ff.map(shq).join(' ')}`],
    runs: [],
    ffs: [],
    command: `sh -c "${shell(dir, `${cli.shown} -i ${job.clip} -o ${dir}/live.mpd:${job.opts}`)}"`,
    ffCommand: `sh -c "rm -rf ${ffDir} && mkdir -p ${ffDir} && ${ff.join(' ')}"`,
  };
}

/** One uncounted pair (caches, the output folders). */
async function warmUp(p: Pairs): Promise<void> {
  settleDisk(p.ffDir);
  await timed(p.ffSh);
  settleDisk(p.dir);
  await timed(p.gpSh);
}

/** One counted pair: ffmpeg on the clip, then graphpac. */
async function pair(p: Pairs): Promise<void> {
  const f = await watched(p.ffSh, p.ffDir);
  const g = await watched(p.gpSh, p.dir);
  p.ffs.push(f);
  p.runs.push(g);
  process.stdout.write(
    `${p.job.id}: ffmpeg ${f.wall.toFixed(2)} s, graphpac ${g.wall.toFixed(2)} s ${(g.rssKb / 1024).toFixed(0)} MiB\n`,
  );
}

/** Check the last output and clean up. */
function finish(p: Pairs, keep: boolean): Result {
  const v = validate(p.job, join(root, p.dir));
  if (!keep) {
    rmSync(join(root, p.dir), { recursive: true, force: true });
    rmSync(join(root, p.ffDir), { recursive: true, force: true });
  }
  return { job: p.job, runs: p.runs, ff: p.ffs, ...v, command: p.command, ffCommand: p.ffCommand };
}

/**
 * Every job's pairs, in rounds: one warm-up pair per job, then each round makes one pair of every job in
 * turn, starting one job further on each round. A slow phase of the machine (its disk, other tenants) then
 * falls on all jobs alike; made job after job, ffmpeg's time for the same command differed by 30 % between
 * jobs (0.84–0.90 s in G1's pairs, 1.13–1.18 s in plain's), and with it the jobs' ratios.
 */
async function runRounds(cli: Cli, jobs: readonly Job[], runs: number): Promise<Pairs[]> {
  const all = jobs.map((job) => pairsOf(cli, job, Math.min(runs, job.maxRuns ?? runs)));
  for (const p of all) {
    process.stdout.write(`${p.job.id}: warm-up\n`);
    await warmUp(p);
  }
  for (let round = 0; all.some((p) => p.runs.length < p.n); round++) {
    process.stdout.write(`round ${round + 1}\n`);
    // Each round starts one job further on: no job's pairs always come after the same job's run. With a fixed
    // order, ffmpeg was slow in plain's place in every round (0.83 s against 0.61–0.68 s in the others', the
    // same command: 1.01–1.05 against 0.81–0.89 s a session before), and plain's ratio with it.
    for (let k = 0; k < all.length; k++) {
      const p = all[(round + k) % all.length]!;
      if (p.runs.length < p.n) await pair(p);
    }
  }
  return all;
}

const f2 = (x: number): string => x.toFixed(2);
const f3 = (x: number): string => x.toFixed(3);
const met = (ok: boolean): string => (ok ? '**met**' : '**NOT met**');
/** Per-pair ratios graphpac / ffmpeg. */
const ratios = (r: Result): number[] => r.runs.map((g, i) => g.wall / r.ff[i]!.wall);
const othersPct = (runs: Run[]): number => median(runs.map((x) => (100 * x.others) / x.wall));

function row(r: Result): string {
  const ratio = range(ratios(r));
  return (
    `| ${r.job.id}: ${r.job.what} | ${r.job.seconds} s | ${r.runs.length} | ${fmtRange(walls(r.runs), 2)} | ${f2(median(cpuTimes(r.runs)))} | ` +
    `${fmtRange(rssMiB(r.runs), 1)} | ${fmtRange(walls(r.ff), 2)} | ${f2(median(cpuTimes(r.ff)))} | ${fmtRange(rssMiB(r.ff), 1)} | ` +
    `**${f2(ratio.median)}** [${f2(ratio.min)}–${f2(ratio.max)}] | ${othersPct([...r.runs, ...r.ff]).toFixed(0)}% | ${r.files} / ${r.bytes.toLocaleString('en-US')} |`
  );
}

/**
 * ffmpeg's wall time on `clip` over every job's pairs: the command is the same for all jobs on a clip, so the
 * pooled median does not depend on where a job's pairs fell in the rounds.
 */
function pooledFfmpeg(results: readonly Result[], clip: string): number {
  return median(results.filter((r) => r.job.clip === clip).flatMap((r) => walls(r.ff)));
}

function section(cli: Cli, startup: Run[], results: Result[], skipped: string[], load: string): string {
  const m = machine();
  const by = (id: string) => results.find((r) => r.job.id === id);
  const base = median(walls(startup));
  const targets: string[] = [];
  for (const id of ['plain', 'G4']) {
    const r = by(id);
    if (!r) continue;
    const q = median(ratios(r));
    const qm = median(walls(r.runs)) / median(walls(r.ff));
    const pooled = pooledFfmpeg(results, r.job.clip);
    const qp = median(walls(r.runs)) / pooled;
    // Met only if both hold: the paired ratios (load swings cancel) and the pooled ffmpeg median (the place
    // of the job's pairs in the rounds cancels).
    targets.push(
      `- ${id === 'plain' ? 'Plain DASH' : 'DASH + HLS without LL (G4)'} ≤ ${FFMPEG_RATIO_TARGET}× ffmpeg's copy-DASH wall time: ${met(q <= FFMPEG_RATIO_TARGET && qp <= FFMPEG_RATIO_TARGET)}: median of the paired ratios ${f2(q)} (ratio of the medians ${f2(qm)}); against ffmpeg's median over all the jobs on this clip (${f2(pooled)} s) ${f2(qp)}.`,
    );
  }
  const g1 = by('G1');
  const plain = by('plain');
  if (g1 && plain) {
    const a = median(ratios(g1));
    const b = median(ratios(plain));
    const wa = median(walls(g1.runs));
    const wb = median(walls(plain.runs));
    targets.push(
      `- G1 no slower than plain DASH: ${met(a <= b * 1.02 && wa <= wb * 1.02)}: walls ${f2(wa)} s against ${f2(wb)} s; G1 ${f2(a)}× ffmpeg against plain ${f2(b)}× (medians of paired ratios); 2% tolerance on both.`,
    );
  }
  const worst = Math.max(...results.flatMap((r) => rssMiB(r.runs)));
  const worstJob = results.find((r) => rssMiB(r.runs).includes(worst));
  targets.push(
    `- Peak RSS ≤ ${RSS_TARGET_MIB} MiB on every job: ${met(worst <= RSS_TARGET_MIB)}: worst run ${worst.toFixed(1)} MiB (${worstJob?.job.id}); medians ${results.map((r) => `${r.job.id} ${median(rssMiB(r.runs)).toFixed(1)}`).join(', ')} MiB (ffmpeg: ${median(results.flatMap((r) => rssMiB(r.ff))).toFixed(1)} MiB).`,
  );
  const short = by('G1-60');
  const hour = by('G1-3600');
  let linear = '';
  if (short && hour) {
    const growth = median(rssMiB(hour.runs)) / median(rssMiB(short.runs)) - 1;
    targets.push(
      `- Peak RSS independent of length (60 s vs 3,600 s, medians, within ${RSS_GROWTH_TOLERANCE * 100}%): ${met(Math.abs(growth) <= RSS_GROWTH_TOLERANCE)}: ${median(rssMiB(short.runs)).toFixed(1)} MiB against ${median(rssMiB(hour.runs)).toFixed(1)} MiB (${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)}%).`,
    );
  }
  const points = [short, g1, hour].filter((r): r is Result => r !== undefined);
  if (points.length >= 2) {
    const rows = points.map((r) => ({
      r,
      min: r.job.seconds / 60,
      wall: median(walls(r.runs)),
      ff: median(walls(r.ff)),
      cpu: median(cpuTimes(r.runs)),
    }));
    const steps = rows.slice(1).map((b, i) => {
      const a = rows[i]!;
      return { a, b, wall: (b.wall - a.wall) / (b.min - a.min), ff: (b.ff - a.ff) / (b.min - a.min) };
    });
    const first = steps[0]!;
    const last = steps.at(-1)!;
    const label = (x: (typeof rows)[0]) => `${x.r.job.seconds} s`;
    const ratio = last.wall / first.wall;
    linear = `
Linearity (G1's command; medians; "net" subtracts the start-up row, ${f2(base)} s):

| clip | media | pairs | graphpac wall s | net s per media minute | ffmpeg wall s | graphpac cpu s |
|---|---|---|---|---|---|---|
${rows.map((x) => `| ${x.r.job.clip.split('/').pop()} | ${x.r.job.seconds} s | ${x.r.runs.length} | ${f2(x.wall)} | ${f3((x.wall - base) / x.min)} | ${f2(x.ff)} | ${f2(x.cpu)} |`).join('\n')}

Incremental cost per media minute (difference of the medians / difference of the lengths): ${steps.map((s) => `${label(s.a)} → ${label(s.b)}: graphpac ${f3(s.wall)} s, ffmpeg ${f3(s.ff)} s`).join('; ')}.
`;
    targets.push(
      steps.length > 1
        ? `- Per-media-minute cost linear from 60 s to 3,600 s (within ${LINEAR_TOLERANCE}×): ${met(ratio <= LINEAR_TOLERANCE)}: each media minute costs ${f3(last.wall)} s between ${label(last.a)} and ${label(last.b)} against ${f3(first.wall)} s between ${label(first.a)} and ${label(first.b)} (${f3(ratio)}×; ffmpeg's own steps: ${f3(first.ff)} and ${f3(last.ff)} s, ${f3(last.ff / first.ff)}×).`
        : `- Per-media-minute cost linear: only ${rows.map(label).join(' and ')} measured.`,
    );
  }
  const gpac = results
    .filter((r) => GPAC[r.job.id])
    .map((r) => `${r.job.id} ${f2(median(walls(r.runs)))} s / GPAC ${f3(GPAC[r.job.id]!.wall)} s`);
  const commands = [
    `- start-up: \`/usr/bin/time -v ${cli.shown} --version\``,
    ...results.flatMap((r) => [`- ${r.job.id}: \`/usr/bin/time -v ${r.command}\``]),
    ...[...new Set(results.map((r) => r.job.clip))].map((clip) => {
      const r = results.find((x) => x.job.clip === clip)!;
      return `- ffmpeg on ${clip}: \`/usr/bin/time -v ${r.ffCommand}\``;
    }),
  ];
  return `${markers(SCRIPT).start}
## Packaging: graphpac against ffmpeg's copy DASH, side by side (bench/package.ts)

What it measures: packaging a whole MP4 as fast as possible (nothing in real time), each graphpac run paired with
\`ffmpeg -i IN -c copy -f dash -seg_duration 2\` on the same clip made just before it (the peer measurable on this
machine; gpac is not installed). The machine is shared and its load comes and goes: after one warm-up pair per job,
each round makes one pair (ffmpeg, then graphpac) of every job in turn, starting one job further on each round, so a
slow phase falls on all jobs alike and no job's pairs always follow the same job; the figures are medians, with
[min–max]; **graphpac / ffmpeg** is the median of the per-pair ratios. A ratio target is met only if it holds both
for the paired ratios and against ffmpeg's median over every job on the same clip (the same command). Each process is timed from outside:
\`/usr/bin/time -v sh -c "rm -rf D && <command>"\`, after the previous run's output is deleted and \`sync\` is run, untimed (no run pays for the write-back of the one before it, nor for deleting its output from the disk); cpu is user + sys; peak is the peak RSS. "others" is the CPU the rest of
the machine used during the runs, in % of one CPU (median). graphpac ran as "${cli.name}" (${cli.name === 'compiled' ? 'the working tree built by `scripts/build.mjs` (tsc, then the one-file bundle) into a temporary folder and run through bin/graphpac.js: what the installed `graphpac` runs' : cli.shown}).
${skipped.length ? `**${skipped.join('; ')}.**\n` : ''}Outputs checked (file count, bytes within 1% of the input, MPD type): ${results.map((r) => r.check).join('; ')}.

Machine: ${m.text}; input and output in the page cache, output on the local disk (ext4). Code: ${codeVersion()}. Load: ${load}.

| job | media | pairs | graphpac wall s | cpu s | peak RSS MiB | ffmpeg wall s | ffmpeg cpu s | ffmpeg peak MiB | graphpac / ffmpeg | others | files / bytes |
|---|---|---|---|---|---|---|---|---|---|---|---|
| start-up only (\`--version\`) | – | ${startup.length} | ${fmtRange(walls(startup), 2)} | ${f2(median(cpuTimes(startup)))} | ${fmtRange(rssMiB(startup), 1)} | – | – | – | – | ${othersPct(startup).toFixed(0)}% | – |
${results.map(row).join('\n')}
${linear}
Targets (issue #13):
${targets.join('\n')}

For reference, GPAC's own figures from the performance anchor (another machine, an idle 2 vCPU Intel Xeon, not comparable
run for run): ${gpac.join('; ')}.

Commands (from the repo root; ${cli.name === 'compiled' ? COMPILED_NOTE : 'after `npm run build`'}):
${commands.join('\n')}

To reproduce: \`bash bench/make-long-clip.sh --3600 && npm run bench\` (or \`node --import tsx ${SCRIPT}\` for this section alone).
${markers(SCRIPT).end}`;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  let runs = 5;
  let write = true;
  let keep = false;
  let cliName = 'compiled';
  let only: string[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--runs') runs = Number(argv[++i]);
    else if (a === '--no-write') write = false;
    else if (a === '--keep') keep = true;
    else if (a === '--cli') cliName = argv[++i] ?? cliName;
    else if (a === '--jobs') only = (argv[++i] ?? '').split(',');
    else if (a === '--quick') runs = 1;
    else throw new Error(`unknown argument ${a}`);
  }
  if (!(runs >= 1)) throw new Error('--runs must be at least 1');
  let jobs = only ? JOBS.filter((j) => only.includes(j.id)) : JOBS;
  if (!jobs.length) throw new Error(`no job among ${JOBS.map((j) => j.id).join(', ')}`);
  const skipped: string[] = [];
  if (jobs.some((j) => j.clip === HOUR)) {
    mkdirSync(join(root, OUT), { recursive: true });
    const free = freeBytes(join(root, OUT));
    const why = !existsSync(join(root, HOUR))
      ? `${HOUR} is missing (make it with \`bash bench/make-long-clip.sh --3600\`)`
      : free !== undefined && free < MIN_FREE_BYTES
        ? `only ${(free / 1e9).toFixed(1)} GB free on the disk of ${OUT} (${MIN_FREE_BYTES / 1e9} GB needed)`
        : undefined;
    if (why) {
      skipped.push(`G1-3600 skipped: ${why}`);
      process.stdout.write(`G1-3600 skipped: ${why}\n`);
      jobs = jobs.filter((j) => j.clip !== HOUR);
    }
  }
  for (const c of new Set(jobs.map((j) => j.clip)))
    if (!existsSync(join(root, c)))
      throw new Error(`${c} is missing: run bash bench/make-long-clip.sh first`);
  process.stdout.write(`machine: ${machine().text}\n`);
  const cli = cliByName(cliName);
  const before = loadavg();
  const cmd = [...cli.argv, '--version'].map(shq).join(' ');
  const startup: Run[] = [];
  for (let i = 0; i < runs; i++) startup.push(await watched(['sh', '-c', cmd]));
  const results: Result[] = [];
  for (const p of await runRounds(cli, jobs, runs)) {
    const r = finish(p, keep);
    process.stdout.write(`  ${r.check}; graphpac / ffmpeg ${f2(median(ratios(r)))}\n`);
    results.push(r);
  }
  const after = loadavg();
  if (!keep) rmSync(join(root, OUT), { recursive: true, force: true });
  const load = `load average ${before.map((x) => x.toFixed(1)).join(' / ')} (1 / 5 / 15 min) at the start, ${after.map((x) => x.toFixed(1)).join(' / ')} at the end; other processes used a median ${othersPct(results.flatMap((r) => [...r.runs, ...r.ff])).toFixed(0)}% of a CPU during the runs`;
  const text = section(cli, startup, results, skipped, load);
  process.stdout.write(`\n${text}\n`);
  if (write) writeSection(SCRIPT, text);
}

await main();
