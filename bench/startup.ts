/**
 * Start-up benchmark: what a run costs before and around its media work. The working tree and a
 * baseline git ref (default: the merge base with main when this script was written, i.e. before lazy
 * filter loading) are each compiled into a temporary folder and run as the installed CLI runs
 * (`node <bin flags> bin/graphpac.js`), interleaved run by run so that a loaded machine weighs on both
 * alike. Jobs: `--version`, `-h`, packaging a 1 s A/V clip to DASH (`-o x.mpd:segdur=1`), and demuxing
 * it to inspect. For each: wall time and CPU time (user + sys; median and minimum of N runs), peak RSS,
 * and the number of JavaScript modules the run loads (counted by an --import hook in one extra run:
 * exact, whatever the load). Writes the "Start-up" section of docs/PERFORMANCE.md.
 *
 *   node --import tsx bench/startup.ts [--runs 15] [--baseline REF] [--no-write]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  codeVersion,
  cpuTimes,
  machine,
  markers,
  median,
  nodeFlags,
  root,
  rssMiB,
  run,
  timed,
  walls,
  writeSection,
  type Sample,
} from './lib.js';

const SCRIPT = 'bench/startup.ts';
const CLIP = 'bench/media/clip_1s.mp4';
/** main before issue #10's start-up work (the merge base of the `api` branch). */
/** main before the one-file bundle (issue #13): the CLI as ~140 separate ES modules. */
const DEFAULT_BASELINE = '10d709e';
/** What the known baselines were. */
const BASELINES: Record<string, string> = {
  [DEFAULT_BASELINE]:
    'main before the bundle: the CLI ran ~140 separate ES modules, each resolved, read and linked at start-up, and loaded commander and pino whatever the line',
  '4b5907e': 'the bundle without its code cache: parsed and compiled at every start',
  '03e554c':
    'the bundle with its code cache, run from an ES module entry point that made process.stdout and process.stderr at every start',
};

interface Build {
  name: string;
  ref: string;
  bin: string;
}

/**
 * Build `ref` (or the working tree when ref is null) into a temporary folder as `npm run build` does for
 * that code: scripts/build.mjs (tsc, then the bundle bin/graphpac.js runs) where it exists, else tsc.
 */
function build(name: string, ref: string | null): Build {
  const dir = mkdtempSync(join(tmpdir(), `graphpac-startup-${name}-`));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  // The bundled clips: the build's code-cache run packages them.
  const paths = [
    'src',
    'filters',
    'bin',
    'scripts',
    'package.json',
    'tsconfig.json',
    'tsconfig.build.json',
    'test/media/source1',
    'test/media/source2',
  ];
  if (ref) {
    const tar = execFileSync('git', ['archive', ref, ...paths], { cwd: root, maxBuffer: 256 << 20 });
    execFileSync('tar', ['-x', '-C', dir], { input: tar });
  } else for (const p of paths) execFileSync('cp', ['-r', '--parents', p, dir], { cwd: root });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  const script = join(dir, 'scripts/build.mjs');
  execFileSync(
    process.execPath,
    existsSync(script)
      ? [script]
      : [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    { cwd: dir, stdio: 'ignore' },
  );
  const short = ref ?? execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).toString().trim();
  return { name, ref: short, bin: join(dir, 'bin/graphpac.js') };
}

interface Job {
  id: string;
  args: (out: string) => string[];
}

const JOBS: Job[] = [
  { id: '`--version`', args: () => ['--version'] },
  { id: '`-h`', args: () => ['-h'] },
  { id: '1 s clip → DASH', args: (out) => ['-i', CLIP, '-o', `${out}/x.mpd:segdur=1`] },
  { id: '1 s clip → inspect', args: () => ['-i', CLIP, 'inspect:log=/dev/null'] },
];

