/**
 * Live part lateness: how long after its media end each LL-HLS part is announced in its playlist, in a
 * real-time run (`reframer:rt=on`, segdur=2:cdur=0.5, llhls=br), once to files and once to the origin.
 *
 *   lateness = first appearance of the part in its variant playlist − the end of its media on the wall clock
 *
 * The media end is the segment's EXT-X-PROGRAM-DATE-TIME (the dasher's availabilityStartTime, the earliest
 * arrival − media time of any packet, i.e. when media time 0 was live) plus the durations of the parts of the
 * segment up to and including this one: what a player computes. test/live/part-timing.test.ts measures the
 * same thing from inside (the reframer's own clock per stream); from outside the process, PROGRAM-DATE-TIME is
 * the clock we have (ms precision; one origin for all streams, so a stream the reframer started a few ms after
 * the other looks that much later).
 *
 * - files: the variant playlists on disk (written atomically: temporary file + rename) read every POLL_MS ms;
 *   the first read that lists a part is its appearance (resolution: the poll interval, measured and reported).
 * - origin: per variant, the blocking reload hls.js makes (`_HLS_msn`/`_HLS_part` = the next part); the time
 *   the answer arrived is the part's appearance. An answer that was not held (Block-Duration 0: the part was
 *   already there when asked) is counted apart: its figure is only an upper bound.
 *
 *   node --import tsx bench/lateness.ts [--quick] [--seconds 60] [--only files|origin] [--cli compiled|dist|tsx]
 *                                       [--no-write]
 *
 * --quick: 15 s of media per run. Outputs go to bench/out/lateness/ (gitignored), removed at the end.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { join } from 'node:path';
import {
  COMPILED_NOTE,
  cliByName,
  codeVersion,
  fmtQuantiles,
  machine,
  markers,
  quantiles,
  quiet,
  root,
  sleep,
  wallMs,
  writeSection,
  type Cli,
  type Quantiles,
} from './lib.js';
import {
  LIVE_OPTS,
  VARIANTS,
  cpuWatch,
  followBlocking,
  parsePlaylist,
  startGraphpac,
  type Playlist,
} from './live.js';

const SCRIPT = 'bench/lateness.ts';
const CLIP = 'bench/media/long_av.mp4';
const OUT = 'bench/out/lateness';
/** Interval of the playlist poll on disk. */
const POLL_MS = 2;
/** Longest wait for a quiet machine before a run. */
const QUIET_MAX_S = 30;
const KIND: Record<string, string> = { 'live_1.m3u8': 'video', 'live_2.m3u8': 'audio' };

interface Late {
  variant: string;
  key: string;
  ms: number;
  /** Origin: whether the answer that first listed it had been held (a true blocking reload). */
  held?: boolean;
}

interface RunResult {
  mode: 'files' | 'origin';
  command: string;
  late: Late[];
  /** files: intervals between two polls (ms). */
  pollGaps?: number[];
  /** origin: answers that were not 200 while the session ran. */
  errors?: string[];
  exitCode: number | null;
  /** graphpac's CPU seconds, other processes' CPU seconds, and the wall seconds of the run. */
  cpu: { cpuS: number; othersS: number; wallS: number };
}

