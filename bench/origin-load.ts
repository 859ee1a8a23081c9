/**
 * Origin load: one live origin (the 600 s clip in real time, segdur=2:cdur=0.5, llhls=br, maxp=0) and N
 * simulated LL-HLS players on loopback, N = 100 and 1,000 one after the other, 60 s each (the issue's plan).
 *
 * Each simulated player does what hls.js does for a byte-range LL-HLS stream with an audio rendition, for both
 * variant playlists (video, audio): one GET of the playlist and of its init segment, then a blocking reload loop
 * (`_HLS_msn`/`_HLS_part` = the next part, `Accept-Encoding: gzip` as a browser sends) and, in parallel, the
 * GET of every new part by its byte range, one after the other. Every player has its own keep-alive
 * connections (at most 6, a browser's per-host limit; bench/http-lite.ts) and its own source address
 * (127.1.x.y), as real players have: the origin's per-address limits (maxp, 16 held requests) then apply per
 * player. Players run in child processes of 250 (bench/players.ts) and start spread over 10 s. They stand for
 * clients on other machines, so they run at the niceness of the origin's server thread (`nice -n 5`; the server
 * thread lowers its own priority so that the packager runs first: filters/httpout/thread-priority.ts).
 *
 * Measured per N: requests/s completed, the delay of each held blocking-reload answer after the part's
 * publication (when a probe, one more player alone in its own process, bench/probe.ts, first saw it), the
 * publication's lateness (− the part's media end from PROGRAM-DATE-TIME, as in bench/lateness.ts), part
 * download times, errors (any status other than 200/206, short body, network error: must be 0), the origin
 * process's CPU (utime + stime from /proc/PID/stat) and RSS (VmRSS sampled every 200 ms, VmHWM), the packager's
 * own part lateness (its `-logs=dasher@debug` lines), and the CPU of the players and of the machine's other
 * processes. Each phase starts once the machine is
 * quiet (at most QUIET_MAX_S of waiting). Then, if `wrk` is installed (`apt-get install wrk`), wrk on the
 * latest complete segment (a static file); without it, a message says so and that part is skipped.
 *
 *   node --import tsx bench/origin-load.ts [--quick] [--clients 100,1000] [--duration 60] [--wrk-duration 10]
 *                                          [--cli compiled|dist|tsx] [--no-write] [--h2]
 *
 * --h2: the origin over HTTPS (a self-signed certificate made with openssl), each player one HTTP/2 session; its
 * own section of docs/PERFORMANCE.md; no wrk.
 * --quick: 6 s per N and 3 s of wrk. Everything stops by itself: the origin's -runfor covers the whole plan,
 * players stop at the end of their phase. Loopback only.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  COMPILED_NOTE,
  cliByName,
  codeVersion,
  fmtQuantiles,
  hasCommand,
  machine,
  machineBusy,
  markers,
  procCpuSeconds,
  procMemory,
  quantiles,
  quiet,
  root,
  selfCpuSeconds,
  sleep,
  wallMs,
  writeSection,
  type Cli,
} from './lib.js';
import type { ProbeSeen } from './probe.js';
import type { PlayersJob, PlayersResult } from './players.js';
import { LIVE_OPTS, VARIANTS, get, parsePlaylist, startGraphpac, type Running } from './live.js';
import { SERVER_NICENESS } from '../filters/httpout/thread-priority.js';

const SCRIPT = 'bench/origin-load.ts';
/** `nice` (coreutils) runs the players at the server thread's niceness; without it they run at the default. */
const NICE = process.platform === 'linux' && hasCommand('nice');
/** `--h2`: the origin over HTTPS, each player one HTTP/2 session (its own section of docs/PERFORMANCE.md). */
let H2 = false;
const scheme = (): string => (H2 ? 'https' : 'http');
const sectionKey = (): string => (H2 ? `${SCRIPT} --h2` : SCRIPT);
const CLIP = 'bench/media/long_av.mp4';
const OUT = 'bench/out/origin-load';
/** Origin options beyond LIVE_OPTS: no per-address connection limit, room for every player's connections. */
const ORIGIN_OPTS = 'maxp=0:maxc=6000';
const BASELINE_S = 5;
const PAUSE_S = 3;
/** Longest wait for a quiet machine before a phase. */
const QUIET_MAX_S = 20;

