// The manifest model: plain, JSON-serialisable data describing one presentation as the dasher sees it at a
// given instant. The dasher keeps it up to date as segments and parts complete; the MPD and HLS writers are
// pure functions of it. Conventions: wall-clock instants are milliseconds since the Unix epoch (UTC);
// presentation-level durations are seconds; segment and part times are integers in the representation's
// timescale (`SegmentAddressing.timescale`).

/** A ratio such as a frame rate (`{ num: 30000, den: 1001 }`) or a sample aspect ratio. */
export interface Fraction {
  /** Numerator. */
  num: number;
  /** Denominator (1 for integral values). */
  den: number;
}

/** One whole presentation: what an MPD describes, and what the HLS master and variants are derived from. */
export interface Presentation {
  /** MPD@type: `static` (on demand / finished) or `dynamic` (live). */
  type: 'static' | 'dynamic';
  /** The live presentation reached its end (end of input, dynauto at EOS): HLS gets EXT-X-ENDLIST. Static implies it. */
  ended?: boolean;
  /** MPD@profiles, comma-separated (e.g. `urn:mpeg:dash:profile:isoff-live:2011`). */
  profiles: string;
  /** Who wrote the file, for the MPD comment line; `time` is printed only when given (keeps goldens stable). */
  generator?: Generator;
  /** MPD@availabilityStartTime (epoch ms); also the origin of HLS EXT-X-PROGRAM-DATE-TIME. */
  availabilityStartTime?: number;
  /** MPD@publishTime (epoch ms), dynamic only; `MpdOptions.now` is used when absent. */
  publishTime?: number;
  /** MPD@mediaPresentationDuration (s). */
  mediaPresentationDuration?: number;
  /** MPD@minBufferTime (s). */
  minBufferTime: number;
  /** MPD@minimumUpdatePeriod (s), dynamic only. */
  minimumUpdatePeriod?: number;
  /** MPD@timeShiftBufferDepth (s); omitted when absent or ≤ 0. */
  timeShiftBufferDepth?: number;
  /** MPD@suggestedPresentationDelay (s), dynamic only. */
  suggestedPresentationDelay?: number;
  /** MPD@maxSegmentDuration (s): the longest real segment so far. */
  maxSegmentDuration?: number;
  /** ProgramInformation element (title, info URL, source, copyright, lang). */
  programInformation?: ProgramInformation;
  /** MPD-level BaseURL elements, in order. */
  baseUrls?: string[];
  /** MPD-level Location elements, in order. */
  locations?: string[];
  /** UTCTiming elements (written after the periods, as the schema orders them). */
  utcTimings?: UtcTiming[];
  /** LL-DASH ServiceDescription (latency targets, playback rates); see `deriveServiceDescription`. */
  serviceDescription?: ServiceDescription;
  /** Periods in order; HLS playlists describe the last one. */
  periods: Period[];
  /** HLS-wide settings; required by the HLS writers only. */
  hls?: HlsSettings;
}

/** The producer named in the MPD comment line. */
export interface Generator {
  /** Tool name, e.g. `graphpac`. */
  name: string;
  /** Tool version, printed as ` version <v>` when given. */
  version?: string;
  /** Write time (epoch ms), printed as ` at <ISO date>` when given. */
  time?: number;
}

/** MPD ProgramInformation. */
export interface ProgramInformation {
  /** Title element text. */
  title?: string;
  /** @moreInformationURL. */
  moreInformationUrl?: string;
  /** Source element text. */
  source?: string;
  /** Copyright element text. */
  copyright?: string;
  /** @lang. */
  lang?: string;
}

/** A UTCTiming descriptor (`urn:mpeg:dash:utc:http-iso:2014`, `…:http-xsdate:2014`, `…:direct:2014`…). */
export interface UtcTiming {
  /** @schemeIdUri. */
  schemeIdUri: string;
  /** @value (URL or, for `direct`, the date itself). */
  value: string;
}

