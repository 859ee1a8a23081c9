/**
 * Helpers for the m2tsdmx tests: the demuxer run alone on the test harness, every packet of every stream
 * kept (with the PID's properties); ffprobe's packets with their data.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import m2tsdmx from '../../filters/m2tsdmx/index.js';
import type { Packet, PidProps } from '../../src/index.js';
import { createHarness } from '../../src/testing/index.js';

const run = promisify(execFile);

export interface Captured {
  name: string;
  props: PidProps;
  packets: readonly Packet[];
}

/**
 * m2tsdmx alone on the single-filter harness (src/testing): the file's bytes fed in 64 KiB packets as
 * fin sends them, with the Extension of its name or, without one, the MIME type the content probe gives
 * (as fin asks the registry); every output PID collected.
 */
export async function capture(path: string): Promise<Captured[]> {
  const bytes = readFileSync(path);
  const ext = extname(path).slice(1);
  const mime = ext ? undefined : m2tsdmx.probeData?.(bytes.subarray(0, 4096))?.mime;
  const h = await createHarness(m2tsdmx);
  try {
    const input = h.input({
      StreamType: 'File',
      URL: path,
      SourcePath: path,
      ...(ext ? { Extension: ext } : {}),
      ...(mime ? { MIMEType: mime } : {}),
    });
    for (let at = 0; at < bytes.length; at += 65536)
      input.push({
        data: bytes.subarray(at, at + 65536),
        byteOffset: at,
        start: at === 0,
        end: at + 65536 >= bytes.length,
      });
    input.end();
    await h.finish();
    return h.outputs.map((o) => ({ name: o.name, props: o.props, packets: o.packets }));
  } finally {
    await h.close();
  }
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