interface Answer {
  /** variant:MSN.index */
  key: string;
  at: number;
  held: boolean;
  endMs: number;
}

interface Phase {
  clients: number;
  seconds: number;
  playlists: number;
  parts: number;
  inits: number;
  bytes: number;
  answers: Answer[];
  partMs: number[];
  errors: string[];
  originCpuS: number;
  clientCpuS: number;
  rssMaxKb: number;
  hwmKb: number;
  /** The players' event loop: p99 delay (ms). */
  loopP99Ms: number;
  /** CPU seconds other processes of the machine used meanwhile (not the origin, the players or the probe). */
  othersCpuS: number;
  /** Wall-clock span of the phase (ms since the epoch). */
  t0: number;
  t1: number;
}

/** Publication of every part, by the probe (bench/probe.ts: a lone player in its own process). */
class Probe {
  readonly seen = new Map<string, ProbeSeen>();
  readonly errors: string[] = [];
  readonly child: ChildProcess;
  private readonly done: Promise<void>;
  private stopped = false;

  constructor(base: string) {
    this.child = spawn(
      process.execPath,
      ['--import', 'tsx', 'bench/probe.ts', ...VARIANTS.map((v) => `${base}/${v}`)],
      { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] },
    );
    let rest = '';
    this.child.stdout!.on('data', (c: Buffer) => {
      const lines = (rest + c.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const l of lines) {
        if (!l) continue;
        const m = JSON.parse(l) as ProbeSeen | { error: string };
        if ('error' in m) this.errors.push(m.error);
        else this.seen.set(m.key, m);
      }
    });
    this.done = new Promise((resolve) => this.child.on('exit', () => resolve()));
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.child.stdin!.end();
    const t = setTimeout(() => this.child.kill('SIGKILL'), 10000);
    await this.done;
    clearTimeout(t);
  }
}

/** The packager's own publication lateness, per part and representation (the dasher's debug log). */
interface Published {
  /** Wall clock of the log line (ms since the epoch). */
  at: number;
  lateMs: number;
}

function collectPublished(g: Running): Published[] {
  const out: Published[] = [];
  g.onOutput((l) => {
    if (!l.includes('"part published"')) return;
    try {
      const j = JSON.parse(l) as { time?: number; lateMs?: number };
      if (typeof j.time === 'number' && typeof j.lateMs === 'number')
        out.push({ at: j.time, lateMs: j.lateMs });
    } catch {
      // not a log line
    }
  });
  return out;
}

/** Samples the origin's VmRSS while a phase runs. */
function rssSampler(pid: number): { stop(): { maxKb: number; hwmKb: number } } {
  let maxKb = procMemory(pid)?.rssKb ?? 0;
  const t = setInterval(() => {
    maxKb = Math.max(maxKb, procMemory(pid)?.rssKb ?? 0);
  }, 200);
  return {
    stop() {
      clearInterval(t);
      const m = procMemory(pid);
      return { maxKb: Math.max(maxKb, m?.rssKb ?? 0), hwmKb: m?.hwmKb ?? NaN };
    },
  };
}

/** CPU seconds used so far by the benchmark's processes: the origin, the probe, this one. */
function oursCpu(g: Running, probe: Probe): number {
  const probeCpu = probe.child.pid !== undefined ? (procCpuSeconds(probe.child.pid) ?? 0) : 0;
  return (procCpuSeconds(g.pid) ?? 0) + probeCpu + selfCpuSeconds();
}

/** Players per child process (bench/players.ts): each child is one event loop. */
const PLAYERS_PER_PROCESS = 250;
/** Players start spread over this long: the herd this benchmark measures. */
const RAMP_MS = 10000;
/**
 * The players stand for clients on other machines: on this one they must not take the CPU from the packager
 * before the origin's server thread does. They run at the server thread's niceness (`nice -n`, so every thread
 * of the process has it from its start).
 */
const PLAYERS_NICENESS = SERVER_NICENESS;

