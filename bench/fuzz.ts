/**
 * Fuzzing benchmark: N seeded, structure-aware mutations of the clips in test/media, each packaged (or
 * inspected) the way a user runs graphpac, in a pool of watched worker processes (test/fuzz/). Reports
 * the outcome counts and every failure with its replay line, and writes its section of docs/FUZZING.md.
 *
 *   node --import=tsx bench/fuzz.ts [--seed 7] [--cases 50000] [--workers 2] [--decode-every 50] [--no-write]
 *   node --import=tsx bench/fuzz.ts --replay SEED:CASE [--save DIR]     one case, told in full
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SWEEP_SEED, caseArgs, describeCase, makeCase, sweepSize } from '../test/fuzz/cases.js';
import type { Outcome } from '../test/fuzz/classify.js';
import { GOOD } from '../test/fuzz/classify.js';
import type { CaseResult } from '../test/fuzz/pool.js';
import { FuzzPool } from '../test/fuzz/pool.js';
import { codeVersion, machine, markers, root, writeSection } from './lib.js';

const SCRIPT = 'bench/fuzz.ts';
const DOC = join(root, 'docs/FUZZING.md');

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const num = (name: string, dflt: number): number => {
  const v = arg(name);
  const n = v === undefined ? dflt : Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} ${v}: a whole number is expected`);
  return n;
};

function line(r: CaseResult): string {
  const c = makeCase(r.seed, r.index);
  return `${r.outcome}${r.why ? ` (${r.why})` : ''}: ${describeCase(c)}${r.message ? `\n    ${r.message}` : ''}\n    replay: node --import=tsx bench/fuzz.ts --replay ${r.seed}:${r.index}`;
}

async function replay(spec: string): Promise<void> {
  const m = /^(\d+):(\d+)$/.exec(spec);
  if (!m) throw new Error(`--replay ${spec}: SEED:CASE expected`);
  const [seed, index] = [Number(m[1]), Number(m[2])];
  const c = makeCase(seed, index);
  process.stdout.write(`case ${seed}:${index}\n  clip: test/media/${c.clip}\n  mode: ${c.mode}\n`);
  for (const s of c.steps) process.stdout.write(`  step: ${s}\n`);
  const save = arg('save');
  if (save) {
    mkdirSync(save, { recursive: true });
    const file = join(save, c.fileName);
    writeFileSync(file, c.bytes);
    process.stdout.write(
      `  file: ${file}\n  run:  graphpac ${caseArgs(c, file, join(save, 'out')).join(' ')}\n`,
    );
  }
  const [r] = await new FuzzPool({ workers: 1 }).run([{ seed, index, decode: true }]);
  process.stdout.write(`${line(r!)}\n`);
  process.exitCode = GOOD.has(r!.outcome) ? 0 : 1;
}

async function main(): Promise<void> {
  const rep = arg('replay');
  if (rep) return replay(rep);
  const seed = num('seed', 7);
  // Seed 0 is the truncation sweep: its cases are counted.
  const cases = seed === SWEEP_SEED ? Math.min(num('cases', 50_000), sweepSize()) : num('cases', 50_000);
  const workers = num('workers', 2);
  const decodeEvery = num('decode-every', 50);
  const pool = new FuzzPool({ workers });
  const counts = new Map<Outcome, number>();
  const byMode = new Map<string, Map<Outcome, number>>();
  const time = new Map<string, { n: number; ms: number; max: number }>();
  let decoded = 0;
  let inputToo = 0;
  let done = 0;
  const failures: CaseResult[] = [];
  const t0 = performance.now();
  const jobs = Array.from({ length: cases }, (_, index) => ({
    seed,
    index,
    decode: index % decodeEvery === 0,
  }));
  await pool.run(jobs, (r) => {
    done++;
    counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
    const mode = makeCase(r.seed, r.index).mode;
    const mm = byMode.get(mode) ?? new Map<Outcome, number>();
    mm.set(r.outcome, (mm.get(r.outcome) ?? 0) + 1);
    byMode.set(mode, mm);
    const tm = time.get(mode) ?? { n: 0, ms: 0, max: 0 };
    tm.n++;
    tm.ms += r.ms;
    tm.max = Math.max(tm.max, r.ms);
    time.set(mode, tm);
    if (r.decoded === 'output') decoded++;
    if (r.decoded === 'input-too') inputToo++;
    if (!GOOD.has(r.outcome)) {
      failures.push(r);
      process.stdout.write(`${line(r)}\n`);
    }
    if (done % 1000 === 0)
      process.stdout.write(
        `${done}/${cases} in ${Math.round((performance.now() - t0) / 1000)} s: ${[...counts].map(([k, v]) => `${k} ${v}`).join(', ')}\n`,
      );
  });
  const seconds = (performance.now() - t0) / 1000;
  const order: Outcome[] = ['success', 'clean-error', 'leak', 'bad-output', 'crash', 'hang', 'memory'];
  const summary = order.map((o) => `${o} ${counts.get(o) ?? 0}`).join(', ');
  for (const [mode, t] of time)
    process.stdout.write(`${mode}: ${t.n} cases, mean ${Math.round(t.ms / t.n)} ms, slowest ${t.max} ms\n`);
  process.stdout.write(
    `\n${cases} cases in ${seconds.toFixed(0)} s (seed ${seed}): ${summary}; workers started ${pool.started}\n`,
  );
  if (arg('no-write') === undefined && !process.argv.includes('--no-write')) {
    const { start, end } = markers(SCRIPT);
    const mach = machine();
    const rows = order.map(
      (o) =>
        `| ${o} | ${counts.get(o) ?? 0} | ${['success', 'clean-error'].includes(o) ? 'good' : 'failure'} |`,
    );
    const modes = [...byMode].map(
      ([mode, m]) => `| ${mode} | ${order.map((o) => m.get(o) ?? 0).join(' | ')} |`,
    );
    const text = [
      start,
      `## Results (bench/fuzz.ts)`,
      '',
      `\`node --import=tsx bench/fuzz.ts --seed ${seed} --cases ${cases} --workers ${workers} --decode-every ${decodeEvery}\`, ` +
        `${codeVersion()}, ${mach.text}; ${seconds.toFixed(0)} s wall (${((seconds * 1000) / cases).toFixed(1)} ms a case), ` +
        `${pool.started} worker processes started (one more after each case that did not end cleanly).`,
      '',
      '| outcome | cases | |',
      '|---|---:|---|',
      ...rows,
      '',
      `| mode | ${order.join(' | ')} |`,
      `|---|${order.map(() => '---:').join('|')}|`,
      ...modes,
      '',
      `Time a case takes in its worker (mean / slowest): ${[...time]
        .map(([mode, t]) => `${mode} ${Math.round(t.ms / t.n)} / ${t.max} ms`)
        .join(', ')} (the hang limit is 20,000 ms).`,
      '',
      `Successes decoded by ffprobe: ${decoded + inputToo} (one case in ${decodeEvery}); ${decoded} decode, ` +
        `${inputToo} do not but neither does their mutated input (garbage in, garbage out).`,
      '',
      failures.length
        ? ['Failures (each a replay line):', '', '```', ...failures.map(line), '```'].join('\n')
        : 'No failure: no crash, hang, memory blow-up, leaked JavaScript message or bad output.',
      end,
    ].join('\n');
    writeSection(SCRIPT, text, DOC);
  }
  process.exitCode = failures.length ? 1 : 0;
}

await main();
