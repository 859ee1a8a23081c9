/**
 * One player watching a live origin in headless Chromium, measured: the watch page (`/watch`) in its
 * `config=stock` mode plays the stream with hls.js or dash.js exactly as a site embeds them (no option
 * at all), and records every 250 ms the capture-to-display latency (the wall clock minus the instant
 * the frame on screen was live: hls.js's `playingDate` from EXT-X-PROGRAM-DATE-TIME, dash.js's
 * `timeAsUTC()`), the player's own latency figure, the buffer and the playback rate, plus every stall
 * (the position not moving for ≥ 100 ms while playing) and the start-up time. Optionally the players'
 * debug logs and the browser's request timeline (Chrome DevTools protocol: when each request left, when
 * its headers came back, each chunk of its body, its end), which say where the time goes.
 * Used by the stock-player live tests and by bench/latency.ts.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import type { CDPSession } from 'playwright-core';
import { launchBrowser } from './browser.js';
import { x264Fast } from './ffmpeg-args.js';

const run = promisify(execFile);

/**
 * The clips of the stock-player runs, made with ffmpeg when missing: 640x360 25 fps H.264 with a GOP of
 * `gopFrames` (25 = 1 s, the seed's; 10 = 0.4 s), and mono AAC-LC 48 kHz, `seconds` long each.
 */
export async function makeClips(
  video: string,
  audio: string,
  o: { seconds: number; gopFrames: number },
): Promise<void> {
  const common = ['-nostdin', '-v', 'error', '-y'];
  if (!existsSync(video))
    await run('ffmpeg', [
      ...common,
      ...['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-t', String(o.seconds)],
      ...x264Fast(o.gopFrames),
      ...['-b:v', '800k'],
      video,
    ]);
  if (!existsSync(audio))
    await run('ffmpeg', [
      ...common,
      ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', String(o.seconds)],
      ...['-c:a', 'aac', '-b:a', '64k', audio],
    ]);
}

export type PlayerKind = 'hls' | 'dash';

export interface WatchSpec {
  /** The origin, e.g. `http://127.0.0.1:8080`. */
  base: string;
  player: PlayerKind;
  /** Seconds of playback to record after the start. */
  seconds: number;
  /** `stock` (default): no player option at all; `tuned`: the watch page's own low-latency settings. */
  config?: 'stock' | 'tuned';
  /** Extra query of the watch page (e.g. `hls=/live_IF.m3u8`). */
  query?: string;
  /** Record the browser's request timeline. */
  timeline?: boolean;
  /** Capture the players' debug logs. */
  logs?: boolean;
  /** Give up when playback has not started after this many seconds (default 20). */
  startTimeoutS?: number;
}

/** One sample: seconds since the page started, position, wall latency, player latency, buffer, rate. */
export type Sample = [number, number, number | null, number | null, number, number];

export interface TimedRequest {
  url: string;
  range?: string;
  /** Epoch ms: sent, response headers received, finished (or failed). */
  sent: number;
  headers?: number;
  end?: number;
  status?: number;
  /** Content-Length, when the answer had one (else it was chunked). */
  length?: number;
  /** Body chunks as they arrived: [epoch ms, bytes]. */
  chunks: [number, number][];
  failed?: string;
}

/** hls.js: where it chose to start (its first fragment request). */
export interface TuneIn {
  /** Seconds since the page started. */
  at: number;
  /** The start position (media time, s). */
  position: number;
  /** How far behind live that position was when chosen (s; from EXT-X-PROGRAM-DATE-TIME). */
  behind: number | null;
  /** The playlist's PART-HOLD-BACK (or HOLD-BACK): hls.js's target. */
  holdBack: number | null;
  /** The first variant playlist: its URL and when the page saw its first byte (epoch ms). */
  playlist: { url: string; epoch: number } | null;
}

