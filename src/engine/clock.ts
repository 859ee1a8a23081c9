/**
 * Clocks. The scheduler sleeps through its clock, so a ManualClock makes real-time filters
 * deterministic and instant in tests: sleeping just moves virtual time to the next timer.
 */
import type { Clock } from './filter-api.js';

export interface SchedulerClock extends Clock {
  /** Resolve once now() >= t, or as soon as `wake` resolves (t = Infinity: only then). */
  sleepUntil(t: number, wake: Promise<void>): Promise<void>;
}

export const systemClock: SchedulerClock = {
  now: () => performance.now(),
  wallNow: () => Date.now(),
  async sleepUntil(t, wake) {
    if (!Number.isFinite(t)) return wake;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      wake,
      new Promise<void>((r) => (timer = setTimeout(r, Math.max(0, t - performance.now())))),
    ]);
    clearTimeout(timer);
  },
};

/** Virtual time, starting at `start` ms (monotonic) and `wallStart` ms since the epoch. */
export class ManualClock implements SchedulerClock {
  private t: number;
  constructor(
    start = 0,
    private readonly wallStart = Date.UTC(2026, 0, 1),
  ) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  wallNow(): number {
    return this.wallStart + this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
  async sleepUntil(t: number, wake: Promise<void>): Promise<void> {
    if (Number.isFinite(t)) {
      if (t > this.t) this.t = t;
      return;
    }
    // Waiting for work in flight (real I/O): virtual time stands still until it wakes us.
    await wake;
  }
}
