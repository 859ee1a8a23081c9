/**
 * Live ingest with ffmpeg as the encoder (-re, lavfi sources, MPEG-TS): graphpac's LL-HLS origin serves
 * valid playlists at every blocking reload, its live edge stays close to what the encoder sent (the test joins
 * the multicast group the encoder sends to and reads its PTS), through a 3 s encoder stall (SIGSTOP/SIGCONT) and an encoder
 * restart (timestamps and continuity counters start again: one continuous timeline), while hls.js plays it
 * in Chromium. Standard input: MPEG-TS and fragmented MP4 from ffmpeg's pipe.
 * The precise lag figures are the benchmark's (bench/ingest.ts); the bounds here are loose on purpose.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { TsDemuxer } from '../../src/media/ts/index.js';
import { startGraphpac } from '../helpers/run-cli.js';
import { CHROMIUM, launchBrowser, samplePlayback } from '../helpers/browser.js';
import type { PlayerSample } from '../helpers/browser.js';
import { checkPlaylist, checkSequence, parsePlaylist } from '../helpers/llhls-check.js';
import { WorkRoot } from '../dasher/helpers/workdir.js';
import { lavfiAv, x264Fast } from '../helpers/ffmpeg-args.js';

const root = new WorkRoot('gp-ingest-');
const LL = 'segdur=2:cdur=0.5:profile=live:dmode=dynamic:llhls=br';

function encoder(
  seconds: number,
  out: string,
  format = ['-f', 'mpegts', '-muxdelay', '0', '-muxpreload', '0'],
) {
  return spawn(
    'ffmpeg',
    [
      '-nostdin',
      '-v',
      'error',
      '-re',
      ...lavfiAv(),
      '-t',
      String(seconds),
      ...x264Fast(25),
      '-tune',
      'zerolatency',
      '-b:v',
      '300k',
      '-c:a',
      'aac',
      '-b:a',
      '64k',
      ...format,
      '-flush_packets',
      '1',
      out,
    ],
    { stdio: ['ignore', out === 'pipe:1' ? 'pipe' : 'ignore', 'inherit'] },
  );
}

const exited = (c: ChildProcess) =>
  new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r())));

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const p = s.address().port;
  s.close();
  return p;
}

async function freeTcpPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Video media the encoder has sent (s): the PTS of the latest video PES forwarded, from the first. */
class Tap {
  private readonly demux: TsDemuxer;
  private video: number | undefined;
  private first: number | undefined;
  sent = 0;
  constructor() {
    this.demux = new TsDemuxer({
      onProgram: (p) => (this.video ??= p.streams.find((s) => s.streamType === 0x1b)?.pid),
      onPesStart: (pid, h) => {
        if (pid !== this.video || h.pts === undefined) return;
        this.first ??= h.pts;
        this.sent = Math.max(this.sent, (h.pts - this.first) / 90000);
      },
    });
  }
  see(b: Uint8Array): void {
    this.demux.push(b);
  }
}

interface Seen {
  /** Media end of the part (s from the first segment's PROGRAM-DATE-TIME). */
  end: number;
  /** Its duration (s). */
  duration: number;
  /** Media the encoder had sent when it appeared (s), while the first encoder ran. */
  sent: number | undefined;
  at: number;
  /**
   * Listed by the first answer: the playlist a player tuning in gets (held by the origin until it lists
   * PART-HOLD-BACK of media), made of parts published before the client asked: not a publication lag.
   */
  initial: boolean;
}

/**
 * Follows a variant playlist with blocking reloads (as a player does): every answer is checked, and the
 * first appearance of every part recorded.
 */