function record(
  pl: Playlist,
  variant: string,
  at: number,
  seen: Set<string>,
  late: Late[],
  held?: boolean,
): void {
  for (const p of pl.parts) {
    const key = `${variant}:${p.key}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (Number.isFinite(p.endMs))
      late.push({ variant, key: p.key, ms: at - p.endMs, ...(held !== undefined ? { held } : {}) });
  }
}

async function filesRun(cli: Cli, seconds: number): Promise<RunResult> {
  const dir = `${OUT}/files`;
  rmSync(join(root, dir), { recursive: true, force: true });
  const args = [
    '-i',
    CLIP,
    'reframer:rt=on',
    '-o',
    `${dir}/live.m3u8:${LIVE_OPTS}`,
    `-runfor=${seconds * 1000}`,
  ];
  await quiet(undefined, QUIET_MAX_S);
  const g = await startGraphpac(cli, args);
  const watch = cpuWatch(g.pid);
  let running = true;
  let exitCode: number | null = null;
  void g.exited.then((c) => {
    running = false;
    exitCode = c;
  });
  const seen = new Set<string>();
  const late: Late[] = [];
  const last = new Map<string, string>();
  const gaps: number[] = [];
  let prev = wallMs();
  while (running) {
    const now = wallMs();
    gaps.push(now - prev);
    prev = now;
    for (const v of VARIANTS) {
      let text: string;
      try {
        text = readFileSync(join(root, dir, v), 'utf8');
      } catch {
        continue; // not written yet
      }
      if (text === last.get(v)) continue;
      last.set(v, text);
      record(parsePlaylist(text), v, now, seen, late);
    }
    await sleep(POLL_MS);
  }
  await g.exited;
  const cpu = watch.stop();
  if (exitCode !== 0) throw new Error(`graphpac exited with ${exitCode}:\n${g.output()}`);
  return {
    mode: 'files',
    command: `${cli.shown} ${args.join(' ')}`,
    late,
    pollGaps: gaps.slice(1),
    exitCode,
    cpu,
  };
}

async function originRun(cli: Cli, seconds: number): Promise<RunResult> {
  const dir = `${OUT}/origin`;
  rmSync(join(root, dir), { recursive: true, force: true });
  const args = [
    '-i',
    CLIP,
    'reframer:rt=on',
    '-o',
    `http://127.0.0.1:0/live.m3u8:${LIVE_OPTS}:rdirs=${dir}`,
    `-runfor=${seconds * 1000}`,
  ];
  await quiet(undefined, QUIET_MAX_S);
  const g = await startGraphpac(cli, args, { server: true });
  const watch = cpuWatch(g.pid);
  let running = true;
  let exitCode: number | null = null;
  void g.exited.then((c) => {
    running = false;
    exitCode = c;
  });
  const seen = new Set<string>();
  const late: Late[] = [];
  const errors: string[] = [];
  const agent = new Agent({ keepAlive: true });
  const ac = new AbortController();
  void g.exited.then(() => ac.abort());
  await Promise.all([
    ...VARIANTS.map((v) =>
      followBlocking(`http://127.0.0.1:${g.port}/${v}`, {
        signal: ac.signal,
        agent,
        onAnswer: (a) => record(a.playlist, v, a.reply.endMs, seen, late, a.held),
        onError: (e) => {
          if (running) errors.push(e);
        },
      }),
    ),
    g.exited,
  ]);
  agent.destroy();
  const cpu = watch.stop();
  if (exitCode !== 0) throw new Error(`graphpac exited with ${exitCode}:\n${g.output()}`);
  return { mode: 'origin', command: `${cli.shown} ${args.join(' ')}`, late, errors, exitCode, cpu };
}

const f1 = (x: number): string => x.toFixed(1);

function rows(r: RunResult): string[] {
  const out: string[] = [];
  const groups: [string, Late[]][] = [
    ...VARIANTS.map((v): [string, Late[]] => [`${KIND[v]} (${v})`, r.late.filter((l) => l.variant === v)]),
    ['all', r.late],
  ];
  if (r.mode === 'origin') groups.push(['all, held answers only', r.late.filter((l) => l.held)]);
  for (const [label, ls] of groups) {
    const q: Quantiles = quantiles(ls.map((l) => l.ms));
    const early = ls.filter((l) => l.ms < 0).length;
    out.push(`| ${r.mode} | ${label} | ${q.n} | ${fmtQuantiles(q, 1)} | ${early} |`);
  }
  return out;
}

function worst(r: RunResult, n = 3): string {
  return [...r.late]
    .sort((a, b) => b.ms - a.ms)
    .slice(0, n)
    .map((l) => `${KIND[l.variant]} part ${l.key} (MSN.index) ${f1(l.ms)} ms`)
    .join(', ');
}

