/**
 * Simulated LL-HLS players for bench/origin-load.ts, run in child processes so that 1,000 of them do not
 * share one event loop. Each player does what hls.js does for a byte-range LL-HLS stream with an audio
 * rendition, for both variant playlists: one GET of the playlist and of its init segment, then a blocking
 * reload loop (`_HLS_msn`/`_HLS_part` = the next part, `Accept-Encoding: gzip`) and, in parallel, the GET of
 * every new part by its byte range, one after the other. Each player has its own source address
 * (127.1.x.y) and at most 6 keep-alive connections (http-lite.ts), or with `proto: 'h2'` one HTTP/2 session
 * over TLS (http2-client.ts). Players start spread over `rampMs`.
 *
 *   node --import tsx bench/players.ts '{"port":…,"first":0,"count":500,"seconds":60,"rampMs":2000}'
 *
 * Prints one JSON line with its counts, answers, part download times, errors and its own CPU time.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { H2Client } from './http2-client.js';
import { LiteClient } from './http-lite.js';
import { sleep, wallMs } from './lib.js';
import { VARIANTS, nextPart, parsePlaylist, type Part, type Playlist, type Reply } from './live.js';

/** A request unanswered for this long is an error (blocking reloads are held at most 3 × TD = 6 s). */
const REQUEST_TIMEOUT_MS = 15000;
const T0 = wallMs();

export interface PlayersJob {
  port: number;
  /** HTTP/1.1 on plain TCP (≤ 6 connections per player), or HTTP/2 over TLS (one connection per player). */
  proto?: 'h1' | 'h2';
  /** Index of the first player (its source address). */
  first: number;
  count: number;
  seconds: number;
  rampMs: number;
}

export interface PlayersResult {
  playlists: number;
  parts: number;
  inits: number;
  bytes: number;
  /** [variant:MSN.index, arrival (wall ms), held (0/1), media end (wall ms)] per newly seen part. */
  answers: [string, number, number, number][];
  partMs: number[];
  errors: string[];
  /** Requests sent again after their reused keep-alive connection closed under them (http-lite.ts). */
  resent: number;
  cpuS: number;
  loopP99Ms: number;
}

class Player {
  private readonly client: LiteClient | H2Client;

  constructor(
    i: number,
    job: PlayersJob,
    private readonly r: PlayersResult,
    private readonly stop: { now: boolean },
  ) {
    const addr = `127.1.${Math.floor(i / 250)}.${(i % 250) + 2}`;
    this.client =
      job.proto === 'h2'
        ? new H2Client(`https://127.0.0.1:${job.port}`, addr)
        : new LiteClient('127.0.0.1', job.port, addr, 6);
  }

  private async fetch(path: string, headers: Record<string, string> = {}): Promise<Reply | undefined> {
    try {
      return await this.client.get(`/${path}`, headers, REQUEST_TIMEOUT_MS);
    } catch (e) {
      if (!this.stop.now)
        this.r.errors.push(
          `${(e as Error).message} (at ${Math.round(wallMs() - T0)} ms, ${new Date().toISOString()})`,
        );
      return undefined;
    }
  }

  private ok(path: string, x: Reply | undefined, status: number, length?: number): x is Reply {
    if (!x || this.stop.now) return false;
    if (x.status !== status) {
      this.r.errors.push(`${path}: ${x.status} ${x.body.toString().slice(0, 100).trim()}`);
      return false;
    }
    if (length !== undefined && x.body.length !== length) {
      this.r.errors.push(`${path}: ${x.body.length} bytes, expected ${length}`);
      return false;
    }
    this.r.bytes += x.wireBytes;
    return true;
  }

  async run(): Promise<void> {
    try {
      await Promise.all(VARIANTS.map((v) => this.follow(v)));
    } catch (e) {
      this.r.errors.push(`player failed: ${(e as Error).stack ?? String(e)}`);
    }
    if (!this.stop.now) this.r.errors.push(`player ended early at ${Math.round(wallMs() - T0)} ms`);
    if (this.client instanceof LiteClient) this.r.resent += this.client.resent;
    this.client.close();
  }

  private async follow(variant: string): Promise<void> {
    const gzip = { 'Accept-Encoding': 'gzip' };
    const first = await this.fetch(variant, gzip);
    if (!this.ok(variant, first, 200)) return;
    this.r.playlists++;
    let pl: Playlist = parsePlaylist(first.body.toString());
    if (pl.map) {
      const init = await this.fetch(pl.map);
      if (!this.ok(pl.map, init, 200)) return;
      this.r.inits++;
    }
    const seen = new Set(pl.parts.map((p) => p.key));
    const queue: Part[] = [];
    let wake: (() => void) | undefined;
    let over = false;
    const loader = (async () => {
      while (!this.stop.now) {
        const p = queue.shift();
        if (!p) {
          if (over) break;
          await new Promise<void>((res) => (wake = res));
          continue;
        }
        const range = `bytes=${p.offset}-${(p.offset ?? 0) + (p.length ?? 0) - 1}`;
        const x = await this.fetch(p.uri, { Range: range });
        if (!this.ok(`${p.uri} [${range}]`, x, 206, p.length)) continue;
        this.r.parts++;
        this.r.partMs.push(x.endMs - x.sentMs);
      }
    })();
    while (!this.stop.now && !pl.ended) {
      const { msn, part } = nextPart(pl);
      const path = `${variant}?_HLS_msn=${msn}&_HLS_part=${part}`;
      const x = await this.fetch(path, gzip);
      if (!this.ok(path, x, 200)) {
        await sleep(100);
        continue;
      }
      this.r.playlists++;
      pl = parsePlaylist(x.body.toString());
      const held = Number(x.headers['block-duration'] ?? 0) > 0 ? 1 : 0;
      for (const p of pl.parts) {
        if (seen.has(p.key)) continue;
        seen.add(p.key);
        this.r.answers.push([`${variant}:${p.key}`, x.endMs, held, p.endMs]);
        queue.push(p);
      }
      wake?.();
    }
    over = true;
    wake?.();
    await loader;
  }
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '{}') as PlayersJob;
  const r: PlayersResult = {
    playlists: 0,
    parts: 0,
    inits: 0,
    bytes: 0,
    answers: [],
    partMs: [],
    errors: [],
    resent: 0,
    cpuS: 0,
    loopP99Ms: 0,
  };
  const stop = { now: false };
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const cpu0 = process.cpuUsage();
  const t0 = wallMs();
  const players: Promise<void>[] = [];
  for (let i = 0; i < job.count; i++) {
    const at = t0 + (job.rampMs * i) / job.count;
    const wait = at - wallMs();
    if (wait > 0) await sleep(wait);
    players.push(new Player(job.first + i, job, r, stop).run());
  }
  await sleep(Math.max(0, t0 + job.seconds * 1000 - wallMs()));
  stop.now = true;
  const cpu = process.cpuUsage(cpu0);
  r.cpuS = (cpu.user + cpu.system) / 1e6;
  loop.disable();
  r.loopP99Ms = loop.percentile(99) / 1e6;
  // Players stop at their next answer; those held in a blocking reload end with the origin's hold limit.
  await Promise.race([Promise.all(players), sleep(REQUEST_TIMEOUT_MS)]);
  // Exit once the result is flushed (a pipe is written asynchronously); held requests would wait otherwise.
  process.stdout.write(`${JSON.stringify(r)}\n`, () => process.exit(0));
}

await main();
