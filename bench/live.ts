/**
 * What the live benchmarks (lateness.ts, origin-load.ts) share: starting graphpac in the background and
 * stopping it, reading an LL-HLS variant playlist (segments, parts, their media end on the wall clock from
 * EXT-X-PROGRAM-DATE-TIME), the request hls.js makes for the next part, and a small HTTP client on
 * node:http (keep-alive agents, a chosen loopback source address, gzip like a browser).
 */
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Agent, IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { machineBusy, procCpuSeconds, root, selfCpuSeconds, wallMs, type Cli } from './lib.js';

/** The LL-HLS options of the live benchmarks (the brief's: 2 s segments, 0.5 s parts, byte-range parts). */
export const LIVE_OPTS = 'dual:segdur=2:cdur=0.5:profile=live:dmode=dynamic:llhls=br';
/** The variant playlists graphpac writes for the A/V clip (video, audio). */
export const VARIANTS = ['live_1.m3u8', 'live_2.m3u8'] as const;

/** A graphpac process running in the background. */
export interface Running {
  pid: number;
  /** The origin's port (from its `serving DIR at http://HOST:PORT/` line), when it serves. */
  port?: number;
  /** Resolves with the exit code (null: killed by a signal). */
  exited: Promise<number | null>;
  /** The last lines it printed (stdout and stderr). */
  output(): string;
  /** SIGINT, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
  /**
   * Calls `f` with every complete line it prints from now on; with `replay`, first with the lines kept so far
   * (the last 200: its start-up lines, for a listener added once it serves).
   */
  onOutput(f: (line: string) => void, o?: { replay?: boolean }): void;
}

/**
 * Starts `cli` with `args` from the repo root. With `server`, waits (up to `timeoutMs`) for the origin's
 * start-up line and returns its port (use port 0 in the URL: the system picks a free one).
 */
