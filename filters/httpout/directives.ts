/**
 * LL-HLS delivery directives (RFC 8216bis §6.2.5, spec ll-hls-ll-dash §1.3), as pure functions:
 * parse `_HLS_msn` / `_HLS_part` / `_HLS_skip`, and decide, for a playlist state, whether a request is
 * answered now, held, or refused.
 */

export interface Directives {
  msn?: number;
  part?: number;
  skip?: 'YES' | 'v2';
}

/** Where a variant playlist stands (the `HLS*` props the dasher puts on each playlist packet). */
export interface PlaylistState {
  /** Media sequence number of the last segment listed (−1: none yet). */
  lastMsn: number;
  /** 0-based index of the last part of segment lastMsn (−1: that segment lists no part). */
  lastPart: number;
  ended: boolean;
  /** EXT-X-TARGETDURATION, seconds. */
  targetDuration: number;
  /** EXT-X-PART-INF PART-TARGET, seconds (undefined: no parts). */
  partTarget?: number;
  /** EXT-X-SERVER-CONTROL PART-HOLD-BACK, seconds. */
  partHoldBack?: number;
  /** Seconds of media listed (segments and parts). */
  listed?: number;
}

export type Decision = { kind: 'now' } | { kind: 'wait' } | { kind: 'error'; status: 400; reason: string };

/** Largest `_HLS_msn` / `_HLS_part` taken seriously (anything above is refused with 400, not parsed). */
const MAX_INDEX = 2 ** 31;

function index(v: string): number | undefined {
  if (!/^\d{1,10}$/.test(v)) return undefined;
  const n = Number(v);
  return n < MAX_INDEX ? n : undefined;
}

/** Read the directives of a query string; an `error` is a 400 reason. */
export function parseDirectives(query: URLSearchParams): Directives | { error: string } {
  const d: Directives = {};
  const msn = query.get('_HLS_msn');
  const part = query.get('_HLS_part');
  const skip = query.get('_HLS_skip');
  if (msn !== null) {
    const n = index(msn);
    if (n === undefined) return { error: `_HLS_msn=${msn.slice(0, 40)} is not a media sequence number` };
    d.msn = n;
  }
  if (part !== null) {
    const n = index(part);
    if (n === undefined) return { error: `_HLS_part=${part.slice(0, 40)} is not a part index` };
    if (d.msn === undefined) return { error: '_HLS_part without _HLS_msn' };
    d.part = n;
  }
  if (skip === 'YES' || skip === 'v2') d.skip = skip;
  return d;
}

/** RFC 8216bis §6.2.5.2: 3 / PART-TARGET parts if PART-TARGET < 1 s, else 3. */
export function advancePartLimit(partTarget: number | undefined): number {
  if (partTarget === undefined || partTarget <= 0) return 3;
  return partTarget < 1 ? 3 / partTarget : 3;
}

/**
 * Whether the playlist already holds what the request waits for: part `part` of segment `msn` (msn
 * alone: that segment's first part, or the whole segment when the playlist has no parts). A part index
 * beyond the last part of its segment means part 0 of the next segment: it can only be satisfied once
 * a later segment appears, which this comparison gives.
 */
export function satisfied(s: PlaylistState, d: Directives): boolean {
  if (d.msn === undefined) return true;
  if (s.lastMsn > d.msn) return true;
  if (s.lastMsn < d.msn) return false;
  if (d.part === undefined) return true; // segment msn is listed: complete, or its first part
  return s.lastPart >= d.part;
}

/** The decision for a request on a playlist in state `s` (also called again while it is held). */
export function decide(s: PlaylistState, d: Directives): Decision {
  // Directives are ignored once the playlist has EXT-X-ENDLIST.
  if (s.ended || d.msn === undefined) return { kind: 'now' };
  if (d.msn > s.lastMsn + 2)
    return {
      kind: 'error',
      status: 400,
      reason: `_HLS_msn=${d.msn} is more than 2 segments past the last one (${s.lastMsn})`,
    };
  if (d.part !== undefined && !satisfied(s, d)) {
    const limit = advancePartLimit(s.partTarget);
    const perSegment =
      s.partTarget && s.partTarget > 0 ? Math.max(1, Math.round(s.targetDuration / s.partTarget)) : 1;
    // Parts ahead of the last one listed (future segments counted as perSegment parts each).
    const ahead = (d.msn - s.lastMsn) * perSegment + d.part - s.lastPart;
    if (ahead > limit)
      return {
        kind: 'error',
        status: 400,
        reason: `_HLS_part=${d.part} of _HLS_msn=${d.msn} is ${ahead} parts past the last one (limit ${Math.floor(limit)})`,
      };
  }
  return satisfied(s, d) ? { kind: 'now' } : { kind: 'wait' };
}

/** How long a blocked request is held before 503: 3 × target duration (RFC 8216bis §6.2.5.2). */
export function holdLimitMs(targetDuration: number): number {
  return 3 * Math.max(1, targetDuration) * 1000;
}

/** PART-TARGET of a playlist text, if any. */
export function partTargetOf(text: string): number | undefined {
  const m = /#EXT-X-PART-INF:(?:[^\n]*,)?PART-TARGET=([\d.]+)/.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** PART-HOLD-BACK of a playlist text, if any. */
export function partHoldBackOf(text: string): number | undefined {
  const m = /#EXT-X-SERVER-CONTROL:(?:[^\n]*,)?PART-HOLD-BACK=([\d.]+)/.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** Seconds of media a playlist text lists: its segments (EXTINF) and the parts after the last one. */
export function listedSecondsOf(text: string): number {
  let segments = 0;
  let parts = 0;
  for (const m of text.matchAll(/^#EXT(INF:|-X-PART:(?:[^\n]*,)?DURATION=)([\d.]+)/gm)) {
    const d = Number(m[2]);
    if (m[1] === 'INF:') {
      segments += d;
      parts = 0;
    } else parts += d;
  }
  return segments + parts;
}

/** URIs named by EXT-X-PRELOAD-HINT tags (resources that will exist soon). */
export function preloadHints(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^#EXT-X-PRELOAD-HINT:[^\n]*?URI="([^"]*)"/gm)) if (m[1]) out.push(m[1]);
  return out;
}
