/**
 * Transport stream time: 33-bit PTS/DTS in 90 kHz units wrap every 2^33 / 90000 s ≈ 26.5 hours, and an
 * encoder restart starts them again anywhere. `Unwrapper` makes one 33-bit clock monotonic across wraps;
 * `ContinuousTimeline` (GPAC's m2tsdmx mappcr) maps a program's clock onto one continuous output timeline,
 * absorbing jumps (restarts, splices) so what follows continues where the last sample ended.
 */

export const WRAP_33 = 2 ** 33;
const HALF_WRAP = 2 ** 32;
/** PTS − DTS beyond this (10 s of 90 kHz ticks) is no reordering: a corrupt PTS. */
const MAX_REORDER = 10 * 90_000;

/** Unwraps 33-bit timestamps: each value is placed in the wrap period nearest the previous one. */
export class Unwrapper {
  private last: number | undefined;

  unwrap(v: number): number {
    if (this.last === undefined) {
      this.last = v;
      return v;
    }
    const base = this.last - (((this.last % WRAP_33) + WRAP_33) % WRAP_33);
    let u = base + v;
    if (u - this.last > HALF_WRAP) u -= WRAP_33;
    else if (this.last - u > HALF_WRAP) u += WRAP_33;
    this.last = u;
    return u;
  }

  reset(): void {
    this.last = undefined;
  }
}

export interface ClockOptions {
  /** Map onto one continuous timeline (GPAC's mappcr); false keeps the unwrapped source timestamps. */
  continuous: boolean;
  /** A forward jump of a stream's decode time larger than this (90 kHz units) is a discontinuity. */
  maxGap: number;
}

interface StreamTime {
  /** Last decode time mapped (output timeline). */
  lastDts: number;
  /** Last positive decode-time step: the frame duration. */
  step: number;
}

/**
 * The time of one program: 33-bit PTS/DTS unwrapped and mapped onto the output timeline (90 kHz). A
 * stream whose decode time goes back, or jumps forward by more than `maxGap` (an encoder restart, a
 * splice, a cut in the feed), is a discontinuity: with `continuous`, the offset moves so that this
 * timestamp continues right where the program's media ended (the furthest stream's last decode time
 * plus its frame duration): one timeline for all its streams, A/V sync of what follows kept.
 */
export class ProgramClock {
  private readonly unwrapper = new Unwrapper();
  private offset = 0;
  private readonly streams = new Map<number, StreamTime>();
  /** Discontinuities absorbed (or, without `continuous`, seen). */
  discontinuities = 0;

  constructor(private readonly opts: ClockOptions) {}

  /**
   * Maps the timestamps of an access unit of stream `pid` (raw 33-bit values). Returns output times;
   * `dts` defaults to `pts`.
   */
  map(pid: number, pts: number, dts = pts): { pts: number; dts: number } {
    const ud = this.unwrapper.unwrap(dts);
    // The PTS is placed next to its own DTS, not through the unwrapper: a corrupt PTS must not move it.
    let reorder = (((pts - dts) % WRAP_33) + WRAP_33) % WRAP_33;
    if (reorder >= HALF_WRAP) reorder -= WRAP_33;
    const up = ud + reorder;
    let d = ud + this.offset;
    const st = this.streams.get(pid);
    let jumped = false;
    if (!st && d < 0) {
      // A stream's first timestamp before the output's origin: the offset was set by another stream whose
      // clock jumped (a corrupt PTS/DTS moved it): a discontinuity, placed where the program's media ends.
      this.discontinuities++;
      jumped = true;
      this.offset = this.end() - ud;
      d = ud + this.offset;
    }
    if (st) {
      const delta = d - st.lastDts;
      if (delta < 0 || delta > this.opts.maxGap) {
        // Backward by less than a frame is jitter (a rounding encoder): kept monotonic, not a discontinuity.
        if (delta < 0 && -delta <= Math.max(st.step, 1)) d = st.lastDts;
        else {
          this.discontinuities++;
          jumped = true;
          if (this.opts.continuous) {
            this.offset = this.end() - ud;
            d = ud + this.offset;
          }
        }
      }
    }
    // The frame duration: a step that is not far above the one known (a PES of several audio frames,
    // a dropped frame) — never the jump of a discontinuity.
    const prev = st?.step ?? 0;
    const delta = st ? d - st.lastDts : 0;
    const step = delta > 0 && (!prev || delta <= 4 * prev) && !jumped ? delta : prev;
    this.streams.set(pid, { lastDts: d, step });
    // A PTS before its DTS, or further after it than any reordering goes, is corrupt: the DTS stands for it
    // (a composition offset no CMAF writer can carry otherwise).
    const shown = up + this.offset + (d - (ud + this.offset));
    return { pts: shown < d || shown - d > MAX_REORDER ? d : shown, dts: d };
  }

  /** Where the program's media ends on the output timeline (the furthest stream). */
  end(): number {
    let e = -Infinity;
    for (const s of this.streams.values()) e = Math.max(e, s.lastDts + s.step);
    return e === -Infinity ? 0 : e;
  }

  /** The decode-time step (frame duration, 90 kHz) last seen on `pid`. */
  step(pid: number): number {
    return this.streams.get(pid)?.step ?? 0;
  }
}
