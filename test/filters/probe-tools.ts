/**
 * Helpers for the filter tests: ffprobe's view of a file, and inspect's JSON lines parsed back.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface FfStream {
  index: number;
  /** Track ID, hexadecimal ("0x1"). */
  id?: string;
  codec_name?: string;
  codec_type?: string;
  width?: number;
  height?: number;
  sample_rate?: string;
  channels?: number;
  time_base: string;
  tags?: { language?: string };
}

export interface FfPacket {
  stream_index: number;
  pts?: number;
  dts?: number;
  duration?: number;
  size: string;
  flags: string;
}

export interface FfProbe {
  streams: FfStream[];
  packets: FfPacket[];
}

export async function ffprobe(path: string): Promise<FfProbe> {
  const { stdout } = await run(
    'ffprobe',
    ['-v', 'error', '-show_streams', '-show_packets', '-of', 'json', path],
    {
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  return JSON.parse(stdout) as FfProbe;
}

export interface InspectPid {
  type: 'pid';
  pid: number;
  name: string;
  [prop: string]: unknown;
}

export interface InspectPacket {
  type: 'packet';
  pid: number;
  dts: number | null;
  cts: number | null;
  duration: number | null;
  sap: number;
  size: number;
}

export interface InspectSummary {
  type: 'summary';
  pid: number;
  packets: number;
  bytes: number;
  duration: number | null;
  durationUnits: number;
  firstDts: number | null;
  lastDts: number | null;
  complete: boolean;
}

export interface InspectOutput {
  pids: InspectPid[];
  packets: Map<number, InspectPacket[]>;
  summaries: InspectSummary[];
  /** Order of the packet lines: [pid, dts] as printed. */
  order: InspectPacket[];
}

/** Parse `inspect:fmt=json` output; throws on a line that is not JSON. */
export function parseInspect(stdout: string): InspectOutput {
  const res: InspectOutput = { pids: [], packets: new Map(), summaries: [], order: [] };
  for (const line of stdout.split('\n')) {
    if (!line.trim()) continue;
    const o = JSON.parse(line) as { type: string };
    if (o.type === 'pid') {
      const p = o as InspectPid;
      if (!p.update) res.pids.push(p);
    } else if (o.type === 'packet') {
      const p = o as InspectPacket;
      let list = res.packets.get(p.pid);
      if (!list) res.packets.set(p.pid, (list = []));
      list.push(p);
      res.order.push(p);
    } else if (o.type === 'summary') {
      res.summaries.push(o as InspectSummary);
    }
  }
  return res;
}

/** ffprobe codec_name → graphpac CodecID. */
export const FF_CODEC: Record<string, string> = {
  h264: 'avc',
  hevc: 'hevc',
  aac: 'aac',
  mp3: 'mp3',
  av1: 'av1',
};
