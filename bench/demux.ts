/**
 * Demux benchmark: `graphpac -i CLIP inspect:log=/dev/null` (fin → mp4dmx → inspect, nothing printed)
 * timed as a whole process under `/usr/bin/time -v`, 1 warm-up + N runs per clip; reports the median
 * wall time and peak RSS, checks the packet counts once against ffprobe, and writes its section of
 * docs/PERFORMANCE.md.
 *
 *   bash bench/make-long-clip.sh                 # makes bench/media/av_60s.mp4 and long_av.mp4 (once)
 *   node --import tsx bench/demux.ts [--runs 7] [--cli tsx|compiled|both] [--no-write] [CLIP...]
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../', import.meta.url));
const DOC = join(root, 'docs/PERFORMANCE.md');
const START = '<!-- bench/demux.ts: start -->';
const END = '<!-- bench/demux.ts: end -->';
const RSS_TARGET_MB = 120;

interface Sample {
  wall: number;
  user: number;
  sys: number;
  rssKb: number;
}

interface Result {
  label: string;
  command: string;
  bytes?: number;
  samples: Sample[];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function field(out: string, name: string): string {
  const line = out.split('\n').find((l) => l.trim().startsWith(name));
  if (!line) throw new Error(`/usr/bin/time -v printed no "${name}"`);
  return line.slice(line.lastIndexOf(': ') + 2).trim();
}

function seconds(clock: string): number {
  return clock.split(':').reduce((acc, part) => acc * 60 + Number(part), 0);
}

/** How graphpac is started: through tsx from the sources, or the compiled JavaScript (what npm installs). */
interface Cli {
  name: string;
  argv: string[];
  /** The command as written in the docs. */
  shown: string;
}

function tsxCli(): Cli {
  return {
    name: 'tsx',
    argv: [process.execPath, '--import', 'tsx', 'src/cli/main.ts'],
    shown: 'node --import tsx src/cli/main.ts',
  };
}

/** Compile src/ and filters/ into a temporary folder (dist/ is left alone) and run that. */
function compiledCli(): Cli {
  const dir = mkdtempSync(join(tmpdir(), 'graphpac-bench-'));
  try {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', join(dir, 'out')], {
      cwd: root,
      stdio: 'ignore',
    });
  } catch {
    // Type errors elsewhere in a work-in-progress tree still emit JavaScript; the check below decides.
  }
  const main = join(dir, 'out/src/cli/main.js');
  if (!existsSync(main)) throw new Error('tsc produced no out/src/cli/main.js');
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return { name: 'compiled', argv: [process.execPath, main], shown: 'node $OUT/src/cli/main.js' };
}

/** One timed run of graphpac ARGS. */
async function timed(cli: Cli, args: string[]): Promise<Sample> {
  const { stderr } = await run('/usr/bin/time', ['-v', ...cli.argv, ...args], {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
  }).catch((e: { stderr?: string; message: string }) => {
    throw new Error(`graphpac ${args.join(' ')} failed: ${e.stderr ?? e.message}`);
  });
  const status = field(stderr, 'Exit status');
  if (status !== '0') throw new Error(`graphpac ${args.join(' ')} exited with ${status}:\n${stderr}`);
  return {
    wall: seconds(field(stderr, 'Elapsed (wall clock) time')),
    user: Number(field(stderr, 'User time (seconds)')),
    sys: Number(field(stderr, 'System time (seconds)')),
    rssKb: Number(field(stderr, 'Maximum resident set size (kbytes)')),
  };
}

async function measure(
  cli: Cli,
  label: string,
  args: string[],
  runs: number,
  bytes?: number,
): Promise<Result> {
  process.stdout.write(`${cli.name} ${label}: warm-up`);
  await timed(cli, args);
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    samples.push(await timed(cli, args));
    const s = samples.at(-1)!;
    process.stdout.write(` | ${s.wall.toFixed(2)} s ${(s.rssKb / 1024).toFixed(0)} MiB`);
  }
  process.stdout.write('\n');
  return { label: `${label} (${cli.name})`, command: `${cli.shown} ${args.join(' ')}`, bytes, samples };
}

/** Packet counts per track from inspect vs ffprobe (the benchmark must demux everything). */
async function verify(clip: string): Promise<string> {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', '-i', clip, 'inspect:fmt=json'],
    { cwd: root, maxBuffer: 64 * 1024 * 1024 },
  );
  const ours = stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { type: string; packets?: number })
    .filter((o) => o.type === 'summary')
    .map((o) => o.packets);
  const probe = await run('ffprobe', [
    '-v',
    'error',
    '-count_packets',
    '-show_entries',
    'stream=nb_read_packets',
    '-of',
    'csv=p=0',
    clip,
  ]);
  const ref = probe.stdout.trim().split('\n').map(Number);
  if (JSON.stringify(ours) !== JSON.stringify(ref))
    throw new Error(`${clip}: graphpac packets ${ours.join(',')} but ffprobe ${ref.join(',')}`);
  return ours.join(' + ');
}

function fmt(xs: number[], digits: number, scale = 1): string {
  const v = xs.map((x) => x / scale);
  return `**${median(v).toFixed(digits)}** [${Math.min(...v).toFixed(digits)}–${Math.max(...v).toFixed(digits)}]`;
}

