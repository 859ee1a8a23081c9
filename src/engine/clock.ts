/**
 * Clocks. The scheduler sleeps through its clock, so a ManualClock makes real-time filters
 * deterministic and instant in tests: sleeping just moves virtual time to the next timer.
 */
import type { Clock } from './filter-api.js';

export interface SchedulerClock extends Clock {
  /** Resolve once now() >= t (or earlier if woken). */
  sleepUntil(t: number, signal: AbortSignal): Promise<void>;
}

export const systemClock: SchedulerClock = {
  now: () => performance.now(),
  wallNow: () => Date.now(),
  sleepUntil(t, signal) {
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, t - performance.now()));
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
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
  async sleepUntil(t: number): Promise<void> {
    if (t > this.t) this.t = t;
  }
}
