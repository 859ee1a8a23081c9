/**
 * Segment and chunk boundaries for one stream (spec §4.6, sbound=out), as a pure state machine:
 * packets go in, in decode order; closed chunks come out as soon as the packet that starts the next
 * one arrives (so a live chunk is emitted the moment its media has all arrived).
 *  - Segment n nominally starts at origin + (n − startNumber) × segdur (origin = first CTS). A segment
 *    ends when a packet whose CTS reaches the next grid point arrives and is a SAP (any packet for
 *    streams where every sample is a SAP); that packet's CTS becomes the real boundary, and the grid
 *    moves to the next point after it.
 *  - Inside a segment, a new chunk starts with the first packet whose DTS reaches
 *    segmentStartDts + k × cdur: chunks are at most cdur + one frame long, and a chunk shorter than
 *    cdur − one frame only ends a segment.
 */
import type { Packet } from '../../src/index.js';

export interface SegmenterConfig {
  timescale: number;
  /** Segment duration, in timescale units. */
  segdur: number;
  /** Chunk duration, in timescale units (0: one chunk per segment). */
  cdur: number;
  /** Cut segments only at SAPs (video); false for streams where any packet may start a segment. */
  sapOnly: boolean;
  startNumber: number;
  /** Decode time at which the stream ends, when known (static files): no tiny trailing segment. */
  endTime?: number;
  /** Longest tail (timescale units) merged into the last segment instead of making a segment of its own. */
  maxTail?: number;
  /**
   * Where a segment ends around its grid point (GPAC sbound, for streams cut at SAPs): `out` at the
   * first SAP at or after it (no added latency); `in` at the last SAP at or before it (segments never
   * longer than segdur); `closest` at the nearer of the two. `in` and `closest` hold one GOP back.
   */
  bound?: 'out' | 'in' | 'closest';
}

export interface ClosedChunk {
  /** Segment number ($Number$, HLS media sequence). */
  segment: number;
  /** 0-based index of the chunk in its segment (LL-HLS part index). */
  index: number;
  samples: Packet[];
  /** DTS of the first sample (tfdt). */
  baseDts: number;
  /** Sum of the samples' durations. */
  duration: number;
  /** First sample is a SAP: the chunk can be decoded on its own. */
  independent: boolean;
  /** This chunk ends its segment. */
  endsSegment: boolean;
  /** Earliest CTS of the segment and its start DTS (segment-level timing, set on every chunk). */
  segmentCts: number;
}

interface Open {
  segment: number;
  segmentCts: number;
  segmentDts: number;
  index: number;
  samples: Packet[];
  duration: number;
}

export class Segmenter {
  private origin: number | undefined;
  /** Where the segment grid is anchored: the origin, or the last restart (see restart()). */
  private gridOrigin = 0;
  private nextBoundary = 0;
  private open: Open | undefined;
  private nextNumber: number;
  /** sbound=in/closest: the GOP (from its SAP) not placed yet, waiting for the next SAP. */
  private held: Packet[] = [];

  constructor(private readonly cfg: SegmenterConfig) {
    this.nextNumber = cfg.startNumber;
  }

  /** Media time (CTS) the stream started at, once known. */
  get originCts(): number | undefined {
    return this.origin;
  }

  /** Segment currently being filled, if any. */
  get currentSegment(): number | undefined {
    return this.open?.segment;
  }

  /** Duration accumulated in the open chunk. */
  get openChunkDuration(): number {
    return this.open?.duration ?? 0;
  }

  /** Add a packet; returns the chunks it closed (0, 1, or 2 when it also closes a segment). */
  push(p: Packet): ClosedChunk[] {
    const bound = this.cfg.bound ?? 'out';
    if (bound === 'out' || !this.cfg.sapOnly) return this.place(p, undefined);
    const isSap = p.sap >= 1 && p.sap <= 3;
    if (!isSap || !this.held.length) {
      if (!this.held.length && !isSap && this.open) return this.place(p, false);
      this.held.push(p);
      return [];
    }
    // A SAP: the held GOP's extent is known; place it, then hold the new GOP.
    const out = this.placeHeld(p.cts ?? p.dts ?? 0);
    this.held = [p];
    return out;
  }

  /** Decide whether the held GOP [start, end) opens a new segment, and pass its packets on. */
  private placeHeld(end: number): ClosedChunk[] {
    const gop = this.held;
    const first = gop[0];
    if (!first) return [];
    const start = first.cts ?? first.dts ?? 0;
    let cut = false;
    if (this.open && this.origin !== undefined) {
      const tss = this.nextBoundary;
      if (this.cfg.bound === 'in') cut = start <= tss && end > tss;
      else cut = start >= tss || (end > tss && tss - start < end - tss);
      if (start >= tss && this.cfg.bound === 'in') cut = true;
    }
    const out: ClosedChunk[] = [];
    gop.forEach((q, i) => out.push(...this.place(q, i === 0 ? cut : false)));
    return out;
  }

