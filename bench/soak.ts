/**
 * Soak: the main job (`npm start`'s graph: flist looping source1 && source2, reframer in real time, the
 * LL-HLS + MPD origin) for an hour in real time, with 50 simulated players (bench/players.ts) and, from the
 * same dasher's files, a push to a recording origin (this process) that goes down for 5 s every 5 minutes
 * (its connections cut, every request dropped). Not in CI.
 *
 * Sampled every minute: graphpac's RSS (VmRSS) and main-thread V8 heap (bench/soak-probe.mjs, loaded into
 * its process), its open file descriptors (/proc/PID/fd), the packager's part lateness (its
 * `-logs=dasher@debug` lines) and the players' progress. At the end: memory flat within 10 % after the
 * first 5 minutes, no fd growth, nothing lost (the players got every answer, 0 errors; the push origin ends
 * with exactly the pushed local copy, every segment uploaded; the run exits 0).
 *
 *   node --import tsx bench/soak.ts [--minutes 60] [--players 50] [--outage-every 300] [--outage 5]
 *                                   [--cli compiled|dist|tsx] [--logs dasher@debug:httpout@debug] [--no-write]
 *
 * `--minutes 6` validates the whole thing in 6 minutes (one outage). Loopback only. graphpac's log (its
 * `-logs`, `dasher@debug` by default: the part lateness comes from it) is kept in bench/out/soak/graphpac.log,
 * with the players' errors, to say what each error was.
 */
import { spawn } from 'node:child_process';
import {
  createWriteStream,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { loadavg } from 'node:os';
import { join, relative } from 'node:path';
import {
  cliByName,
  codeVersion,
  fmtQuantiles,
  hasCommand,
  machine,
  markers,
  procMemory,
  quantiles,
  root,
  sleep,
  wallMs,
  writeSection,
} from './lib.js';
import type { PlayersJob, PlayersResult } from './players.js';
import { startGraphpac } from './live.js';
import { SERVER_NICENESS } from '../filters/httpout/thread-priority.js';

const SCRIPT = 'bench/soak.ts';
const OUT = join(root, 'bench/out/soak');
/** `npm start`'s graph (package.json), on port 0 and with the bench's output folder. */
const SOURCES = 'flist:srcs=test/media/source1&&test/media/source2:floop=-1';
const LIVE = 'dual:segdur=2:cdur=0.5:profile=live:dmode=dynamic:llhls=br:asto=1';
/**
 * Room for the players' connections: each simulated player keeps up to 4 (both variants' playlist loop and
 * part loader), 200 for 50, and npm start's default budget is GPAC's 100.
 */
const ORIGIN_OPTS = 'maxc=1000';
/** The push output: the same dasher's options, a time-shift buffer so the origin's store stays bounded. */
const PUSH = 'gpac:hmode=push:segdur=2:cdur=0.5:profile=live:dmode=dynamic:llhls=br:asto=1:tsb=20';

interface Args {
  minutes: number;
  players: number;
  outageEveryS: number;
  outageS: number;
  cli: string;
  logs: string;
  write: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    minutes: 60,
    players: 50,
    outageEveryS: 300,
    outageS: 5,
    cli: 'compiled',
    logs: 'dasher@debug',
    write: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = () => Number(argv[++i]);
    if (k === '--minutes') a.minutes = v();
    else if (k === '--players') a.players = v();
    else if (k === '--outage-every') a.outageEveryS = v();
    else if (k === '--outage') a.outageS = v();
    else if (k === '--cli') a.cli = argv[++i] ?? a.cli;
    else if (k === '--logs') a.logs = argv[++i] ?? a.logs;
    else if (k === '--no-write') a.write = false;
    else if (k === '--runs') i++;
    else throw new Error(`unknown argument ${k}`);
  }
  if (!(a.minutes >= 2)) throw new Error('--minutes: at least 2');
  return a;
}