/** How many modules a run loads (ESM, through the loader; CommonJS dependencies count as their entry). */
async function moduleCount(b: Build, job: Job, out: string): Promise<number> {
  const counter = `data:text/javascript,${encodeURIComponent(`
import { register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';
const { port1, port2 } = new MessageChannel();
let n = 0;
port1.on('message', () => n++);
port1.unref();
register('data:text/javascript,' + encodeURIComponent(\`let port;
export function initialize(d) { port = d.port; }
export async function load(u, c, next) { port.postMessage(1); return next(u, c); }\`), { data: { port: port2 }, transferList: [port2] });
process.on('exit', () => process.stderr.write('MODULES ' + n + '\\\\n'));`)}`;
  const { stderr } = await run(process.execPath, ['--import', counter, b.bin, ...job.args(out)], {
    cwd: root,
  });
  return Number(/MODULES (\d+)/.exec(stderr)?.[1] ?? NaN);
}

function fmt(xs: number[], digits = 0, scale = 1000): string {
  return `${(median(xs) * scale).toFixed(digits)} (min ${(Math.min(...xs) * scale).toFixed(digits)})`;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const opt = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const runs = Number(opt('--runs') ?? 15);
  const baselineRef = opt('--baseline') ?? DEFAULT_BASELINE;
  const write = !argv.includes('--no-write');
  if (!existsSync(join(root, CLIP))) {
    mkdirSync(join(root, 'bench/media'), { recursive: true });
    execFileSync(
      'ffmpeg',
      [
        ...['-nostdin', '-v', 'error', '-y', '-i', 'test/media/source1', '-i', 'test/media/source2'],
        ...['-map', '0:v', '-map', '1:a', '-t', '1', '-c', 'copy', CLIP],
      ],
      { cwd: root },
    );
  }
  process.stdout.write(`machine: ${machine().text}\nbuilding ${baselineRef} and the working tree…\n`);
  const version = codeVersion(); // what the working tree is when it is built
  const builds = [build('before', baselineRef), build('after', null)];
  const out = mkdtempSync(join(tmpdir(), 'graphpac-startup-out-'));
  process.on('exit', () => rmSync(out, { recursive: true, force: true }));
  const load0 = loadavg()[0]!;
  const samples = new Map<string, Sample[]>();
  const modules = new Map<string, number>();
  for (const job of JOBS)
    for (const b of builds) modules.set(`${job.id}|${b.name}`, await moduleCount(b, job, out));
  for (let i = 0; i <= runs; i++) {
    for (const job of JOBS)
      for (const b of builds) {
        rmSync(out, { recursive: true, force: true });
        mkdirSync(out);
        // Each build with the options of its own entry point: its code cache was made with them.
        const cmd = [process.execPath, ...nodeFlags(b.bin), b.bin, ...job.args(out)];
        const s = await timed(cmd);
        if (i === 0) continue; // warm-up
        const key = `${job.id}|${b.name}`;
        samples.set(key, [...(samples.get(key) ?? []), s]);
      }
    process.stdout.write(`run ${i}/${runs}\n`);
  }
  const load1 = loadavg()[0]!;
  const rows = JOBS.flatMap((job) =>
    builds.map((b) => {
      const s = samples.get(`${job.id}|${b.name}`)!;
      return `| ${job.id} | ${b.name} (${b.ref}) | ${fmt(walls(s))} | ${fmt(cpuTimes(s))} | ${median(rssMiB(s)).toFixed(0)} | ${modules.get(`${job.id}|${b.name}`)} |`;
    }),
  );
  const { start, end } = markers(SCRIPT);
  const text = `${start}
## Start-up (${SCRIPT})

What a run costs around its media work: \`graphpac --version\`, \`-h\`, and a 1 s A/V clip (\`${CLIP}\`,
cut from the test clips) packaged to DASH or demuxed to inspect. "before" is ${baselineRef}${BASELINES[baselineRef] ? ` (${BASELINES[baselineRef]})` : ''},
"after" the working tree (${version}): bin/graphpac.js runs dist/cli.cjs, the command line bundled into one
CommonJS file (scripts/build.mjs), in which a module a run does not use, and the Node modules it needs, are
not evaluated; commander is loaded only for a line starting with an engine option, pino on the first log
record written; sockin and pin are registered by their descriptor like httpout, m2tsdmx, flist and inspect.
The bundle is compiled with V8's code cache (dist/cli.cjs.v8cache, made by the build: bin/bundle.cjs).

Both compiled the same way into a temporary folder and run as the installed CLI (\`node <the options of its bin/graphpac.js> bin/graphpac.js …\`: ${builds.map((b) => `${b.name} \`${nodeFlags(b.bin).join(' ')}\``).join(', ')}),
interleaved, 1 warm-up + ${runs} runs each: median (min) in milliseconds; RSS: median peak in MiB;
modules: how many JavaScript modules the run loads through Node's ES module loader (an \`--import\` hook; exact
whatever the load; a build with the one-file bundle, dist/cli.cjs, loads bin/graphpac.js and then the bundle through
\`require\`, which the hook does not see: what it evaluates is in the CPU and wall columns).

| job | code | wall ms | CPU ms (user+sys) | RSS MiB | modules |
|---|---|---|---|---|---|
${rows.join('\n')}

Machine: ${machine().text}; load average ${load0.toFixed(1)} at the start, ${load1.toFixed(1)} at the end
(a machine shared with other test suites: the minimums are the closest to an idle machine; module counts
do not depend on the load). \`node -e 0\` alone is the floor of every row.
${end}`;
  process.stdout.write(`\n${text}\n`);
  if (write) writeSection(SCRIPT, text);
}

await main();
