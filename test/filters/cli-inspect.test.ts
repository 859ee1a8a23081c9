/**
 * fin → mp4dmx → inspect through the CLI: small read blocks (the follow loop through source-seek
 * events), text output, output to a file, and a non-interleaved file.
 */
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runGraphpac } from '../helpers/run-cli.js';
import { makeNonInterleaved } from './non-interleaved.js';
import { ffprobe, parseInspect } from './probe-tools.js';

const dir = mkdtempSync(join(tmpdir(), 'graphpac-inspect-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

test('moov at the end read in 64 KiB blocks: every sample arrives (the follow loop)', async (t) => {
  for (const clip of ['source1', 'h264_bframes_moovend.mp4']) {
    const path = `test/media/${clip}`;
    const [r, ref] = await Promise.all([
      runGraphpac(['-i', `${path}:block_size=65536`, 'inspect:deep:fmt=json']),
      ffprobe(path),
    ]);
    t.is(r.code, 0, r.stderr);
    const out = parseInspect(r.stdout);
    const sizes = out.packets.get(1)?.map((p) => p.size);
    t.deepEqual(
      sizes,
      ref.packets.map((p) => Number(p.size)),
      clip,
    );
  }
});

test('text output: one line per PID, per packet with deep, and a summary', async (t) => {
  const r = await runGraphpac(['-i', 'test/media/v_2audio.mp4', 'inspect:deep']);
  t.is(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  t.regex(
    lines[0] ?? '',
    /^PID 1 video1: StreamType=Visual CodecID=avc Timescale=12800 ID=1 DecoderConfig=0x01/,
  );
  t.true(lines.some((l) => /^PID 2 audio1: .*Language=eng/.test(l)));
  t.true(lines.some((l) => /^PID 3 audio2: .*Language=fra/.test(l)));
  t.true(lines.includes('PID 1 pck 1 dts 0 cts 1024 dur 512 sap 1 size 2798'));
  t.is(lines.filter((l) => / pck /.test(l)).length, 75 + 142 + 142);
  t.regex(lines.at(-3) ?? '', /^PID 1 video1 summary: packets 75 .*duration 3s \(38400 units\)/);
  t.is(r.stderr, '');
});

test('log=FILE writes there and nothing to stdout', async (t) => {
  const out = join(dir, 'inspect.jsonl');
  const r = await runGraphpac(['-i', 'test/media/source2', `inspect:fmt=json:log=${out}`]);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, '');
  const res = parseInspect(readFileSync(out, 'utf8'));
  t.like(res.pids[0], {
    type: 'pid',
    pid: 1,
    CodecID: 'aac',
    NumChannels: 1,
    DecoderConfig: '118856e500',
    Delay: -1024,
  });
  t.like(res.summaries[0], {
    packets: 1408,
    durationUnits: 1441024,
    firstDts: 0,
    lastDts: 1440768,
    complete: true,
  });
});

test('a non-interleaved file gives the same samples as ffprobe', async (t) => {
  const path = join(dir, 'non-interleaved.mp4');
  writeFileSync(path, makeNonInterleaved(readFileSync(join(repoRoot, 'test/media/v_2audio.mp4'))));
  const [r, ref] = await Promise.all([
    runGraphpac(['-i', `${path}:block_size=4096`, 'inspect:deep:fmt=json']),
    ffprobe(path),
  ]);
  t.is(r.code, 0, r.stderr);
  const out = parseInspect(r.stdout);
  for (const s of ref.streams) {
    const ours = out.packets.get(s.index + 1)?.map((p) => p.size);
    const theirs = ref.packets.filter((p) => p.stream_index === s.index).map((p) => Number(p.size));
    t.deepEqual(ours, theirs, `track ${s.index + 1}`);
  }
});

test('two sources into one inspect: both PIDs are reported, each with its summary', async (t) => {
  const r = await runGraphpac(['-i', 'test/media/source1', '-i', 'test/media/source2', 'inspect:fmt=json']);
  t.is(r.code, 0, r.stderr);
  const out = parseInspect(r.stdout);
  t.deepEqual(
    out.pids.map((p) => p.CodecID),
    ['avc', 'aac'],
  );
  t.deepEqual(
    out.summaries.map((s) => [s.pid, s.packets, s.complete]),
    [
      [1, 750, true],
      [2, 1408, true],
    ],
  );
});