export interface WatchResult {
  /** Epoch ms of the page's start (sample and stall times count from it). */
  epoch: number;
  /** Seconds from the page's start to the first frame played, or null. */
  startup: number | null;
  samples: Sample[];
  /** [start (s since the page started), duration (s)] of every stall. */
  stalls: [number, number][];
  errors: string[];
  requests: TimedRequest[];
  /** Player debug log lines: [s since the page started, text]. */
  logs: [number, string][];
  /** The media element's events: [s since the page started, event, currentTime, readyState]. */
  events: [number, string, number, number][];
  /** hls.js: where and when it chose to start. */
  tuneIn: TuneIn | null;
}

interface PageStats {
  epoch: number;
  startup: number | null;
  samples: Sample[];
  stallLog: [number, number][];
  stalledFor: number;
  errors: string[];
  events: [number, string, number, number][];
  log: [number, string][];
  tuneIn: TuneIn | null;
}

async function recordTimeline(cdp: CDPSession, out: TimedRequest[]): Promise<void> {
  const byId = new Map<string, TimedRequest>();
  let offset: number | undefined; // epoch s − monotonic s
  const at = (ts: number): number => Math.round(((offset ?? 0) + ts) * 1e4) / 10;
  cdp.on('Network.requestWillBeSent', (e) => {
    offset ??= e.wallTime - e.timestamp;
    const r: TimedRequest = { url: e.request.url, sent: at(e.timestamp), chunks: [] };
    const range = e.request.headers.Range ?? e.request.headers.range;
    if (range) r.range = String(range);
    byId.set(e.requestId, r);
    out.push(r);
  });
  cdp.on('Network.responseReceived', (e) => {
    const r = byId.get(e.requestId);
    if (!r) return;
    r.status = e.response.status;
    const len = e.response.headers['Content-Length'] ?? e.response.headers['content-length'];
    if (len !== undefined) r.length = Number(len);
    // receiveHeadersEnd is in ms after the request's timing origin.
    const t = e.response.timing;
    r.headers = t ? at(t.requestTime + t.receiveHeadersEnd / 1000) : at(e.timestamp);
  });
  cdp.on('Network.dataReceived', (e) => byId.get(e.requestId)?.chunks.push([at(e.timestamp), e.dataLength]));
  cdp.on('Network.loadingFinished', (e) => {
    const r = byId.get(e.requestId);
    if (r) r.end = at(e.timestamp);
  });
  cdp.on('Network.loadingFailed', (e) => {
    const r = byId.get(e.requestId);
    if (!r) return;
    r.end = at(e.timestamp);
    r.failed = e.errorText;
  });
  await cdp.send('Network.enable');
}

/** Plays `spec.seconds` of the stream with a stock (or tuned) player and returns what happened. */
export async function watchLive(spec: WatchSpec): Promise<WatchResult> {
  const b = await launchBrowser();
  const requests: TimedRequest[] = [];
  try {
    if (spec.timeline) await recordTimeline(await b.context.newCDPSession(b.page), requests);
    const q = new URLSearchParams(spec.query ?? '');
    q.set('player', spec.player);
    q.set('config', spec.config ?? 'stock');
    if (spec.logs) q.set('debug', '1');
    await b.page.goto(`${spec.base}/watch?${q}`);
    const stats = (): Promise<PageStats> =>
      b.page.evaluate(() => (globalThis as unknown as { graphpacStats: PageStats }).graphpacStats);
    await b.page
      .waitForFunction(
        () => (globalThis as unknown as { graphpacStats: PageStats }).graphpacStats.startup !== null,
        undefined,
        { timeout: (spec.startTimeoutS ?? 20) * 1000, polling: 100 },
      )
      .catch(() => undefined);
    const started = await stats();
    if (started.startup !== null) await new Promise((r) => setTimeout(r, spec.seconds * 1000));
    const s = await stats();
    const stalls = [...s.stallLog];
    // A stall still going on at the end counts too.
    if (s.stalledFor > 0) stalls.push([(Date.now() - s.epoch) / 1000 - s.stalledFor, s.stalledFor]);
    return {
      epoch: s.epoch,
      startup: s.startup,
      samples: s.samples,
      stalls,
      errors: s.errors,
      requests,
      logs: s.log,
      events: s.events,
      tuneIn: s.tuneIn,
    };
  } finally {
    await b.close();
  }
}

