/**
 * The fuzz set CI runs (docs/FUZZING.md): the truncation sweep (every box of every clip, the file cut at
 * its start and at its middle) and a fixed set of seeded structure-aware mutations, each packaged or
 * inspected the way a user runs graphpac, in watched worker processes. Every case must end in a clean
 * one-line error naming the file, or in a success whose manifests are plain and whose output decodes (one
 * success in DECODE_EVERY is decoded by ffprobe). A failure prints its replay line.
 */
import test from 'ava';
import { describeCase, makeCase, SWEEP_SEED, sweepSize } from './cases.js';
import { GOOD } from './classify.js';
import type { Outcome } from './classify.js';
import type { CaseJob, CaseResult } from './pool.js';
import { FuzzPool } from './pool.js';

/** The fixed seed of CI's random cases, and how many. */
const SEED = 1;
const CASES = 1400;
const DECODE_EVERY = 25;

function report(results: CaseResult[]): { counts: Record<string, number>; failures: string[] } {
  const counts: Partial<Record<Outcome, number>> = {};
  const failures: string[] = [];
  for (const r of results) {
    counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
    if (!GOOD.has(r.outcome))
      failures.push(
        `${r.outcome}${r.why ? ` (${r.why})` : ''}: ${describeCase(makeCase(r.seed, r.index))}${r.message ? ` — ${r.message}` : ''} — replay: node --import=tsx bench/fuzz.ts --replay ${r.seed}:${r.index}`,
      );
  }
  return { counts, failures };
}

test('fuzz: the truncation sweep and the fixed seed set end cleanly', async (t) => {
  // Wall time depends on the machine's load: the bound is generous (the set takes ~2 min on 2 cores).
  t.timeout(15 * 60_000);
  const jobs: CaseJob[] = [
    ...Array.from({ length: sweepSize() }, (_, index) => ({
      seed: SWEEP_SEED,
      index,
      decode: index % DECODE_EVERY === 0,
    })),
    ...Array.from({ length: CASES }, (_, index) => ({
      seed: SEED,
      index,
      decode: index % DECODE_EVERY === 0,
    })),
  ];
  const results = await new FuzzPool({ workers: 2 }).run(jobs);
  const { counts, failures } = report(results);
  t.log(`${jobs.length} cases: ${JSON.stringify(counts)}`);
  t.deepEqual(failures, []);
  // The set exercises both good ends, and decodes some outputs.
  t.true((counts.success ?? 0) > jobs.length / 5, JSON.stringify(counts));
  t.true((counts['clean-error'] ?? 0) > jobs.length / 5, JSON.stringify(counts));
  t.true(results.filter((r) => r.decoded === 'output').length > 10);
});
