// Small pure helpers over the model, shared by the MPD and HLS writers (and useful to the dasher).

import type {
  AdaptationSet,
  Period,
  Presentation,
  Representation,
  Segment,
  SegmentAddressing,
  ServiceDescription,
} from './model.js';

/** Media kind of a representation, from contentType or the MIME type. */
export type MediaKind = 'video' | 'audio' | 'text' | 'other';

/** The SegmentTemplate that applies to `rep` (its own, else its set's). */
export function addressingOf(set: AdaptationSet, rep: Representation): SegmentAddressing | undefined {
  return rep.segmentTemplate ?? set.segmentTemplate;
}

/** Ticks per second for `rep`'s segment times (1 when no addressing is given). */
export function timescaleOf(set: AdaptationSet, rep: Representation): number {
  return addressingOf(set, rep)?.timescale ?? 1;
}

/** video / audio / text / other, from @contentType or else the MIME type prefix. */
export function mediaKind(set: AdaptationSet, rep?: Representation): MediaKind {
  if (set.contentType === 'video' || set.contentType === 'audio' || set.contentType === 'text')
    return set.contentType;
  const mime = rep?.mimeType ?? set.mimeType;
  if (mime.startsWith('video/')) return 'video';
  if (mime.startsWith('audio/')) return 'audio';
  if (mime.startsWith('text/') || mime.startsWith('application/ttml') || mime === 'application/mp4')
    return 'text';
  return 'other';
}

/** The period HLS describes: the last one. */
export function currentPeriod(model: Presentation): Period | undefined {
  return model.periods[model.periods.length - 1];
}

/** Every representation of a period with its adaptation set, in document order. */
export function representationsOf(period: Period): { set: AdaptationSet; rep: Representation }[] {
  return period.adaptationSets.flatMap((set) => set.representations.map((rep) => ({ set, rep })));
}

/** Duration actually available in a segment: the sum of its parts while open, else its duration. */
export function availableDuration(seg: Segment): number {
  if (!seg.open) return seg.duration;
  return (seg.parts ?? []).reduce((sum, p) => sum + p.duration, 0);
}

/** Presentation time (s, period-relative) at which `seg` starts. */
export function segmentStartSeconds(seg: Segment, addressing: SegmentAddressing | undefined): number {
  const ts = addressing?.timescale ?? 1;
  return (seg.time - (addressing?.presentationTimeOffset ?? 0)) / ts;
}

/** Presentation time (s, period-relative) at which the available media of `seg` ends. */
export function segmentEndSeconds(seg: Segment, addressing: SegmentAddressing | undefined): number {
  return segmentStartSeconds(seg, addressing) + availableDuration(seg) / (addressing?.timescale ?? 1);
}

/** Inputs of `deriveServiceDescription`, all in seconds. */
export interface LatencyInputs {
  /** Target segment duration (dasher `segdur`). */
  segmentDuration: number;
  /** Chunk (CMAF fragment / LL-HLS part) duration: the longest one (`cdur`'s PART-TARGET); ≤ 0 or ≥ segdur means unchunked. */
  chunkDuration?: number;
  /** Segments are announced before they are complete (availabilityTimeOffset > 0, chunked transfer). */
  chunkedDelivery: boolean;
  /** availabilityTimeOffset: a segment is announced (segdur − ATO) after its start. */
  availabilityTimeOffset?: number;
  /** ProducerReferenceTime id the latency refers to (default 0). */
  referenceId?: number;
}

/**
 * A ServiceDescription whose latencies follow what a player can fetch, instead of GPAC's fixed
 * 2000/4000/6000 ms. The unit is the smallest piece a client can fetch as soon as it is produced: the chunk
 * with chunked delivery, else the whole segment. The floor is the closest a player can play: one unit, or,
 * when segments are announced later than their first chunk is complete, the time from a segment's start
 * to its announcement (segdur − ATO: 0.5 s for segdur=2, ATO=1.5). min = floor; target = floor + 2 units,
 * i.e. 3 units when ATO ≥ segdur − chunk (as PART-HOLD-BACK = 3 × PART-TARGET for LL-HLS); max = target + 1 unit
 * (dash.js seeks back to the target past max − target + 0.5 s). Playback rate 0.92–1.08 for catch-up, where GPAC
 * writes 0.96–1.04: dash.js steers with rate = 1 ± c·tanh(2.5 × drift), so c = 0.04 removes the 0.5–1 s its
 * own start-up adds at ~0.035 s per second (a 20 s view spent most of its time above target on a loaded
 * machine); c = 0.08 halves that time and stays within 1 % of normal speed once within 50 ms of the target.
 */
export function deriveServiceDescription(inputs: LatencyInputs): ServiceDescription {
  const chunk = inputs.chunkDuration ?? 0;
  const chunked = inputs.chunkedDelivery && chunk > 0 && chunk < inputs.segmentDuration;
  const unit = chunked ? chunk : inputs.segmentDuration;
  const ato = inputs.availabilityTimeOffset ?? 0;
  const announced = chunked && ato > 0 ? Math.max(0, inputs.segmentDuration - ato) : 0;
  const floorMs = Math.round(Math.max(unit, announced) * 1000);
  const unitMs = Math.round(unit * 1000);
  const target = floorMs + 2 * unitMs;
  return {
    id: 0,
    latency: { target, min: floorMs, max: target + unitMs, referenceId: inputs.referenceId ?? 0 },
    playbackRate: { min: 0.92, max: 1.08 },
  };
}
