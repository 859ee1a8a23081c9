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
  private nextBoundary = 0;
  private open: Open | undefined;
  private nextNumber: number;

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
    const cts = p.cts ?? p.dts ?? 0;
    const dts = p.dts ?? cts;
    const out: ClosedChunk[] = [];
    if (this.origin === undefined) {
      this.origin = cts;
      this.nextBoundary = cts + this.cfg.segdur;
    }
    const isSap = p.sap >= 1 && p.sap <= 3;
    // Streams where every packet may start a segment (audio) cut at the packet that reaches the grid
    // point (GPAC: CTS + duration ≥ boundary), so their segments do not overshoot the target.
    const reach = this.cfg.sapOnly ? cts : cts + (p.duration ?? 0);
    const tail = this.cfg.endTime !== undefined ? this.cfg.endTime - dts : Infinity;
    if (
      this.open &&
      reach >= this.nextBoundary &&
      (isSap || !this.cfg.sapOnly) &&
      !(tail <= (this.cfg.maxTail ?? 0))
    ) {
      out.push(this.close(true));
      // The grid keeps its phase: the next boundary is the first grid point after this packet.
      const k = Math.floor((reach - this.origin) / this.cfg.segdur) + 1;
      this.nextBoundary = this.origin + k * this.cfg.segdur;
    } else if (
      this.open &&
      this.cfg.cdur > 0 &&
      dts >= this.open.segmentDts + (this.open.index + 1) * this.cfg.cdur
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

  /** End of stream: the open chunk (if any) closes its segment. */
  flush(): ClosedChunk[] {
    return this.open && this.open.samples.length ? [this.close(true)] : [];
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
