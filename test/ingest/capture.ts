/**
 * Helpers for the m2tsdmx tests: a sink plugin that keeps every packet of every stream (with the PID's
 * properties), run through a scripted session; ffprobe's packets with their data.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { arg, createSession, defineFilter } from '../../src/index.js';
import type { Packet, PidProps } from '../../src/index.js';

const run = promisify(execFile);

export interface Captured {
  name: string;
  props: PidProps;
  packets: Packet[];
}

/** Demux `url` (options as on the command line, e.g. `{ pwait: 1 }` for m2tsdmx) and keep every packet. */
export async function capture(
  url: string,
  options: Record<string, string | number> = {},
): Promise<Captured[]> {
  const got: Captured[] = [];
  const sink = defineFilter({
    name: 'capsink',
    description: 'keeps the packets of every stream',
    args: { dst: arg.string(undefined, 'cap:') },
    maxInputs: Infinity,
    caps: [{ name: 'media', in: { StreamType: ['Visual', 'Audio'] } }],
    probeUrl: (u) => (u.startsWith('cap:') ? 'supported' : 'no'),
    create(ctx) {
      const by = new Map<string, Captured>();
      return {
        configurePid(pid, status) {
          if (status === 'new') {
            const c = { name: pid.name, props: pid.props, packets: [] };
            by.set(pid.name, c);
            got.push(c);
          } else by.get(pid.name)!.props = pid.props;
        },
        process() {
          let moved = false;
          for (const pid of ctx.inputs)
            for (let p = pid.take(); p; p = pid.take()) {
              moved = true;
              by.get(pid.name)!.packets.push(p);
            }
          if (ctx.inputs.length && ctx.inputs.every((i) => i.eos) && !ctx.connectionsPending()) return 'eos';
          return moved ? 'ok' : 'not-ready';
        },
      };
    },
  });
  const s = createSession({ plugins: [sink], logs: 'all@error' });
  s.addSource(url, options);
  s.addSink('cap:');
  await s.run();
  return got;
}

export interface FfDataPacket {
  stream_index: number;
  pts?: number;
  dts?: number;
  size: string;
  flags: string;
  data: Uint8Array;
}

/** ffprobe's packets of `path` with their bytes (-show_data), and its streams. */
export async function ffprobeData(path: string): Promise<{
  streams: { index: number; id: string; codec_name: string }[];
  packets: FfDataPacket[];
}> {
  const { stdout } = await run(
    'ffprobe',
    ['-v', 'error', '-show_streams', '-show_packets', '-show_data', '-of', 'json', path],
    { maxBuffer: 512 * 1024 * 1024 },
  );
  const j = JSON.parse(stdout) as {
    streams: { index: number; id: string; codec_name: string }[];
    packets: (Omit<FfDataPacket, 'data'> & { data: string })[];
  };
  return {
    streams: j.streams,
    packets: j.packets.map((p) => ({ ...p, data: hexDump(p.data) })),
  };
}

/** ffprobe's `-show_data` dump ("00000000: 0000 0001 0910 ...  text") back to bytes. */
function hexDump(dump: string): Uint8Array {
  const bytes: number[] = [];
  for (const line of dump.split('\n')) {
    const m = /^[0-9a-f]{8}: ((?:[0-9a-f]{2,4} ?)+)/.exec(line.trim());
    if (!m) continue;
    const hex = m[1]!.slice(0, 40).replace(/ /g, '');
    for (let i = 0; i + 1 < hex.length; i += 2) bytes.push(parseInt(hex.slice(i, i + 2), 16));
  }
  return Uint8Array.from(bytes);
}

/** The NAL units of Annex-B bytes (a plain scan, independent of the demuxer's). */
export function annexBNals(d: Uint8Array): Uint8Array[] {
  const starts: [number, number][] = [];
  for (let i = 0; i + 2 < d.length; i++)
    if (d[i] === 0 && d[i + 1] === 0 && d[i + 2] === 1) {
      starts.push([i, i + 3]);
      i += 2;
    }
  return starts.map(([, s], k) => {
    let e = k + 1 < starts.length ? starts[k + 1]![0] : d.length;
    while (e > s && d[e - 1] === 0) e--;
    return d.subarray(s, e);
  });
}

/** Frame MD5s of the video (or audio) decoded by ffmpeg. */
export async function frameMd5(path: string, stream: 'v' | 'a' = 'v'): Promise<string[]> {
  const { stdout } = await run(
    'ffmpeg',
    ['-nostdin', '-v', 'error', '-i', path, '-map', `0:${stream}:0`, '-f', 'framemd5', '-'],
    {
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return stdout
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(',').at(-1)!.trim());
}
