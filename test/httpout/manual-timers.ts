/**
 * A manual clock for the origin (filters/httpout/timers.ts): time moves only with `advance`, which
 * runs the timers that fall due, in order. Held requests, stalled clients and connection deadlines
 * are then tested by moving the clock, never by waiting for it.
 */
import type { Timers } from '../../filters/httpout/timers.js';

export class ManualTimers implements Timers {
  private t = 0;
  private seq = 0;
  private readonly due = new Map<number, { at: number; fn: () => void }>();

  now(): number {
    return this.t;
  }

  after(ms: number, fn: () => void): () => void {
    const id = ++this.seq;
    this.due.set(id, { at: this.t + ms, fn });
    return () => this.due.delete(id);
  }

  /** Timers waiting (a held request registers one). */
  get pending(): number {
    return this.due.size;
  }

  /** Move the clock by `ms`, running every timer due on the way (in order of their time). */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.due) if (e[1].at <= end && (!next || e[1].at < next[1].at)) next = e;
      if (!next) break;
      this.due.delete(next[0]);
      this.t = Math.max(this.t, next[1].at);
      next[1].fn();
    }
    this.t = end;
  }
}
