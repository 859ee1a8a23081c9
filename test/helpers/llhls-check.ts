// Strict LL-HLS media playlist checker for tests (our own rules, taken from RFC 8216bis -22, Apple's
// authoring spec and the must-have list). `checkPlaylist` looks at one playlist,
// `checkRenditionReports` cross-checks the reports of a set of playlists taken at the same instant,
// `checkSequence` compares two versions of one playlist, `checkPartBytes` opens the media.

/** One rule broken, with the 1-based line where it shows. */
export interface Violation {
  rule: string;
  line: number;
  message: string;
}

const violation = (rule: string, line: number, message: string): Violation => ({ rule, line, message });

/** An EXT-X-PART. */
export interface ParsedPart {
  duration: number;
  uri: string;
  byteRange?: { length: number; offset?: number };
  independent: boolean;
  line: number;
}

/** A complete segment (EXTINF + URI) with the parts listed before it. */
export interface ParsedSegment {
  msn: number;
  duration: number;
  uri: string;
  parts: ParsedPart[];
  line: number;
}

/** The parts of a playlist. */
export interface ParsedPlaylist {
  version?: number;
  targetDuration?: number;
  mediaSequence?: number;
  partTarget?: number;
  serverControl?: Record<string, string>;
  skipped: number;
  segments: ParsedSegment[];
  /** Parts after the last complete segment: the open (live-edge) segment, MSN = last + 1. */
  openParts: ParsedPart[];
  preloadHints: { type: string; uri: string; start?: number; line: number }[];
  reports: { uri: string; lastMsn?: number; lastPart?: number; line: number }[];
  endlist: boolean;
  hasProgramDateTime: boolean;
  violations: Violation[];
}

/** Parses an attribute list (`A=1,B="x,y"`). */
export function parseAttributes(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/([A-Z0-9-]+)=("[^"]*"|[^,]*)/g)) {
    out[m[1] ?? ''] = (m[2] ?? '').replace(/^"|"$/g, '');
  }
  return out;
}

const HEADER_TAGS = new Set(
  'VERSION TARGETDURATION MEDIA-SEQUENCE SERVER-CONTROL PART-INF DISCONTINUITY-SEQUENCE INDEPENDENT-SEGMENTS PLAYLIST-TYPE START'
    .split(' ')
    .map((t) => `EXT-X-${t}`),
);
const NUMERIC_HEADERS = {
  'EXT-X-VERSION': 'version',
  'EXT-X-TARGETDURATION': 'targetDuration',
  'EXT-X-MEDIA-SEQUENCE': 'mediaSequence',
} as const;
const num = (s: string | undefined): number | undefined => (s === undefined ? undefined : Number(s));
const PARENT_TAGS = new Set(['EXT-X-PROGRAM-DATE-TIME', 'EXT-X-DISCONTINUITY', 'EXT-X-MAP', 'EXT-X-KEY']);

