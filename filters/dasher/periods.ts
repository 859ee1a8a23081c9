/**
 * Live periods. A dynamic MPD places every segment on the wall clock: availabilityStartTime + PeriodStart
 * + (media time − presentationTimeOffset). An encoder restart leaves the media timeline continuous (m2tsdmx's
 * mappcr goes on from where the media ended) but what follows was captured later than its timestamps say,
 * by the encoder's downtime: in one period, every segment after it would be announced that much before it
 * exists. So the first packet after a restart (flagged `Restart`) starts a new Period, placed on the clock
 * where its media arrived; the one before ends with its media (Period@duration: an early-terminated Period,
 * ISO/IEC 23009-1 5.3.2.1).
 *
 * Media times here are seconds on each representation's own timeline (from its first sample), as the
 * segments' times are; a period's time 0 is the same instant on all of them, so A/V sync is kept.
 */
import type { Rep } from './rep.js';

export interface LivePeriod {
  /** Period@id. */
  readonly id: string;
  /** Media time (s) of the period's time 0: each representation's presentationTimeOffset. */
  t0: number;
  /**
   * Arrival − media time (s since availabilityStartTime, media time as decode time from the
   * representation's first packet, as availabilityStartTime is estimated): the least seen, so the earliest
   * arrival. PeriodStart = offset + t0; frozen once published.
   */
  offset: number;
  /** The offset of the period before: the least this one's may be. */
  readonly floor: number;
  /** First segment number of each representation in the period (its own: they may differ by one). */
  readonly firstNumber: Map<Rep, number>;
  /** Published: t0 and offset no longer move. */
  frozen: boolean;
  /** When it was made (epoch ms): how long it has waited for the representations that have not joined. */
  readonly madeAt: number;
}

export class Periods {
  /** Restart periods, in order (the first period, from the stream's start, is not in the list). */
  readonly list: LivePeriod[] = [];
  /** Restart periods made so far (ids go on when old ones are forgotten). */
  private made = 0;

  /**
   * The first packet of `rep` after a restart: `t0` its media time (s), `offset` its arrival − its media
   * time (s since availabilityStartTime), opening segment `number`. It joins the latest restart period, or
   * starts a new one when it already joined that one (another restart). `wall`: now (epoch ms). Returns the
   * period when new.
   */
  restart(rep: Rep, t0: number, offset: number, number: number, wall: number): LivePeriod | undefined {
    let p = this.list.at(-1);
    let made: LivePeriod | undefined;
    if (!p || p.firstNumber.has(rep)) {
      // Never earlier on the clock than the period before (a source sent faster than real time).
      const floor = p?.offset ?? 0;
      p = made = {
        id: `DID${++this.made + 1}`,
        t0,
        offset: Math.max(floor, offset),
        floor,
        firstNumber: new Map(),
        frozen: false,
        madeAt: wall,
      };
      this.list.push(p);
    } else if (!p.frozen) {
      p.t0 = Math.min(p.t0, t0);
      p.offset = Math.max(p.floor, Math.min(p.offset, offset));
    }
    p.firstNumber.set(rep, number);
    return made;
  }

  /** A packet of `rep` arrived `offset` s after its media time: the latest period's estimate, until frozen. */
  observe(rep: Rep, offset: number): void {
    const p = this.list.at(-1);
    if (!p || p.frozen || offset >= p.offset || !p.firstNumber.has(rep)) return;
    p.offset = Math.max(p.floor, offset);
  }

  /** The period `rep`'s media at segment `number` belongs to (undefined: the first one). */
  periodOf(rep: Rep, number: number): LivePeriod | undefined {
    for (let i = this.list.length - 1; i >= 0; i--) {
      const first = this.list[i]!.firstNumber.get(rep);
      if (first !== undefined && number >= first) return this.list[i];
    }
    return undefined;
  }

  /** Arrival − media time (s) of the latest period `rep` joined: 0 before any restart. */
  offsetOf(rep: Rep): number {
    for (let i = this.list.length - 1; i >= 0; i--)
      if (this.list[i]!.firstNumber.has(rep)) return this.list[i]!.offset;
    return 0;
  }

  /**
   * The periods a manifest shows: those every representation of `reps` has joined (or ended before joining). A
   * period still waiting for one is left out, its segments shown in the period before, for `waitMs` after it
   * was made (`now`, epoch ms); then it is shown without the ones missing (a stream the restarted encoder no
   * longer sends), which join it if they come back.
   */
  complete(reps: readonly Rep[], now: number, waitMs: number): LivePeriod[] {
    const out: LivePeriod[] = [];
    for (const p of this.list) {
      if (!p.frozen && now - p.madeAt < waitMs && !reps.every((r) => p.firstNumber.has(r) || r.ended)) break;
      out.push(p);
    }
    return out;
  }

  /**
   * The manifests now start with period `id` (the ones before left the time-shift buffer): forget those, so a
   * run that restarts for weeks keeps only the periods it shows.
   */
  forgetBefore(id: string | undefined): void {
    const at = this.list.findIndex((p) => p.id === id);
    if (at > 0) this.list.splice(0, at);
  }

  /** Published: what a manifest says about these periods no longer moves. */
  freeze(periods: readonly LivePeriod[]): void {
    for (const p of periods) p.frozen = true;
  }
}