function follow(url: string, sent: () => number | undefined, stop: AbortSignal) {
  const seen = new Map<string, Seen>();
  const problems: string[] = [];
  let problemText = '';
  let ast: number | undefined;
  let previous: string | undefined;
  let last = '';
  const done = (async () => {
    let next = '';
    while (!stop.aborted) {
      const text = await fetch(url + next, { signal: stop }).then(
        (r) => (r.ok ? r.text() : ''),
        () => '',
      );
      if (!text) {
        await sleep(50);
        continue;
      }
      last = text;
      for (const v of checkPlaylist(text)) {
        problems.push(`${v.rule}: ${v.message}`);
        if (problems.length === 1) problemText = text;
      }
      if (previous) for (const v of checkSequence(previous, text)) problems.push(`${v.rule}: ${v.message}`);
      previous = text;
      const pl = parsePlaylist(text);
      // Wall-clock media ends from PROGRAM-DATE-TIME (the first segment's is media time 0).
      let pdt: number | undefined;
      let t = 0;
      let msn = pl.mediaSequence ?? 0;
      const lines = text.split('\n');
      const parts: { key: string; end: number; duration: number }[] = [];
      let idx = 0;
      for (const l of lines) {
        if (l.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) {
          pdt = Date.parse(l.slice(25));
          if (msn === 1) ast ??= pdt;
          t = 0;
        } else if (l.startsWith('#EXT-X-PART:')) {
          const duration = Number(/DURATION=([\d.]+)/.exec(l)![1]);
          t += duration;
          if (pdt !== undefined) parts.push({ key: `${msn}.${idx}`, end: pdt + t * 1000, duration });
          idx++;
        } else if (l.startsWith('#EXTINF:')) {
          /* the segment's URI line closes it */
        } else if (l && !l.startsWith('#')) {
          msn++;
          idx = 0;
        }
      }
      const now = Date.now();
      const initial = seen.size === 0;
      for (const p of parts)
        if (!seen.has(p.key) && ast !== undefined)
          seen.set(p.key, {
            end: (p.end - ast) / 1000,
            duration: p.duration,
            sent: sent(),
            at: now,
            initial,
          });
      const lastSeg = pl.segments.at(-1);
      const open = pl.openParts.length;
      const nextMsn = open
        ? lastSeg
          ? lastSeg.msn + 1
          : (pl.mediaSequence ?? 0)
        : lastSeg
          ? lastSeg.msn + 1
          : 0;
      next = `?_HLS_msn=${nextMsn}&_HLS_part=${open}`;
      if (pl.endlist) break;
    }
  })();
  return { seen, problems, done, last: () => last, problemText: () => problemText };
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? NaN;
}

