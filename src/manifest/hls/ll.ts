// LL-HLS pieces of a media playlist: PART-TARGET, SERVER-CONTROL, which segments keep their EXT-X-PART
// lines, part lines, the preload hint and rendition reports. Rules are RFC 8216bis (-22) rather than GPAC's
// where they differ; docs/MANIFESTS.md lists each difference.

import type { Part, Presentation, Segment, SegmentAddressing } from '../model.js';
import { addressingOf, segmentEndSeconds } from '../derive.js';
import { ceilMs, formatDecimal, roundMs } from '../format.js';
import {
  type HlsRendition,
  type PlaylistSet,
  hlsRenditions,
  hlsSettings,
  playlistName,
  quoted,
  relativeTo,
} from './common.js';

/** Delivery-directive capabilities of whoever serves the playlists (advertised only when true / given). */
export interface ServerControlOptions {
  /** The origin honours `_HLS_msn`/`_HLS_part` blocking reloads: CAN-BLOCK-RELOAD=YES. */
  blockingReload?: boolean;
  /** The origin answers `_HLS_skip` with delta playlists: CAN-SKIP-UNTIL (s), raised to ≥ 6 × TARGETDURATION. */
  canSkipUntil?: number;
}

/** PART-TARGET (s, ceiled to the ms) of one rendition: its own, the presentation's, its largest part, or 1. */
export function partTargetOf(model: Presentation, r: HlsRendition): number {
  const explicit = r.hls.partTarget ?? hlsSettings(model).partTarget;
  if (explicit !== undefined) return ceilMs(explicit);
  const ts = addressingOf(r.set, r.rep)?.timescale ?? 1;
  let max = 0;
  for (const seg of r.segments) for (const p of seg.parts ?? []) max = Math.max(max, p.duration / ts);
  return max > 0 ? ceilMs(max) : 1;
}

/** CAN-SKIP-UNTIL actually advertised (≥ 6 × TD, RFC 8216bis §4.4.3.8), or undefined. */
export function canSkipUntilOf(model: Presentation, opts: ServerControlOptions): number | undefined {
  if (opts.canSkipUntil === undefined) return undefined;
  return Math.max(opts.canSkipUntil, 6 * hlsSettings(model).targetDuration);
}

/** PART-HOLD-BACK as advertised, and how it relates to what was asked (GPAC `ll_part_hb`). */
export interface PartHoldBack {
  /** Seconds written. */
  value: number;
  /** 3 × the largest PART-TARGET of all renditions: the default and the RFC's SHOULD. */
  recommended: number;
  /** Asked, in seconds (absent: the default). */
  requested?: number;
  /** `requested` was under 2 × the largest PART-TARGET (the RFC's MUST) and was raised to it. */
  raised?: boolean;
}

/**
 * PART-HOLD-BACK (RFC 8216bis §4.4.3.8: MUST be at least 2 × PART-TARGET, SHOULD be at least 3 ×; PART-TARGET
 * being the largest of all renditions, so that every playlist says the same). Default 3 ×. A requested value
 * is honoured down to 2 × (GPAC writes `ll_part_hb` as given): stock hls.js starts that far behind the
 * playlist's end and never catches up, so it is the one setting that lowers its latency, with less margin
 * for late parts (docs/LATENCY.md). Under 2 × it is raised to 2 ×.
 */
export function partHoldBackFor(model: Presentation): PartHoldBack {
  const maxTarget = Math.max(0, ...hlsRenditions(model).map((r) => partTargetOf(model, r)));
  const recommended = 3 * maxTarget;
  const requested = hlsSettings(model).partHoldBack;
  if (requested === undefined || requested <= 0) return { value: recommended, recommended };
  const floor = 2 * maxTarget;
  return requested < floor - 1e-9
    ? { value: floor, recommended, requested, raised: true }
    : { value: requested, recommended, requested };
}

/**
 * `#EXT-X-SERVER-CONTROL` — identical in every rendition (RFC 8216bis §6.2.4) because it is computed from
 * the whole presentation: HOLD-BACK ≥ 3 × TD, PART-HOLD-BACK from partHoldBackFor.
 * Written with LL-HLS (as GPAC) or when a delivery directive is advertised.
 */
export function serverControlLine(model: Presentation, opts: ServerControlOptions): string | undefined {
  const settings = hlsSettings(model);
  const ll = settings.llhls !== 'off';
  const skipUntil = canSkipUntilOf(model, opts);
  if (!ll && !opts.blockingReload && skipUntil === undefined) return undefined;
  const td = settings.targetDuration;
  const attrs: string[] = [];
  if (skipUntil !== undefined) attrs.push(`CAN-SKIP-UNTIL=${formatDecimal(roundMs(skipUntil))}`);
  attrs.push(`HOLD-BACK=${formatDecimal(roundMs(Math.max(settings.holdBack ?? 0, 3 * td)))}`);
  if (ll) attrs.push(`PART-HOLD-BACK=${formatDecimal(roundMs(partHoldBackFor(model).value))}`);
  if (opts.blockingReload) attrs.push('CAN-BLOCK-RELOAD=YES');
  return `#EXT-X-SERVER-CONTROL:${attrs.join(',')}`;
}

