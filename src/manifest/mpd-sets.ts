// MPD writer, adaptation-set level and below: AdaptationSet, Representation, SegmentTemplate (+ timeline),
// ProducerReferenceTime. Attribute order follows GPAC's mpd.c printers.

import type {
  AdaptationSet,
  ByteRange,
  ProducerReferenceTime,
  Representation,
  Segment,
  SegmentAddressing,
  SegmentBase,
  UtcTiming,
} from './model.js';
import { formatDecimal, formatFrameRate, isoDate, xmlEscape } from './format.js';

/** Collects indented lines (GPAC indents with one space per level). */
export class XmlLines {
  readonly lines: string[] = [];
  push(indent: number, text: string): void {
    this.lines.push(' '.repeat(indent) + text);
  }
}

/** ` name="value"` with the value escaped, or '' when the value is undefined. */
export function attr(name: string, value: string | number | undefined): string {
  if (value === undefined) return '';
  return ` ${name}="${xmlEscape(String(value))}"`;
}

/** Writes one AdaptationSet at `indent`. */
export function writeAdaptationSet(
  out: XmlLines,
  set: AdaptationSet,
  indent: number,
  dynamic: boolean,
): void {
  const head =
    '<AdaptationSet' +
    attr('id', set.id) +
    attr('contentType', set.contentType) +
    (set.segmentAlignment ? ' segmentAlignment="true"' : '') +
    attr('maxWidth', set.maxWidth) +
    attr('maxHeight', set.maxHeight) +
    attr('maxFrameRate', set.maxFrameRate ? formatFrameRate(set.maxFrameRate) : undefined) +
    attr('par', set.par) +
    attr('lang', set.lang) +
    (set.subsegmentAlignment ? ' subsegmentAlignment="true"' : '') +
    attr('subsegmentStartsWithSAP', set.subsegmentStartsWithSAP) +
    attr('mimeType', set.mimeType) +
    attr('startWithSAP', set.startWithSAP) +
    '>';
  out.push(indent, head);
  for (const prft of set.producerReferenceTimes ?? []) writeProducerReferenceTime(out, prft, indent + 1);
  for (const role of set.roles ?? []) {
    out.push(indent + 1, `<Role${attr('schemeIdUri', role.schemeIdUri)}${attr('value', role.value)}/>`);
  }
  const first = set.representations[0];
  if (set.segmentTemplate)
    writeSegmentTemplate(out, set.segmentTemplate, first?.segments ?? [], indent + 1, dynamic);
  for (const rep of set.representations) writeRepresentation(out, rep, indent + 1, dynamic);
  out.push(indent, '</AdaptationSet>');
}

function writeRepresentation(out: XmlLines, rep: Representation, indent: number, dynamic: boolean): void {
  const head =
    '<Representation' +
    attr('id', rep.id) +
    attr('mimeType', rep.mimeType) +
    attr('codecs', rep.codecs) +
    attr('width', rep.width) +
    attr('height', rep.height) +
    attr('frameRate', rep.frameRate ? formatFrameRate(rep.frameRate) : undefined) +
    attr('sar', rep.sar ? `${rep.sar.num}:${rep.sar.den}` : undefined) +
    attr('audioSamplingRate', rep.audioSamplingRate) +
    attr('startWithSAP', rep.startWithSAP) +
    attr('bandwidth', rep.bandwidth) +
    '>';
  out.push(indent, head);
  if (rep.channels !== undefined) {
    // The real channel count (GPAC writes 2 for a mono AAC stream).
    out.push(
      indent + 1,
      `<AudioChannelConfiguration schemeIdUri="urn:mpeg:dash:23003:3:audio_channel_configuration:2011"${attr('value', rep.channels)}/>`,
    );
  }
  for (const prft of rep.producerReferenceTimes ?? []) writeProducerReferenceTime(out, prft, indent + 1);
  for (const url of rep.baseUrls ?? []) out.push(indent + 1, `<BaseURL>${xmlEscape(url)}</BaseURL>`);
  if (rep.segmentBase) writeSegmentBase(out, rep.segmentBase, indent + 1);
  if (rep.segmentTemplate) writeSegmentTemplate(out, rep.segmentTemplate, rep.segments, indent + 1, dynamic);
  out.push(indent, '</Representation>');
}

/** `first-last` (inclusive), as MPD byte ranges are written. */
function range(r: ByteRange): string {
  return `${r.offset}-${r.offset + r.length - 1}`;
}

