/**
 * The fuzzer's watchdog on workers that misbehave on purpose (FUZZ_SELFTEST): a busy loop and a wait
 * that never ends are hangs, memory growth is a memory blow-up, an abort and an uncaught exception are
 * crashes; the case after a failure gets a fresh worker.
 */
import test from 'ava';
import type { Outcome } from './classify.js';
import { FuzzPool } from './pool.js';

const CASES: [string, Outcome, RegExp][] = [
  ['busy', 'hang', /ms of CPU time/],
  ['idle', 'hang', /idle for 1 s/],
  ['memory', 'memory', /resident size|heap/],
  ['crash', 'crash', /worker died \(SIGABRT|exit/],
  ['throw', 'crash', /uncaught exception|worker died/],
];

for (const [what, outcome, why] of CASES) {
  test(`fuzz watchdog: a worker that goes "${what}" is a ${outcome}, and the next case gets a fresh one`, async (t) => {
    const pool = new FuzzPool({ workers: 1, timeoutMs: 2000, env: { FUZZ_SELFTEST: what } });
    const [r, next] = await pool.run([
      { seed: 1, index: 0, decode: false },
      { seed: 1, index: 1, decode: false },
    ]);
    t.is(r!.outcome, outcome, JSON.stringify(r));
    t.regex(`${r!.why ?? ''} ${r!.message ?? ''}`, why);
    t.is(next!.outcome, outcome, 'the self-test misbehaves on every case');
    t.is(pool.started, 2, 'a fresh worker after the failure');
  });
}