/** Runs `job` in a child process; resolves with what it reports. */
function runPlayers(job: PlayersJob): Promise<PlayersResult> {
  return new Promise((resolve, reject) => {
    const node = [process.execPath, '--import', 'tsx', 'bench/players.ts', JSON.stringify(job)];
    const [cmd, ...args] = NICE ? ['nice', '-n', String(PLAYERS_NICENESS), ...node] : node;
    const child = spawn(cmd!, args, {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code) => {
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '') as PlayersResult);
      } catch {
        reject(
          new Error(`players ${job.first}..${job.first + job.count - 1} exited (${code}) without a result`),
        );
      }
    });
  });
}

async function runPhase(g: Running, probe: Probe, clients: number, seconds: number): Promise<Phase> {
  const phase: Phase = {
    clients,
    seconds,
    playlists: 0,
    parts: 0,
    inits: 0,
    bytes: 0,
    answers: [],
    partMs: [],
    errors: [],
    originCpuS: 0,
    clientCpuS: 0,
    rssMaxKb: 0,
    hwmKb: 0,
    loopP99Ms: 0,
    othersCpuS: 0,
    t0: 0,
    t1: 0,
  };
  await quiet(() => oursCpu(g, probe), QUIET_MAX_S);
  const busy0 = machineBusy();
  const ours0 = oursCpu(g, probe);
  const cpu0 = procCpuSeconds(g.pid);
  const rss = rssSampler(g.pid);
  const t0 = wallMs();
  const jobs: Promise<PlayersResult>[] = [];
  for (let first = 0; first < clients; first += PLAYERS_PER_PROCESS) {
    const count = Math.min(PLAYERS_PER_PROCESS, clients - first);
    jobs.push(
      runPlayers({
        port: g.port!,
        proto: H2 ? 'h2' : 'h1',
        first,
        count,
        seconds,
        rampMs: clients > 1 ? RAMP_MS : 0,
      }),
    );
  }
  await sleep(seconds * 1000);
  const t1 = wallMs();
  const cpu1 = procCpuSeconds(g.pid);
  const busy1 = machineBusy();
  const ours1 = oursCpu(g, probe);
  const mem = rss.stop();
  const results = await Promise.all(jobs);
  if (cpu0 === undefined || cpu1 === undefined) throw new Error(`the origin exited:\n${g.output()}`);
  for (const r of results) {
    phase.playlists += r.playlists;
    phase.parts += r.parts;
    phase.inits += r.inits;
    phase.bytes += r.bytes;
    for (const [key, at, held, endMs] of r.answers) phase.answers.push({ key, at, held: held === 1, endMs });
    phase.partMs.push(...r.partMs);
    phase.errors.push(...r.errors);
    phase.clientCpuS += r.cpuS;
    phase.loopP99Ms = Math.max(phase.loopP99Ms, r.loopP99Ms);
  }
  // The players' CPU is not in oursCpu (they are other processes): count it as ours too.
  if (busy0 !== undefined && busy1 !== undefined)
    phase.othersCpuS = Math.max(0, busy1 - busy0 - (ours1 - ours0) - phase.clientCpuS);
  phase.seconds = (t1 - t0) / 1000;
  phase.t0 = t0;
  phase.t1 = t1;
  phase.originCpuS = cpu1 - cpu0;
  phase.rssMaxKb = mem.maxKb;
  phase.hwmKb = mem.hwmKb;
  return phase;
}

interface Summary {
  reqPerS: number;
  mbPerS: number;
  /** Held answers: arrival − the part's publication (the probe's first sight of it), ms. */
  delay: number[];
  /** Publication − media end (PROGRAM-DATE-TIME) of the parts published during the phase, ms. */
  publication: number[];
  /** The packager's own lateness (its log): playlist handed to the server − media end, ms. */
  packager: number[];
  /** Held answers: arrival − media end, ms (what the players saw). */
  seen: number[];
  heldShare: number;
}

