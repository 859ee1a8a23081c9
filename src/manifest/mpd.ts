// MPD writer: a pure function of the manifest model. Layout, indentation (one space per level) and
// attribute order follow GPAC's gf_mpd_write (src/media_tools/mpd.c) so that GPAC users get the file they
// expect; the differences are deliberate and listed in docs/MANIFESTS.md.

import type { Generator, Period, Presentation, ServiceDescription } from './model.js';
import { formatDecimal, isoDate, isoDuration, isoDurationSeconds, xmlEscape } from './format.js';
import { XmlLines, attr, writeAdaptationSet, writeUtcTiming } from './mpd-sets.js';

/** Options of `writeMpd`. */
export interface MpdOptions {
  /** Wall clock (epoch ms) used as publishTime when the model has none (dynamic only). */
  now?: number;
}

/** Serialises `model` as an MPD document (no trailing newline, as GPAC writes it). */
export function writeMpd(model: Presentation, opts: MpdOptions = {}): string {
  const dynamic = model.type === 'dynamic';
  const out = new XmlLines();
  out.push(0, '<?xml version="1.0"?>');
  out.push(0, generatorComment(model.generator));
  out.push(0, mpdHead(model, opts));

  const info = model.programInformation;
  if (info) {
    out.push(
      1,
      `<ProgramInformation${attr('lang', info.lang)}${attr('moreInformationURL', info.moreInformationUrl)}>`,
    );
    if (info.title !== undefined) out.push(2, `<Title>${xmlEscape(info.title)}</Title>`);
    if (info.source !== undefined) out.push(2, `<Source>${xmlEscape(info.source)}</Source>`);
    if (info.copyright !== undefined) out.push(2, `<Copyright>${xmlEscape(info.copyright)}</Copyright>`);
    out.push(1, '</ProgramInformation>');
  }
  for (const url of model.baseUrls ?? []) out.push(1, `<BaseURL>${xmlEscape(url)}</BaseURL>`);
  out.lines.push(''); // GPAC's blank line after the MPD-level BaseURLs
  for (const loc of model.locations ?? []) out.push(1, `<Location>${xmlEscape(loc)}</Location>`);
  if (model.serviceDescription) writeServiceDescription(out, model.serviceDescription);
  for (const period of model.periods) writePeriod(out, period, dynamic);
  for (const timing of model.utcTimings ?? []) writeUtcTiming(out, timing, 1);
  out.lines.push('</MPD>');
  return out.lines.join('\n');
}

function generatorComment(gen: Generator | undefined): string {
  const g = gen ?? { name: 'graphpac' };
  const version = g.version !== undefined ? ` version ${g.version}` : '';
  const time = g.time !== undefined ? ` at ${isoDate(g.time)}` : '';
  return `<!-- MPD file Generated with ${g.name.replace(/--/g, '- -')}${version.replace(/--/g, '- -')}${time} -->`;
}

function mpdHead(model: Presentation, opts: MpdOptions): string {
  const dynamic = model.type === 'dynamic';
  let head = '<MPD xmlns="urn:mpeg:dash:schema:mpd:2011"';
  head += attr('minBufferTime', isoDurationSeconds(model.minBufferTime));
  head += attr('type', model.type);
  if (dynamic) {
    if (model.availabilityStartTime !== undefined) {
      head += attr('availabilityStartTime', isoDate(model.availabilityStartTime));
    }
    const publish = model.publishTime ?? opts.now;
    if (publish !== undefined) head += attr('publishTime', isoDate(publish));
  }
  if (model.mediaPresentationDuration !== undefined) {
    head += attr('mediaPresentationDuration', isoDuration(model.mediaPresentationDuration));
  }
  if (dynamic && model.minimumUpdatePeriod !== undefined) {
    head += attr('minimumUpdatePeriod', isoDuration(model.minimumUpdatePeriod));
  }
  if (model.timeShiftBufferDepth !== undefined && model.timeShiftBufferDepth > 0) {
    head += attr('timeShiftBufferDepth', isoDuration(model.timeShiftBufferDepth));
  }
  if (dynamic && model.suggestedPresentationDelay !== undefined && model.suggestedPresentationDelay > 0) {
    head += attr('suggestedPresentationDelay', isoDuration(model.suggestedPresentationDelay));
  }
  if (model.maxSegmentDuration !== undefined) {
    head += attr('maxSegmentDuration', isoDuration(model.maxSegmentDuration));
  }
  head += attr('profiles', model.profiles);
  return `${head}>`;
}

function writeServiceDescription(out: XmlLines, sd: ServiceDescription): void {
  out.push(1, `<ServiceDescription${attr('id', sd.id)}>`);
  if (sd.latency) {
    const l = sd.latency;
    // GPAC's attribute order: max, min, referenceId, target.
    out.push(
      2,
      `<Latency${attr('max', l.max)}${attr('min', l.min)}${attr('referenceId', l.referenceId)}${attr('target', l.target)}/>`,
    );
  }
  if (sd.playbackRate) {
    const r = sd.playbackRate;
    out.push(2, `<PlaybackRate${attr('max', formatDecimal(r.max))}${attr('min', formatDecimal(r.min))}/>`);
  }
  out.push(1, '</ServiceDescription>');
}

function writePeriod(out: XmlLines, period: Period, dynamic: boolean): void {
  let head = '<Period' + attr('id', period.id);
  if (dynamic || (period.start !== undefined && period.start > 0))
    head += attr('start', isoDuration(period.start ?? 0));
  if (period.duration !== undefined) head += attr('duration', isoDuration(period.duration));
  out.push(1, `${head}>`);
  for (const set of period.adaptationSets) writeAdaptationSet(out, set, 2, dynamic);
  out.push(1, '</Period>');
}
