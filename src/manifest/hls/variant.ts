// HLS media (variant) playlist writer, including LL-HLS parts and delta updates. Tag order is GPAC's
// (gf_mpd_write_m3u8_playlist); additions and corrections are listed in docs/MANIFESTS.md.

import type { Presentation, Segment, SegmentAddressing } from '../model.js';
import { addressingOf, segmentEndSeconds } from '../derive.js';
import { formatDecimal, isoDate } from '../format.js';
import {
  type PlaylistSet,
  hlsRenditions,
  hlsSettings,
  hlsVersion,
  playlistName,
  quoted,
  relativeTo,
  usesPartFiles,
} from './common.js';
import {
  type ServerControlOptions,
  canSkipUntilOf,
  partLines,
  partTargetOf,
  partWindowStart,
  preloadHintLine,
  renditionReportLines,
  serverControlLine,
} from './ll.js';

/** Options of `writeVariant`. */
export interface VariantOptions extends ServerControlOptions {
  /** Playlist set (brsf: `main` uses byte ranges, `IF` part files); default `main`. */
  set?: PlaylistSet;
  /** Delta update requested with `_HLS_skip=YES|v2`; honoured only with `canSkipUntil` on a live playlist. */
  skip?: 'YES' | 'v2';
  /** Write EXT-X-PRELOAD-HINT (GPAC `ll_preload_hint`); default true. */
  preloadHint?: boolean;
  /** Write EXT-X-RENDITION-REPORT (GPAC `ll_rend_rep`); default true. */
  renditionReports?: boolean;
}

/** Serialises the media playlist of representation `repId` (current period). Lines end with `\n`. */
export function writeVariant(model: Presentation, repId: string, opts: VariantOptions = {}): string {
  const settings = hlsSettings(model);
  const self = hlsRenditions(model).find((r) => r.rep.id === repId);
  if (!self) throw new Error(`no HLS representation with id "${repId}"`);
  const set = opts.set ?? 'main';
  const name = playlistName(self.hls.playlist, set);
  const addressing = addressingOf(self.set, self.rep);
  const ts = addressing?.timescale ?? 1;
  const td = settings.targetDuration;
  const dynamic = model.type === 'dynamic';
  const ended = !dynamic || model.ended === true;
  const live = !ended;
  const ll = settings.llhls !== 'off';
  const partFiles = usesPartFiles(settings, set);

  // The live-edge (open) segment only exists in a live playlist; zero-length segments are never listed.
  const segments = self.segments.filter((s) => (s.open ? live : s.duration > 0));
  const skipUntil = canSkipUntilOf(model, opts);
  const delta = opts.skip !== undefined && skipUntil !== undefined && live;
  let version = hlsVersion(model);
  if (delta) version = Math.max(version, opts.skip === 'v2' ? 10 : 9);

  const lines = ['#EXTM3U', `#EXT-X-TARGETDURATION:${td}`, `#EXT-X-VERSION:${version}`];
  lines.push(`#EXT-X-MEDIA-SEQUENCE:${segments[0]?.number ?? addressing?.startNumber ?? 1}`);
  const serverControl = serverControlLine(model, opts);
  if (serverControl) lines.push(serverControl);
  if (ll) lines.push(`#EXT-X-PART-INF:PART-TARGET=${formatDecimal(partTargetOf(model, self))}`);
  const discSeq = self.hls.discontinuitySequence ?? 0;
  if (discSeq > 0) lines.push(`#EXT-X-DISCONTINUITY-SEQUENCE:${discSeq}`);
  if ((self.set.startWithSAP ?? 1) <= 2) lines.push('#EXT-X-INDEPENDENT-SEGMENTS');
  if (self.hls.initUri !== undefined)
    lines.push(`#EXT-X-MAP:${quoted('URI', relativeTo(name, self.hls.initUri))}`);

  let first = 0;
  if (delta && skipUntil !== undefined) {
    first = skippedCount(segments, addressing, skipUntil);
    const removed = opts.skip === 'v2' ? ',RECENTLY-REMOVED-DATERANGES=""' : '';
    lines.push(`#EXT-X-SKIP:SKIPPED-SEGMENTS=${first}${removed}`);
  }

  const ast = model.availabilityStartTime;
  const withDate = ast !== undefined && (dynamic || settings.programDateTime === true);
  // EXT-X-PART lines exist only in live (dynamic) presentations, as in GPAC.
  const partsFrom = ll && dynamic ? partWindowStart(segments, addressing, td) : segments.length;

  for (let i = first; i < segments.length; i += 1) {
    const seg = segments[i];
    if (!seg) continue;
    const hasParts = i >= partsFrom && (seg.parts?.length ?? 0) > 0;
    if (seg.open && !hasParts) continue;
    if (seg.discontinuity) lines.push('#EXT-X-DISCONTINUITY');
    if (withDate && ast !== undefined) {
      const early = self.hls.presentedEarly ?? 0;
      const at = ast + (self.startOf(seg) - early) * 1000;
      lines.push(`#EXT-X-PROGRAM-DATE-TIME:${isoDate(at)}`);
    }
    if (hasParts) lines.push(...partLines(seg, ts, partFiles, name));
    if (seg.open) continue;
    lines.push(`#EXTINF:${formatDecimal(seg.duration / ts)},`);
    if (seg.byteRange) lines.push(`#EXT-X-BYTERANGE:${seg.byteRange.length}@${seg.byteRange.offset}`);
    lines.push(relativeTo(name, seg.uri));
  }

  if (ll && live) {
    if (opts.preloadHint !== false) {
      const hint = preloadHintLine(segments[segments.length - 1], partFiles, name);
      if (hint) lines.push(hint);
    }
    if (opts.renditionReports !== false) lines.push(...renditionReportLines(model, self, set));
  }
  if (ended) lines.push('', '#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}

/**
 * Number of leading segments a delta update replaces (RFC 8216bis §6.2.5.1): those further from the end of
 * the last complete (parent) segment than the Skip Boundary — a segment is skipped only when all of it lies
 * beyond the boundary (its end is more than CAN-SKIP-UNTIL before that end).
 */
export function skippedCount(
  segments: Segment[],
  addressing: SegmentAddressing | undefined,
  skipUntil: number,
): number {
  const parents = segments.filter((s) => !s.open);
  const lastParent = parents[parents.length - 1];
  if (!lastParent) return 0;
  const end = segmentEndSeconds(lastParent, addressing);
  let count = 0;
  for (const seg of parents) {
    if (end - segmentEndSeconds(seg, addressing) > skipUntil + 1e-9) count += 1;
    else break;
  }
  return count;
}
