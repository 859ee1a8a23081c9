/**
 * For the flist tests: each representation written by the dasher put back together (init + segments
 * in order) and read by ffprobe, packet by packet; short clips cut with ffmpeg.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ProbedPacket {
  pts: number;
  dts: number;
  duration: number;
}

export interface ProbedRep {
  /** Name prefix of the files, e.g. `clip_dash_track1_` or `clip_dash`. */
  name: string;
  kind: 'video' | 'audio';
  timescale: number;
  packets: ProbedPacket[];
  /** Presentation end of the last packet, seconds. */
  end: number;
  /** Decode errors reported by ffmpeg decoding the whole representation ('' when clean). */
  decodeErrors: string;
}

/** Every representation in `dir` (files `<prefix>_init.mp4` + `<prefix>_<n>.m4s`), probed and decoded. */
export async function probeReps(dir: string): Promise<ProbedRep[]> {
  const files = await readdir(dir);
  const out: ProbedRep[] = [];
  for (const init of files.filter((f) => f.endsWith('init.mp4')).sort()) {
    // `clip_dash_track1_init.mp4` + `clip_dash_track1_N.m4s`, or `clip_dashinit.mp4` + `clip_dashN.m4s`.
    const prefix = init.slice(0, -'init.mp4'.length);
    const re = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\d+)\\.m4s$`);
    const segs = files
      .map((f) => re.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .sort((a, b) => Number(a[1]) - Number(b[1]))
      .map((m) => m[0]);
    const parts = [
      await readFile(join(dir, init)),
      ...(await Promise.all(segs.map((s) => readFile(join(dir, s))))),
    ];
    const whole = join(dir, `${prefix}.whole.mp4`);
    await writeFile(whole, Buffer.concat(parts));
    const { stdout } = await run('ffprobe', [
      '-v',
      'error',
      '-show_entries',
      'stream=codec_type,time_base:packet=pts,dts,duration',
      '-of',
      'json',
      whole,
    ]);
    const j = JSON.parse(stdout) as {
      streams: { codec_type: string; time_base: string }[];
      packets: { pts?: number; dts?: number; duration?: number }[];
    };
    const st = j.streams[0]!;
    const timescale = Number(st.time_base.split('/')[1]);
    // ffprobe gives no duration to the packet carrying the AAC priming side data: the next DTS tells it.
    const raw = j.packets.filter((p) => p.dts !== undefined);
    const packets = raw.map((p, i) => ({
      pts: Number(p.pts),
      dts: Number(p.dts),
      duration:
        p.duration !== undefined ? Number(p.duration) : Number(raw[i + 1]?.dts ?? p.dts) - Number(p.dts),
    }));
    const end = Math.max(...packets.map((p) => p.pts + p.duration)) / timescale;
    const dec = await run('ffmpeg', ['-v', 'error', '-i', whole, '-f', 'null', '-'], {
      maxBuffer: 1 << 24,
    }).then(
      (r) => r.stderr.trim(),
      (e: { stderr?: string }) => String(e.stderr ?? e),
    );
    out.push({
      name: prefix,
      kind: st.codec_type === 'video' ? 'video' : 'audio',
      timescale,
      packets,
      end,
      decodeErrors: dec,
    });
  }
  return out;
}

/** Places where the decode timeline is not strictly increasing. */
export function nonMonotonic(rep: ProbedRep): number[] {
  const bad: number[] = [];
  rep.packets.forEach((p, i) => {
    if (i > 0 && p.dts <= rep.packets[i - 1]!.dts) bad.push(i);
  });
  return bad;
}

/**
 * Where the decode step differs from the stream's usual frame duration (ffprobe's own packet durations
 * are not reliable for fragmented files): `at` is the decode time of the packet after the odd step,
 * on the stream's own timeline (0 = its first packet), `step` the odd step, both in seconds.
 */
export function oddSteps(rep: ProbedRep): { at: number; step: number }[] {
  const diffs = rep.packets.slice(1).map((p, i) => p.dts - rep.packets[i]!.dts);
  const count = new Map<number, number>();
  for (const d of diffs) count.set(d, (count.get(d) ?? 0) + 1);
  const nominal = [...count.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 0;
  const first = rep.packets[0]?.dts ?? 0;
  const out: { at: number; step: number }[] = [];
  diffs.forEach((d, i) => {
    if (d !== nominal)
      out.push({ at: (rep.packets[i + 1]!.dts - first) / rep.timescale, step: d / rep.timescale });
  });
  return out;
}

/** `ffmpeg -i SRC -t SECONDS -c copy DST` (a short clip of a committed source). */
export async function cut(src: string, seconds: number, dst: string, extra: string[] = []): Promise<void> {
  await run('ffmpeg', ['-v', 'error', '-y', '-i', src, '-t', String(seconds), ...extra, '-c', 'copy', dst]);
}