/** DASH ServiceDescription (ISO/IEC 23009-1 Annex K) as used by DASH-IF low-latency. */
export interface ServiceDescription {
  /** @id. */
  id: number;
  /** Latency targets in milliseconds, with the ProducerReferenceTime id they are measured against. */
  latency?: { target: number; min?: number; max?: number; referenceId?: number };
  /** Allowed playback-rate range for catch-up (e.g. 0.96–1.04). */
  playbackRate?: { min: number; max: number };
}

/** ProducerReferenceTime: maps a wall-clock instant to a media time of the Representation. */
export interface ProducerReferenceTime {
  /** @id (referenced by ServiceDescription Latency@referenceId). */
  id: number;
  /** @type: clock the wall-clock time was taken from (default `encoder`). */
  type?: 'encoder' | 'captured' | 'application';
  /** @inband: the same mapping is also carried in `prft` boxes. */
  inband?: boolean;
  /** @applicationScheme, for type `application`. */
  applicationScheme?: string;
  /** @wallClockTime (epoch ms), printed as an ISO date. */
  wallClockTime: number;
  /** @presentationTime, in the timescale of the Representation. */
  presentationTime: number;
  /** UTCTiming child: the clock source of `wallClockTime` (should equal one in the MPD). */
  utcTiming?: UtcTiming;
}

/** One MPD Period. */
export interface Period {
  /** @id (`DID1` for GPAC's generated dynamic period). */
  id?: string;
  /** @start (s); printed when dynamic or > 0. */
  start?: number;
  /** @duration (s). */
  duration?: number;
  /** AdaptationSets in order (GPAC: video first, then audio). */
  adaptationSets: AdaptationSet[];
}

/** A DASH Role descriptor. */
export interface Role {
  /** @schemeIdUri (usually `urn:mpeg:dash:role:2011`). */
  schemeIdUri: string;
  /** @value (`main`, `alternate`, `commentary`…). */
  value: string;
}

/** One AdaptationSet. */
export interface AdaptationSet {
  /** @id. */
  id?: number;
  /** @contentType (`video`, `audio`, `text`); GPAC omits it, so it is written only when set. */
  contentType?: 'video' | 'audio' | 'text' | 'image' | 'application';
  /** @mimeType (`video/mp4`, `audio/mp4`…); also decides the HLS media type when contentType is absent. */
  mimeType: string;
  /** @segmentAlignment="true". */
  segmentAlignment?: boolean;
  /** @startWithSAP (1, 2, 3…); > 2 turns off HLS INDEPENDENT-SEGMENTS. */
  startWithSAP?: number;
  /** @maxWidth. */
  maxWidth?: number;
  /** @maxHeight. */
  maxHeight?: number;
  /** @maxFrameRate. */
  maxFrameRate?: Fraction;
  /** @par, e.g. `16:9`. */
  par?: string;
  /** @lang (BCP 47); `und` is treated as absent by HLS. */
  lang?: string;
  /** Role descriptors. */
  roles?: Role[];
  /** ProducerReferenceTime elements for this set. */
  producerReferenceTimes?: ProducerReferenceTime[];
  /** AdaptationSet-level SegmentTemplate (GPAC puts it here when shared by the reps). */
  segmentTemplate?: SegmentAddressing;
  /** @subsegmentAlignment="true" (on-demand: the sidx subsegments of the representations are aligned). */
  subsegmentAlignment?: boolean;
  /** @subsegmentStartsWithSAP (on-demand: every subsegment starts with a SAP of at most this type). */
  subsegmentStartsWithSAP?: number;
  /** Representations in order. */
  representations: Representation[];
}

