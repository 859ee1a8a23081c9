/**
 * fin reuses its read blocks once every sample mp4dmx cut from them is dropped downstream (packet
 * release, src/engine/packet-lease.ts). The bytes must not suffer: with small blocks (many reused, many
 * samples spanning two), every sample's MD5 equals ffprobe's, including samples a consumer kept while
 * the blocks around them were reused. A consumer that does not drop what it takes gets no reuse.
 */
import test from 'ava';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createSession, defineFilter } from '../../src/index.js';
import type { InputPid, Packet } from '../../src/index.js';
import { repoRoot } from '../helpers/run-cli.js';

const run = promisify(execFile);
const BLOCK = 4096;
const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

interface Seen {
  /** Per input PID, the MD5 of each packet in order. */
  hashes: Map<string, string[]>;
  /** Distinct ArrayBuffers of exactly one block that packets were views of. */
  blockBuffers: Set<ArrayBufferLike>;
  packets: number;
  /** Kept packets whose bytes changed between take and end of stream. */
  changed: string[];
}

function md5Sink(name: string, drops: boolean, seen: Seen) {
  return defineFilter({
    name,
    description: 'hashes every packet; keeps every 40th until the end and checks it again',
    args: {},
    caps: [{ name: 'media', inExcluded: { StreamType: 'File' } }],
    maxInputs: 8,
    dropsTakenPackets: drops,
    create(ctx) {
      const kept: { p: Packet; hash: string; pid: string }[] = [];
      const names = new Map<InputPid, string>();
      return {
        configurePid(pid, status) {
          if (status === 'new') names.set(pid, `${pid.name}#${String(pid.props.ID)}`);
        },
        process() {
          for (const pid of ctx.inputs)
            for (let p = pid.take(); p; p = pid.take()) {
              const key = names.get(pid)!;
              const list = seen.hashes.get(key) ?? [];
              seen.hashes.set(key, list);
              const hash = md5(p.data);
              list.push(hash);
              if (p.data.buffer.byteLength === BLOCK) seen.blockBuffers.add(p.data.buffer);
              if (seen.packets++ % 40 === 0) {
                ctx.keep(p);
                kept.push({ p, hash, pid: key });
              }
            }
          if (!ctx.inputs.length || !ctx.inputs.every((i) => i.eos)) return 'not-ready';
          if (ctx.connectionsPending()) return 'not-ready';
          for (const k of kept.splice(0)) {
            if (md5(k.p.data) !== k.hash) seen.changed.push(`${k.pid} dts ${k.p.dts}`);
            ctx.drop(k.p);
          }
          return 'eos';
        },
      };
    },
  });
}

async function demux(clip: string, drops: boolean): Promise<Seen> {
  const seen: Seen = { hashes: new Map(), blockBuffers: new Set(), packets: 0, changed: [] };
  const sink = md5Sink(drops ? 'md5drop' : 'md5hold', drops, seen);
  const s = createSession({ plugins: [sink], logs: 'all@warning' });
  s.addSource(join(repoRoot, 'test/media', clip), { block_size: BLOCK });
  s.addFilter(sink.name);
  await s.run();
  return seen;
}

/** ffprobe's MD5 of every packet, per stream. */
async function ffprobeHashes(clip: string): Promise<string[][]> {
  const { stdout } = await run(
    'ffprobe',
    [
      '-v',
      'error',
      '-show_entries',
      'packet=stream_index,data_hash',
      '-show_data_hash',
      'MD5',
      '-of',
      'json',
      join(repoRoot, 'test/media', clip),
    ],
    { maxBuffer: 64 << 20 },
  );
  const streams: string[][] = [];
  const { packets } = JSON.parse(stdout) as { packets: { stream_index: number; data_hash: string }[] };
  for (const p of packets) (streams[p.stream_index] ??= []).push(p.data_hash.replace(/^MD5:/, ''));
  return streams;
}

/** Per-stream sequences, joined and sorted (the mapping of PIDs to ffprobe streams does not matter). */
const canon = (lists: Iterable<string[]>) => [...lists].map((l) => l.join(' ')).sort();

const CLIPS = [
  'h264_bframes_moovend.mp4',
  'av_2997_faststart.mp4',
  'v_2audio.mp4',
  'hevc.mp4',
  'source1',
  'av_fragmented.mp4',
];

for (const clip of CLIPS)
  test(`${clip}: reused blocks, every sample's bytes as ffprobe's (also kept ones)`, async (t) => {
    const [dropped, ff] = await Promise.all([demux(clip, true), ffprobeHashes(clip)]);
    t.deepEqual(canon(dropped.hashes.values()), canon(ff));
    t.deepEqual(dropped.changed, []);
    if (clip === 'av_fragmented.mp4') return; // samples are mp4box.js's copies, not views of blocks
    const held = await demux(clip, false);
    t.deepEqual(canon(held.hashes.values()), canon(ff));
    // Without drops every block is new; with them fewer are (source1, 2.2 MB: a handful read into
    // again and again; the small clips are a few dozen blocks, some pinned by the kept samples).
    t.true(
      dropped.blockBuffers.size < held.blockBuffers.size,
      `${dropped.blockBuffers.size} distinct blocks with reuse vs ${held.blockBuffers.size}`,
    );
    if (clip === 'source1')
      t.true(
        dropped.blockBuffers.size * 10 < held.blockBuffers.size,
        `${dropped.blockBuffers.size} distinct blocks with reuse vs ${held.blockBuffers.size}`,
      );
  });