/** Parses a media playlist, recording structural (tag order) violations on the way. */
export function parsePlaylist(text: string): ParsedPlaylist {
  const pl: ParsedPlaylist = {
    skipped: 0,
    segments: [],
    openParts: [],
    preloadHints: [],
    reports: [],
    endlist: false,
    hasProgramDateTime: false,
    violations: [],
  };
  const bad = (rule: string, line: number, message: string): number =>
    pl.violations.push(violation(rule, line, message));
  const lines = text.split('\n');
  if (lines[0] !== '#EXTM3U') bad('tag-order', 1, 'first line must be #EXTM3U');
  const seen = new Set<string>();
  let inSegments = false;
  let trailer = false;
  let pendingDuration: number | undefined;
  lines.forEach((raw, idx) => {
    const line = idx + 1;
    if (idx === 0 || raw === '') return;
    if (pl.endlist) return bad('tag-order', line, 'content after EXT-X-ENDLIST');
    const colon = raw.indexOf(':');
    const tag = raw.startsWith('#') ? (colon < 0 ? raw.slice(1) : raw.slice(1, colon)) : '';
    const value = colon < 0 ? '' : raw.slice(colon + 1);
    if (raw.startsWith('#') && !raw.startsWith('#EXT')) return; // comment
    if (HEADER_TAGS.has(tag)) {
      if (inSegments) bad('tag-order', line, `${tag} after the first media segment tag`);
      if (seen.has(tag)) bad('tag-order', line, `${tag} repeated`);
      seen.add(tag);
    }
    if (trailer && !['EXT-X-PRELOAD-HINT', 'EXT-X-RENDITION-REPORT', 'EXT-X-ENDLIST'].includes(tag)) {
      bad('tag-order', line, `${tag || 'URI'} after EXT-X-PRELOAD-HINT / EXT-X-RENDITION-REPORT`);
    }
    const parentParts = pl.openParts;
    switch (tag) {
      case 'EXT-X-VERSION':
      case 'EXT-X-TARGETDURATION':
      case 'EXT-X-MEDIA-SEQUENCE':
        pl[NUMERIC_HEADERS[tag]] = Number(value);
        break;
      case 'EXT-X-SERVER-CONTROL':
        pl.serverControl = parseAttributes(value);
        break;
      case 'EXT-X-PART-INF':
        pl.partTarget = Number(parseAttributes(value)['PART-TARGET']);
        break;
      case 'EXT-X-SKIP':
        if (inSegments || pl.skipped > 0)
          bad('tag-order', line, 'EXT-X-SKIP must come once, before any segment');
        pl.skipped = Number(parseAttributes(value)['SKIPPED-SEGMENTS']);
        inSegments = true;
        break;
      case 'EXT-X-PART': {
        inSegments = true;
        const a = parseAttributes(value);
        const br = a.BYTERANGE?.split('@');
        parentParts.push({
          duration: Number(a.DURATION),
          uri: a.URI ?? '',
          byteRange: br
            ? { length: Number(br[0]), offset: br[1] === undefined ? undefined : Number(br[1]) }
            : undefined,
          independent: a.INDEPENDENT === 'YES',
          line,
        });
        break;
      }
      case 'EXTINF':
        inSegments = true;
        pendingDuration = Number(value.split(',')[0]);
        break;
      case 'EXT-X-PRELOAD-HINT': {
        trailer = true;
        const a = parseAttributes(value);
        pl.preloadHints.push({
          type: a.TYPE ?? '',
          uri: a.URI ?? '',
          start: num(a['BYTERANGE-START']),
          line,
        });
        break;
      }
      case 'EXT-X-RENDITION-REPORT': {
        trailer = true;
        const a = parseAttributes(value);
        pl.reports.push({
          uri: a.URI ?? '',
          lastMsn: num(a['LAST-MSN']),
          lastPart: num(a['LAST-PART']),
          line,
        });
        break;
      }
      case 'EXT-X-ENDLIST':
        pl.endlist = true;
        break;
      case '': {
        if (pendingDuration === undefined) return bad('tag-order', line, `URI line without EXTINF: ${raw}`);
        const msn = (pl.mediaSequence ?? 0) + pl.skipped + pl.segments.length;
        pl.segments.push({ msn, duration: pendingDuration, uri: raw, parts: pl.openParts, line });
        pl.openParts = [];
        pendingDuration = undefined;
        break;
      }
      default:
        if (PARENT_TAGS.has(tag)) {
          if (tag === 'EXT-X-PROGRAM-DATE-TIME') pl.hasProgramDateTime = true;
          if (tag !== 'EXT-X-MAP') inSegments = true;
          if (parentParts.length > 0)
            bad('tag-order', line, `${tag} after the first EXT-X-PART of its parent`);
        }
    }
  });
  return pl;
}

const EPS = 1e-6;

/**
 * All single-playlist rules. `minPartHoldBack`: the least PART-HOLD-BACK accepted, in PART-TARGETs: 3 (the
 * RFC's SHOULD, what graphpac writes by default); 2 (its MUST) for a stream made with a lower `ll_part_hb`.
 */
