/**
 * An encoder restart in a live DASH run: a new Period, placed on the wall clock where the restarted
 * media arrived (filters/dasher/periods.ts). The encoder is played by the test: an MPEG-TS stream written
 * to graphpac's standard input, a pause, then the same stream again (its timestamps start over, as a
 * restarted encoder's do). m2tsdmx keeps one continuous media timeline; the MPD must not announce what
 * follows the pause that much before it exists, so the second period starts the pause later on the clock,
 * and the HLS playlists date the segments after it accordingly (EXT-X-PROGRAM-DATE-TIME).
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startGraphpac } from '../helpers/run-cli.js';
import { freePort } from '../httpout/helpers.js';
import { lavfiAv, x264Fast } from '../helpers/ffmpeg-args.js';
import { kids, parseXml, resolveTemplate, xsDuration } from '../dasher/helpers/xml.js';
import type { XmlElement } from '../dasher/helpers/xml.js';
import { parsePlaylist } from '../helpers/llhls-check.js';
import { CHROMIUM, launchBrowser, longestStall, samplePlayback } from '../helpers/browser.js';
import type { PlayerSample } from '../helpers/browser.js';
import { WorkRoot } from '../dasher/helpers/workdir.js';

const root = new WorkRoot('gp-restart-');
test.after.always(() => root.cleanup());

/** Media of one encoder run (s), and the pause between the two runs (s). */
const RUN = 6;
const PAUSE = 2.5;

function encode(path: string, seconds = RUN): void {
  execFileSync('ffmpeg', [
    ...['-nostdin', '-v', 'error', '-y', ...lavfiAv(), '-t', String(seconds)],
    ...x264Fast(25),
    ...['-c:a', 'aac', '-f', 'mpegts', path],
  ]);
}

/** Each Representation's files as one Period announces them (SegmentTemplate@duration addressing). */
function periodFiles(period: XmlElement, duration: number): { id: string; files: string[] }[] {
  const out: { id: string; files: string[] }[] = [];
  for (const as of kids(period, 'AdaptationSet')) {
    const tpl = kids(as, 'SegmentTemplate')[0]!;
    for (const rep of kids(as, 'Representation')) {
      const a = { ...tpl.attrs, ...(kids(rep, 'SegmentTemplate')[0]?.attrs ?? {}) };
      const count = Math.ceil((duration * Number(a.timescale)) / Number(a.duration) - 1e-9);
      const v = { repId: rep.attrs.id!, bandwidth: rep.attrs.bandwidth! };
      out.push({
        id: v.repId,
        files: Array.from({ length: count }, (_, k) =>
          resolveTemplate(a.media!, { ...v, number: Number(a.startNumber) + k }),
        ),
      });
    }
  }
  return out;
}

/** Write `bytes` (`seconds` of media) to `to` as an encoder sends it: in real time, in 0.2 s steps. */
async function sendRealTime(to: NodeJS.WritableStream, bytes: Uint8Array, seconds: number): Promise<void> {
  const steps = Math.round(seconds * 5);
  for (let k = 0; k < steps; k++) {
    to.write(
      bytes.subarray(Math.floor((k * bytes.length) / steps), Math.floor(((k + 1) * bytes.length) / steps)),
    );
    await sleep(200);
  }
}

/** One encoder run, a pause, the same run again, through graphpac's stdin to files in `out/`. */
async function restartRun(
  opts: string,
): Promise<{ dir: string; stderr: string; code: number | null; restartAt: number }> {
  const dir = await root.workDir([]);
  const ts = join(dir, 'run.ts');
  encode(ts);
  const bytes = readFileSync(ts);
  const gp = startGraphpac(['-i', '-', '-o', `out/live.mpd:${opts}`, '-logs=dasher@info'], {
    cwd: dir,
    keepStdin: true,
    timeoutMs: 60_000,
  });
  await sendRealTime(gp.child.stdin, bytes, RUN);
  await sleep(1000 * PAUSE);
  const restartAt = Date.now();
  await sendRealTime(gp.child.stdin, bytes, RUN);
  gp.child.stdin.end();
  const r = await gp.done;
  return { dir, stderr: r.stderr, code: r.code, restartAt };
}

const LIVE = 'dual:segdur=1:cdur=0.5:profile=live:dmode=dynamic:llhls=br:asto=0.5';