/** One Representation, with its segment list (the live window) and HLS naming. */
export interface Representation {
  /** @id (GPAC: 1-based input index). */
  id: string;
  /** @mimeType when it differs from the set's. */
  mimeType?: string;
  /** @codecs (RFC 6381). */
  codecs: string;
  /** @bandwidth in bit/s (also the HLS BANDWIDTH unless `hls.peakBandwidth`). */
  bandwidth: number;
  /** @width. */
  width?: number;
  /** @height. */
  height?: number;
  /** @frameRate. */
  frameRate?: Fraction;
  /** @sar, e.g. `{ num: 1, den: 1 }`. */
  sar?: Fraction;
  /** @audioSamplingRate (Hz). */
  audioSamplingRate?: number;
  /** Real audio channel count (AudioChannelConfiguration value, HLS CHANNELS). */
  channels?: number;
  /** @startWithSAP at Representation level. */
  startWithSAP?: number;
  /** Representation-level BaseURL elements. */
  baseUrls?: string[];
  /** ProducerReferenceTime elements for this Representation. */
  producerReferenceTimes?: ProducerReferenceTime[];
  /** Representation-level SegmentTemplate (overrides the set's). */
  segmentTemplate?: SegmentAddressing;
  /** SegmentBase (on-demand profile): one file, named by `baseUrls`, indexed by its `sidx` box. */
  segmentBase?: SegmentBase;
  /** Segments currently listed (after purge), in order; the last may be `open` (live edge). */
  segments: Segment[];
  /** HLS side of this representation. */
  hls?: RepresentationHls;
}

/** SegmentTemplate addressing (`$Number$` + @duration, or `$Time$`/`$Number$` + SegmentTimeline). */
export interface SegmentAddressing {
  /** @media template (`source1_dash$Number$.m4s`). */
  media: string;
  /** @initialization template (`source1_dashinit.mp4`). */
  initialization?: string;
  /** @timescale: ticks per second for every time and duration of the Representation. */
  timescale: number;
  /** @presentationTimeOffset (timescale units). */
  presentationTimeOffset?: number;
  /** @availabilityTimeOffset (s); > 0 announces chunked (LL-DASH) delivery. */
  availabilityTimeOffset?: number;
  /** @availabilityTimeComplete; `false` with chunked delivery. */
  availabilityTimeComplete?: boolean;
  /** @startNumber. */
  startNumber?: number;
  /** @duration (timescale units); absent with a timeline. */
  duration?: number;
  /** Write a SegmentTimeline built from the Representation's `segments` (GPAC `stl`). */
  timeline?: boolean;
}

/** A byte range of a file: `offset` (first byte) and `length`; written `first-last` in an MPD. */
export interface ByteRange {
  /** Offset of the first byte. */
  offset: number;
  /** Number of bytes (> 0). */
  length: number;
}

/** SegmentBase addressing (single-segment / on-demand files: ftyp+moov, sidx, then the fragments). */
export interface SegmentBase {
  /** @timescale of `presentationTimeOffset` (and of the sidx). */
  timescale?: number;
  /** @presentationTimeOffset (timescale units). */
  presentationTimeOffset?: number;
  /** @indexRange: the `sidx` box. */
  indexRange: ByteRange;
  /** @indexRangeExact="true": `indexRange` is exactly the index box(es). */
  indexRangeExact?: boolean;
  /** Initialization@range: the init part of the file (`ftyp` + `moov`). */
  initialization?: ByteRange;
}

/** One media segment of a Representation. */
export interface Segment {
  /** Segment number: $Number$ and HLS Media Sequence Number. */
  number: number;
  /** Earliest presentation time (timescale units, includes presentationTimeOffset): S@t, $Time$. */
  time: number;
  /** Duration (timescale units); for an open segment, its nominal (expected) duration. */
  duration: number;
  /** URI relative to the MPD / master playlist (`source1_dash3.m4s`). */
  uri: string;
  /** Size in bytes, once complete. */
  size?: number;
  /** Sub-range of `uri` holding the segment (single-file mode, HLS EXT-X-BYTERANGE). */
  byteRange?: ByteRange;
  /** Still being produced: the live edge. No EXTINF is written for it, only its parts so far. */
  open?: boolean;
  /** A timing/encoding discontinuity precedes this segment (HLS EXT-X-DISCONTINUITY). */
  discontinuity?: boolean;
  /** LL-HLS parts completed so far, in order (part index = array index, 0-based). */
  parts?: Part[];
  /** URI of the next part file (sf mode) when it is not `<uri>.<index>` (e.g. `$SubNumber$` templates). */
  nextPartUri?: string;
}

