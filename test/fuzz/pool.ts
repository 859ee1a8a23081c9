/**
 * Runs fuzz cases in a pool of worker processes (worker.ts), each with a V8 heap limit, watched for
 * hangs (a time limit per case), memory (resident size polled from /proc while a case runs, and the
 * process's own peak) and death. A worker goes on to the next case after a clean one; after anything
 * else it is replaced, so one bad case never taints the next.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GOOD } from './classify.js';
import type { Outcome } from './classify.js';
import type { CaseReply, CaseRequest } from './worker.js';

const workerPath = fileURLToPath(new URL('./worker.ts', import.meta.url));
const tsxLoader = import.meta.resolve('tsx');

export interface PoolOptions {
  workers: number;
  /**
   * A hang (default 20 s): that much CPU time in the case, or that much wall time with the process idle
   * for its last 10 s (waiting for something that never comes). A loaded machine stretches wall time,
   * not CPU time, so the verdict does not depend on the load; past 9 × this wall time (at least a minute)
   * it is a hang anyway.
   */
  timeoutMs?: number;
  /** A case whose process grows past this resident size is a memory blow-up (default 500 MB). */
  rssLimitMb?: number;
  /** V8 heap limit of the workers (default 512 MB). */
  heapMb?: number;
  /** Environment variables added for the workers (the watchdog's own test: FUZZ_SELFTEST). */
  env?: Record<string, string>;
}

export interface CaseResult {
  seed: number;
  index: number;
  outcome: Outcome;
  why?: string;
  message?: string;
  decoded?: 'output' | 'input-too';
  ms: number;
  rssMb: number;
  dir?: string;
}

export type CaseJob = Omit<CaseRequest, 'type'>;

/** CPU time (user + system, in ms: clock ticks of 10 ms on Linux) and state (R, S, D…) of a process. */
function procStat(pid: number): { cpu: number; state: string } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { cpu: (Number(f[11]) + Number(f[12])) * 10, state: f[0] ?? '?' };
  } catch {
    return { cpu: 0, state: '?' };
  }
}

function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

interface Slot {
  child: ChildProcess;
  ready: Promise<void>;
  stderr: string[];
  /** Peak resident size reported by the process before the current case. */
  maxRssBefore: number;
}

export class FuzzPool {
  private readonly timeoutMs: number;
  private readonly rssLimitMb: number;
  private readonly heapMb: number;
  /** Workers started (for the report). */
  started = 0;

  constructor(private readonly opts: PoolOptions) {
    this.timeoutMs = opts.timeoutMs ?? 20_000;
    this.rssLimitMb = opts.rssLimitMb ?? 500;
    this.heapMb = opts.heapMb ?? 512;
  }

  private spawn(): Slot {
    this.started++;
    const child = fork(workerPath, [], {
      execArgv: ['--import', tsxLoader, `--max-old-space-size=${this.heapMb}`, '--expose-gc'],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { ...process.env, ...this.opts.env },
    });
    const stderr: string[] = [];
    child.stderr!.on('data', (d: Buffer) => {
      stderr.push(d.toString('utf8'));
      if (stderr.length > 50) stderr.splice(0, stderr.length - 50);
    });
    const ready = new Promise<void>((resolve, reject) => {
      const onMsg = (m: { type: string }) => {
        if (m.type === 'ready') {
          child.off('message', onMsg);
          resolve();
        }
      };
      child.on('message', onMsg);
      child.once('exit', (code) => reject(new Error(`fuzz worker exited (${code}) before it was ready`)));
    });
    return { child, ready, stderr, maxRssBefore: 0 };
  }