export function checkPlaylist(text: string, o: { minPartHoldBack?: 2 | 3 } = {}): Violation[] {
  const minPhb = o.minPartHoldBack ?? 3;
  const pl = parsePlaylist(text);
  const out = [...pl.violations];
  const bad = (rule: string, line: number, message: string): number =>
    out.push(violation(rule, line, message));
  const td = pl.targetDuration;
  if (td === undefined) bad('target-duration', 1, 'EXT-X-TARGETDURATION missing');
  if (pl.mediaSequence === undefined || !Number.isInteger(pl.mediaSequence) || pl.mediaSequence < 0) {
    bad('media-sequence', 1, 'EXT-X-MEDIA-SEQUENCE missing or not a non-negative integer');
  }
  for (const s of pl.segments) {
    if (td !== undefined && Math.round(s.duration) > td)
      bad('extinf-over-target', s.line, `EXTINF ${s.duration} > TD ${td}`);
  }
  const allParts = [...pl.segments.flatMap((s) => s.parts), ...pl.openParts];
  const pt = pl.partTarget;
  if (allParts.length > 0 && pt === undefined)
    bad('part-inf-missing', allParts[0]?.line ?? 1, 'parts without EXT-X-PART-INF');
  if (pt !== undefined) {
    const check = (parts: ParsedPart[], complete: boolean): void => {
      parts.forEach((p, k) => {
        if (p.duration > pt + EPS) bad('part-over-target', p.line, `part ${p.duration} > PART-TARGET ${pt}`);
        const lastOfParent = complete && k === parts.length - 1;
        if (p.duration < 0.85 * pt - EPS && !p.independent && !lastOfParent) {
          bad('part-under-85', p.line, `part ${p.duration} < 85% of PART-TARGET ${pt}`);
        }
      });
    };
    pl.segments.forEach((s) => check(s.parts, true));
    check(pl.openParts, false);
  }
  const sc = pl.serverControl;
  if (pt !== undefined) {
    const phb = num(sc?.['PART-HOLD-BACK']);
    if (phb === undefined) bad('part-hold-back-missing', 1, 'PART-HOLD-BACK missing with EXT-X-PART-INF');
    else if (phb < minPhb * pt - EPS)
      bad('part-hold-back-low', 1, `PART-HOLD-BACK ${phb} < ${minPhb} × PART-TARGET ${pt}`);
  }
  if (sc && td !== undefined) {
    const hb = num(sc['HOLD-BACK']);
    if (hb === undefined) bad('hold-back-missing', 1, 'EXT-X-SERVER-CONTROL without HOLD-BACK');
    else if (hb < 3 * td - EPS) bad('hold-back-low', 1, `HOLD-BACK ${hb} < 3 × TD ${td}`);
    const csu = num(sc['CAN-SKIP-UNTIL']);
    if (csu !== undefined && csu < 6 * td - EPS)
      bad('can-skip-until-low', 1, `CAN-SKIP-UNTIL ${csu} < 6 × TD`);
  }
  if (pl.skipped > 0 || text.includes('#EXT-X-SKIP:')) {
    const v2 = text.includes('RECENTLY-REMOVED-DATERANGES');
    if ((pl.version ?? 0) < (v2 ? 10 : 9)) bad('skip-version', 1, `EXT-X-SKIP needs version ${v2 ? 10 : 9}`);
    if (sc?.['CAN-SKIP-UNTIL'] === undefined)
      bad('skip-without-can-skip', 1, 'EXT-X-SKIP without CAN-SKIP-UNTIL');
  }
  const live = !pl.endlist && pt !== undefined;
  const partHints = pl.preloadHints.filter((h) => h.type === 'PART');
  if (pl.endlist && pl.preloadHints.length > 0)
    bad('preload-hint-with-endlist', pl.preloadHints[0]?.line ?? 1, 'hint with ENDLIST');
  if (live && partHints.length === 0)
    bad('preload-hint-missing', lines(text), 'live LL playlist without PART preload hint');
  if (partHints.length > 1) bad('preload-hint-repeated', partHints[1]?.line ?? 1, 'more than one PART hint');
  const listsMedia = pl.segments.length > 0 || pl.openParts.length > 0;
  if (live && listsMedia && !pl.hasProgramDateTime)
    bad('program-date-time-missing', 1, 'live LL playlist without PDT');
  const hint = partHints[0];
  if (hint) checkHint(pl, hint, bad);
  for (const r of pl.reports) {
    if (/^[a-z][a-z0-9+.-]*:|^\//i.test(r.uri))
      bad('rendition-report-uri', r.line, 'report URI must be relative');
    if (r.lastPart !== undefined && (!Number.isInteger(r.lastPart) || r.lastPart < 0)) {
      bad('rendition-report-last-part', r.line, `LAST-PART ${r.lastPart} is not a part index`);
    }
  }
  for (const parts of [...pl.segments.map((s) => s.parts), pl.openParts]) checkRanges(parts, bad);
  return out;
}

function lines(text: string): number {
  return text.split('\n').length;
}

type Bad = (rule: string, line: number, message: string) => void;

/** Byte ranges of the parts of one parent: same URI, contiguous, starting at 0. */
function checkRanges(parts: ParsedPart[], bad: Bad): void {
  let next = 0;
  for (const p of parts) {
    if (!p.byteRange) continue;
    const offset = p.byteRange.offset ?? next;
    if (offset !== next || p.uri !== parts[0]?.uri) {
      bad('byterange-gap', p.line, `part range starts at ${offset}, expected ${next} in ${parts[0]?.uri}`);
    }
    next = offset + p.byteRange.length;
  }
}

/** The hint must name the part that comes next: `.k+1` after part `.k`, `.0` in a new segment, or the byte after. */
function checkHint(pl: ParsedPlaylist, hint: ParsedPlaylist['preloadHints'][number], bad: Bad): void {
  const open = pl.openParts;
  const lastDone = pl.segments[pl.segments.length - 1];
  const all = [...pl.segments.flatMap((s) => s.parts), ...open];
  const byteMode = hint.start !== undefined || all.some((p) => p.byteRange);
  const fail = (why: string): void => bad('preload-hint-not-next-part', hint.line, `${hint.uri}: ${why}`);
  if (byteMode) {
    const lastOpen = open[open.length - 1];
    if (lastOpen) {
      const end = (lastOpen.byteRange?.offset ?? 0) + (lastOpen.byteRange?.length ?? 0);
      if (hint.uri !== lastOpen.uri) fail(`expected the open segment ${lastOpen.uri}`);
      else if ((hint.start ?? 0) !== end) fail(`BYTERANGE-START ${hint.start ?? 0}, expected ${end}`);
    } else {
      if (lastDone && hint.uri === lastDone.uri) fail('names a segment that is already complete');
      if ((hint.start ?? 0) !== 0) fail('a new segment starts at byte 0');
    }
    return;
  }
  const m = /^(.*)\.(\d+)$/.exec(hint.uri);
  const lastOpen = open[open.length - 1];
  const lm = lastOpen ? /^(.*)\.(\d+)$/.exec(lastOpen.uri) : null;
  if (lastOpen && lm) {
    const expected = `${lm[1]}.${Number(lm[2]) + 1}`;
    if (hint.uri !== expected) fail(`expected ${expected}`);
  } else if (!lastOpen && m) {
    if (Number(m[2]) !== 0) fail('first part of a segment is .0');
    if (lastDone && m[1] === lastDone.uri) fail('names a part of a complete segment');
  }
}

/** LAST-MSN / LAST-PART of every report must name the last part of the reported playlist (same instant). */
export function checkRenditionReports(playlists: Record<string, string>): Violation[] {
  const out: Violation[] = [];
  for (const [name, text] of Object.entries(playlists)) {
    const dir = name.includes('/') ? name.slice(0, name.lastIndexOf('/') + 1) : '';
    for (const r of parsePlaylist(text).reports) {
      const target = playlists[normalize(dir + r.uri)];
      if (target === undefined) continue;
      const t = parsePlaylist(target);
      const last = t.segments[t.segments.length - 1];
      const openMsn = (last?.msn ?? (t.mediaSequence ?? 0) + t.skipped - 1) + 1;
      let msn: number | undefined;
      let parts: number;
      if (t.openParts.length > 0) [msn, parts] = [openMsn, t.openParts.length];
      else [msn, parts] = [last?.msn, last?.parts.length ?? 0];
      const where = `${name} → ${r.uri}`;
      const partsOf =
        r.lastMsn === openMsn
          ? t.openParts.length
          : (t.segments.find((s) => s.msn === r.lastMsn)?.parts.length ?? 0);
      if (r.lastPart !== undefined && r.lastPart >= partsOf) {
        out.push(
          violation(
            'rendition-report-last-part',
            r.line,
            `${where}: LAST-PART ${r.lastPart} of MSN ${r.lastMsn} does not exist (${partsOf} parts)`,
          ),
        );
      } else if (r.lastMsn !== msn || (parts > 0 && r.lastPart !== parts - 1)) {
        out.push(
          violation(
            'rendition-report-stale',
            r.line,
            `${where}: reports ${r.lastMsn}/${r.lastPart}, latest is ${msn}/${parts - 1}`,
          ),
        );
      }
    }
  }
  return out;
}

function normalize(path: string): string {
  const out: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '..') out.pop();
    else if (seg !== '.') out.push(seg);
  }
  return out.join('/');
}

