/**
 * One fuzz case from its seed and number: a clip of the corpus, one to four mutations, and the way a
 * user would run it (packaging to HLS + DASH files, low-latency packaging, or inspecting every sample).
 * Everything is drawn from caseRng(seed, index): `SEED:CASE` replays it exactly.
 */
import { parseBoxes } from './mp4-boxes.js';
import { CORPUS, MUTATORS, clipBytes, mutateSteps } from './mutator.js';
import { caseRng } from './prng.js';

/** Seed 0 is the truncation sweep: every box of every MP4 clip, the file cut at its start and middle. */
export const SWEEP_SEED = 0;

interface Cut {
  clip: string;
  path: string;
  at: number;
}

let cuts: Cut[] | undefined;

/** Every cut of the sweep (repeated fragments: the first two and their boxes only). */
function sweepCuts(): Cut[] {
  if (cuts) return cuts;
  cuts = [];
  for (const c of CORPUS.filter((x) => x.format === 'mp4')) {
    const bytes = clipBytes(c.name);
    for (const b of parseBoxes(bytes)) {
      if ([...b.path.matchAll(/(?:moof|mdat)\[(\d+)\]/g)].some((m) => Number(m[1]) > 2)) continue;
      for (const at of [b.start, b.start + Math.floor((b.end - b.start) / 2)])
        if (at > 0 && at < bytes.length && !cuts.some((x) => x.clip === c.name && x.at === at))
          cuts.push({ clip: c.name, path: b.path, at });
    }
  }
  return cuts;
}

/** Number of cases of the truncation sweep. */
export function sweepSize(): number {
  return sweepCuts().length;
}

export type Mode = 'package' | 'package-ll' | 'inspect';

export interface FuzzCase {
  seed: number;
  index: number;
  clip: string;
  format: string;
  mode: Mode;
  /** Name the mutated file is written under (its extension tells the format, or not). */
  fileName: string;
  bytes: Uint8Array;
  steps: string[];
}

const MODES: readonly Mode[] = ['package', 'package-ll', 'inspect'];

export function makeCase(seed: number, index: number): FuzzCase {
  if (seed === SWEEP_SEED) {
    const cut = sweepCuts()[index];
    if (!cut) throw new Error(`the truncation sweep has ${sweepSize()} cases, not ${index + 1}`);
    const bytes = clipBytes(cut.clip).slice(0, cut.at);
    const format = 'mp4';
    const step = `truncate at ${cut.at} (in ${cut.path})`;
    const mode = MODES[index % MODES.length]!;
    return { seed, index, clip: cut.clip, format, mode, fileName: `case${index}.mp4`, bytes, steps: [step] };
  }
  const rng = caseRng(seed, index);
  const clip = rng.weighted(CORPUS.map((c) => [c, c.weight] as const));
  const mutator = MUTATORS[clip.format]!;
  const n = rng.weighted([
    [1, 60],
    [2, 25],
    [3, 10],
    [4, 5],
  ] as const);
  const { bytes, steps } = mutateSteps(mutator, clipBytes(clip.name), rng, n);
  const mode = rng.weighted<Mode>([
    ['package', 60],
    ['package-ll', 25],
    ['inspect', 15],
  ]);
  // Mostly with the format's extension; sometimes none, so the content probe decides.
  const fileName = rng.chance(0.85) ? `case${index}.${clip.format}` : `case${index}`;
  return { seed, index, clip: clip.name, format: clip.format, mode, fileName, bytes, steps };
}

/** The command line of a case: input `file`, outputs under `out`. */
export function caseArgs(c: FuzzCase, file: string, out: string): string[] {
  switch (c.mode) {
    case 'package':
      return ['-i', file, '-o', `${out}/live.m3u8:dual:segdur=1`];
    case 'package-ll':
      return ['-i', file, '-o', `${out}/live.m3u8:dual:segdur=1:cdur=0.5:llhls=br:dmode=dynamic`];
    case 'inspect':
      return ['-i', file, `inspect:deep:log=${out}/inspect.txt`];
  }
}

export function describeCase(c: FuzzCase): string {
  return `${c.seed}:${c.index} ${c.clip} [${c.steps.join('; ')}] ${c.mode}`;
}