/** The push target: stores what it is sent, deletes on DELETE; down for `outageS` every `everyS`. */
function pushTarget(everyS: number, outageS: number) {
  const store = new Map<string, Buffer>();
  const put = new Set<string>();
  const sockets = new Set<Socket>();
  const t0 = wallMs();
  let requests = 0;
  let dropped = 0;
  let outages = 0;
  const down = () => {
    const s = (wallMs() - t0) / 1000;
    return s >= everyS && s % everyS < outageS;
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests++;
    if (down()) {
      dropped++;
      req.socket.destroy();
      return;
    }
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      if (req.method === 'DELETE') {
        res.writeHead(store.delete(path) ? 200 : 404, { 'Content-Length': 0 }).end();
        return;
      }
      const existed = store.has(path);
      store.set(path, Buffer.concat(chunks));
      put.add(path);
      res.writeHead(existed ? 200 : 201, { 'Content-Length': 0 }).end();
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // The outage starts by cutting what is in flight (uploads mid-body included).
  let wasDown = false;
  const watch = setInterval(() => {
    const d = down();
    if (d && !wasDown) {
      outages++;
      for (const s of sockets) s.destroy();
    }
    wasDown = d;
  }, 20);
  return {
    server,
    store,
    put,
    stats: () => ({ requests, dropped, outages }),
    close: () => {
      clearInterval(watch);
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

function runPlayers(job: PlayersJob): Promise<PlayersResult> {
  const node = [process.execPath, '--import', 'tsx', 'bench/players.ts', JSON.stringify(job)];
  const [cmd, ...args] =
    process.platform === 'linux' && hasCommand('nice')
      ? ['nice', '-n', String(SERVER_NICENESS), ...node]
      : node;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd!, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code) => {
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '') as PlayersResult);
      } catch {
        reject(new Error(`players exited (${code}) without a result`));
      }
    });
  });
}

interface Minute {
  minute: number;
  rssMiB: number;
  heapMiB: number;
  /** Open descriptors other than sockets. */
  fds: number;
  sockets: number;
  /** The packager's part lateness during that minute (ms). */
  late: number[];
}