function summarize(p: Phase, probe: Probe, published: readonly Published[]): Summary {
  const held = p.answers.filter((a) => a.held && probe.seen.has(a.key));
  const seenByProbe = [...probe.seen.values()].filter(
    (s) => s.at >= p.t0 && s.at <= p.t1 && Number.isFinite(s.endMs),
  );
  return {
    reqPerS: (p.playlists + p.parts + p.inits) / p.seconds,
    mbPerS: p.bytes / 1e6 / p.seconds,
    delay: held.map((a) => a.at - probe.seen.get(a.key)!.at),
    publication: seenByProbe.map((s) => s.at - s.endMs),
    packager: published.filter((x) => x.at >= p.t0 && x.at <= p.t1).map((x) => x.lateMs),
    seen: held.filter((a) => Number.isFinite(a.endMs)).map((a) => a.at - a.endMs),
    heldShare: p.answers.length ? p.answers.filter((a) => a.held).length / p.answers.length : NaN,
  };
}

interface Wrk {
  command: string;
  url: string;
  bytes: number;
  reqPerS: number;
  transfer: string;
  p50: string;
  p99: string;
  errors: string;
  originCpuS: number;
  seconds: number;
  rssMaxKb: number;
}

async function runWrk(g: Running, seconds: number): Promise<Wrk | string> {
  if (!hasCommand('wrk'))
    return 'wrk is not installed (`apt-get install wrk` on Debian): the static-file figure was skipped';
  const base = `http://127.0.0.1:${g.port}`;
  const r = await get(`${base}/${VARIANTS[0]}`);
  const seg = parsePlaylist(r.body.toString())
    .segments.filter((s) => s.durationS !== undefined && s.uri)
    .at(-1);
  if (!seg?.uri) return 'no complete segment to load with wrk';
  const url = `${base}/${seg.uri}`;
  const head = await get(url);
  const args = ['-t2', '-c32', `-d${seconds}s`, '--latency', url];
  const cpu0 = procCpuSeconds(g.pid) ?? 0;
  const rss = rssSampler(g.pid);
  const t0 = wallMs();
  // wrk too stands for clients on other machines: the players' niceness.
  const [cmd, ...cmdArgs] = NICE
    ? ['nice', '-n', String(PLAYERS_NICENESS), 'wrk', ...args]
    : ['wrk', ...args];
  const { stdout } = await promisify(execFile)(cmd!, cmdArgs, { timeout: (seconds + 30) * 1000 });
  const wall = (wallMs() - t0) / 1000;
  const cpu = (procCpuSeconds(g.pid) ?? cpu0) - cpu0;
  const mem = rss.stop();
  const grab = (re: RegExp): string => re.exec(stdout)?.[1]?.trim() ?? '–';
  const socketErrors = grab(/Socket errors:([^\n]*)/);
  const non2xx = grab(/Non-2xx or 3xx responses:\s*(\d+)/);
  return {
    command: `${NICE ? `nice -n ${PLAYERS_NICENESS} ` : ''}wrk ${args.slice(0, -1).join(' ')} http://127.0.0.1:PORT/${seg.uri}`,
    url,
    bytes: head.body.length,
    reqPerS: Number(grab(/Requests\/sec:\s*([\d.]+)/)),
    transfer: grab(/Transfer\/sec:\s*(\S+)/),
    p50: grab(/\n\s*50%\s+(\S+)/),
    p99: grab(/\n\s*99%\s+(\S+)/),
    errors: `${non2xx === '–' ? 0 : non2xx} non-2xx${socketErrors === '–' ? '' : `, socket errors: ${socketErrors}`}`,
    originCpuS: cpu,
    seconds: wall,
    rssMaxKb: mem.maxKb,
  };
}

const f1 = (x: number): string => x.toFixed(1);
const mib = (kb: number): string => (kb / 1024).toFixed(1);

