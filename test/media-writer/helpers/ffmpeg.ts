// ffmpeg/ffprobe (Debian 5.1, /usr/bin) as the reference decoder for round-trip tests.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BIG = { maxBuffer: 256 * 1024 * 1024, encoding: 'buffer' as const };

export interface ProbedStream {
  index: number;
  codec_type: string;
  codec_name: string;
  start_time: number;
  nb_read_frames: number;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** ffprobe -count_frames: per stream type, codec, start time and decoded frame count. */
export async function probe(file: string): Promise<ProbedStream[]> {
  const { stdout } = await run(
    'ffprobe',
    [
      '-v',
      'error',
      '-count_frames',
      '-show_entries',
      'stream=index,codec_type,codec_name,start_time,nb_read_frames',
      '-of',
      'json',
      file,
    ],
    BIG,
  );
  const json: unknown = JSON.parse(stdout.toString('utf8'));
  const streams = isRecord(json) && Array.isArray(json.streams) ? (json.streams as unknown[]) : [];
  return streams.filter(isRecord).map((s) => ({
    index: Number(s.index),
    codec_type: String(s.codec_type),
    codec_name: String(s.codec_name),
    start_time: Number(s.start_time),
    nb_read_frames: Number(s.nb_read_frames),
  }));
}

/** What `ffmpeg -v error -i file -f null -` prints (empty when the file decodes cleanly). */
export async function decodeErrors(file: string): Promise<string> {
  const { stderr } = await run('ffmpeg', ['-nostdin', '-v', 'error', '-i', file, '-f', 'null', '-'], BIG);
  return stderr.toString('utf8');
}

/** The video framemd5 lines (stream, dts, pts, duration, size, md5 per decoded frame). */
export async function videoFrameMd5(file: string): Promise<string[]> {
  const { stdout } = await run(
    'ffmpeg',
    ['-nostdin', '-v', 'error', '-i', file, '-map', '0:v:0', '-f', 'framemd5', '-'],
    BIG,
  );
  return stdout
    .toString('utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'));
}

/** Decoded audio as s16le: sample frames per channel and a hash of the PCM. */
export async function decodedAudio(
  file: string,
): Promise<{ samples: number; sha1: string; channels: number }> {
  const { stdout: info } = await run(
    'ffprobe',
    ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'stream=channels', '-of', 'csv=p=0', file],
    BIG,
  );
  const channels = Number(info.toString('utf8').trim());
  const { stdout } = await run(
    'ffmpeg',
    ['-nostdin', '-v', 'error', '-i', file, '-map', '0:a:0', '-f', 's16le', '-'],
    BIG,
  );
  return {
    samples: stdout.byteLength / 2 / channels,
    sha1: createHash('sha1').update(stdout).digest('hex'),
    channels,
  };
}
