/**
 * `graphpac -i CLIP inspect:deep:fmt=json` reports the same tracks, packets, timestamps and sizes as
 * `ffprobe -show_streams -show_packets` for every committed clip.
 *
 * How timestamps are compared: graphpac's packets carry the file's raw DTS/CTS (media timescale) and the
 * PID carries Delay (the edit list, GPAC's sign: presentation time = CTS + Delay, negative when the edit
 * skips B-frame delay or AAC priming). ffprobe applies the edit list to its timestamps, in the same
 * timescale (time_base = 1/Timescale for MP4). So ffprobe.dts === dts + Delay and ffprobe.pts === cts + Delay.
 * Packet order across tracks is checked on the demuxer itself (mp4dmx-core.test.ts): inspect drains its
 * inputs one after the other, so its output order is per PID.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runGraphpac } from '../helpers/run-cli.js';
import { FF_CODEC, ffprobe, parseInspect } from './probe-tools.js';

const CLIPS = [
  'source1',
  'source2',
  'h264_bframes_moovend.mp4',
  'av_2997_faststart.mp4',
  'av_fragmented.mp4',
  'hevc.mp4',
  'v_2audio.mp4',
];

/** Variants made with ffmpeg (stream copy) from the committed clips: other layouts a demuxer meets. */
const dir = mkdtempSync(join(tmpdir(), 'graphpac-parity-'));
const VARIANTS: Record<string, string[]> = {
  // Audio starting 0.5 s late: an initial empty edit (positive Delay).
  'delayed_audio.mp4': [
    '-itsoffset',
    '0.5',
    '-i',
    'test/media/source2',
    '-i',
    'test/media/h264_bframes_moovend.mp4',
    '-map',
    '1:v',
    '-map',
    '0:a',
    '-t',
    '4',
  ],
  // One moof per track.
  'separate_moof.mp4': [
    '-i',
    'test/media/av_fragmented.mp4',
    '-movflags',
    'frag_keyframe+empty_moov+separate_moof+default_base_moof',
  ],
  // A fragment per frame, three tracks. ffmpeg writes wrong audio durations in its trafs (3840, 0, 1024, 0…)
  // but right tfdt values: timestamps must follow tfdt; durations are the file's, so they are not compared.
  'frag_every_frame.mp4': [
    '-i',
    'test/media/v_2audio.mp4',
    '-map',
    '0',
    '-movflags',
    'frag_every_frame+empty_moov',
  ],
  // Faststart copy of the moov-at-end B-frame clip.
  'bframes_faststart.mp4': ['-i', 'test/media/h264_bframes_moovend.mp4', '-movflags', '+faststart'],
};
test.before(() => {
  for (const [name, args] of Object.entries(VARIANTS))
    execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', ...args, '-c', 'copy', join(dir, name)], {
      cwd: repoRoot,
    });
});
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

const ALL = [...CLIPS.map((c) => `test/media/${c}`), ...Object.keys(VARIANTS).map((v) => join(dir, v))];

for (const path of ALL) {
  const clip = path.split('/').pop()!;
  test(`inspect matches ffprobe: ${clip}`, async (t) => {
    const [r, ref] = await Promise.all([
      runGraphpac(['-i', path, 'inspect:deep:fmt=json'], { timeoutMs: 60_000 }),
      ffprobe(path),
    ]);
    t.false(r.timedOut, 'graphpac did not finish');
    t.is(r.code, 0, r.stderr);
    const ours = parseInspect(r.stdout);
    t.is(ours.pids.length, ref.streams.length, 'number of tracks');

    for (const s of ref.streams) {
      const trackId = Number.parseInt(s.id ?? String(s.index + 1), 16);
      const pid = ours.pids.find((p) => p.ID === trackId);
      if (!pid) {
        t.fail(`no PID for track ${trackId}`);
        continue;
      }
      const what = `${clip} track ${trackId}`;
      t.is(pid.CodecID, FF_CODEC[s.codec_name ?? ''] ?? s.codec_name, `${what}: codec`);
      t.is(`1/${String(pid.Timescale)}`, s.time_base, `${what}: timescale`);
      if (s.codec_type === 'video') {
        t.is(pid.StreamType, 'Visual');
        t.is(pid.Width, s.width, `${what}: width`);
        t.is(pid.Height, s.height, `${what}: height`);
      } else if (s.codec_type === 'audio') {
        t.is(pid.StreamType, 'Audio');
        t.is(pid.SampleRate, Number(s.sample_rate), `${what}: sample rate`);
        t.is(pid.NumChannels, s.channels, `${what}: channels`);
      }
      const lang = s.tags?.language;
      t.is(pid.Language, lang && lang !== 'und' ? lang : undefined, `${what}: language`);

      const delay = typeof pid.Delay === 'number' ? pid.Delay : 0;
      const refPackets = ref.packets.filter((p) => p.stream_index === s.index);
      const ourPackets = ours.packets.get(pid.pid) ?? [];
      t.is(ourPackets.length, refPackets.length, `${what}: packet count`);
      // One tuple per packet, so a mismatch shows where the two diverge.
      const mine = ourPackets.map((p) => [p.dts! + delay, p.cts! + delay, p.size, p.sap > 0]);
      const theirs = refPackets.map((p) => [p.dts, p.pts, Number(p.size), p.flags.includes('K')]);
      t.deepEqual(mine, theirs, `${what}: dts/pts/size/key per packet`);
      // Durations: all but the last packet. ffmpeg reports the default duration for the last sample of a
      // fragmented track where the trun says otherwise (av_fragmented.mp4: 512 in the file, 1024 in ffprobe).
      const durations = (clip === 'frag_every_frame.mp4' ? [] : refPackets)
        .slice(0, -1)
        .flatMap((p, i) => (p.duration === undefined ? [] : [[i, p.duration]]));
      t.deepEqual(
        durations.map(([i]) => [i, ourPackets[i!]?.duration]),
        durations,
        `${what}: packet durations`,
      );
      const summary = ours.summaries.find((x) => x.pid === pid.pid);
      t.is(summary?.packets, refPackets.length, `${what}: summary packet count`);
      t.true(summary?.complete, `${what}: summary complete`);
    }
  });
}
