/**
 * What the benchmarks share: timing a whole process under `/usr/bin/time -v` (wall, user, sys, peak RSS),
 * median / min / max, the ways of starting graphpac (tsx, compiled into a temporary folder, dist/), the
 * machine description, and rewriting one script's marked section of docs/PERFORMANCE.md.
 */
import { execFile, execFileSync } from 'node:child_process';
import {
  copyFileSync,
  readdirSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statfsSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { cpus, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const run = promisify(execFile);
/** The repository root (every command runs from there). */
export const root = fileURLToPath(new URL('../', import.meta.url));
export const DOC = join(root, 'docs/PERFORMANCE.md');
/** The issue's peak-RSS target, compared with the MiB figures /usr/bin/time reports (as KiB). */
export const RSS_TARGET_MB = 120;

/** One timed process: wall, user and sys seconds, peak RSS of the largest process in the tree. */
export interface Sample {
  wall: number;
  user: number;
  sys: number;
  rssKb: number;
  /** CPU seconds other processes used during the run (the machine's busy time minus user + sys). */
  others?: number;
}

export interface Range {
  median: number;
  min: number;
  max: number;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function range(xs: number[]): Range {
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
}

/** `**median** [min–max]` of xs / scale. */
export function fmtRange(xs: number[], digits: number, scale = 1): string {
  const r = range(xs.map((x) => x / scale));
  return `**${r.median.toFixed(digits)}** [${r.min.toFixed(digits)}–${r.max.toFixed(digits)}]`;
}

export const walls = (s: Sample[]): number[] => s.map((x) => x.wall);
export const cpuTimes = (s: Sample[]): number[] => s.map((x) => x.user + x.sys);
export const rssMiB = (s: Sample[]): number[] => s.map((x) => x.rssKb / 1024);

function field(out: string, name: string): string {
  const line = out.split('\n').find((l) => l.trim().startsWith(name));
  if (!line) throw new Error(`/usr/bin/time -v printed no "${name}"`);
  return line.slice(line.lastIndexOf(': ') + 2).trim();
}

function seconds(clock: string): number {
  return clock.split(':').reduce((acc, part) => acc * 60 + Number(part), 0);
}

/** Parses what `/usr/bin/time -v` appends to stderr; throws unless the command exited with 0. */
export function parseTimeV(stderr: string, what: string): Sample {
  const status = field(stderr, 'Exit status');
  if (status !== '0') throw new Error(`${what} exited with ${status}:\n${stderr}`);
  return {
    wall: seconds(field(stderr, 'Elapsed (wall clock) time')),
    user: Number(field(stderr, 'User time (seconds)')),
    sys: Number(field(stderr, 'System time (seconds)')),
    rssKb: Number(field(stderr, 'Maximum resident set size (kbytes)')),
  };
}

/** One run of argv under `/usr/bin/time -v`, from the repo root. */
export async function timed(argv: string[]): Promise<Sample> {
  const what = argv.join(' ');
  const { stderr } = await run('/usr/bin/time', ['-v', ...argv], {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
  }).catch((e: { stderr?: string; message: string }) => {
    throw new Error(`${what} failed: ${e.stderr ?? e.message}`);
  });
  return parseTimeV(stderr, what);
}

let clockTick: number | undefined;

/** Clock ticks per second of /proc's CPU times (getconf CLK_TCK, usually 100). */
export function clkTck(): number {
  try {
    clockTick ??= Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    clockTick = 100;
  }
  return clockTick;
}

/** CPU seconds the whole machine has spent busy (all CPUs, from /proc/stat), or undefined off Linux. */
export function machineBusy(): number | undefined {
  try {
    clkTck();
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    // cpu user nice system idle iowait irq softirq steal …
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    return (
      ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / clkTck()
    );
  } catch {
    return undefined;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The machine is shared (other people's test suites): a run during which other processes used more than
 * this share of one CPU is thrown away and made again once the machine is quiet.
 */
export const NOISE_LIMIT = 0.1;
/** …and more than this many CPU seconds (/proc/stat counts in ticks of 0.01 s). */
const NOISE_FLOOR_S = 0.05;
const MAX_RETRIES = 30;
const MAX_WAIT_S = 600;

/** What the quiet-machine guard did, for the docs. */
export const noise = { rejected: 0, waitedS: 0, keptNoisy: 0 };

/**
 * Waits (up to MAX_WAIT_S in all) until other processes use less than NOISE_LIMIT of a CPU for 2 s.
 * `ours`: CPU seconds used so far by processes of the benchmark itself (not counted as others); `maxS`: this
 * call waits at most that long.
 */
export async function quiet(ours: () => number = () => 0, maxS = MAX_WAIT_S): Promise<void> {
  let quietFor = 0;
  const until = noise.waitedS + maxS;
  while (quietFor < 2 && noise.waitedS < Math.min(MAX_WAIT_S, until)) {
    const a = machineBusy();
    const oa = ours();
    await sleep(500);
    const b = machineBusy();
    if (a === undefined || b === undefined) return;
    quietFor = (b - a - (ours() - oa)) / 0.5 < NOISE_LIMIT ? quietFor + 0.5 : 0;
    noise.waitedS += 0.5;
  }
}

/** CPU seconds this process has used (user + sys). */
export function selfCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** One run with the CPU time other processes used meanwhile. */
async function watched(once: () => Promise<Sample>): Promise<Sample> {
  const a = machineBusy();
  const s = await once();
  const b = machineBusy();
  return a === undefined || b === undefined ? s : { ...s, others: Math.max(0, b - a - s.user - s.sys) };
}

/**
 * 1 warm-up + `runs` counted runs of `once`, printing each as it ends. A counted run disturbed by other
 * processes (see NOISE_LIMIT) is made again, after waiting for a quiet machine.
 */
export async function repeat(label: string, runs: number, once: () => Promise<Sample>): Promise<Sample[]> {
  process.stdout.write(`${label}: warm-up`);
  await quiet();
  await once();
  const samples: Sample[] = [];
  let retries = 0;
  while (samples.length < runs) {
    const s = await watched(once);
    const noisy = (s.others ?? 0) > Math.max(NOISE_FLOOR_S, NOISE_LIMIT * s.wall);
    if (noisy && retries < MAX_RETRIES) {
      retries++;
      noise.rejected++;
      process.stdout.write(` | (${s.wall.toFixed(2)} s, others ${s.others!.toFixed(2)} s cpu: again)`);
      await quiet();
      continue;
    }
    if (noisy) noise.keptNoisy++;
    samples.push(s);
    process.stdout.write(` | ${s.wall.toFixed(2)} s ${(s.rssKb / 1024).toFixed(0)} MiB`);
  }
  process.stdout.write('\n');
  return samples;
}

/** One sentence on what the quiet-machine guard did. */
export function noiseNote(): string {
  const kept = noise.keptNoisy
    ? `; ${noise.keptNoisy} disturbed runs had to be kept (retries exhausted)`
    : '';
  return (
    `runs during which other processes used more than ${NOISE_LIMIT * 100}% of a CPU (and ${NOISE_FLOOR_S} s) were made again after the machine ` +
    `was quiet (${noise.rejected} made again, ${noise.waitedS.toFixed(0)} s spent waiting${kept})`
  );
}

/**
 * The Node options the installed CLI starts with: those on bin/graphpac.js's `#!/usr/bin/env -S node …`
 * line (`node bin/graphpac.js` would ignore them, so every way of starting graphpac here passes them).
 * `bin`: another build's entry point (its code cache fits its own options only).
 */
export function nodeFlags(bin = join(root, 'bin/graphpac.js')): string[] {
  const first = readFileSync(bin, 'utf8').split('\n')[0] ?? '';
  const words = first.replace(/^#!\s*/, '').split(/\s+/);
  const at = words.indexOf('node');
  return at < 0 ? [] : words.slice(at + 1).filter(Boolean);
}

/** How graphpac is started: through tsx from the sources, or compiled JavaScript (what npm installs). */
export interface Cli {
  name: string;
  argv: string[];
  /** The command as written in the docs. */
  shown: string;
}

export function tsxCli(): Cli {
  return {
    name: 'tsx',
    argv: [process.execPath, ...nodeFlags(), '--import', 'tsx', 'src/cli/run.ts'],
    shown: ['node', ...nodeFlags(), '--import tsx src/cli/run.ts'].join(' '),
  };
}

/**
 * Builds src/ and filters/ as `npm run build` does (scripts/build.mjs: tsc, then the one-file bundle of the
 * command line and its code cache) into a temporary folder (dist/ is left alone), and runs it through a
 * copy of bin/graphpac.js: what the installed `graphpac` runs.
 */
export function compiledCli(): Cli {
  const dir = mkdtempSync(join(tmpdir(), 'graphpac-bench-'));
  try {
    execFileSync(process.execPath, ['scripts/build.mjs', '--outDir', join(dir, 'dist')], {
      cwd: root,
      stdio: 'ignore',
    });
  } catch {
    // Type errors elsewhere in a work-in-progress tree still emit JavaScript; the check below decides.
  }
  if (!existsSync(join(dir, 'dist/cli.cjs'))) throw new Error('scripts/build.mjs produced no dist/cli.cjs');
  mkdirSync(join(dir, 'bin'));
  for (const f of readdirSync(join(root, 'bin'))) copyFileSync(join(root, 'bin', f), join(dir, 'bin', f));
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return {
    name: 'compiled',
    argv: [process.execPath, ...nodeFlags(), join(dir, 'bin/graphpac.js')],
    shown: ['node', ...nodeFlags(), '$OUT/bin/graphpac.js'].join(' '),
  };
}

/** The installed entry point, `bin/graphpac.js`, running dist/ as `npm run build` left it. */
export function distCli(): Cli {
  if (!existsSync(join(root, 'dist/cli.cjs'))) throw new Error('no dist/cli.cjs: run npm run build first');
  return {
    name: 'dist',
    argv: [process.execPath, ...nodeFlags(), 'bin/graphpac.js'],
    shown: 'bin/graphpac.js',
  };
}

export function cliByName(name: string): Cli {
  if (name === 'tsx') return tsxCli();
  if (name === 'compiled') return compiledCli();
  if (name === 'dist') return distCli();
  throw new Error(`unknown --cli ${name} (tsx, compiled or dist)`);
}

/** The `$OUT` the compiled CLI's commands refer to, for the docs. */
export const COMPILED_NOTE =
  "`$OUT` is a folder holding `node scripts/build.mjs --outDir $OUT/dist` (tsc, then the bundle `npm run build` makes), a copy of bin/ (graphpac.js and the bundle's loader) in `$OUT/bin` and a link to the repo's node_modules";

export interface Machine {
  nproc: number;
  cpu: string;
  kernel: string;
  node: string;
  /** One line for the docs. */
  text: string;
}

/** nproc (honours CPU affinity), the CPU model from /proc/cpuinfo, the kernel and Node's version. */
export function machine(): Machine {
  let nproc = cpus().length;
  try {
    nproc = Number(execFileSync('nproc').toString().trim());
  } catch {
    /* cpus() then */
  }
  let cpu = cpus()[0]?.model ?? 'unknown CPU';
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) cpu = line.slice(line.indexOf(':') + 1).trim();
  } catch {
    /* cpus() then */
  }
  const kernel = release();
  const node = process.version;
  return { nproc, cpu, kernel, node, text: `${cpu} (nproc ${nproc}), Linux ${kernel}, Node ${node}` };
}

/** The code measured: HEAD's short hash, and whether src/, filters/ or bin/ differ from it (others work in the tree). */
export function codeVersion(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'filters', 'bin'], { cwd: root })
      .toString()
      .trim();
    return dirty ? `git ${head} plus uncommitted changes in src/, filters/ or bin/` : `git ${head}`;
  } catch {
    return 'unknown (no git)';
  }
}

/** The markers around the section of docs/PERFORMANCE.md that `script` (e.g. `bench/demux.ts`) owns. */
export function markers(script: string): { start: string; end: string } {
  return { start: `<!-- ${script}: start -->`, end: `<!-- ${script}: end -->` };
}

/** Replaces the marked section (markers included in `text`) of docs/PERFORMANCE.md, or appends it. */
export function writeSection(script: string, text: string, doc = DOC): void {
  const { start, end } = markers(script);
  if (!text.startsWith(start) || !text.endsWith(end))
    throw new Error(`section text must be within ${start} … ${end}`);
  const old = existsSync(doc)
    ? readFileSync(doc, 'utf8')
    : '# Performance\n\nMeasured figures, one section per benchmark (each written by its script).\n';
  const a = old.indexOf(start);
  const b = old.indexOf(end);
  const next =
    a >= 0 && b > a ? old.slice(0, a) + text + old.slice(b + end.length) : `${old.trimEnd()}\n\n${text}\n`;
  writeFileSync(doc, next);
  process.stdout.write(`wrote ${doc}\n`);
}

/** Quotes one word for sh (only when it needs it). */
export function shq(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Distribution of a set of measurements (nearest-rank percentiles). */
export interface Quantiles {
  n: number;
  min: number;
  median: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile q (0–1) of sorted values. */
export function percentile(sorted: readonly number[], q: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export function quantiles(xs: readonly number[]): Quantiles {
  const s = [...xs].sort((a, b) => a - b);
  return {
    n: s.length,
    min: s[0] ?? NaN,
    median: median(s),
    p90: percentile(s, 0.9),
    p99: percentile(s, 0.99),
    max: s.at(-1) ?? NaN,
    mean: s.reduce((a, b) => a + b, 0) / (s.length || 1),
  };
}

/** `min / **median** / p90 / p99 / max` of q, with `digits` decimals (`–` when empty). */
export function fmtQuantiles(q: Quantiles, digits = 1): string {
  if (!q.n) return '– / – / – / – / –';
  const f = (x: number): string => x.toFixed(digits);
  return `${f(q.min)} / **${f(q.median)}** / ${f(q.p90)} / ${f(q.p99)} / ${f(q.max)}`;
}

/** Bytes available to an unprivileged user on the file system holding `path` (undefined if unknown). */
export function freeBytes(path: string): number | undefined {
  try {
    const s = statfsSync(path);
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}

/** Whether `name` is a command on PATH. */
export function hasCommand(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${shq(name)}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A process's CPU seconds (user + sys, from /proc/PID/stat), or undefined once it is gone. */
export function procCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: fields are counted after its closing parenthesis.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // rest[0] is field 3 (state): utime is field 14, stime field 15.
    return (Number(rest[11]) + Number(rest[12])) / clkTck();
  } catch {
    return undefined;
  }
}

/** A process's resident set now and its peak so far (VmRSS, VmHWM of /proc/PID/status), in KiB. */
export function procMemory(pid: number): { rssKb: number; hwmKb: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string): number =>
      Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
    return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

/** Wall-clock milliseconds since the epoch with sub-millisecond resolution (graphpac's clock is Date.now()). */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}