function section(
  cli: Cli,
  command: string,
  baseline: Phase,
  phases: Phase[],
  probe: Probe,
  published: readonly Published[],
  wrk: Wrk | string,
  duration: number,
): string {
  const m = machine();
  const pct = (cpuS: number, p: Phase): string => `${((cpuS / p.seconds) * 100).toFixed(0)}%`;
  const rows = phases.map((p) => {
    const s = summarize(p, probe, published);
    const d = quantiles(s.delay);
    const pub = quantiles(s.publication);
    const pk = quantiles(s.packager);
    const seen = quantiles(s.seen);
    const dl = quantiles(p.partMs);
    return (
      `| ${p.clients} | ${f1(s.reqPerS)} | ${p.playlists} / ${p.parts} | ${f1(s.mbPerS)} | ` +
      `**${f1(pk.median)} / ${f1(pk.p99)} / ${f1(pk.max)}** | ${f1(pub.median)} / ${f1(pub.p99)} | ` +
      `${f1(d.median)} / ${f1(d.p99)} / ${f1(d.max)} | ${(s.heldShare * 100).toFixed(0)}% | ${f1(seen.median)} / ${f1(seen.p99)} | ` +
      `${f1(dl.median)} / ${f1(dl.p99)} / ${f1(dl.max)} | ${p.errors.length} | ${pct(p.originCpuS, p)} | ${mib(p.rssMaxKb)} | ` +
      `${pct(p.clientCpuS, p)}, ${f1(p.loopP99Ms)} ms | ${pct(p.othersCpuS, p)} |`
    );
  });
  const s0 = summarize(baseline, probe, published);
  const pub0 = quantiles(s0.publication);
  const pk0 = quantiles(s0.packager);
  const base =
    `| 0 (idle, ${f1(baseline.seconds)} s) | – | – | – | ${f1(pk0.median)} / ${f1(pk0.p99)} / ${f1(pk0.max)} | ${f1(pub0.median)} / ${f1(pub0.p99)} | – | – | – | – | – | ` +
    `${pct(baseline.originCpuS, baseline)} | ${mib(baseline.rssMaxKb)} | – | ${pct(baseline.othersCpuS, baseline)} |`;
  const errs = phases.flatMap((p) => p.errors.map((e) => `N=${p.clients}: ${e}`));
  const errorNote = errs.length
    ? `**Errors** (${errs.length}; first ones): ${[...new Set(errs)].slice(0, 5).join('; ')}.`
    : 'Errors: none (every answer 200 / 206 with the expected length, no network error, no 503 / 429).';
  const probeNote = probe.errors.length
    ? ` The probe had ${probe.errors.length} failed requests (${probe.errors[0]}).`
    : '';
  const hwm = Math.max(...phases.map((p) => p.hwmKb));
  const w =
    typeof wrk === 'string'
      ? `wrk: ${wrk}.`
      : `wrk on a static segment (the latest complete video segment, ${(wrk.bytes / 1e6).toFixed(2)} MB, read from disk; no players meanwhile):
\`${wrk.command}\`: **${wrk.reqPerS.toFixed(0)} requests/s**, ${wrk.transfer}/s, latency p50 ${wrk.p50}, p99 ${wrk.p99}, ${wrk.errors}; origin CPU ${((wrk.originCpuS / wrk.seconds) * 100).toFixed(0)}% of one CPU, peak VmRSS ${mib(wrk.rssMaxKb)} MiB (wrk's 2 threads share the 2 CPUs with the origin${NICE ? `, at the players' niceness` : ''}).`;
  const players = H2
    ? `The players are HTTP/2 clients over TLS, one session per player (\`bench/http2-client.ts\`: what a browser opens to an
LL-HLS origin, Apple's server profile requires HTTP/2), in child`
    : `The players are a small HTTP/1.1 client
(\`bench/http-lite.ts\`; Node's \`http\` client costs more CPU per request than the origin spends answering it) in child`;
  const niceNote = NICE
    ? `The origin's server thread runs at niceness ${SERVER_NICENESS} (the packager first: filters/httpout/thread-priority.ts), and so do the player processes (\`nice -n ${PLAYERS_NICENESS}\`): they stand for clients on other machines, so they must not take the CPU from the packager before the server does.`
    : `The players ran at the default niceness (no \`nice\` command), above the origin's server thread (niceness ${SERVER_NICENESS}).`;
  return `${markers(sectionKey()).start}
## Origin load${H2 ? ' over HTTP/2' : ''}: simulated LL-HLS players (${H2 ? `${SCRIPT} --h2` : SCRIPT})

What it measures: one live origin (the 600 s clip in real time, 2 s segments, 0.5 s parts, \`llhls=br\`) and N
simulated players on loopback, one N after the other, ${duration} s each. A player does what hls.js does for both
variant playlists (video, audio): GET the playlist and its init segment, then a blocking-reload loop for the next
part (\`_HLS_msn\`/\`_HLS_part\`, \`Accept-Encoding: gzip\`) and, in parallel, a GET of every new part by its byte range,
one after the other. Each player has its own keep-alive connections (≤ 6) and its own source address
(127.1.x.y), so the origin's per-address limits apply per player. ${players}
processes of 250 players (\`bench/players.ts\`), starting spread over 10 s, on the same 2 CPUs as the origin. ${niceNote} A **probe**, one more blocking-reload player alone in its own process (\`bench/probe.ts\`), gives each part's publication time.

- **req/s**: requests completed per second (playlists, parts, init segments). **playlists / parts**: how many.
- **packager lateness**: the figure the issue bounds (≤ 20 ms): for every part of every representation published during the
  phase, the time the dasher handed the playlist listing it to the server − the part's media end on the wall clock
  (availabilityStartTime + media time), from the origin's own \`-logs=dasher@debug\` line (\`part published\`, \`lateMs\`).
  The server runs in its own thread (filters/httpout/server-thread.ts), so answering the players does not delay the packager.
- **publication**: the probe's first sight of a part − the part's media end (PROGRAM-DATE-TIME, as in the lateness section),
  for the parts published during the phase: median / p99 ms. This adds the server's and the probe's own delays under load.
- **answer delay**: for every held blocking-reload answer, its arrival − the part's publication: median / p99 / max ms
  (the cost of answering N held requests, plus the players' own event-loop delay). **held**: the share of answers that had been
  held (the rest were answered at once: the player asked after the part was listed, i.e. it was behind).
- **seen**: held answer's arrival − media end: what the players saw (median / p99 ms).
- **part download**: request sent → last byte, median / p99 / max ms (video parts are about 120 KB, audio about 8 KB).
- **origin CPU**: utime + stime of the graphpac process (/proc/PID/stat) over the phase, % of one CPU; **origin peak RSS**: VmRSS
  sampled every 200 ms (VmHWM over the whole run: ${mib(hwm)} MiB). **players**: the player processes' CPU, % of one CPU, and
  their worst event-loop p99 delay (when it is large, the players' timestamps are late, not the origin). **others' CPU**: what the
  machine's other processes used meanwhile (/proc/stat minus the origin, the probe and the players; the machine is shared:
  each phase starts once they are below 10% of a CPU for 2 s, but they may come back during it).

Machine: ${m.text}. Code: ${codeVersion()}. graphpac ran as "${cli.name}".

| players | req/s | playlists / parts | MB/s | packager lateness ms (med / p99 / max) | publication ms (med / p99) | answer delay ms (med / p99 / max) | held | seen ms (med / p99) | part download ms (med / p99 / max) | errors | origin CPU | origin peak RSS MiB | players: CPU, loop p99 | others' CPU |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
${base}
${rows.join('\n')}

${errorNote}${probeNote}

${w}

Origin command (from the repo root; ${cli.name === 'compiled' ? COMPILED_NOTE : 'after `npm run build`'}; port 0: the system picks one):
\`${command}\`. \`maxc=6000\`: the default (100 connections) is below what 1,000 players open (about 4 each).

To reproduce: \`node --import tsx ${sectionKey()}\` (about ${Math.ceil((25 + BASELINE_S + phases.length * (duration + PAUSE_S) + 15) / 60)} min; \`--quick\`: 6 s per N).
${markers(sectionKey()).end}`;
}