/** `<SegmentBase …><Initialization range=…/></SegmentBase>`, GPAC's attribute order. */
function writeSegmentBase(out: XmlLines, base: SegmentBase, indent: number): void {
  const head =
    '<SegmentBase' +
    attr('timescale', base.timescale) +
    (base.presentationTimeOffset ? attr('presentationTimeOffset', base.presentationTimeOffset) : '') +
    (base.indexRangeExact ? ' indexRangeExact="true"' : '') +
    attr('indexRange', range(base.indexRange));
  if (!base.initialization) {
    out.push(indent, `${head}/>`);
    return;
  }
  out.push(indent, `${head}>`);
  out.push(indent + 1, `<Initialization${attr('range', range(base.initialization))}/>`);
  out.push(indent, '</SegmentBase>');
}

function writeSegmentTemplate(
  out: XmlLines,
  tpl: SegmentAddressing,
  segments: Segment[],
  indent: number,
  dynamic: boolean,
): void {
  const ato = tpl.availabilityTimeOffset;
  const head =
    '<SegmentTemplate' +
    attr('media', tpl.media) +
    attr('initialization', tpl.initialization) +
    attr('timescale', tpl.timescale) +
    (tpl.presentationTimeOffset ? attr('presentationTimeOffset', tpl.presentationTimeOffset) : '') +
    (ato !== undefined && ato !== 0 ? attr('availabilityTimeOffset', formatDecimal(ato)) : '') +
    (tpl.availabilityTimeComplete !== undefined
      ? attr('availabilityTimeComplete', tpl.availabilityTimeComplete ? 'true' : 'false')
      : '') +
    attr('startNumber', tpl.startNumber) +
    (tpl.timeline ? '' : attr('duration', tpl.duration));
  if (!tpl.timeline) {
    out.push(indent, `${head}/>`);
    return;
  }
  out.push(indent, `${head}>`);
  out.push(indent + 1, '<SegmentTimeline>');
  // With chunked delivery the live-edge segment is announced at its start, with its nominal duration.
  const announceOpen = dynamic && ato !== undefined && ato > 0;
  const listed = segments.filter((s) => (s.open ? announceOpen : s.duration > 0));
  for (const entry of timelineEntries(listed)) {
    out.push(
      indent + 2,
      `<S${attr('t', entry.t)}${attr('d', entry.d)}${entry.r ? attr('r', entry.r) : ''}/>`,
    );
  }
  out.push(indent + 1, '</SegmentTimeline>');
  out.push(indent, '</SegmentTemplate>');
}

/** One `<S>` element: `t` is set on the first entry and after any gap; `r` counts extra repeats. */
export interface TimelineEntry {
  /** Start time, or undefined when it follows the previous entry. */
  t?: number;
  /** Duration of each segment. */
  d: number;
  /** Number of repeats after the first (0 = written without `r`). */
  r: number;
}

/** Run-length compresses segment times/durations into SegmentTimeline entries. */
export function timelineEntries(segments: Segment[]): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  let next: number | undefined;
  let last: TimelineEntry | undefined;
  for (const seg of segments) {
    const contiguous = next !== undefined && seg.time === next;
    if (last && contiguous && last.d === seg.duration) {
      last.r += 1;
    } else {
      last = { t: contiguous ? undefined : seg.time, d: seg.duration, r: 0 };
      entries.push(last);
    }
    next = seg.time + seg.duration;
  }
  return entries;
}

function writeProducerReferenceTime(out: XmlLines, prft: ProducerReferenceTime, indent: number): void {
  const head =
    '<ProducerReferenceTime' +
    attr('id', prft.id) +
    (prft.inband ? ' inband="true"' : '') +
    attr('type', prft.type ?? 'encoder') +
    attr('applicationScheme', prft.applicationScheme) +
    attr('wallClockTime', isoDate(prft.wallClockTime)) +
    attr('presentationTime', prft.presentationTime);
  if (!prft.utcTiming) {
    out.push(indent, `${head}/>`);
    return;
  }
  out.push(indent, `${head}>`);
  writeUtcTiming(out, prft.utcTiming, indent + 1);
  out.push(indent, '</ProducerReferenceTime>');
}

/** `<UTCTiming schemeIdUri=… value=…/>`. */
export function writeUtcTiming(out: XmlLines, timing: UtcTiming, indent: number): void {
  out.push(indent, `<UTCTiming${attr('schemeIdUri', timing.schemeIdUri)}${attr('value', timing.value)}/>`);
}