/** A later version of the same playlist: MEDIA-SEQUENCE never decreases and a segment keeps its MSN. */
export function checkSequence(previous: string, next: string): Violation[] {
  const a = parsePlaylist(previous);
  const b = parsePlaylist(next);
  const out: Violation[] = [];
  if ((b.mediaSequence ?? 0) < (a.mediaSequence ?? 0)) {
    out.push(
      violation('media-sequence', 1, `MEDIA-SEQUENCE went from ${a.mediaSequence} to ${b.mediaSequence}`),
    );
  }
  const before = new Map(a.segments.map((s) => [s.uri, s.msn]));
  for (const s of b.segments) {
    const old = before.get(s.uri);
    if (old !== undefined && old !== s.msn) {
      out.push(violation('media-sequence', s.line, `${s.uri} moved from MSN ${old} to ${s.msn}`));
    }
  }
  return out;
}

/** Reads a resource named in the playlist (URI as written); undefined when it does not exist. */
export type ReadFile = (uri: string) => Uint8Array | undefined | Promise<Uint8Array | undefined>;

/**
 * Opens the media: each part (byte range or part file) must start on one of `boxes` (default `styp`, `moof`,
 * and `prft`: a CMAF chunk may begin with a ProducerReferenceTime, as every chunk of a stream announcing its
 * latency does, ISO/IEC 23000-19 §7.3.2.3), and a complete segment's file must end exactly where its last
 * part ends.
 */
