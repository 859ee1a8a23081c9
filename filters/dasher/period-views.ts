/**
 * The periods a live manifest shows (presentation.ts): one from the stream's start, then one per encoder
 * restart (periods.ts) that every live representation has joined, each holding the segments of its numbers.
 */
import type { Segment } from '../../src/manifest/model.js';
import type { PresentationState } from './presentation.js';
import type { Rep } from './rep.js';
import type { Settings } from './settings.js';

/** One period as the manifests show it: which representations, which of their segments, their addressing. */
export interface PeriodView {
  id: string;
  /** PeriodStart (s). */
  start: number;
  /** Period@duration (s): every period but the last of a live run split by restarts (periods.ts). */
  duration?: number;
  reps: readonly Rep[];
  segmentsOf(r: Rep): Segment[];
  startNumberOf(r: Rep): number;
  /** The period's time 0 on `r`'s media timeline (s): its presentationTimeOffset. */
  t0: number;
  /** When the period's time 0 was live (epoch ms): its ProducerReferenceTime. */
  wallAt0: number;
}

/**
 * How long a period's media lasts (s from its time 0): the longest representation, never more than the
 * segments each has (with SegmentTemplate@duration a client derives the segment count from the duration;
 * the longest stream may end a few samples later).
 */
export function mediaExtent(s: Settings, v: Omit<PeriodView, 'duration'>): number {
  let extent = 0;
  let cap = Infinity;
  for (const r of v.reps) {
    const last = v
      .segmentsOf(r)
      .filter((x) => !x.open)
      .at(-1);
    if (!last) continue;
    extent = Math.max(extent, (last.time + last.duration) / r.timescale - v.t0);
    cap = Math.min(cap, (last.number - v.startNumberOf(r) + 1) * s.segdur);
  }
  return Math.min(extent, cap);
}

/**
 * A live run split by encoder restarts: the first period from the stream's start, then one per restart
 * period every live representation has joined, each segment in the period of its number. Periods whose
 * segments all left the time-shift buffer are left out (never the last).
 */
export function restartViews(
  s: Settings,
  reps: readonly Rep[],
  st: PresentationState,
  shift: number,
): PeriodView[] {
  const restarts = st.periods ?? [];
  const views: PeriodView[] = [];
  for (let k = 0; k <= restarts.length; k++) {
    const p = k > 0 ? restarts[k - 1]! : undefined;
    const next = restarts[k];
    const members = p ? reps.filter((r) => p.firstNumber.has(r)) : reps;
    const lo = (r: Rep) => (p ? p.firstNumber.get(r)! : -Infinity);
    const hi = (r: Rep) => next?.firstNumber.get(r) ?? Infinity;
    const t0 = p ? p.t0 : 0;
    const view: PeriodView = {
      id: p ? p.id : 'DID1',
      start: shift + (p ? p.offset + p.t0 : 0),
      reps: members,
      segmentsOf: (r) => r.segments.filter((x) => x.number >= lo(r) && x.number < hi(r)),
      startNumberOf: (r) => (p ? p.firstNumber.get(r)! : s.args.startnum),
      t0,
      wallAt0: st.ast + (p ? (p.offset + p.t0) * 1000 : 0),
    };
    if (next) view.duration = mediaExtent(s, view);
    views.push(view);
  }
  // Left out: periods whose segments all left the time-shift buffer, and a period two restarts in a row left
  // without a segment (a corrupt timestamp jumping there and back). Never the last.
  return views.filter((v, k) => k === views.length - 1 || v.reps.some((r) => v.segmentsOf(r).length > 0));
}
