/**
 * Real players against our origin, in headless Chromium: hls.js in low-latency mode on the byte-range
 * (br) and part-file (sf, the _IF set of brsf) playlists, dash.js in low-latency mode on the MPD (asto,
 * chunked delivery), all from one live run on the bundled clips at segdur=2:cdur=0.5; ffmpeg as a
 * client; a seek back inside the time-shift buffer. Each player plays ≥ 20 s.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createServer } from 'node:net';
import { startGraphpac, repoRoot } from '../dasher/helpers/cli.js';
import type { Running } from '../dasher/helpers/cli.js';
import { WorkRoot } from '../dasher/helpers/workdir.js';
import { CHROMIUM, launchBrowser, longestStall, samplePlayback } from '../helpers/browser.js';
import { twiceIfLate } from '../helpers/timing-retry.js';
import type { PlayerSample } from '../helpers/browser.js';
import { lavfiAv, x264Fast } from '../helpers/ffmpeg-args.js';

const run = promisify(execFile);
const root = new WorkRoot('gp-players-');
const PART_TARGET = 0.52;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitForUrl(url: string, timeoutMs = 20_000): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never answered`);
}

let origin: Running | undefined;
let base = '';

test.before(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is needed at ${CHROMIUM} (apt-get install chromium)`);
  const dir = await root.workDir([]);
  // The players run one after the other (several headless players at once starve 2 cores and measure
  // the machine, not the stream): 100 s of 320x180 A/V, made in about 2 s.
  await run('ffmpeg', [
    '-nostdin',
    '-v',
    'error',
    ...lavfiAv(),
    '-t',
    '160', // the tests' ~90 s, and room for two of them to play a second time (twiceIfLate)
    ...x264Fast(25),
    '-b:v',
    '300k',
    '-c:a',
    'aac',
    '-b:a',
    '64k',
    join(dir, 'live_src.mp4'),
  ]);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  // maxp=0: every test client comes from 127.0.0.1.
  origin = startGraphpac(
    [
      '-i',
      'live_src.mp4',
      'reframer:rt=on',
      '-o',
      `${base}/live.m3u8:dual:segdur=2:cdur=0.5:profile=live:dmode=dynamic:llhls=brsf:asto=1:rdirs=out:maxp=0`,
    ],
    { cwd: dir, timeoutMs: 220_000 },
  );
  await waitForUrl(`${base}/live_1.m3u8`);
  // Players start once a whole segment is listed: a player joining in the very first part can stall at
  // ~0.45 s (noted on the issue: a startup case the origin should handle, not a test's concern).
  const t0 = Date.now();
  while (Date.now() - t0 < 15_000) {
    const text = await fetch(`${base}/live_1.m3u8`).then(
      (r) => r.text(),
      () => '',
    );
    if (text.includes('#EXTINF')) break;
    await new Promise((r) => setTimeout(r, 100));
  }
});

test.after.always(async () => {
  origin?.child.kill('SIGTERM');
  await origin?.done;
  await root.cleanup();
});

function summary(s: readonly PlayerSample[]): string {
  const lat = s.map((x) => x.latency).filter((x): x is number => x !== null);
  return `position ${s[0]?.position.toFixed(2)} → ${s.at(-1)?.position.toFixed(2)}, latency ${Math.min(...lat).toFixed(2)}–${Math.max(...lat).toFixed(2)} s, longest stall ${longestStall(s).toFixed(2)} s`;
}

async function play(t: import('ava').ExecutionContext, query: string, seconds: number, screenshot?: string) {
  const b = await launchBrowser();
  try {
    await b.page.goto(`${base}/watch?${query}`);
    // Startup: until playback begins (bounded).
    await b.page.waitForFunction(
      () =>
        Number(
          (globalThis as unknown as { graphpacStats?: { position?: number } }).graphpacStats?.position ?? 0,
        ) > 0.1,
      undefined,
      { timeout: 15_000 },
    );
    const samples = await samplePlayback(b.page, seconds, 250);
    // The watch page shows the latency as a number, and a screenshot is kept for people to look at.
    t.regex((await b.page.textContent('#latency')) ?? '', /^\d+\.\d\d$/, 'the page shows a latency number');
    const shot = screenshot ?? join(await root.workDir([]), `watch-${query.replace(/\W+/g, '_')}.png`);
    await b.page.screenshot({ path: shot });
    t.log(`screenshot: ${shot}`);
    t.log(`${query}: ${summary(samples)}`);
    return samples;
  } finally {
    await b.close();
  }
}

/** The timing bounds a sample run missed (see twiceIfLate). */
/** The latencies the player reported in its last 10 s (once settled). */
function settledLatencies(s: readonly PlayerSample[]): number[] {
  const last = s.at(-1);
  return s.filter((x) => last && x.t >= last.t - 10 && x.latency !== null).map((x) => x.latency!);
}

