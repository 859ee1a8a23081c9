/**
 * The fuzzer's mutators, one per input format. A mutator applies one structure-aware step to a file and
 * says what it did; the case builder (cases.ts) chains a few steps. MP4: mp4-mutator.ts; MPEG-TS:
 * ts-mutator.ts, on transport streams ffmpeg makes from the MP4 clips (stream copy, bit-exact flags),
 * cached in a temporary folder shared by the workers.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mp4Mutator } from './mp4-mutator.js';
import type { Rng } from './prng.js';
import { tsMutator } from './ts-mutator.js';

export interface Step {
  bytes: Uint8Array;
  /** What was done, e.g. `count moov/trak[2]/mdia/minf/stbl/stsz 174 → 4294967295`. */
  step: string;
}

export interface Mutator {
  readonly format: string;
  /** One mutation of `bytes` (never modified in place), or undefined when the draw does not apply. */
  mutate(bytes: Uint8Array, rng: Rng): Step | undefined;
}

export const MUTATORS: Readonly<Record<string, Mutator>> = { mp4: mp4Mutator, ts: tsMutator };

export interface Clip {
  name: string;
  format: keyof typeof MUTATORS;
  /** Relative chance of being drawn. */
  weight: number;
  /** Made by ffmpeg from a clip of test/media with these output arguments (else the file itself). */
  from?: { clip: string; args: string[] };
}

const TS = ['-c', 'copy', '-fflags', '+bitexact', '-f', 'mpegts'];

/** The committed clips the cases start from (test/media), small ones drawn most often. */
export const CORPUS: readonly Clip[] = [
  { name: 'av_2997_faststart.mp4', format: 'mp4', weight: 5 },
  { name: 'av_fragmented.mp4', format: 'mp4', weight: 5 },
  { name: 'h264_bframes_moovend.mp4', format: 'mp4', weight: 4 },
  { name: 'hevc.mp4', format: 'mp4', weight: 3 },
  { name: 'v_2audio.mp4', format: 'mp4', weight: 3 },
  { name: 'source2', format: 'mp4', weight: 1 },
  { name: 'av.ts', format: 'ts', weight: 4, from: { clip: 'av_2997_faststart.mp4', args: TS } },
  { name: 'bframes.ts', format: 'ts', weight: 3, from: { clip: 'h264_bframes_moovend.mp4', args: TS } },
  { name: 'hevc.ts', format: 'ts', weight: 2, from: { clip: 'hevc.mp4', args: TS } },
  {
    name: 'av_latm.ts',
    format: 'ts',
    weight: 2,
    from: { clip: 'av_2997_faststart.mp4', args: ['-mpegts_flags', 'latm', ...TS] },
  },
  {
    name: 'two_programs.ts',
    format: 'ts',
    weight: 2,
    from: {
      clip: 'v_2audio.mp4',
      args: ['-map', '0', '-program', 'title=one:st=0:st=1', '-program', 'title=two:st=2', ...TS],
    },
  },
];

const mediaDir = fileURLToPath(new URL('../media/', import.meta.url));
const loaded = new Map<string, Uint8Array>();

export function clipBytes(name: string): Uint8Array {
  let b = loaded.get(name);
  if (!b) loaded.set(name, (b = new Uint8Array(readFileSync(clipPath(name)))));
  return b;
}

/** Where a clip is: test/media, or the corpus cache (made once by ffmpeg, shared by the workers). */
function clipPath(name: string): string {
  const c = CORPUS.find((x) => x.name === name);
  if (!c?.from) return join(mediaDir, name);
  const version = execFileSync('ffmpeg', ['-version'], { encoding: 'utf8' }).split('\n', 1)[0] ?? '';
  const key = createHash('sha1')
    .update(JSON.stringify([version, c.from]))
    .digest('hex')
    .slice(0, 12);
  const dir = join(tmpdir(), 'graphpac-fuzz-corpus');
  const path = join(dir, `${key}-${name}`);
  if (existsSync(path)) return path;
  mkdirSync(dir, { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  execFileSync('ffmpeg', [
    '-nostdin',
    '-v',
    'error',
    '-y',
    '-i',
    join(mediaDir, c.from.clip),
    ...c.from.args,
    tmp,
  ]);
  renameSync(tmp, path);
  return path;
}

/** `steps` mutations of `bytes` chained (a draw that does not apply is drawn again, up to 20 times). */
export function mutateSteps(
  m: Mutator,
  bytes: Uint8Array,
  rng: Rng,
  steps: number,
): { bytes: Uint8Array; steps: string[] } {
  const done: string[] = [];
  let cur = bytes;
  for (let s = 0; s < steps; s++) {
    for (let attempt = 0; attempt < 20; attempt++) {
      const r = m.mutate(cur, rng);
      if (!r) continue;
      cur = r.bytes;
      done.push(r.step);
      break;
    }
  }
  return { bytes: cur, steps: done };
}
