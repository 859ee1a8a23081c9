/**
 * EXT-X-PROGRAM-DATE-TIME dates the first sample a player presents from each segment. AAC from an encoder
 * with priming (source2: 1024 samples) is edited by the init segment's edit list, so each audio segment
 * presents 21.3 ms before its decode time: its date must say so, or a player that aligns renditions by
 * date (hls.js) places every audio part 21.3 ms later than the media it buffers. At a segment boundary at
 * the live edge hls.js then sees its audio target inside a part it already has and loads nothing more
 * until that segment's parts leave the playlist: a stall of several seconds (docs/LATENCY.md).
 * Checked against ffprobe's timestamps of each segment after its init segment (the presented times).
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, graphpac } from './helpers/cli.js';
import { WorkRoot } from './helpers/workdir.js';

const run = promisify(execFile);
const root = new WorkRoot('gp-pdt-');
test.after.always(() => root.cleanup());

/** [date (epoch ms), segment URI] of each segment of a playlist. */
function dated(text: string): [number, string][] {
  const out: [number, string][] = [];
  let date: number | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) date = Date.parse(line.slice(25));
    else if (line && !line.startsWith('#') && date !== undefined) out.push([date, line]);
  }
  return out;
}

/** The first presented timestamp (s) of `segment` played after `init`, as ffprobe reads it. */
async function firstPts(dir: string, init: string, segment: string): Promise<number> {
  const joined = join(dir, `joined-${segment}.mp4`);
  await writeFile(
    joined,
    Buffer.concat([await readFile(join(dir, init)), await readFile(join(dir, segment))]),
  );
  const { stdout } = await run('ffprobe', [
    ...['-v', 'error', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', joined],
  ]);
  // One line per packet: its pts, then side data markers for some (the priming's skip_samples).
  const pts = stdout.split('\n').map((l) => Number.parseFloat(l.split(',')[0] ?? ''));
  return Math.min(...pts.filter(Number.isFinite));
}

test('PROGRAM-DATE-TIME dates the first presented sample: primed AAC 21.3 ms before its decode time', async (t) => {
  const dir = await root.workDir(['source1', 'source2']);
  const r = await graphpac(
    ['-i', 'source1', '-i', 'source2', '-o', 'res/live.m3u8:segdur=2:profile=live:dmode=static:hlsc'],
    { cwd: dir },
  );
  t.is(r.code, 0, describe(r));
  const res = join(dir, 'res');
  const video = dated(await readFile(join(res, 'live_1.m3u8'), 'utf8'));
  const audio = dated(await readFile(join(res, 'live_2.m3u8'), 'utf8'));
  const zero = video[0]![0];
  const inits = { video: 'source1_dashinit.mp4', audio: 'source2_dashinit.mp4' };
  for (const [kind, list] of [
    ['video', video],
    ['audio', audio],
  ] as const)
    for (const [date, uri] of list.slice(0, 4)) {
      const pts = await firstPts(res, inits[kind], uri);
      t.true(
        Math.abs((date - zero) / 1000 - pts) <= 0.0015,
        `${kind} ${uri}: dated ${(date - zero) / 1000} s after the first video segment, presented at ${pts} s`,
      );
    }
  // The priming is there to be accounted for: the first audio segment presents before 0.
  t.true((await firstPts(res, inits.audio, audio[0]![1])) < -0.02, 'source2 is primed');
  t.is(audio[0]![0] - zero, -21, 'the first audio segment dated 21 ms before the first video one');
});
