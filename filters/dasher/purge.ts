/**
 * Time-shift buffer (spec §4.7), live only: segments whose end falls more than `tsb` seconds behind the
 * live edge leave the manifests. Their files are deleted later, not at once: RFC 8216bis §6.2.2 wants a
 * removed segment to stay downloadable for its duration plus that of the playlist (≈ tsb), and parts
 * ≥ 3 target durations after removal; GPAC deletes at once. `keep_segs` keeps the files.
 */
import type { Segment } from '../../src/manifest/model.js';
import type { Rep } from './rep.js';

interface Grave {
  rep: Rep;
  files: string[];
  /** Live-edge media time (s) after which the files may go. */
  at: number;
}

export class Purger {
  private graves: Grave[] = [];

  constructor(
    private readonly tsb: number,
    private readonly segdur: number,
    private readonly keepFiles: boolean,
    private readonly partFiles: boolean,
  ) {}

  /** Drop segments that left the buffer; returns true when a manifest changed. */
  collect(reps: readonly Rep[], liveEdge: number): boolean {
    if (this.tsb < 0) return false;
    let changed = false;
    for (const rep of reps) {
      const ts = rep.timescale;
      let drop = 0;
      while (drop < rep.segments.length - 1) {
        const seg = rep.segments[drop]!;
        if (seg.open || (seg.time + seg.duration) / ts > liveEdge - this.tsb + 1e-9) break;
        drop++;
      }
      if (!drop) continue;
      changed = true;
      const gone = rep.segments.splice(0, drop);
      if (!this.keepFiles)
        this.graves.push({
          rep,
          files: gone.flatMap((g) => this.files(g)),
          at: liveEdge + this.tsb + this.segdur,
        });
    }
    return changed;
  }

  /** Files whose grace period is over at `liveEdge` (or all of them at the end with `all`). */
  due(liveEdge: number, all = false): { rep: Rep; files: string[] }[] {
    const ready = this.graves.filter((g) => all || g.at <= liveEdge);
    this.graves = this.graves.filter((g) => !ready.includes(g));
    return ready;
  }

  private files(seg: Segment): string[] {
    const parts = this.partFiles ? (seg.parts ?? []).map((_, k) => `${seg.uri}.${k}`) : [];
    return [seg.uri, ...parts];
  }
}
