/**
 * Hostile transport streams through the command line: truncated, garbage, wrong continuity counters,
 * PES lengths that disagree with the packets, a PMT naming a PID that never comes. Each ends with one
 * clear error or is read with its damage counted and reported: never a crash or a hang.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32Mpeg2 } from '../../src/media/ts/index.js';
import { repoRoot, runGraphpac } from '../helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'graphpac-hostile-'));
let ts: Buffer;
test.before(() => {
  const path = join(dir, 'av.ts');
  execFileSync('ffmpeg', [
    '-nostdin',
    '-v',
    'error',
    '-y',
    '-i',
    join(repoRoot, 'test/media/av_2997_faststart.mp4'),
    '-c',
    'copy',
    '-f',
    'mpegts',
    path,
  ]);
  ts = readFileSync(path);
});
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

const pidOf = (b: Buffer, i: number) => ((b[i + 1]! & 0x1f) << 8) | b[i + 2]!;

/** A deterministic pseudo-random byte sequence with no 0x47 (no accidental sync). */
function noise(n: number): Buffer {
  const out = Buffer.alloc(n);
  let x = 12345;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    const b = (x >> 16) & 0xff;
    out[i] = b === 0x47 ? 0x48 : b;
  }
  return out;
}

async function inspect(name: string, data: Buffer) {
  const path = join(dir, name);
  writeFileSync(path, data);
  const r = await runGraphpac(['-i', path, 'inspect'], { timeoutMs: 60_000 });
  const packets = [...r.stdout.matchAll(/summary: packets (\d+)/g)].map((m) => Number(m[1]));
  return { ...r, packets };
}

test('truncated in the middle of a packet: what came is read', async (t) => {
  const r = await inspect('cut.ts', ts.subarray(0, Math.floor(ts.length * 0.6) + 77));
  t.false(r.timedOut);
  t.is(r.code, 0, r.stderr);
  t.is(r.packets.length, 2);
  t.true(r.packets.every((n) => n > 10));
});

test('garbage named .ts: one line, no program found', async (t) => {
  const r = await inspect('garbage.ts', noise(200_000));
  t.is(r.code, 1);
  const lines = r.stderr.split('\n').filter((l) => l.trim());
  t.is(lines.length, 1, r.stderr);
  t.regex(lines[0]!, /m2tsdmx: ".*garbage\.ts": no MPEG-2 TS program found/);
});

test('garbage between packets: skipped and counted, the rest read', async (t) => {
  const at = 188 * 200;
  const r = await inspect('dirty.ts', Buffer.concat([ts.subarray(0, at), noise(5000), ts.subarray(at)]));
  t.is(r.code, 0, r.stderr);
  t.is(r.packets.length, 2);
  t.regex(r.stderr, /lost packet sync/);
  t.regex(r.stderr, /5000 bytes skipped/);
});

test('wrong continuity counters: counted and reported', async (t) => {
  const d = Buffer.from(ts);
  let changed = 0;
  for (let i = 0; i + 188 <= d.length; i += 188)
    if (pidOf(d, i) === 256 && (i / 188) % 40 === 7) {
      d[i + 3] = (d[i + 3]! & 0xf0) | ((d[i + 3]! + 5) & 0x0f);
      changed++;
    }
  const r = await inspect('cc.ts', d);
  t.is(r.code, 0, r.stderr);
  t.true(changed > 5);
  t.regex(r.stderr, /continuity error on PID 256/);
  t.regex(r.stderr, /[1-9]\d* continuity errors/);
});

test('PES lengths past the packets (and short of them): counted, never read past', async (t) => {
  const d = Buffer.from(ts);
  let n = 0;
  for (let i = 0; i + 188 <= d.length; i += 188) {
    if (pidOf(d, i) !== 257 || !(d[i + 1]! & 0x40)) continue;
    const afc = (d[i + 3]! >> 4) & 3;
    const p = i + (afc & 2 ? 5 + d[i + 4]! : 4);
    if (d[p] !== 0 || d[p + 1] !== 0 || d[p + 2] !== 1) continue;
    const len = d.readUInt16BE(p + 4);
    d.writeUInt16BE(n % 2 ? Math.min(0xffff, len + 3000) : Math.max(9, len - 40), p + 4);
    n++;
  }
  const r = await inspect('peslen.ts', d);
  t.false(r.timedOut);
  t.is(r.code, 0, r.stderr);
  t.true(n > 10);
  t.regex(r.stderr, /PES cut short|past PES_packet_length/);
});

test('a PMT naming a PID that never comes: left out with a warning, the rest packaged', async (t) => {
  const d = Buffer.from(ts);
  let patched = 0;
  for (let i = 0; i + 188 <= d.length; i += 188) {
    if (pidOf(d, i) !== 4096 || !(d[i + 1]! & 0x40)) continue;
    const s = i + 5 + d[i + 4]!; // after the pointer field
    const len = ((d[s + 1]! & 0x0f) << 8) | d[s + 2]!;
    const end = s + 3 + len - 4; // the CRC
    const extra = Buffer.from([0x0f, 0xe0 | 0x1f, 0xf0, 0xf0, 0x00]); // AAC on PID 0x1FF0
    const body = Buffer.concat([d.subarray(s, end), extra]);
    const newLen = len + extra.length;
    body[1] = (body[1]! & 0xf0) | (newLen >> 8);
    body[2] = newLen & 0xff;
    const crc = crc32Mpeg2(body);
    const sec = Buffer.concat([
      body,
      Buffer.from([crc >>> 24, (crc >> 16) & 0xff, (crc >> 8) & 0xff, crc & 0xff]),
    ]);
    if (s + sec.length > i + 188) continue;
    sec.copy(d, s);
    patched++;
  }
  t.true(patched > 0);
  const r = await inspect('missing-pid.ts', d);
  t.is(r.code, 0, r.stderr);
  t.is(r.packets.length, 2, r.stdout);
  t.regex(r.stderr, /PID 8176 \(aac\) sent no usable data within 2 s: left out/);
});