/**
 * Index of the first listed segment that keeps its EXT-X-PART lines. RFC 8216bis §6.2.2: part tags SHOULD be
 * removed once they are more than three target durations from the end of the playlist. Parts are kept or
 * dropped per parent segment (so each listed parent has its complete, contiguous set of parts): a segment keeps
 * its parts while its end is at most 3 × TD before the playlist end. The last 3 × TD are therefore always
 * covered by parts (GPAC instead keeps the parts of the last 4 entries, whatever their duration).
 */
export function partWindowStart(
  segments: Segment[],
  addressing: SegmentAddressing | undefined,
  td: number,
): number {
  const last = segments[segments.length - 1];
  if (!last) return 0;
  const end = segmentEndSeconds(last, addressing);
  let start = segments.length;
  for (let i = segments.length - 1; i >= 0; i -= 1) {
    const seg = segments[i];
    if (!seg || end - segmentEndSeconds(seg, addressing) > 3 * td + 1e-9) break;
    start = i;
  }
  return start;
}

/** A part's byte range, resolving implicit offsets (contiguous after the previous part of the segment). */
export function partRanges(parts: Part[]): { offset: number; size?: number }[] {
  let next = 0;
  return parts.map((p) => {
    const offset = p.offset ?? next;
    next = offset + (p.size ?? 0);
    return { offset, size: p.size };
  });
}

/** URI of part `index` of `seg` in part-file mode (`<segment>.<index>`, 0-based, as mp4mx names them). */
export function partFileUri(seg: Segment, index: number): string {
  const part = seg.parts?.[index];
  if (part?.uri !== undefined) return part.uri;
  if (index === (seg.parts?.length ?? 0) && seg.nextPartUri !== undefined) return seg.nextPartUri;
  return `${seg.uri}.${index}`;
}

/** The `#EXT-X-PART` lines of one segment. */
export function partLines(seg: Segment, ts: number, partFiles: boolean, playlist: string): string[] {
  const parts = seg.parts ?? [];
  const ranges = partRanges(parts);
  return parts.map((p, k) => {
    const attrs = [`DURATION=${formatDecimal(p.duration / ts)}`];
    const range = ranges[k];
    if (partFiles) {
      attrs.push(quoted('URI', relativeTo(playlist, partFileUri(seg, k))));
    } else {
      attrs.push(quoted('URI', relativeTo(playlist, seg.uri)));
      if (range?.size !== undefined) attrs.push(quoted('BYTERANGE', `${range.size}@${range.offset}`));
    }
    if (p.independent) attrs.push('INDEPENDENT=YES');
    return `#EXT-X-PART:${attrs.join(',')}`;
  });
}

/**
 * `#EXT-X-PRELOAD-HINT` naming the part that will really be produced next in the open segment: part file
 * `<segment>.<number of parts so far>` (so `.0` for a segment without parts yet), or the segment file from the
 * byte offset after its last part. None when the last listed segment is not open.
 */
export function preloadHintLine(
  last: Segment | undefined,
  partFiles: boolean,
  playlist: string,
): string | undefined {
  if (!last?.open) return undefined;
  const parts = last.parts ?? [];
  if (partFiles) {
    return `#EXT-X-PRELOAD-HINT:TYPE=PART,${quoted('URI', relativeTo(playlist, partFileUri(last, parts.length)))}`;
  }
  const ranges = partRanges(parts);
  const lastRange = ranges[ranges.length - 1];
  const start = lastRange ? lastRange.offset + (lastRange.size ?? 0) : 0;
  return `#EXT-X-PRELOAD-HINT:TYPE=PART,${quoted('URI', relativeTo(playlist, last.uri))},BYTERANGE-START=${start}`;
}

/** The last part (or segment) a rendition has published: LAST-MSN and the 0-based LAST-PART. */
export function lastPublished(segments: Segment[]): { msn: number; part?: number } | undefined {
  const last = segments[segments.length - 1];
  if (!last) return undefined;
  const count = last.parts?.length ?? 0;
  if (count > 0) return { msn: last.number, part: count - 1 };
  if (!last.open) return { msn: last.number };
  // Open segment without parts yet: report the previous segment's last part.
  const prev = segments[segments.length - 2];
  if (!prev) return undefined;
  const prevCount = prev.parts?.length ?? 0;
  return prevCount > 0 ? { msn: prev.number, part: prevCount - 1 } : { msn: prev.number };
}

/** `#EXT-X-RENDITION-REPORT` lines for every other rendition of the same playlist set. */
export function renditionReportLines(model: Presentation, self: HlsRendition, set: PlaylistSet): string[] {
  const own = playlistName(self.hls.playlist, set);
  const lines: string[] = [];
  for (const other of hlsRenditions(model)) {
    if (other.rep === self.rep) continue;
    const last = lastPublished(other.segments);
    if (!last) continue;
    const uri = relativeTo(own, playlistName(other.hls.playlist, set));
    const part = last.part !== undefined ? `,LAST-PART=${last.part}` : '';
    lines.push(`#EXT-X-RENDITION-REPORT:${quoted('URI', uri)},LAST-MSN=${last.msn}${part}`);
  }
  return lines;
}