const mib = (b: number): number => b / 1048576;

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const cli = cliByName(a.cli);
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const probeOut = join(OUT, 'probe.jsonl');
  writeFileSync(probeOut, '');
  const target = pushTarget(a.outageEveryS, a.outageS);
  await new Promise<void>((r) => target.server.listen(0, '127.0.0.1', () => r()));
  const pushPort = (target.server.address() as { port: number }).port;
  const seconds = a.minutes * 60;
  const argv = [
    SOURCES,
    'reframer:rt=on',
    '-o',
    `http://127.0.0.1:0/live.m3u8:${LIVE}:${ORIGIN_OPTS}:rdirs=${relative(root, join(OUT, 'live'))}`,
    '-o',
    `http://127.0.0.1:${pushPort}/live.m3u8:${PUSH}:rdirs=${relative(root, join(OUT, 'push'))}`,
    // A little past the last minute's sample, which needs the process alive.
    `-runfor=${(seconds + 20) * 1000}`,
    `-logs=${a.logs}`,
  ];
  const probeCli = {
    ...cli,
    argv: [cli.argv[0]!, '--expose-gc', '--import', join(root, 'bench/soak-probe.mjs'), ...cli.argv.slice(1)],
  };
  process.env.SOAK_PROBE_OUT = probeOut;
  process.env.SOAK_PROBE_MS = '1000';
  const g = await startGraphpac(probeCli, argv, { server: true, timeoutMs: 60_000 });
  const late: { at: number; ms: number; filter: string }[] = [];
  const log = createWriteStream(join(OUT, 'graphpac.log'));
  // The log keeps the start-up lines too; lateness counts the parts published from here on, as before.
  g.onOutput((l) => log.write(`${l}\n`), { replay: true });
  g.onOutput((l) => {
    if (!l.includes('"part published"')) return;
    try {
      const j = JSON.parse(l) as { time?: number; lateMs?: number; filter?: string };
      if (typeof j.time === 'number' && typeof j.lateMs === 'number')
        late.push({ at: j.time, ms: j.lateMs, filter: j.filter ?? 'dasher' });
    } catch {
      // not a log line
    }
  });
  const t0 = wallMs();
  const loadStart = loadavg()[0]!.toFixed(1);
  console.log(
    `soak: ${a.minutes} min, ${a.players} players on :${g.port}, push to :${pushPort} (down ${a.outageS} s every ${a.outageEveryS} s)`,
  );
  const players = runPlayers({
    port: g.port!,
    first: 0,
    count: a.players,
    // Until just after the last sample (the origin runs 20 s past it).
    seconds: seconds + 10,
    rampMs: 10_000,
  });
  const minutes: Minute[] = [];
  for (let m = 1; m <= a.minutes; m++) {
    await sleep(Math.max(0, t0 + m * 60_000 - wallMs()));
    const mem = procMemory(g.pid);
    if (!mem) break;
    // The minute's samples (one a second): RSS's median; the heap left by the probe's full collection (the
    // live set), else the heap's floor (a point sample lands anywhere on the collector's sawtooth); the
    // floor of the open descriptors other than sockets (a leak raises it; the files being written at one
    // instant do not).
    const inMinute = readFileSync(probeOut, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map(
        (l) =>
          JSON.parse(l) as {
            t: number;
            thread?: number;
            rss: number;
            heapUsed: number;
            heapAfterGc?: number;
            files?: number;
          },
      )
      .filter((x) => x.t > t0 + (m - 1) * 60_000 && x.t <= t0 + m * 60_000);
    // Heaps are per thread (main, httpout's server): each thread's value, summed.
    let heap = inMinute.length ? 0 : NaN;
    for (const th of new Set(inMinute.map((x) => x.thread ?? 0))) {
      const mine = inMinute.filter((x) => (x.thread ?? 0) === th);
      const afterGc = mine.map((x) => x.heapAfterGc).filter((x): x is number => x !== undefined);
      heap += afterGc.length ? Math.min(...afterGc) : Math.min(...mine.map((x) => x.heapUsed));
    }
    const main = inMinute.filter((x) => (x.thread ?? 0) === 0);
    const rss = main.length ? quantiles(main.map((x) => x.rss)).median : mem.rssKb * 1024;
    const fileCounts = main.map((x) => x.files).filter((x): x is number => x !== undefined);
    // Sockets at the minute's end (the players' connections come and go; 64 are the origin's accept points),
    // and, without the probe's counts, the descriptors other than sockets at that instant.
    let fds = fileCounts.length ? Math.min(...fileCounts) : NaN;
    let sockets = NaN;
    try {
      const links = readdirSync(`/proc/${g.pid}/fd`).map((f) => {
        try {
          return readlinkSync(`/proc/${g.pid}/fd/${f}`);
        } catch {
          return '';
        }
      });
      sockets = links.filter((l) => l.startsWith('socket:')).length;
      if (!fileCounts.length) fds = links.length - sockets;
    } catch {
      // gone
    }
    const lateMs = late
      .filter((x) => x.at > t0 + (m - 1) * 60_000 && x.at <= t0 + m * 60_000)
      .map((x) => x.ms);
    minutes.push({ minute: m, rssMiB: mib(rss), heapMiB: mib(heap), fds, sockets, late: lateMs });
    const q = quantiles(lateMs);
    console.log(
      `min ${m}: RSS ${mib(rss).toFixed(1)} MiB, heap ${mib(heap).toFixed(1)} MiB, ${fds} fds + ${sockets} sockets, lateness p99 ${q.p99.toFixed(1)} max ${q.max.toFixed(1)} ms, push ${JSON.stringify(target.stats())}`,
    );
  }
  const code = await g.exited;
  const p = await players;
  target.close();
  log.end();
  writeFileSync(join(OUT, 'player-errors.txt'), p.errors.map((e) => `${e}\n`).join(''));

  // Nothing lost on the push side: the origin holds exactly the local copy, every segment was uploaded.
  const local = join(OUT, 'push');
  const names = readdirSync(local).filter((n) => !n.includes('.tmp'));
  const missing = names.filter((n) => !target.store.get(`/${n}`)?.equals(readFileSync(join(local, n))));
  const extra = [...target.store.keys()].filter((k) => !names.includes(k.slice(1)));
  const holes: string[] = [];
  for (const stem of new Set(names.map((n) => /^(.*_dash)\d+\.m4s$/.exec(n)?.[1]).filter(Boolean))) {
    const nums = [...target.put]
      .map((k) => new RegExp(`^/${stem}(\\d+)\\.m4s$`).exec(k)?.[1])
      .filter((x): x is string => x !== undefined)
      .map(Number)
      .sort((x, y) => x - y);
    for (let i = 1; i < nums.length; i++)
      if (nums[i] !== nums[i - 1]! + 1) holes.push(`${stem}${nums[i - 1]}→${nums[i]}`);
  }
  const after = minutes.filter((m) => m.minute > 5);
  const flat = (xs: number[]) => (xs.length ? Math.max(...xs) / Math.min(...xs) : NaN);
  const rssRatio = flat(after.map((m) => m.rssMiB));
  const heapRatio = flat(after.map((m) => m.heapMiB));
  const fdGrowth = after.length ? after.at(-1)!.fds - after[0]!.fds : NaN;
  const allLate = quantiles(late.map((x) => x.ms));
  // One line per dasher instance when the two outputs got one each (the push one publishes a part only once
  // its upload is written: its lateness includes the outages).
  const byDasher = [...new Set(late.map((x) => x.filter))].map(
    (f) => `${f}: ${fmtQuantiles(quantiles(late.filter((x) => x.filter === f).map((x) => x.ms)))} ms`,
  );
  const verdict = {
    exit: code,
    rssFlat: rssRatio <= 1.1,
    heapFlat: heapRatio <= 1.1,
    fdsFlat: fdGrowth <= 2,
    playersErrors: p.errors.length,
    pushMissing: missing.length + extra.length,
    pushHoles: holes.length,
  };
  console.log(
    JSON.stringify({
      verdict,
      rssRatio,
      heapRatio,
      fdGrowth,
      resent: p.resent,
      errors: p.errors.slice(0, 10),
      missing: missing.slice(0, 10),
      extra: extra.slice(0, 10),
      holes: holes.slice(0, 10),
    }),
  );

  const every = Math.max(1, Math.round(minutes.length / 12));
  const rows = minutes
    .filter((m) => m.minute === 1 || m.minute % every === 0 || m.minute === minutes.length)
    .map((m) => {
      const q = quantiles(m.late);
      return `| ${m.minute} | ${m.rssMiB.toFixed(1)} | ${m.heapMiB.toFixed(1)} | ${m.fds} | ${m.sockets} | ${q.median.toFixed(1)} / ${q.p99.toFixed(1)} / ${q.max.toFixed(1)} |`;
    });
  const mach = machine();
  const { start, end } = markers(SCRIPT);
  const text = `${start}
## Soak: the main job for ${a.minutes} minutes (bench/soak.ts)

What it runs: \`npm start\`'s graph (flist looping source1 && source2, reframer in real time, the dual LL-HLS + MPD
origin with 2 s segments and 0.5 s parts) for ${a.minutes} minutes of real time, ${a.players} simulated players on
it (bench/players.ts: blocking reloads and byte-range parts of both variants), and from the same graph a push to a
recording origin (in the bench's process) that goes down for ${a.outageS} s every ${a.outageEveryS % 60 === 0 ? `${a.outageEveryS / 60} minutes` : `${a.outageEveryS} s`}:
its connections cut, every request dropped (${target.stats().outages} outages, ${target.stats().dropped} requests
dropped of ${target.stats().requests}). The origin runs with \`${ORIGIN_OPTS}\` (50 such players keep about 200
connections; the default budget is 100). Sampled every second by bench/soak-probe.mjs inside graphpac's process and
summed up per minute: RSS (the minute's median), the V8 heaps (main thread + httpout's server thread) after a full
collection the probe runs once a minute in each (the live set), and the open descriptors other than sockets (the minute's floor: a leak raises it,
the files being written at one instant do not); at each minute's end the sockets, and the packager's part lateness
over the minute (its \`part published\` debug lines: median / p99 / max ms).

Machine: ${mach.text}; load average at the start ${loadStart}, at the end ${loadavg()[0]!.toFixed(1)} (the machine is shared). Code: ${codeVersion()}. graphpac ran as "${cli.name}".

| minute | RSS MiB (median) | heap MiB (after full GC) | open fds (not sockets, floor) | sockets | part lateness ms (med / p99 / max) |
|---|---|---|---|---|---|
${rows.join('\n')}

- **Memory after the first 5 minutes**: RSS max/min ${rssRatio.toFixed(3)} (${verdict.rssFlat ? 'flat within 10 %' : '**NOT** within 10 %'}), heap max/min ${heapRatio.toFixed(3)} (${verdict.heapFlat ? 'within 10 %' : '**NOT** within 10 %'}).
- **File descriptors** (sockets aside): ${fdGrowth >= 0 ? '+' : ''}${fdGrowth} from minute 6 to the end (${verdict.fdsFlat ? 'no growth' : '**growth**'}).
- **Part lateness over the whole run**: ${fmtQuantiles(allLate)} ms (min / median / p90 / p99 / max), ${allLate.n} parts${byDasher.length > 1 ? `; by dasher: ${byDasher.join('; ')}` : ''}.
- **Nothing lost**: exit ${code}; players: ${p.playlists} playlists, ${p.parts} parts, ${p.errors.length} errors (${p.resent} requests sent again, as a browser does, after the origin closed their idle keep-alive connection as they left: bench/http-lite.ts); push: the origin
  ${missing.length + extra.length === 0 ? 'holds exactly the local copy' : `differs from the local copy (${missing.length} missing or different, ${extra.length} extra)`}, ${holes.length === 0 ? 'every segment uploaded' : `${holes.length} holes in the segment numbers`}.

To reproduce: \`node --import tsx ${SCRIPT} --minutes ${a.minutes}\` (\`--minutes 6\` validates it in 6 minutes).
${end}`;
  if (a.write) writeSection(SCRIPT, text);
  else console.log(text);
  process.exitCode = Object.values(verdict).every((v) => v === true || v === 0) ? 0 : 1;
}

await main();