  /**
   * Put one packet in the open segment. `cut`: true starts a new segment with it, false never does,
   * undefined applies sbound=out (a SAP at or after the grid point).
   */
  private place(p: Packet, cut: boolean | undefined): ClosedChunk[] {
    const cts = p.cts ?? p.dts ?? 0;
    const dts = p.dts ?? cts;
    const out: ClosedChunk[] = [];
    if (this.origin === undefined) {
      this.origin = cts;
      this.gridOrigin = cts;
      this.nextBoundary = cts + this.cfg.segdur;
    }
    const isSap = p.sap >= 1 && p.sap <= 3;
    // Streams where every packet may start a segment (audio) cut at the packet that reaches the grid
    // point (GPAC: CTS + duration ≥ boundary), so their segments do not overshoot the target.
    const reach = this.cfg.sapOnly ? cts : cts + (p.duration ?? 0);
    const tail = this.cfg.endTime !== undefined ? this.cfg.endTime - dts : Infinity;
    const boundary =
      cut ??
      (reach >= this.nextBoundary && (isSap || !this.cfg.sapOnly) && !(tail <= (this.cfg.maxTail ?? 0)));
    if (this.open && boundary) {
      out.push(this.close(true));
      // The grid keeps its phase: the next boundary is the first grid point after this packet (and
      // after the grid point just used, when the cut came before it: sbound=in/closest).
      const k = Math.floor((Math.max(reach, this.nextBoundary) - this.gridOrigin) / this.cfg.segdur) + 1;
      this.nextBoundary = this.gridOrigin + k * this.cfg.segdur;
    } else if (
      this.open &&
      this.cfg.cdur > 0 &&
      (dts >= this.open.segmentDts + (this.open.index + 1) * this.cfg.cdur || this.overCap(p))
    ) {
      out.push(this.close(false));
    }
    this.open ??= {
      segment: this.nextNumber++,
      segmentCts: cts,
      segmentDts: dts,
      index: 0,
      samples: [],
      duration: 0,
    };
    this.open.samples.push(p);
    this.open.duration += p.duration ?? 0;
    return out;
  }

  /**
   * Longest chunk (timescale units) for streams cut anywhere (audio): the announced PART-TARGET. A
   * stream whose frames are not all alike (a short last AAC frame, then more media: a looped source)
   * would otherwise put one frame too many in a chunk.
   */
  setChunkCap(units: number): void {
    this.chunkCap = units;
  }

  private chunkCap = 0;

  private overCap(p: Packet): boolean {
    const o = this.open;
    return (
      this.chunkCap > 0 &&
      !this.cfg.sapOnly &&
      !!o &&
      o.samples.length > 0 &&
      o.duration + (p.duration ?? 0) > this.chunkCap
    );
  }

  /**
   * The source restarted at `p` (a new period: see periods.ts): what came before ends its segment, and `p`
   * starts a new one on a grid anchored at it. Returns the chunks closed, `p`'s placed too.
   */
  restart(p: Packet): ClosedChunk[] {
    const out = this.flush();
    if (this.origin !== undefined) {
      const cts = p.cts ?? p.dts ?? 0;
      this.gridOrigin = cts;
      this.nextBoundary = cts + this.cfg.segdur;
    }
    out.push(...this.push(p));
    return out;
  }

  /** Number the next segment will get. */
  get upcomingNumber(): number {
    return this.open?.segment ?? this.nextNumber;
  }

  /** End of stream: the held GOP is placed, and the open chunk (if any) closes its segment. */
  flush(): ClosedChunk[] {
    const last = this.held.at(-1);
    const out = last ? this.placeHeld((last.cts ?? last.dts ?? 0) + (last.duration ?? 0)) : [];
    this.held = [];
    if (this.open && this.open.samples.length) out.push(this.close(true));
    return out;
  }

  private close(endsSegment: boolean): ClosedChunk {
    const o = this.open!;
    const first = o.samples[0]!;
    const chunk: ClosedChunk = {
      segment: o.segment,
      index: o.index,
      samples: o.samples,
      baseDts: first.dts ?? first.cts ?? 0,
      duration: o.duration,
      independent: first.sap >= 1 && first.sap <= 3,
      endsSegment,
      segmentCts: o.segmentCts,
    };
    if (endsSegment) this.open = undefined;
    else {
      o.index++;
      o.samples = [];
      o.duration = 0;
    }
    return chunk;
  }
}