export async function startGraphpac(
  cli: Cli,
  args: string[],
  opts: { server?: boolean; timeoutMs?: number } = {},
): Promise<Running> {
  const child = spawn(cli.argv[0]!, [...cli.argv.slice(1), ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let onLine: ((l: string) => void) | undefined;
  const listeners = new Set<(l: string) => void>();
  let rest = '';
  const take = (chunk: Buffer): void => {
    const all = (rest + chunk.toString()).split('\n');
    rest = all.pop() ?? '';
    for (const l of all) {
      if (!l) continue;
      lines.push(l);
      if (lines.length > 200) lines.shift();
      onLine?.(l);
      for (const f of listeners) f(l);
    }
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${cli.shown}`);
  const output = (): string => lines.join('\n');
  const stop = async (graceMs = 5000): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGINT');
    const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(t);
  };
  const onOutput = (f: (l: string) => void, o: { replay?: boolean } = {}): void => {
    if (o.replay) for (const l of lines) f(l);
    listeners.add(f);
  };
  if (!opts.server) return { pid, exited, output, stop, onOutput };
  const port = await new Promise<number>((resolve, reject) => {
    const t = setTimeout(() => {
      reject(new Error(`graphpac did not start serving within ${opts.timeoutMs ?? 20000} ms:\n${output()}`));
    }, opts.timeoutMs ?? 20000);
    const check = (l: string): void => {
      const m = /serving \S+ at https?:\/\/[^/]*:(\d+)\//.exec(l);
      if (m) {
        clearTimeout(t);
        onLine = undefined;
        resolve(Number(m[1]));
      }
    };
    for (const l of lines) check(l);
    onLine = check;
    void exited.then((code) => {
      clearTimeout(t);
      reject(new Error(`graphpac exited (${code}) before serving:\n${output()}`));
    });
  });
  return { pid, port, exited, output, stop, onOutput };
}

/**
 * CPU used by a process we started (sampled every 100 ms from /proc, so its last value survives its exit), and
 * by the machine's other processes meanwhile (/proc/stat minus it and this process).
 */
export function cpuWatch(pid: number): { stop(): { cpuS: number; othersS: number; wallS: number } } {
  const busy0 = machineBusy();
  const self0 = selfCpuSeconds();
  const t0 = wallMs();
  let last = procCpuSeconds(pid) ?? 0;
  const first = last;
  const t = setInterval(() => {
    last = procCpuSeconds(pid) ?? last;
  }, 100);
  return {
    stop() {
      clearInterval(t);
      last = procCpuSeconds(pid) ?? last;
      const busy1 = machineBusy();
      const cpuS = last - first;
      const selfS = selfCpuSeconds() - self0;
      const othersS =
        busy0 !== undefined && busy1 !== undefined ? Math.max(0, busy1 - busy0 - cpuS - selfS) : NaN;
      return { cpuS, othersS, wallS: (wallMs() - t0) / 1000 };
    },
  };
}

/** One part of an LL-HLS playlist. */
export interface Part {
  /** `MSN.INDEX` (unique within a variant). */
  key: string;
  msn: number;
  index: number;
  uri: string;
  /** BYTERANGE offset and length (llhls=br). */
  offset?: number;
  length?: number;
  durationS: number;
  /** When its media ends on the wall clock: the segment's PROGRAM-DATE-TIME + the durations of the parts up to it. */
  endMs: number;
}

export interface Segment {
  msn: number;
  /** EXT-X-PROGRAM-DATE-TIME (epoch ms). */
  pdtMs: number;
  parts: Part[];
  /** EXTINF: set once the segment is complete. */
  durationS?: number;
  uri?: string;
}

export interface Playlist {
  mediaSequence: number;
  targetDuration: number;
  partTarget?: number;
  ended: boolean;
  /** EXT-X-MAP URI (the init segment). */
  map?: string;
  segments: Segment[];
  /** Every part listed, in order. */
  parts: Part[];
}

/** An attribute of a tag line (quoted or not). */
function attr(line: string, name: string): string | undefined {
  const m = new RegExp(`[:,]${name}=(?:"([^"]*)"|([^,]*))`).exec(line);
  return m ? (m[1] ?? m[2]) : undefined;
}

/** Reads a variant playlist (complete lines only: a truncated last line is ignored). */
export function parsePlaylist(text: string): Playlist {
  const pl: Playlist = { mediaSequence: 0, targetDuration: 0, ended: false, segments: [], parts: [] };
  const lines = text.split('\n');
  if (!text.endsWith('\n')) lines.pop();
  let cur: Segment | undefined;
  let pdt: number | undefined;
  let elapsed = 0;
  const open = (): Segment => {
    if (cur) return cur;
    const prev = pl.segments.at(-1);
    const msn = prev ? prev.msn + 1 : pl.mediaSequence;
    const start = pdt ?? (prev ? prev.pdtMs + (prev.durationS ?? 0) * 1000 : NaN);
    cur = { msn, pdtMs: start, parts: [] };
    elapsed = 0;
    pdt = undefined;
    return cur;
  };
  for (const raw of lines) {
    const line = raw.trim();
    if (!line) continue;
    if (line.startsWith('#EXT-X-MEDIA-SEQUENCE:')) pl.mediaSequence = Number(line.slice(22));
    else if (line.startsWith('#EXT-X-TARGETDURATION:')) pl.targetDuration = Number(line.slice(22));
    else if (line.startsWith('#EXT-X-PART-INF:')) pl.partTarget = Number(attr(line, 'PART-TARGET'));
    else if (line.startsWith('#EXT-X-ENDLIST')) pl.ended = true;
    else if (line.startsWith('#EXT-X-MAP:')) {
      const uri = attr(line, 'URI');
      if (uri !== undefined) pl.map = uri;
    } else if (line.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) {
      const t = Date.parse(line.slice(25));
      if (cur) cur.pdtMs = t;
      else pdt = t;
    } else if (line.startsWith('#EXT-X-PART:')) {
      const seg = open();
      const durationS = Number(attr(line, 'DURATION'));
      elapsed += durationS;
      const br = attr(line, 'BYTERANGE');
      const [len, off] = br ? br.split('@').map(Number) : [];
      const index = seg.parts.length;
      seg.parts.push({
        key: `${seg.msn}.${index}`,
        msn: seg.msn,
        index,
        uri: attr(line, 'URI') ?? '',
        ...(len !== undefined ? { length: len, offset: off ?? 0 } : {}),
        durationS,
        // Seconds into the segment for now; made a wall-clock time below, once PROGRAM-DATE-TIME is known.
        endMs: elapsed,
      });
    } else if (line.startsWith('#EXTINF:')) open().durationS = Number(line.slice(8).split(',')[0]);
    else if (!line.startsWith('#')) {
      const seg = open();
      seg.uri = line;
      pl.segments.push(seg);
      cur = undefined;
    }
  }
  if (cur) pl.segments.push(cur);
  for (const seg of pl.segments)
    for (const p of seg.parts) {
      p.endMs = seg.pdtMs + p.endMs * 1000;
      pl.parts.push(p);
    }
  return pl;
}

/**
 * The part a player asks for next with a blocking reload (`_HLS_msn` / `_HLS_part`): the one after the
 * last part listed; part 0 of the next segment when the last segment is complete.
 */
export function nextPart(pl: Playlist): { msn: number; part: number } {
  const last = pl.segments.at(-1);
  if (!last) return { msn: pl.mediaSequence, part: 0 };
  if (last.durationS !== undefined) return { msn: last.msn + 1, part: 0 };
  return { msn: last.msn, part: last.parts.length };
}

/** What followBlocking reports for every playlist answer. */
export interface FollowAnswer {
  playlist: Playlist;
  reply: Reply;
  /** The answer had been held (Block-Duration > 0): not the first read, nor answered at once. */
  held: boolean;
}

/**
 * A player's playlist loop on `url` (a variant playlist of the origin): plain GETs every 10 ms until it exists,
 * then blocking reloads for the next part until `signal` aborts or the playlist ends. Non-200 answers and
 * network errors go to `onError` (not after the abort).
 */
export async function followBlocking(
  url: string,
  o: {
    signal: AbortSignal;
    agent?: Agent;
    localAddress?: string;
    headers?: OutgoingHttpHeaders;
    onAnswer(a: FollowAnswer): void;
    onError(what: string): void;
  },
): Promise<void> {
  const opts: GetOptions = {
    signal: o.signal,
    timeoutMs: 15000,
    ...(o.agent ? { agent: o.agent } : {}),
    ...(o.localAddress ? { localAddress: o.localAddress } : {}),
    ...(o.headers ? { headers: o.headers } : {}),
  };
  let pl: Playlist | undefined;
  while (!o.signal.aborted && !pl) {
    const r = await get(url, opts).catch(() => undefined);
    if (r?.status === 200) {
      pl = parsePlaylist(r.body.toString());
      o.onAnswer({ playlist: pl, reply: r, held: false });
    } else await new Promise((res) => setTimeout(res, 10));
  }
  while (!o.signal.aborted && pl && !pl.ended) {
    const { msn, part } = nextPart(pl);
    const r = await get(`${url}?_HLS_msn=${msn}&_HLS_part=${part}`, opts).catch((e: Error) => e);
    if (o.signal.aborted) break;
    if (r instanceof Error || r.status !== 200) {
      o.onError(r instanceof Error ? r.message : `${r.status} ${r.body.toString().slice(0, 100).trim()}`);
      await new Promise((res) => setTimeout(res, 10));
      continue;
    }
    pl = parsePlaylist(r.body.toString());
    o.onAnswer({ playlist: pl, reply: r, held: Number(r.headers['block-duration'] ?? 0) > 0 });
  }
}

/** One HTTP exchange, timed (wall ms, see wallMs()). */
export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body, gunzipped when it came gzipped. */
  body: Buffer;
  /** Bytes received on the wire. */
  wireBytes: number;
  sentMs: number;
  endMs: number;
}

export interface GetOptions {
  agent?: Agent;
  headers?: OutgoingHttpHeaders;
  /** Source address (127.x.y.z: each simulated client its own, as real players have). */
  localAddress?: string;
  /** Gives up (rejects) after this many ms. */
  timeoutMs?: number;
  /** Rejects at once when it aborts. */
  signal?: AbortSignal;
}

/**
 * GET on node:http (or node:https for https:// URLs: loopback benchmarks against a self-signed origin, so the
 * certificate is not checked); resolves when the whole body arrived (any status), rejects on network errors.
 */
export function get(url: string, o: GetOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const sentMs = wallMs();
    const tls = url.startsWith('https:');
    const req = (tls ? httpsRequest : request)(
      url,
      {
        ...(tls ? { rejectUnauthorized: false } : {}),
        ...(o.agent ? { agent: o.agent } : {}),
        ...(o.headers ? { headers: o.headers } : {}),
        ...(o.localAddress ? { localAddress: o.localAddress } : {}),
        ...(o.signal ? { signal: o.signal } : {}),
        ...(o.timeoutMs ? { timeout: o.timeoutMs } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let n = 0;
        res.on('data', (c: Buffer) => {
          chunks.push(c);
          n += c.length;
        });
        res.on('error', reject);
        res.on('aborted', () => reject(new Error(`${url}: response aborted`)));
        res.on('end', () => {
          const endMs = wallMs();
          let body = Buffer.concat(chunks, n);
          if (res.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, wireBytes: n, sentMs, endMs });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${url}: no answer within ${o.timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
