/**
 * When media time 0 was live (availabilityStartTime), estimated from the packets' arrival until the
 * first publication freezes it; the forced `ast` option; whether the run keeps up with the wall clock.
 */
import type { Logger, Packet } from '../../src/index.js';
import type { Rep } from './rep.js';
import type { Settings } from './settings.js';

/** A run is "real time" while its media time stays within this many seconds of the wall clock. */
const REALTIME_SLACK_S = 1;

export class Availability {
  /** availabilityStartTime (epoch ms), estimated until frozen. */
  ast: number | undefined;
  private frozen = false;
  private warned = false;

  constructor(private readonly log: Logger) {}

  /**
   * A packet of `rep` arrives at `wall` (epoch ms). Packets may reach the dasher late (it waits for all
   * inputs): the earliest (arrival − media time) is when media time 0 was live. Decode time: a
   * real-time source releases packets in decode order.
   */
  observe(rep: Rep, p: Packet, wall: number): void {
    if (this.frozen) return;
    const dts = p.dts ?? p.cts ?? 0;
    rep.firstDts ??= dts;
    const m = (dts - rep.firstDts) / rep.timescale;
    this.ast = Math.min(this.ast ?? Infinity, wall - m * 1000);
  }

  /** Published: the estimate no longer moves. */
  freeze(): void {
    this.frozen = true;
  }

  /** Option ast, when it is not after the live start (GPAC: ignored with a warning otherwise). */
  forcedAst(s: Settings): number | undefined {
    const f = s.forcedAst;
    if (f === undefined || this.ast === undefined || !s.dynamic) return undefined;
    if (f > this.ast) {
      if (!this.warned) this.log.warn(`ast=${s.args.ast} is after the start of the stream: ignored`);
      this.warned = true;
      return undefined;
    }
    return f;
  }

  /** Whether `mediaSeconds` of media are no further ahead of the wall clock than the slack. */
  realtime(mediaSeconds: number, wallNow: number): boolean {
    return this.ast !== undefined && mediaSeconds <= (wallNow - this.ast) / 1000 + REALTIME_SLACK_S;
  }
}