export async function checkPartBytes(
  text: string,
  readFile: ReadFile,
  boxes = ['styp', 'moof', 'prft'],
): Promise<Violation[]> {
  const pl = parsePlaylist(text);
  const out: Violation[] = [];
  const cache = new Map<string, Uint8Array | undefined>();
  const load = async (uri: string): Promise<Uint8Array | undefined> => {
    if (!cache.has(uri)) cache.set(uri, await readFile(uri));
    return cache.get(uri);
  };
  const groups: [ParsedPart[], ParsedSegment | undefined][] = [
    ...pl.segments.map((s): [ParsedPart[], ParsedSegment] => [s.parts, s]),
    [pl.openParts, undefined],
  ];
  for (const [parts, seg] of groups) {
    let next = 0;
    for (const p of parts) {
      const data = await load(p.uri);
      const offset = p.byteRange ? (p.byteRange.offset ?? next) : 0;
      next = offset + (p.byteRange?.length ?? 0);
      const type =
        data && data.length >= offset + 8
          ? new TextDecoder().decode(data.subarray(offset + 4, offset + 8))
          : undefined;
      if (!type || !boxes.includes(type)) {
        out.push(
          violation(
            'part-not-on-box',
            p.line,
            `${p.uri}@${offset} starts with ${type ?? 'nothing'}, not ${boxes.join('/')}`,
          ),
        );
      }
    }
    const lastPart = parts[parts.length - 1];
    if (seg && lastPart?.byteRange) {
      const data = await load(seg.uri);
      if (data && data.length !== next) {
        out.push(
          violation(
            'byterange-file-size',
            seg.line,
            `${seg.uri} is ${data.length} bytes, parts end at ${next}`,
          ),
        );
      }
    }
  }
  return out;
}
