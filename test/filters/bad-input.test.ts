/**
 * Bad inputs through the CLI: each exits with code 1 and ONE line on stderr naming the file, with no
 * stack trace and no hang. Broken files are made in a temporary folder from the committed clips.
 */
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runGraphpac } from '../helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'graphpac-bad-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

function clip(name: string): Buffer {
  return readFileSync(join(repoRoot, 'test/media', name));
}

/** Top-level boxes of an ISOBMFF file: [type, start, size]. */
function boxes(d: Buffer): [string, number, number][] {
  const out: [string, number, number][] = [];
  for (let p = 0; p + 8 <= d.length;) {
    const size = d.readUInt32BE(p);
    out.push([d.toString('latin1', p + 4, p + 8), p, size]);
    if (size < 8) break;
    p += size;
  }
  return out;
}

function boxStart(d: Buffer, type: string): number {
  const b = boxes(d).find(([t]) => t === type);
  if (!b) throw new Error(`no ${type}`);
  return b[1];
}

function write(name: string, data: Uint8Array | string): string {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
}

interface Case {
  title: string;
  make: () => string;
  /** Expected in the message besides the path. */
  says: RegExp;
}

const moovEnd = clip('h264_bframes_moovend.mp4'); // ftyp free mdat moov
const faststart = clip('av_2997_faststart.mp4'); // ftyp moov free mdat
const fragmented = clip('av_fragmented.mp4'); // ftyp moov (moof mdat)+ mfra

const CASES: Case[] = [
  { title: 'missing file', make: () => join(dir, 'missing.mp4'), says: /no such file/ },
  { title: 'a directory', make: () => dir, says: /directory/ },
  { title: 'empty file', make: () => write('empty.mp4', ''), says: /empty/ },
  {
    title: 'text file',
    make: () => write('notes.txt', 'hello, this is not a video\n'),
    says: /link|format|no filter/,
  },
  {
    title: 'text file named .mp4',
    make: () => write('notes.mp4', 'hello, this is not a video\n'),
    says: /is not an MP4 \(ISOBMFF\) file/,
  },
  {
    title: 'truncated: moov missing (moov-at-end file cut in its mdat)',
    make: () => write('moov-missing.mp4', moovEnd.subarray(0, 60000)),
    says: /truncated.*moov box missing/,
  },
  {
    title: 'truncated: moov cut short',
    make: () => write('moov-cut.mp4', moovEnd.subarray(0, boxStart(moovEnd, 'moov') + 100)),
    says: /truncated: box 'moov'/,
  },
  {
    title: 'truncated: mdat cut short (faststart)',
    make: () => write('mdat-cut.mp4', faststart.subarray(0, 80000)),
    says: /truncated: sample data .* ends at byte \d+ but the file has 80000 bytes/,
  },
  {
    title: 'truncated: fragmented file cut inside an mdat',
    make: () => write('frag-cut.mp4', fragmented.subarray(0, 70000)),
    says: /truncated: box 'mdat'/,
  },
  {
    title: 'corrupt: a top-level box size below 8',
    make: () => {
      const d = Buffer.from(faststart);
      d.writeUInt32BE(5, boxStart(d, 'moov'));
      return write('bad-size-small.mp4', d);
    },
    says: /corrupt: box 'moov' at byte \d+ has an invalid size 5/,
  },
  {
    title: 'corrupt: a box inside moov larger than the moov',
    make: () => {
      const d = Buffer.from(faststart);
      d.writeUInt32BE(0x7fffff00, boxStart(d, 'moov') + 8); // mvhd size
      return write('bad-size-inner.mp4', d);
    },
    says: /corrupt: cannot parse the moov box/,
  },
  {
    title: 'corrupt: a top-level box size past the end of the file',
    make: () => {
      const d = Buffer.from(faststart);
      d.writeUInt32BE(0x7fffff00, boxStart(d, 'moov'));
      return write('bad-size-huge.mp4', d);
    },
    says: /truncated: box 'moov'/,
  },
];

for (const c of CASES) {
  test(`bad input: ${c.title}`, async (t) => {
    const path = c.make();
    const r = await runGraphpac(['-i', path, 'inspect'], { timeoutMs: 30_000 });
    t.false(r.timedOut, 'hung');
    t.is(r.code, 1, `stdout: ${r.stdout}\nstderr: ${r.stderr}`);
    const lines = r.stderr.split('\n').filter((l) => l.trim());
    t.is(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
    const line = lines[0] ?? '';
    t.false(/\n\s+at |Error:|TypeError/.test(r.stderr), 'no stack trace');
    t.true(line.includes(path.split('/').pop()!), `names the file: ${line}`);
    t.regex(line, c.says);
  });
}

test('standard input: a faststart MP4 is demuxed from a pipe', async (t) => {
  const r = await runGraphpac(['-i', '-', 'inspect:fmt=json'], { stdin: faststart, timeoutMs: 30_000 });
  t.is(r.code, 0, r.stderr);
  const summaries = r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { type: string; packets?: number })
    .filter((o) => o.type === 'summary');
  t.deepEqual(
    summaries.map((s) => s.packets),
    [120, 174],
  );
});

test('standard input: a fragmented MP4 is demuxed from a pipe in 4 KiB blocks', async (t) => {
  const r = await runGraphpac(['-i', '-:block_size=4096', 'inspect:fmt=json'], {
    stdin: fragmented,
    timeoutMs: 30_000,
  });
  t.is(r.code, 0, r.stderr);
  const summaries = r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { type: string; packets?: number })
    .filter((o) => o.type === 'summary');
  t.deepEqual(
    summaries.map((s) => s.packets),
    [100, 189],
  );
});

test('standard input: a moov-at-end MP4 fails with one line (a pipe cannot seek back)', async (t) => {
  const r = await runGraphpac(['-i', '-', 'inspect'], {
    stdin: clip('source1'),
    timeoutMs: 30_000,
  });
  t.false(r.timedOut);
  t.is(r.code, 1);
  const lines = r.stderr.split('\n').filter((l) => l.trim());
  t.is(lines.length, 1, r.stderr);
  t.regex(lines[0] ?? '', /cannot seek back|ended before byte/);
});