/** One LL-HLS partial segment (a CMAF chunk). */
export interface Part {
  /** Duration (timescale units). */
  duration: number;
  /** Contains an independent frame (starts with a SAP): INDEPENDENT=YES. */
  independent: boolean;
  /** Byte offset in the segment file (br mode); defaults to the end of the previous part. */
  offset?: number;
  /** Byte size (br mode). */
  size?: number;
  /** Part file URI (sf mode) when it is not `<segment uri>.<index>`. */
  uri?: string;
}

/** LL-HLS part addressing, GPAC's `llhls` option. */
export type LlHlsMode = 'off' | 'br' | 'sf' | 'brsf';

/** Presentation-wide HLS settings. */
export interface HlsSettings {
  /** Master (multivariant) playlist name, e.g. `live.m3u8`. */
  master: string;
  /** EXT-X-TARGETDURATION (integer s), fixed for the whole run (RFC 8216bis §6.2.1). */
  targetDuration: number;
  /** LL-HLS part addressing: `br` byte ranges, `sf` part files, `brsf` both (two playlist sets). */
  llhls: LlHlsMode;
  /** Default PART-TARGET (s) for reps without `hls.partTarget` (GPAC: cdur). */
  partTarget?: number;
  /** PART-HOLD-BACK (s) requested (GPAC `ll_part_hb`); honoured down to 2 × the largest PART-TARGET (partHoldBackFor). */
  partHoldBack?: number;
  /** HOLD-BACK (s) requested; raised to 3 × TARGETDURATION (its default). */
  holdBack?: number;
  /** EXT-X-PROGRAM-DATE-TIME also outside dynamic presentations (GPAC `hlsc`); always on when dynamic. */
  programDateTime?: boolean;
  /** EXT-X-VERSION override; computed otherwise (3, 4 with byte ranges, 6 with EXT-X-MAP). */
  version?: number;
  /** Extra master playlist header lines (GPAC `hlsx`), written verbatim after the header tags. */
  masterHeaderLines?: string[];
}

/** HLS side of one Representation. */
export interface RepresentationHls {
  /** Variant (media) playlist name relative to the master, e.g. `live_1.m3u8`. */
  playlist: string;
  /** Resolved initialization segment URI for EXT-X-MAP. */
  initUri?: string;
  /** Rendition group for audio/subtitles (`audio`, `subs` by default). */
  group?: string;
  /** EXT-X-MEDIA NAME (defaults to the representation id). */
  name?: string;
  /** PART-TARGET (s) of this variant (GPAC: max part duration of the variant, ceiled to the ms). */
  partTarget?: number;
  /** Peak bit rate for BANDWIDTH (defaults to `bandwidth`). */
  peakBandwidth?: number;
  /** Average bit rate for AVERAGE-BANDWIDTH (defaults to `bandwidth`). */
  averageBandwidth?: number;
  /** EXT-X-DISCONTINUITY-SEQUENCE (written when > 0). */
  discontinuitySequence?: number;
  /**
   * Seconds of media presented before the representation's time zero: what the init segment's edit list
   * moves before it (AAC priming: 1024 samples). EXT-X-PROGRAM-DATE-TIME dates a segment's first presented
   * sample, so it is that much earlier than the segment's `time` says (players place media by tfdt minus
   * the edit, and align renditions by these dates).
   */
  presentedEarly?: number;
}