test.before(() => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is needed at ${CHROMIUM} (apt-get install chromium)`);
});
test.after.always(() => root.cleanup());

test('UDP: valid LL-HLS at the live edge through a 3 s encoder stall and an encoder restart; hls.js plays', async (t) => {
  const dir = await root.workDir([]);
  const gpPort = await freeUdpPort();
  const httpPort = await freeTcpPort();
  const base = `http://127.0.0.1:${httpPort}`;
  // The encoder sends to a multicast group on the loopback interface: graphpac and the test's tap both
  // join it (no relay hop: what graphpac receives is what the encoder sent).
  const group = `239.255.${(gpPort >> 8) & 0xff}.${gpPort & 0xff}`;
  const gp = startGraphpac(
    [
      '-i',
      `udp://${group}:${gpPort}:ifce=127.0.0.1`,
      '-o',
      `${base}/live.m3u8:${LL}:rdirs=out`,
      '-logs=m2tsdmx@info:sockin@info',
    ],
    { cwd: dir, timeoutMs: 120_000 },
  );
  const tapSock = createSocket({ type: 'udp4', reuseAddr: true });
  await new Promise<void>((r) => tapSock.bind(gpPort, r));
  tapSock.addMembership(group, '127.0.0.1');
  let tap: Tap | undefined = new Tap();
  tapSock.on('message', (m) => tap?.see(m));
  const target = `udp://${group}:${gpPort}?pkt_size=1316&localaddr=127.0.0.1&ttl=0`;
  // Start the encoder once graphpac's socket is open (what is sent before is lost, as on a network).
  await new Promise<void>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`graphpac did not open its socket:\n${buf}`)), 60_000);
    gp.child.stderr.on('data', (d: Buffer) => {
      buf += d.toString();
      if (/listening on udp.*multicast/.test(buf)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  // …and its origin answers (its server thread starts apart).
  for (let i = 0; i < 600; i++) {
    const ok = await fetch(`${base}/watch`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await sleep(100);
  }
  const stop = new AbortController();
  const f = follow(`${base}/live_1.m3u8`, () => tap?.sent, stop.signal);

  // Encoder A: 16 s of media, stopped 3 s at 5 s (steady state: from the tune-in answer to the stall, and
  // from 4 s after it to the end).
  const a = encoder(16, target);
  await sleep(5000);
  const stallAt = Date.now();
  a.kill('SIGSTOP');
  await sleep(3000);
  a.kill('SIGCONT');
  const resumedAt = Date.now();
  // A player joins and stays through the end of A, the restart and most of B (it stops before B ends:
  // after that the origin rightly holds its requests, then answers 503, until the source times out).
  const b0 = await launchBrowser();
  let samples: PlayerSample[] = [];
  const playing = (async () => {
    await b0.page.goto(`${base}/watch?player=hls`);
    samples = await samplePlayback(b0.page, 15, 250);
  })();
  await exited(a);
  const restartAt = Date.now();
  tap = undefined; // B's timestamps start again: the lag is measured on A
  await sleep(1000);
  // Encoder B: a new process, timestamps and continuity counters from scratch.
  const b = encoder(7, target);
  await exited(b);
  await playing;
  await b0.close();
  await sleep(1500);
  stop.abort();
  await f.done;
  gp.child.kill('SIGINT');
  const r = await gp.done;
  tapSock.close();

  if (f.problems.length) t.log(f.problemText());
  if (process.env.INGEST_TRACE)
    t.log(
      r.stderr
        .split('\n')
        .filter((l) => /continuity|damaged|jumped|lost/.test(l))
        .join('\n'),
    );
  t.deepEqual([...new Set(f.problems)].slice(0, 10), [], 'every playlist answer is valid LL-HLS');
  const fromA = [...f.seen.values()].filter((s) => s.sent !== undefined && !s.initial && s.at < restartAt);
  const lags = fromA.map((s) => (s.sent! - s.end) * 1000);
  if (process.env.INGEST_TRACE)
    t.log(
      fromA
        .map(
          (s) =>
            `${s.end.toFixed(2)}@${((s.at - restartAt) / 1000).toFixed(1)}:${((s.sent! - s.end) * 1000).toFixed(0)}`,
        )
        .join(' '),
    );
  t.log(
    `encoder A: ${lags.length} parts, lag ms p50 ${quantile(lags, 0.5).toFixed(0)}, p90 ${quantile(lags, 0.9).toFixed(0)}, max ${Math.max(...lags).toFixed(0)}`,
  );
  t.true(lags.length >= 20, `${lags.length} parts while A ran`);
  // Steady state: the parts published away from the stall and the catch-up burst after it.
  const steady = fromA
    .filter((s) => s.at < stallAt || s.at > resumedAt + 4000)
    .map((s) => (s.sent! - s.end) * 1000);
  t.true(steady.length >= 10, `${steady.length} parts in steady state`);
  t.true(quantile(steady, 0.5) <= 300, `median lag ${quantile(steady, 0.5)} ms`);
  t.true(quantile(steady, 0.9) <= 600, `p90 lag ${quantile(steady, 0.9)} ms`);
  // Through the stall: the edge catches up with the encoder's burst within 4 s of its resuming.
  const caughtUp = fromA.filter((s) => s.at > resumedAt + 4000).map((s) => (s.sent! - s.end) * 1000);
  t.true(
    caughtUp.length >= 4 && Math.max(...caughtUp) <= 600,
    `lag after the stall ${caughtUp.join(', ')} ms`,
  );
  // After the restart the timeline goes on: parts keep coming, their media ends keep increasing.
  const afterRestart = [...f.seen.values()].filter((s) => s.at > restartAt).sort((x, y) => x.at - y.at);
  t.true(afterRestart.length >= 8, `${afterRestart.length} parts after the restart`);
  const ends = [...f.seen.values()].sort((x, y) => x.at - y.at).map((s) => s.end);
  t.true(
    ends.every((e, i) => i === 0 || e > ends[i - 1]!),
    'part media ends increase: one timeline',
  );
  // The media is one timeline (the restart absorbed: the parts' durations add up to what was sent); its
  // dates jump once, at the restart, by the encoder's downtime (a new period, placed on the clock where B's
  // media arrived: 1 s between the encoders plus B's start-up).
  const ordered = [...f.seen.values()].sort((x, y) => x.end - y.end);
  const media =
    ordered.reduce((sum, s) => sum + s.duration, 0) + (ordered[0]?.end ?? 0) - (ordered[0]?.duration ?? 0);
  t.true(
    media > 16 + 7 - 2.5 && media < 16 + 7 + 1,
    `${media.toFixed(2)} s of media for 23 s sent (restart absorbed)`,
  );
  const jumps = ordered.slice(1).map((s, i) => s.end - s.duration - ordered[i]!.end);
  const big = jumps.filter((j) => j > 0.2);
  t.is(big.length, 1, `the dates jump once: ${big.map((j) => j.toFixed(2)).join(', ')} s`);
  t.true(big[0]! > 0.8 && big[0]! < 4, `by the encoder's downtime: ${big[0]?.toFixed(2)} s`);
  t.regex(
    r.stderr,
    /timestamps jumped on PID \d+ \(an encoder restart or a splice\): absorbed/,
    'the restart is reported',
  );
  // The player: no error, and it played across the stall and the restart.
  const last = samples.at(-1);
  t.truthy(last, 'the player reported its state');
  t.deepEqual(last?.errors ?? [], [], 'no player error');
  t.true((last?.position ?? 0) > 8, `hls.js played ${last?.position.toFixed(1)} s`);
  const late = samples.filter((s) => s.t > (last?.t ?? 0) - 5);
  t.true(late.length > 2 && late.at(-1)!.position > late[0]!.position + 1, 'still playing after the restart');
  // What was written is decodable: the last complete segment of the video.
  const pl = parsePlaylist(f.last());
  const seg = pl.segments.at(-1);
  t.truthy(seg);
  if (seg) {
    const file = join(dir, 'out', seg.uri);
    t.true(readFileSync(file).length > 0);
  }
});

async function stdinRun(t: import('ava').ExecutionContext, format: string[], seconds: number) {
  const dir = await root.workDir([]);
  const httpPort = await freeTcpPort();
  const base = `http://127.0.0.1:${httpPort}`;
  const gp = startGraphpac(['-i', '-', '-o', `${base}/live.m3u8:${LL}:rdirs=out`], {
    cwd: dir,
    timeoutMs: 90_000,
    keepStdin: true,
  });
  const enc = encoder(seconds, 'pipe:1', format);
  enc.stdout!.pipe(gp.child.stdin);
  let encoderDone = Infinity;
  void exited(enc).then(() => (encoderDone = Date.now()));
  const stop = new AbortController();
  const f = follow(`${base}/live_1.m3u8`, () => undefined, stop.signal);
  const r = await gp.done;
  stop.abort();
  await f.done;
  t.is(r.code, 0, r.stderr);
  t.deepEqual([...new Set(f.problems)].slice(0, 10), [], 'every playlist answer is valid LL-HLS');
  t.true(f.seen.size >= seconds, `${f.seen.size} parts`);
  // Live: parts appear while the encoder runs, not all at its end.
  const whileRunning = [...f.seen.values()].filter((s) => s.at < encoderDone).length;
  t.true(whileRunning >= 4, `${whileRunning} parts appeared while the encoder ran`);
  t.regex(readFileSync(join(dir, 'out/live_1.m3u8'), 'utf8'), /#EXT-X-ENDLIST/);
}

test('stdin: MPEG-TS from ffmpeg, packaged live', async (t) => {
  await stdinRun(t, ['-f', 'mpegts', '-muxdelay', '0', '-muxpreload', '0'], 8);
});

test('stdin: fragmented MP4 from ffmpeg, packaged live', async (t) => {
  await stdinRun(t, ['-f', 'mp4', '-movflags', 'frag_keyframe+empty_moov+default_base_moof'], 8);
});
