/**
 * `npm run bench`: every benchmark, each in its own process (so that one's memory and JIT state cannot colour
 * another's), one after the other. Each rewrites its own section of docs/PERFORMANCE.md.
 *
 *   npm run bench -- [--runs 7] [--quick] [--cli compiled|dist|tsx] [--no-write]
 *                    [--only demux,package,lateness,origin-load,latency,ingest,startup]
 *
 * demux, package: 1 warm-up + --runs counted runs (default 7 here, the anchor's method; the 3,600 s packaging
 * job makes at most 3). lateness (2 real-time runs of 60 s) and origin-load (N = 10, 50, 200 players for 20 s
 * each), latency (stock hls.js and dash.js, 60 s per run, needs Chromium) and ingest (ffmpeg as a live encoder,
 * 2 runs of 30 s per row) run once. Not here, for their length: bench/soak.ts (an hour) and bench/fuzz.ts
 * (50,000 cases, about 40 minutes). --quick: 1 run of demux and
 * package, 15 s of media for lateness, 6 s per N for origin-load, 20 s per player for latency.
 * --cli goes to every script (demux.ts also takes `both`, its default: compiled and tsx; the others default to
 * compiled). Clips: `bash bench/make-long-clip.sh --3600` (the 3,600 s one is optional: skipped if missing).
 * origin-load uses `wrk` if installed (`apt-get install wrk`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './lib.js';

const SCRIPTS = {
  demux: 'bench/demux.ts',
  package: 'bench/package.ts',
  lateness: 'bench/lateness.ts',
  'origin-load': 'bench/origin-load.ts',
  latency: 'bench/latency.ts',
  ingest: 'bench/ingest.ts',
  startup: 'bench/startup.ts',
} as const;
type Name = keyof typeof SCRIPTS;
const isName = (v: string): v is Name => v in SCRIPTS;
/** The scripts that repeat runs (--runs); the live ones run once and take --quick. */
const REPEATED: readonly Name[] = ['demux', 'package', 'startup'];

const argv = process.argv.slice(2);
const forward: string[] = [];
let only: Name[] = Object.keys(SCRIPTS) as Name[];
let quick = false;
let runs: string | undefined;
for (let i = 0; i < argv.length; i++) {
  const a = argv[i]!;
  if (a === '--only') {
    const v = (argv[++i] ?? '').split(',');
    const bad = v.filter((x) => !isName(x));
    if (bad.length) throw new Error(`--only takes ${Object.keys(SCRIPTS).join(',')}, not ${bad.join(',')}`);
    only = v.filter(isName);
  } else if (a === '--quick') quick = true;
  else if (a === '--runs') runs = argv[++i];
  else forward.push(a);
}

for (const clip of ['bench/media/av_60s.mp4', 'bench/media/long_av.mp4'])
  if (!existsSync(join(root, clip))) {
    console.error(`${clip} is missing: run bash bench/make-long-clip.sh --3600 first`);
    process.exit(1);
  }

const failed: string[] = [];
for (const name of only) {
  const extra = REPEATED.includes(name) ? ['--runs', runs ?? (quick ? '1' : '7')] : quick ? ['--quick'] : [];
  const args = ['--import', 'tsx', SCRIPTS[name], ...forward, ...extra];
  console.log(`\n=== ${name}: node ${args.join(' ')}`);
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) failed.push(`${name} (${r.error?.message ?? r.signal ?? `exit ${r.status}`})`);
}
if (failed.length) {
  console.error(`\nfailed: ${failed.join(', ')}`);
  process.exit(1);
}