export interface LatencySummary {
  /** Capture-to-display latency over the samples (s). */
  median: number;
  p90: number;
  /** The player's own latency figure (median, s), for comparison. */
  playerMedian: number;
  startup: number | null;
  stallCount: number;
  longestStall: number;
  stalledTotal: number;
  samples: number;
  /** hls.js: how far behind live its start position was when it chose it (s). */
  chosen: number | null;
  /** hls.js: its latency at its first frame minus `chosen`: what its own start-up added (s). */
  startDelay: number | null;
  /**
   * hls.js (with the request timeline): `chosen` − its target − how late the page saw the first playlist's
   * first byte after the browser received it: how old the newest part of that playlist was when the origin
   * answered (the origin's share of the start latency beyond the target).
   */
  tuneInStaleness: number | null;
}

export function quantile(xs: readonly number[], q: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

/** Stalls shorter than this are the sampling grain (100 ms), not stalls a viewer sees. */
export const MIN_STALL_S = 0.15;

function tuneInStaleness(r: WatchResult): number | null {
  const t = r.tuneIn;
  if (!t?.playlist || t.behind === null || t.holdBack === null) return null;
  const url = t.playlist.url;
  const req = r.requests.find((q) => q.url === url && q.headers !== undefined);
  if (!req?.headers) return null;
  return t.behind - t.holdBack - Math.max(0, t.playlist.epoch - req.headers) / 1000;
}

/** Median / p90 latency, stalls and start-up of a run (samples from `fromS` seconds after start-up). */
export function summarize(r: WatchResult, fromS = 0): LatencySummary {
  const from = (r.startup ?? 0) + fromS;
  const kept = r.samples.filter((x) => x[0] >= from);
  const wall = kept.map((x) => x[2]).filter((x): x is number => x !== null && Number.isFinite(x));
  const own = kept.map((x) => x[3]).filter((x): x is number => x !== null && Number.isFinite(x));
  const stalls = r.stalls.filter((x) => x[1] >= MIN_STALL_S);
  return {
    median: quantile(wall, 0.5),
    p90: quantile(wall, 0.9),
    playerMedian: quantile(own, 0.5),
    startup: r.startup,
    stallCount: stalls.length,
    longestStall: Math.max(0, ...stalls.map((x) => x[1])),
    stalledTotal: stalls.reduce((a, x) => a + x[1], 0),
    samples: wall.length,
    chosen: r.tuneIn?.behind ?? null,
    tuneInStaleness: tuneInStaleness(r),
    startDelay: r.tuneIn?.behind != null && wall.length ? (wall[0] ?? 0) - r.tuneIn.behind : null,
  };
}

export function describeSummary(s: LatencySummary): string {
  return (
    `latency median ${s.median.toFixed(2)} s, p90 ${s.p90.toFixed(2)} s (player's own figure ${s.playerMedian.toFixed(2)} s), ` +
    `start-up ${s.startup === null ? 'never' : `${s.startup.toFixed(2)} s`}, ${s.stallCount} stall(s), longest ${s.longestStall.toFixed(2)} s, ` +
    `${s.samples} samples` +
    (s.chosen !== null
      ? `; started ${s.chosen.toFixed(2)} s behind live (when chosen${s.tuneInStaleness !== null ? `; the first playlist's newest part ${s.tuneInStaleness.toFixed(2)} s old when answered` : ''}), its start-up added ${s.startDelay?.toFixed(2)} s`
      : '')
  );
}