function section(cli: Cli, results: RunResult[], seconds: number): string {
  const m = machine();
  const notes: string[] = [];
  for (const r of results) {
    if (r.pollGaps) {
      const q = quantiles(r.pollGaps);
      notes.push(
        `- files: the playlists were read every ${POLL_MS} ms (setTimeout); measured interval between reads median ${f1(q.median)} ms, p99 ${f1(q.p99)} ms, max ${f1(q.max)} ms: a part's appearance is known to within about that much (late, never early).`,
      );
    }
    if (r.errors) {
      const held = r.late.filter((l) => l.held).length;
      notes.push(
        `- origin: ${held} of ${r.late.length} parts were first seen in a held blocking-reload answer; the others came in the first playlist read (polled every 10 ms before it existed) or in an answer given at once (the part was already listed when asked); ${r.errors.length} failed requests${r.errors.length ? ` (${[...new Set(r.errors)].slice(0, 3).join('; ')})` : ''}.`,
      );
    }
    notes.push(
      `- ${r.mode}: latest parts: ${worst(r)}. graphpac used ${((r.cpu.cpuS / r.cpu.wallS) * 100).toFixed(0)}% of a CPU; other processes of the (shared) machine ${((r.cpu.othersS / r.cpu.wallS) * 100).toFixed(0)}% of a CPU on average during the run (it started once they were below 10% for 2 s).`,
    );
  }
  return `${markers(SCRIPT).start}
## Live part lateness (bench/lateness.ts)

What it measures: in a real-time run (\`reframer:rt=on\`, 2 s segments, 0.5 s parts, \`llhls=br\`) of ${seconds} s of
the 600 s clip, for every part of both variant playlists: **lateness = first appearance of the part in its playlist −
the end of its media on the wall clock**, in ms. The media end is the segment's EXT-X-PROGRAM-DATE-TIME (the
dasher's availabilityStartTime: when media time 0 was live) plus the durations of the segment's parts up to this one,
as a player computes it (\`test/live/part-timing.test.ts\` measures the same from inside, with the reframer's clock
per stream; from outside, PROGRAM-DATE-TIME is the clock: ms precision, one origin for both streams).
Negative = announced before its media end (a real-time source cannot do that by more than the ms rounding).
- **files**: the variant playlists on disk (written atomically: temporary file, then rename) read every ${POLL_MS} ms.
- **origin**: per variant, hls.js's blocking reload (\`_HLS_msn\`/\`_HLS_part\` = the next part) on loopback; the time
  the answer's body arrived is the appearance (it includes the HTTP round trip on loopback).

Machine: ${m.text}. Code: ${codeVersion()}. graphpac ran as "${cli.name}".

| run | playlist | parts | min / **median** / p90 / p99 / max ms | early (< 0) |
|---|---|---|---|---|
${results.flatMap(rows).join('\n')}

${notes.join('\n')}

GPAC has no figure for this: it announces a part in the playlist before the part's bytes are on disk (the
anchor measured only whole-file packaging, not in real time), so its lateness would be negative by design and is
not comparable. graphpac announces a part only once the file writer has acknowledged its bytes (\`write-ack\`),
so every figure above includes the write.

Commands (from the repo root; ${cli.name === 'compiled' ? COMPILED_NOTE : 'after `npm run build`'}):
${results.map((r) => `- ${r.mode}: \`${r.command}\``).join('\n')}

To reproduce: \`node --import tsx ${SCRIPT}\` (about ${Math.ceil((results.length * (seconds + 10)) / 60)} min; \`--quick\` for 15 s of media per run).
${markers(SCRIPT).end}`;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  let seconds = 60;
  let write = true;
  let cliName = 'compiled';
  let modes: ('files' | 'origin')[] = ['files', 'origin'];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') seconds = 15;
    else if (a === '--seconds') seconds = Number(argv[++i]);
    else if (a === '--no-write') write = false;
    else if (a === '--cli') cliName = argv[++i] ?? cliName;
    else if (a === '--only') {
      const v = argv[++i];
      if (v !== 'files' && v !== 'origin') throw new Error(`--only files or --only origin, not ${v}`);
      modes = [v];
    } else if (a === '--runs')
      i++; // npm run bench passes --runs to every script: one run here
    else throw new Error(`unknown argument ${a}`);
  }
  if (!(seconds >= 5 && seconds <= 590)) throw new Error('--seconds must be within 5–590');
  if (!existsSync(join(root, CLIP)))
    throw new Error(`${CLIP} is missing: run bash bench/make-long-clip.sh first`);
  process.stdout.write(`machine: ${machine().text}\n`);
  const cli = cliByName(cliName);
  const results: RunResult[] = [];
  for (const mode of modes) {
    process.stdout.write(`${mode}: ${seconds} s of media in real time…\n`);
    const r = mode === 'files' ? await filesRun(cli, seconds) : await originRun(cli, seconds);
    const q = quantiles(r.late.map((l) => l.ms));
    process.stdout.write(`  ${r.late.length} parts, ${fmtQuantiles(q, 1).replace(/\*/g, '')} ms\n`);
    results.push(r);
  }
  rmSync(join(root, OUT), { recursive: true, force: true });
  const text = section(cli, results, seconds);
  process.stdout.write(`\n${text}\n`);
  if (write) writeSection(SCRIPT, text);
}

await main();
