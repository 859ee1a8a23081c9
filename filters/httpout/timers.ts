/**
 * The origin's time: `now()` and one-shot timers. Real time in the server thread; a manual clock in
 * tests (test/httpout/manual-timers.ts), so the origin's deadlines (held requests, stalled clients,
 * connections that never sent a request) are tested without waiting for them.
 */
export interface Timers {
  /** Monotonic milliseconds. */
  now(): number;
  /** Run `fn` after `ms`; returns a function cancelling it. */
  after(ms: number, fn: () => void): () => void;
}

export const realTimers: Timers = {
  now: () => performance.now(),
  after(ms, fn) {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return () => clearTimeout(t);
  },
};
