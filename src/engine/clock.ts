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
      // t = Infinity: no timer, only a wake-up (work in flight elsewhere) ends the sleep.
      const timer = Number.isFinite(t) ? setTimeout(done, Math.max(0, t - performance.now())) : undefined;
      if (signal.aborted) return resolve();
      function done() {
        if (timer) clearTimeout(timer);
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
  async sleepUntil(t: number, signal: AbortSignal): Promise<void> {
    if (Number.isFinite(t)) {
      if (t > this.t) this.t = t;
      return;
    }
    // Waiting for work in flight (real I/O): virtual time stands still until it wakes us.
    if (signal.aborted) return;
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  }
}