  private runOne(slot: Slot, job: CaseJob): Promise<{ result: CaseResult; clean: boolean }> {
    const { child } = slot;
    slot.stderr.length = 0;
    return new Promise((resolve) => {
      const t0 = performance.now();
      let peak = 0;
      let done = false;
      const finish = (result: CaseResult, clean: boolean) => {
        if (done) return;
        done = true;
        clearInterval(poll);
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve({ result, clean });
      };
      const base = { seed: job.seed, index: job.index };
      const kill = (outcome: Outcome, why: string) => {
        child.off('exit', onExit);
        child.kill('SIGKILL');
        finish(
          { ...base, outcome, why, ms: Math.round(performance.now() - t0), rssMb: Math.round(peak) },
          false,
        );
      };
      const cpu0 = child.pid ? procStat(child.pid).cpu : 0;
      let decoding = false;
      /** Each poll of the last 10 s: wall ms, CPU ms, and whether the process was asleep. */
      const recent: [number, number, boolean][] = [];
      const poll = setInterval(() => {
        if (!child.pid) return;
        peak = Math.max(peak, rssMb(child.pid));
        if (peak > this.rssLimitMb) return kill('memory', `resident size ${Math.round(peak)} MB`);
        const wall = performance.now() - t0;
        const st = procStat(child.pid);
        const cpu = st.cpu - cpu0;
        recent.push([wall, cpu, st.state === 'S']);
        const window = Math.min(10_000, this.timeoutMs / 2);
        while (recent.length > 1 && recent[0]![0] < wall - window) recent.shift();
        // Asleep at every poll and (almost) no CPU: waiting for what never comes. A process starved by a
        // loaded machine is runnable (R), not asleep. Waiting on ffprobe (a decode check) is not idleness.
        const idle =
          !decoding && wall > window && cpu - recent[0]![1] < 50 && recent.every(([, , asleep]) => asleep);
        if (cpu > this.timeoutMs) kill('hang', `${Math.round(cpu)} ms of CPU time`);
        else if (wall > this.timeoutMs && idle)
          kill('hang', `idle for ${window / 1000} s after ${Math.round(wall)} ms`);
        else if (wall > Math.max(9 * this.timeoutMs, 60_000))
          kill('hang', `still running after ${Math.round(wall)} ms`);
      }, 100);
      const onMessage = (m: CaseReply | { type: 'decoding' }) => {
        if (m.type === 'decoding') {
          decoding = true;
          return;
        }
        if (m.type !== 'result' || m.index !== job.index) return;
        // The process's own peak catches a spike between two polls.
        const spike = m.maxRssMb > slot.maxRssBefore && m.maxRssMb > this.rssLimitMb ? m.maxRssMb : 0;
        slot.maxRssBefore = Math.max(slot.maxRssBefore, m.maxRssMb);
        const r: CaseResult = {
          ...base,
          outcome: spike ? 'memory' : m.outcome,
          ...(spike ? { why: `peak resident size ${spike} MB` } : m.why ? { why: m.why } : {}),
          ...(m.message ? { message: m.message } : {}),
          ...(m.decoded ? { decoded: m.decoded } : {}),
          ms: m.ms,
          rssMb: Math.round(Math.max(peak, m.rssMb)),
          ...(m.dir ? { dir: m.dir } : {}),
        };
        // A worker whose memory crept up after garbage collection is replaced too.
        finish(r, GOOD.has(r.outcome) && m.rssMb < this.rssLimitMb * 0.6);
      };
      const onExit = (code: number | null, signal: string | null) => {
        const text = slot.stderr.join('');
        const oom = /heap out of memory|Reached heap limit|Allocation failed/.test(text);
        finish(
          {
            ...base,
            outcome: oom ? 'memory' : 'crash',
            why: `worker died (${signal ?? `exit ${code}`})`,
            message: text.trim().split('\n').slice(-4).join(' | ').slice(0, 500),
            ms: Math.round(performance.now() - t0),
            rssMb: Math.round(peak),
          },
          false,
        );
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send({ type: 'case', ...job } satisfies CaseRequest);
    });
  }

  /** Runs `jobs`; `onResult` sees each result as it comes. Results are returned in job order. */
  async run(jobs: readonly CaseJob[], onResult?: (r: CaseResult) => void): Promise<CaseResult[]> {
    const results: CaseResult[] = new Array(jobs.length);
    let next = 0;
    const lane = async () => {
      let slot: Slot | undefined;
      while (next < jobs.length) {
        const i = next++;
        slot ??= this.spawn();
        await slot.ready;
        const { result, clean } = await this.runOne(slot, jobs[i]!);
        results[i] = result;
        onResult?.(result);
        if (!clean) {
          if (slot.child.exitCode === null && slot.child.signalCode === null) slot.child.kill('SIGKILL');
          slot = undefined;
        }
      }
      if (slot) {
        slot.child.send({ type: 'exit' });
        await new Promise((r) => slot!.child.once('exit', r));
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.opts.workers) }, lane));
    return results;
  }
}