function section(results: Result[], checks: string[], runs: number): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const rows = results.map((r) => {
    const mb = r.bytes ? `${(r.bytes / 1e6).toFixed(1)} MB` : '–';
    return `| ${r.label} | ${mb} | ${fmt(
      r.samples.map((s) => s.wall),
      2,
    )} | ${median(r.samples.map((s) => s.user + s.sys)).toFixed(2)} | ${fmt(
      r.samples.map((s) => s.rssKb),
      1,
      1024,
    )} |`;
  });
  const commands = [...new Set(results.map((r) => `- \`/usr/bin/time -v ${r.command}\``))];
  return `${START}
## Demux: fin → mp4dmx → inspect (bench/demux.ts)

What it measures: reading an MP4 and demuxing every sample of every track, nothing written
(\`inspect:log=/dev/null\` is the null sink). The whole process is timed from outside, including start-up (the \`--version\` rows are that
fixed cost alone). "tsx" runs the TypeScript sources as in development; "compiled" runs the JavaScript
\`tsc -p tsconfig.build.json\` emits, as the installed \`graphpac\` does (built into a temporary folder). ${runs} counted runs after 1 warm-up; median **bold**, [min–max].

Machine: ${cpus().length} × ${cpu}, ${release()}, Node ${process.version}; files in the page cache.
Clips: \`bash bench/make-long-clip.sh\` (the performance anchor's ffmpeg command: H.264 720p30 2 Mb/s + AAC 48 kHz mono, moov at the end; 60 s and 600 s).

| run | input | wall s | cpu s (user+sys) | peak RSS MiB |
|---|---|---|---|---|
${rows.join('\n')}

Commands (from the repo root; \`$OUT\` is \`npx tsc -p tsconfig.build.json --outDir $OUT\` with \`$OUT/../node_modules\` linked to the repo's):
${commands.join('\n')}

Checks: ${checks.join('; ')}.

Where the memory goes: the \`--version\` rows are Node, tsx (when used) and the modules. Demuxing itself holds a
few blocks of the file (1 MiB each), the moov and the sample tables as mp4box.js parses them (about 16 bytes a
sample; mp4dmx builds no per-sample objects). What grows between 60 s and 600 s is garbage: every byte read is
an ArrayBuffer (fin's blocks; packets are views into them) that V8 frees only when it collects, and it collects
ArrayBuffers under external-memory pressure (about 64 MB). A 16 MB file never reaches that; a 160 MB one does,
and the peak then grows little with length (a 1200 s copy made with \`ffmpeg -stream_loop 1 -c copy\` peaked at
121 MiB compiled, against 115 for 600 s: the larger moov and tables). Measured in-process, a minor GC every 16 MB read keeps the
600 s run at about 30 MiB over start-up instead of about 50: that is a runtime choice (\`--expose-gc\` and a
periodic \`gc({ type: 'minor' })\` from the scheduler), not a filter's.
${END}`;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  let runs = 5;
  let write = true;
  let which = 'both';
  const clips: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--runs') runs = Number(argv[++i]);
    else if (a === '--no-write') write = false;
    else if (a === '--cli') which = argv[++i] ?? 'both';
    else clips.push(a);
  }
  if (!clips.length) clips.push('bench/media/av_60s.mp4', 'bench/media/long_av.mp4');
  for (const c of clips)
    if (!existsSync(join(root, c)))
      throw new Error(`${c} is missing: run bash bench/make-long-clip.sh first`);

  const clis = (which === 'both' ? ['compiled', 'tsx'] : [which]).map((c) =>
    c === 'tsx' ? tsxCli() : compiledCli(),
  );
  const checks: string[] = [];
  for (const c of clips) checks.push(`${c}: ${await verify(c)} packets, as ffprobe`);
  const results: Result[] = [];
  for (const cli of clis) {
    const mine: Result[] = [await measure(cli, 'start-up only (`--version`)', ['--version'], runs)];
    for (const c of clips)
      mine.push(
        await measure(
          cli,
          c.split('/').pop()!,
          ['-i', c, 'inspect:log=/dev/null'],
          runs,
          statSync(join(root, c)).size,
        ),
      );
    results.push(...mine);
    const rss = mine.slice(1).map((r) => median(r.samples.map((s) => s.rssKb)) / 1024);
    checks.push(
      `${cli.name}: peak RSS ${rss.map((x) => x.toFixed(1)).join(' / ')} MiB, ${rss.every((x) => x <= RSS_TARGET_MB) ? 'within' : 'OVER'} the ${RSS_TARGET_MB} MB target`,
    );
    if (rss.length >= 2) {
      const spread = (Math.max(...rss) - Math.min(...rss)) / Math.min(...rss);
      checks.push(
        `${cli.name}: RSS spread across clip lengths ${(spread * 100).toFixed(1)}% (${spread <= 0.1 ? 'within' : 'OVER'} the 10% target)`,
      );
    }
  }
  const text = section(results, checks, runs);
  process.stdout.write(`\n${text}\n`);
  if (!write) return;
  const doc = existsSync(DOC)
    ? readFileSync(DOC, 'utf8')
    : '# Performance\n\nMeasured figures, one section per benchmark (each written by its script).\n';
  const a = doc.indexOf(START);
  const b = doc.indexOf(END);
  const next =
    a >= 0 && b > a ? doc.slice(0, a) + text + doc.slice(b + END.length) : `${doc.trimEnd()}\n\n${text}\n`;
  writeFileSync(DOC, next);
  process.stdout.write(`wrote ${DOC}\n`);
}

// nproc as the shell reports it, for the record (cpus() counts all, nproc honours affinity).
try {
  process.stdout.write(`nproc: ${execFileSync('nproc').toString().trim()}\n`);
} catch {
  /* not critical */
}
await main();