/** The timing bounds a view missed (longest stall, settled latency): what a second attempt is made for. */
function timingMisses(s: readonly PlayerSample[], maxLatency: number): string[] {
  const misses: string[] = [];
  const stall = longestStall(s);
  if (stall > 0.5) misses.push(`longest stall ${stall.toFixed(2)} s`);
  const settled = settledLatencies(s);
  const worst = settled.length ? Math.max(...settled) : Infinity;
  if (worst > maxLatency) misses.push(`latency ${worst.toFixed(2)} s > ${maxLatency} s`);
  return misses;
}

function assertPlayback(t: import('ava').ExecutionContext, s: readonly PlayerSample[], maxLatency: number) {
  const first = s[0]!;
  const last = s.at(-1)!;
  t.deepEqual(last.errors, [], 'no player error');
  t.true(
    last.position - first.position > 0.8 * (last.t - first.t),
    `playback advances steadily (${first.position} → ${last.position})`,
  );
  t.true(settledLatencies(s).length > 10, 'the player reports its latency');
  t.deepEqual(timingMisses(s, maxLatency), [], 'no stall > 0.5 s, settled latency within the bound');
}

/** Plays `query` for `seconds` (twice if the first attempt misses a timing bound) and checks it. */
async function watch(
  t: import('ava').ExecutionContext,
  query: string,
  seconds: number,
  maxLatency: number,
  screenshot?: string,
) {
  const runs = await twiceIfLate(
    t,
    query,
    () => play(t, query, seconds, screenshot),
    (s) => timingMisses(s, maxLatency),
  );
  for (const s of runs.slice(0, -1)) t.deepEqual(s.at(-1)?.errors, [], 'no player error (first attempt)');
  assertPlayback(t, runs.at(-1)!, maxLatency);
}

test.serial('hls.js plays the LL-HLS byte-range playlists ≥ 20 s at ≤ 3 × PART-TARGET + 0.5 s', async (t) => {
  await watch(
    t,
    'player=hls',
    20,
    3 * PART_TARGET + 0.5,
    process.env.UPDATE_SCREENSHOT ? join(repoRoot, 'docs/watch-page.png') : undefined,
  );
});

test.serial(
  'hls.js plays the part-file playlists (llhls=brsf, _IF set) ≥ 20 s at ≤ 3 × PART-TARGET + 0.5 s',
  async (t) => {
    await watch(t, 'player=hls&hls=/live_IF.m3u8', 20, 3 * PART_TARGET + 0.5);
  },
);

test.serial('dash.js plays the LL-DASH MPD ≥ 20 s at ≤ its target latency + 0.5 s', async (t) => {
  // The tuned watch page follows the MPD's target: 2.04 s here (asto=1: a segment is announced 1 s after
  // its start, + 2 chunks of 0.52 s).
  await watch(t, 'player=dash', 20, 2 + 0.5);
});

test.serial('ffmpeg reads the live HLS and DASH from the origin without errors', async (t) => {
  for (const url of [`${base}/live.m3u8`, `${base}/live.mpd`]) {
    const r = await run('ffmpeg', ['-nostdin', '-v', 'error', '-i', url, '-t', '4', '-f', 'null', '-'], {
      timeout: 30_000,
    });
    t.is(r.stderr.trim(), '', url);
  }
});

test.serial('a seek back inside the time-shift buffer plays on', async (t) => {
  const seek = await playAndSeek(t);
  t.true(
    seek.after > seek.at + 1,
    `after seeking back to ${seek.at.toFixed(1)} s, playback went on to ${seek.after.toFixed(1)} s`,
  );
  t.deepEqual(seek.errors, []);
});

/** Play, then seek 6 s back (inside the time-shift buffer) and check playback goes on from there. */
async function playAndSeek(_t: import('ava').ExecutionContext) {
  const b = await launchBrowser();
  try {
    await b.page.goto(`${base}/watch?player=hls`);
    await b.page.waitForFunction(
      () =>
        Number(
          (globalThis as unknown as { graphpacStats?: { position?: number } }).graphpacStats?.position ?? 0,
        ) > 8,
      undefined,
      { timeout: 25_000 },
    );
    const at = await b.page.evaluate(() => {
      const v = (
        globalThis as unknown as { document: { querySelector(s: string): { currentTime: number } } }
      ).document.querySelector('video');
      v.currentTime = v.currentTime - 6;
      return v.currentTime;
    });
    await new Promise((r) => setTimeout(r, 4000));
    const s = await samplePlayback(b.page, 1, 250);
    return { at, after: s.at(-1)!.position, errors: s.at(-1)!.errors };
  } finally {
    await b.close();
  }
}