/** A self-signed certificate for 127.0.0.1 (openssl), as the origin's cert/pkey options. */
function tlsOpts(): string {
  const dir = join(root, 'bench/out/origin-load-tls');
  mkdirSync(dir, { recursive: true });
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'key.pem',
      '-out',
      'cert.pem',
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { cwd: dir, stdio: 'ignore', input: '' },
  );
  return `:cert=${join(dir, 'cert.pem')}:pkey=${join(dir, 'key.pem')}`;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  let counts = [100, 1000];
  let duration = 60;
  let wrkDuration = 10;
  let write = true;
  let cliName = 'compiled';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') {
      duration = 6;
      wrkDuration = 3;
    } else if (a === '--clients') counts = (argv[++i] ?? '').split(',').map(Number);
    else if (a === '--duration') duration = Number(argv[++i]);
    else if (a === '--wrk-duration') wrkDuration = Number(argv[++i]);
    else if (a === '--no-write') write = false;
    else if (a === '--h2') H2 = true;
    else if (a === '--cli') cliName = argv[++i] ?? cliName;
    else if (a === '--runs')
      i++; // npm run bench passes --runs to every script: one run here
    else throw new Error(`unknown argument ${a}`);
  }
  if (!counts.length || counts.some((n) => !(n >= 1 && n <= 1000))) throw new Error('--clients: 1–1000 each');
  if (!(duration >= 2 && duration <= 120)) throw new Error('--duration: 2–120 s');
  if (!existsSync(join(root, CLIP)))
    throw new Error(`${CLIP} is missing: run bash bench/make-long-clip.sh first`);
  process.stdout.write(`machine: ${machine().text}\n`);
  const cli = cliByName(cliName);
  rmSync(join(root, OUT), { recursive: true, force: true });
  // The origin stops by itself after the whole plan (plus a margin), even if this script dies.
  const planS =
    15 +
    BASELINE_S +
    counts.length * (duration + PAUSE_S) +
    wrkDuration +
    PAUSE_S +
    (counts.length + 1) * QUIET_MAX_S +
    30;
  const args = [
    '-i',
    CLIP,
    'reframer:rt=on',
    '-o',
    `${scheme()}://127.0.0.1:0/live.m3u8:${LIVE_OPTS}:${ORIGIN_OPTS}:rdirs=${OUT}${H2 ? tlsOpts() : ''}`,
    `-runfor=${planS * 1000}`,
    // One debug line per published part with its lateness (the packager's own figure).
    '-logs=dasher@debug',
  ];
  const g = await startGraphpac(cli, args, { server: true });
  const published = collectPublished(g);
  let probe: Probe | undefined;
  try {
    // Warm-up: until the video playlist lists 2 complete segments.
    for (let t = 0; ; t++) {
      const r = await get(`${scheme()}://127.0.0.1:${g.port}/${VARIANTS[0]}`).catch(() => undefined);
      if (
        r?.status === 200 &&
        parsePlaylist(r.body.toString()).segments.filter((s) => s.durationS).length >= 2
      )
        break;
      if (t > 150) throw new Error(`no playlist after 15 s:\n${g.output()}`);
      await sleep(100);
    }
    probe = new Probe(`${scheme()}://127.0.0.1:${g.port}`);
    await sleep(500);
    process.stdout.write(`origin pid ${g.pid} on port ${g.port}; idle ${BASELINE_S} s…\n`);
    const baseline = await runPhase(g, probe, 0, BASELINE_S);
    const phases: Phase[] = [];
    for (const n of counts) {
      await sleep(PAUSE_S * 1000);
      process.stdout.write(`${n} players, ${duration} s…`);
      const p = await runPhase(g, probe, n, duration);
      const s = summarize(p, probe, published);
      process.stdout.write(
        ` ${f1(s.reqPerS)} req/s, packager lateness p99 ${f1(quantiles(s.packager).p99)} ms, publication p99 ${f1(quantiles(s.publication).p99)} ms, answer delay p99 ${f1(quantiles(s.delay).p99)} ms, ${p.errors.length} errors, origin CPU ${((p.originCpuS / p.seconds) * 100).toFixed(0)}%\n`,
      );
      phases.push(p);
    }
    await sleep(PAUSE_S * 1000);
    process.stdout.write(`wrk ${wrkDuration} s…\n`);
    await probe.stop();
    const wrk = H2 ? 'not run with --h2 (see the HTTP/1.1 section)' : await runWrk(g, wrkDuration);
    const text = section(
      cli,
      `${cli.shown} ${args.join(' ')}`,
      baseline,
      phases,
      probe,
      published,
      wrk,
      duration,
    );
    process.stdout.write(`\n${text}\n`);
    if (write) writeSection(sectionKey(), text);
    const q = fmtQuantiles(quantiles(phases.flatMap((p) => p.partMs)), 1);
    process.stdout.write(`part download over all phases: ${q.replace(/\*/g, '')} ms\n`);
  } finally {
    await probe?.stop();
    await g.stop();
    rmSync(join(root, OUT), { recursive: true, force: true });
    rmSync(join(root, 'bench/out/origin-load-tls'), { recursive: true, force: true });
  }
}

await main();
