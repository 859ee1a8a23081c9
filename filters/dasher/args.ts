/** The dasher's options (spec §4.1), the subset a live or on-demand packager needs, with GPAC's names and defaults. */
import { arg } from '../../src/index.js';

export const dasherArgs = {
  segdur: arg.fraction({ num: 0, den: 0 }, 'target segment duration in seconds (default 1 s)'),
  cdur: arg.fraction(
    { num: -1, den: 1 },
    'chunk (LL-HLS part / CMAF chunk) duration in seconds; ≤ 0: one chunk per segment',
  ),
  profile: arg.enum(
    ['auto', 'live', 'onDemand', 'main', 'full', 'dashavc264.live', 'dashif.ll'],
    'auto',
    'DASH profile (live: SegmentTemplate, aligned segments starting with a SAP)',
  ),
  dmode: arg.enum(
    ['static', 'dynamic', 'dynlast', 'dynauto'],
    'static',
    'static (on demand), dynamic (live), dynlast (live, turned static at the end), dynauto (dynamic, static at end of input)',
    { updatable: true },
  ),
  template: arg.string(
    undefined,
    'segment name template ($File$, $Number[%0Nd]$, $Time$, $RepresentationID$, $Bandwidth$, $Init=…$…)',
  ),
  segext: arg.string(undefined, 'media segment extension (default m4s; `null` for none)'),
  initext: arg.string(undefined, 'init segment extension (default mp4; `null` for none)'),
  stl: arg.bool(false, 'use SegmentTimeline in the MPD'),
  asto: arg.double(
    0,
    'availabilityTimeOffset in seconds (> 0: chunked low-latency DASH); negative: publish |asto| s early',
  ),
  tsb: arg.double(30, 'time-shift buffer depth in seconds (live); < 0: keep everything'),
  keep_segs: arg.bool(false, 'keep segment files that leave the time-shift buffer'),
  buf: arg.int(-100, 'minBufferTime in ms; negative: percent of segdur'),
  spd: arg.int(0, 'suggestedPresentationDelay in ms (live, if > 0)'),
  refresh: arg.double(0, 'minimumUpdatePeriod in seconds (0: segdur; < 0: none, and sets the MPD duration)'),
  llhls: arg.enum(
    ['off', 'br', 'sf', 'brsf'],
    'off',
    'LL-HLS parts: byte ranges (br), part files (sf) or both (brsf)',
  ),
  dual: arg.bool(false, 'write both an MPD and HLS playlists'),
  mname: arg.string(undefined, 'name of the alternate manifest (with dual)'),
  hlsc: arg.bool(false, 'EXT-X-PROGRAM-DATE-TIME also in static playlists (always written in live ones)'),
  ll_preload_hint: arg.bool(true, 'EXT-X-PRELOAD-HINT in LL-HLS playlists'),
  ll_rend_rep: arg.bool(true, 'EXT-X-RENDITION-REPORT in LL-HLS playlists'),
  ll_part_hb: arg.double(
    -1,
    'PART-HOLD-BACK in seconds (< 0: 3 × the largest PART-TARGET); honoured down to 2 × PART-TARGET',
  ),
  utcs: arg.string(
    undefined,
    'UTCTiming source URL (`inband` for a direct value, `xsd@URL` for xs:dateTime)',
  ),
  ast: arg.string(undefined, 'forced availabilityStartTime (xs:dateTime in the past)'),
  title: arg.string(undefined, 'MPD title'),
  base: arg.list([], 'MPD BaseURLs'),
  sbound: arg.enum(
    ['out', 'closest', 'in'],
    'out',
    'segment boundary: first SAP at or after the grid point (out), last SAP before it (in), the nearer (closest); in/closest add a GOP of latency',
  ),
  cmaf: arg.enum(['no', 'cmfc', 'cmf2'], 'no', 'CMAF brands and profile'),
  prft: arg.bool(
    false,
    'write a ProducerReferenceTime box (prft) in every chunk (always on for live low-latency DASH: dashif.ll, or asto > 0)',
  ),
  startnum: arg.uint(1, 'number of the first segment'),
} as const;