test('an encoder restart after a pause: a new Period on the clock, one continuous HLS playlist dated after the pause', async (t) => {
  const r = await restartRun(LIVE);
  const dir = r.dir;
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, /the source restarted: period DID2 starts at segment \d+/);

  const mpd = parseXml(readFileSync(join(dir, 'out/live.mpd'), 'utf8'));
  t.deepEqual(mpd.errors, []);
  const root_ = mpd.root!;
  t.is(root_.attrs.type, 'dynamic');
  const periods = kids(root_, 'Period');
  t.deepEqual(
    periods.map((p) => p.attrs.id),
    ['DID1', 'DID2'],
    'a second period at the restart',
  );
  const [p1, p2] = periods as [XmlElement, XmlElement];
  const start1 = xsDuration(p1.attrs.start!);
  const dur1 = xsDuration(p1.attrs.duration!);
  const start2 = xsDuration(p2.attrs.start!);
  t.is(start1, 0);
  t.true(Math.abs(dur1 - RUN) < 0.1, `the first period ends with its media: ${dur1} s`);
  // The second period starts on the clock where the restarted media arrived: when the test sent it (as
  // graphpac dates it; a slow start-up, the first bytes read late, places the first period later on the clock
  // and makes the gap between them shorter: what counts is where each is on the clock).
  const ast = Date.parse(root_.attrs.availabilityStartTime!);
  const late = (ast + start2 * 1000 - r.restartAt) / 1000;
  t.true(late > -0.3 && late < 1.5, `the second period starts ${late.toFixed(2)} s after its media was sent`);
  const gap = start2 - (start1 + dur1);
  t.true(gap >= 0 && gap < PAUSE + 1, `the second period starts ${gap.toFixed(2)} s after the first ends`);
  const total = xsDuration(root_.attrs.mediaPresentationDuration!);
  t.true(Math.abs(total - (start2 + RUN)) < 0.1, `mediaPresentationDuration ${total} = its end`);

  // Each period's addressing: numbering goes on; time 0 of the second is where the first's media ended.
  const files = new Set(readdirSync(join(dir, 'out')));
  const first = periodFiles(p1, dur1);
  const second = periodFiles(p2, total - start2);
  for (const [k, rep] of first.entries()) {
    const next = second[k]!;
    t.is(next.id, rep.id);
    t.true(rep.files.length >= RUN - 1, `${rep.id}: ${rep.files.length} segments in the first period`);
    // Numbering goes on (the audio may have one more segment than the period's duration shows: the last
    // 21 ms of AAC priming a TS carries without an edit list).
    const step =
      Number(/(\d+)\.m4s$/.exec(next.files[0]!)![1]) - Number(/(\d+)\.m4s$/.exec(rep.files.at(-1)!)![1]);
    t.true(
      step === 1 || step === 2,
      `${rep.id}: the second period's numbers go on from the first's (+${step})`,
    );
    for (const f of [...rep.files, ...next.files]) t.true(files.has(f), `${f} announced and written`);
  }
  for (const as of kids(p2, 'AdaptationSet')) {
    const tpl = kids(as, 'SegmentTemplate')[0]!;
    const pto = Number(tpl.attrs.presentationTimeOffset) / Number(tpl.attrs.timescale);
    t.true(Math.abs(pto - RUN) < 0.05, `presentationTimeOffset ${pto} s: the restart on the media timeline`);
  }

  // HLS: one playlist across both periods, its media sequence unbroken, dated after the pause.
  for (const name of ['live_1.m3u8', 'live_2.m3u8']) {
    const text = readFileSync(join(dir, 'out', name), 'utf8');
    const pl = parsePlaylist(text);
    t.true(pl.endlist, `${name} ended`);
    const msns = pl.segments.map((s) => s.msn);
    t.deepEqual(
      msns,
      msns.map((_, i) => msns[0]! + i),
      `${name}: media sequence numbers follow each other`,
    );
    const dates = [...text.matchAll(/#EXT-X-PROGRAM-DATE-TIME:(.*)/g)].map((m) => Date.parse(m[1]!));
    const durations = [...text.matchAll(/#EXTINF:([\d.]+)/g)].map((m) => Number(m[1]));
    t.is(dates.length, durations.length, `${name}: every segment dated`);
    const jumps = dates.slice(1).map((d, i) => (d - dates[i]!) / 1000 - durations[i]!);
    // The dates jump once, by the gap between the periods (less the 37 ms the first period's last video
    // segment runs over its Period@duration).
    const big = jumps.filter((j) => Math.abs(j) > 0.05);
    t.is(
      big.length,
      gap > 0.15 ? 1 : 0,
      `${name}: the dates jump once: ${jumps.map((j) => j.toFixed(2)).join(' ')}`,
    );
    if (big.length)
      t.true(Math.abs(big[0]! - gap) < 0.1, `${name}: by the gap between the periods (${big[0]} s)`);
  }
});

test('a short time-shift buffer: the first period leaves the MPD with its last segment', async (t) => {
  const r = await restartRun(`${LIVE}:tsb=3`);
  t.is(r.code, 0, r.stderr);
  const mpd = parseXml(readFileSync(join(r.dir, 'out/live.mpd'), 'utf8')).root!;
  const periods = kids(mpd, 'Period');
  t.deepEqual(
    periods.map((p) => p.attrs.id),
    ['DID2'],
  );
  const start = xsDuration(periods[0]!.attrs.start!);
  const late = (Date.parse(mpd.attrs.availabilityStartTime!) + start * 1000 - r.restartAt) / 1000;
  t.true(
    late > -0.3 && late < 1.5,
    `it keeps its place on the clock: ${late.toFixed(2)} s after its media was sent`,
  );
  const files = new Set(readdirSync(join(r.dir, 'out')));
  const total = xsDuration(mpd.attrs.mediaPresentationDuration!);
  for (const rep of periodFiles(periods[0]!, total - start))
    for (const f of rep.files.slice(-3)) t.true(files.has(f), `${f} announced and kept`);
});

/** One dash.js run across a restart: the player's samples and the MPD it read last. */
async function dashAcrossRestart(): Promise<{ samples: PlayerSample[]; start2: number; periods: number }> {
  const dir = await root.workDir([]);
  const ts = join(dir, 'run.ts');
  const seconds = 10;
  encode(ts, seconds);
  const bytes = readFileSync(ts);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const gp = startGraphpac(
    [
      '-i',
      '-',
      '-o',
      `${base}/live.mpd:gpac:dual:segdur=2:cdur=0.5:profile=live:dmode=dynamic:llhls=br:asto=1.5:rdirs=out`,
    ],
    { cwd: dir, keepStdin: true, timeoutMs: 90_000 },
  );
  const feeding = (async () => {
    await sendRealTime(gp.child.stdin, bytes, seconds);
    await sleep(1000 * PAUSE);
    await sendRealTime(gp.child.stdin, bytes, seconds);
  })();
  // The player joins once the stream runs, and watches to the end of the second run.
  await sleep(3000);
  const b = await launchBrowser();
  let samples: PlayerSample[];
  try {
    await b.page.goto(`${base}/watch?player=dash`);
    samples = await samplePlayback(b.page, seconds + PAUSE + seconds - 3 - 1, 250);
  } finally {
    await b.close();
  }
  await feeding;
  const mpd = parseXml(await (await fetch(`${base}/live.mpd`)).text()).root!;
  gp.child.stdin.end();
  gp.child.kill('SIGINT');
  await gp.done;
  const periods = kids(mpd, 'Period');
  return { samples, start2: xsDuration(periods.at(-1)!.attrs.start!), periods: periods.length };
}

test('dash.js (the watch page) plays on across an encoder restart, at its target again in the new period', async (t) => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is needed at ${CHROMIUM} (apt-get install chromium)`);
  // Known limit of dash.js 5.2.1 (docs/COMPATIBILITY.md): once in 16 runs it stopped inside the gap between
  // the periods, just before the new one, and stayed there (likely its catch-up seek to now − target, made
  // while the new period held less media than that; its gap controller does not move a playhead to a single
  // buffered range ahead of it). An attempt stuck in the gap is logged (its trace) and made once more; every
  // other failure counts at once.
  const stuck = (r: { samples: PlayerSample[]; start2: number }) => {
    const tail = r.samples.filter((s) => s.t > r.samples.at(-1)!.t - 3);
    const at = tail.at(-1)!.position;
    return at < r.start2 && at > r.start2 - PAUSE - 1 && at - tail[0]!.position < 0.01;
  };
  let run = await dashAcrossRestart();
  if (stuck(run)) {
    const trace = run.samples
      .filter((_, i) => i % 4 === 0)
      .map((s) => `${s.t.toFixed(1)}:${s.position.toFixed(2)}`)
      .join(' ');
    t.log(
      `dash.js stuck at ${run.samples.at(-1)!.position.toFixed(2)} s in the gap before ${run.start2.toFixed(2)} s (t:position ${trace}); made once more`,
    );
    run = await dashAcrossRestart();
  }
  const { samples, start2 } = run;
  t.is(run.periods, 2, 'the MPD the player read has the restart period');
  const last = samples.at(-1)!;
  t.deepEqual(last.errors, [], 'no player error');
  t.true(
    last.position > start2 + 2,
    `dash.js plays the second period: ${last.position.toFixed(2)} s, it starts at ${start2.toFixed(2)} s`,
  );
  // Its latency in the new period: back near its target (1.56 s), not off by the encoder's downtime.
  const after = samples.filter((s) => s.position > start2 + 1 && s.latency !== null).map((s) => s.latency!);
  const sorted = [...after].sort((x, y) => x - y);
  const median = sorted[Math.floor(sorted.length / 2)] ?? NaN;
  t.log(
    `latency in the second period: median ${median.toFixed(2)} s over ${after.length} samples; longest stall ${longestStall(samples).toFixed(2)} s`,
  );
  t.true(after.length >= 8, `${after.length} samples in the second period`);
  // It stalls no longer than the encoder was away (its buffer runs out during the pause); before the new
  // period it stalled for good (10 s and counting).
  t.true(longestStall(samples) < PAUSE + 1, `longest stall ${longestStall(samples).toFixed(2)} s`);
  t.true(median < 3, `latency in the second period ${median.toFixed(2)} s`);
  const tail = samples.filter((s) => s.t > last.t - 3);
  t.true(tail.at(-1)!.position > tail[0]!.position + 1.5, 'still playing at the end');
});
