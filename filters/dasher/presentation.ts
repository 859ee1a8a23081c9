/**
 * The manifest model (src/manifest/model.ts) built from the dasher's representations at one instant.
 * Adaptation sets follow spec §4.5: video sets first (same display aspect ratio share a set), then audio
 * (same codec, channel count and language), one representation per input PID.
 */
import type { AdaptationSet, Presentation, Representation, UtcTiming } from '../../src/manifest/model.js';
import { deriveServiceDescription } from '../../src/manifest/derive.js';
import type { LivePeriod } from './periods.js';
import { mediaExtent, restartViews, type PeriodView } from './period-views.js';
import type { Rep } from './rep.js';
import type { Settings } from './settings.js';

export interface PresentationState {
  /** availabilityStartTime (epoch ms): when media time 0 was live. */
  ast: number;
  now: number;
  /** End of input reached and everything written. */
  ended: boolean;
  /**
   * A forced availabilityStartTime (option ast, epoch ms, not after `ast`): the MPD announces it and the
   * period starts at `ast − forcedAst`, so every media time keeps its wall-clock time.
   */
  forcedAst?: number;
  /** UTCTiming URL answered by the origin serving the manifests (used when utcs is not given). */
  utcs?: string;
  /** Restart periods every live representation has joined, in order (periods.ts). */
  periods?: readonly LivePeriod[];
}

function gcd(a: number, b: number): number {
  return b ? gcd(b, a % b) : a;
}

function darKey(r: Rep): string {
  const w = (r.track.width ?? 0) * (r.track.sar?.num ?? 1);
  const h = (r.track.height ?? 0) * (r.track.sar?.den ?? 1);
  const g = gcd(w, h) || 1;
  return `${w / g}:${h / g}`;
}

function groupKey(r: Rep): string {
  if (r.track.kind === 'video') return `video|${darKey(r)}`;
  return `audio|${r.track.codec}|${r.track.channels ?? ''}|${r.track.language ?? 'und'}`;
}

function utcTimings(s: Settings, origin: string | undefined): UtcTiming[] | undefined {
  // An origin's own clock wins over GPAC's default (which needs the Internet); files get GPAC's.
  let url = s.args.utcs ?? origin;
  if (!url && s.profile === 'dashif.ll') url = 'https://time.akamai.com/?iso&ms';
  if (!url) return undefined;
  if (url === 'inband') return undefined; // written by the caller as a direct value when needed
  if (url.startsWith('xsd@'))
    return [{ schemeIdUri: 'urn:mpeg:dash:utc:http-xsdate:2014', value: url.slice(4) }];
  return [{ schemeIdUri: 'urn:mpeg:dash:utc:http-iso:2014', value: url }];
}

/**
 * A live MPD that announces its chunks early (availabilityTimeOffset > 0 with
 * availabilityTimeComplete=false), or the DASH-IF low-latency profile: it says its own latency
 * (ServiceDescription), the wall-clock instant of its media (ProducerReferenceTime, and `prft` boxes in
 * every chunk) and the clock to use (UTCTiming), whatever the profile. GPAC does so for dashif.ll only.
 */
export function lowLatencyDash(s: Settings): boolean {
  return s.dynamic && (s.profile === 'dashif.ll' || s.args.asto > 0);
}

function finalStaticOf(s: Settings, st: PresentationState): boolean {
  return !s.dynamic || (st.ended && (s.dmode === 'dynauto' || s.dmode === 'dynlast'));
}

export function buildPresentation(s: Settings, reps: readonly Rep[], st: PresentationState): Presentation {
  const asto = s.args.asto > 0 ? s.args.asto : undefined;
  const llDash = lowLatencyDash(s);
  // UTCTiming while live (the clock a player checks the MPD's times against).
  const utc = finalStaticOf(s, st) ? undefined : utcTimings(s, st.utcs);
  const master = s.names.m3u8;
  const hlsRadical = master ? master.slice(0, master.lastIndexOf('.')) : '';
  let maxSeg = 0;
  for (const r of reps)
    for (const seg of r.segments) if (!seg.open) maxSeg = Math.max(maxSeg, seg.duration / r.timescale);

  /** The adaptation sets of one period. */
  const setsOf = (view: PeriodView): AdaptationSet[] => {
    const groups = new Map<string, Rep[]>();
    const ordered = [
      ...view.reps.filter((r) => r.track.kind === 'video'),
      ...view.reps.filter((r) => r.track.kind !== 'video'),
    ];
    for (const r of ordered) {
      const k = groupKey(r);
      groups.set(k, [...(groups.get(k) ?? []), r]);
    }
    const sets: AdaptationSet[] = [];
    for (const members of groups.values()) {
      const first = members[0]!;
      const video = first.track.kind === 'video';
      const representations: Representation[] = members.map((r) => {
        const ts = r.timescale;
        const index = reps.indexOf(r) + 1;
        const fps = r.input.props.FPS;
        const pto = Math.round(view.t0 * ts);
        return {
          id: r.id,
          codecs: r.codecs,
          bandwidth: r.bandwidth,
          ...(video
            ? {
                width: r.track.width,
                height: r.track.height,
                ...(fps ? { frameRate: fps } : {}),
                sar: r.track.sar ?? { num: 1, den: 1 },
              }
            : { audioSamplingRate: r.track.sampleRate, channels: r.track.channels }),
          segmentTemplate: {
            media: r.opts.names.media,
            initialization: r.opts.names.init,
            timescale: ts,
            startNumber: view.startNumberOf(r),
            ...(pto ? { presentationTimeOffset: pto } : {}),
            ...(s.args.stl ? { timeline: true } : { duration: Math.round(s.segdur * ts) }),
            ...(asto && s.dynamic ? { availabilityTimeOffset: asto, availabilityTimeComplete: false } : {}),
          },
          segments: view.segmentsOf(r),
          hls: {
            playlist: `${hlsRadical}_${index}.m3u8`,
            initUri: r.opts.names.init,
            ...(video ? {} : { group: 'audio' }),
            ...(r.partTarget ? { partTarget: r.partTarget } : {}),
            ...(r.presentedEarly > 0 ? { presentedEarly: r.presentedEarly } : {}),
          },
        };
      });
      const w = Math.max(...members.map((r) => r.track.width ?? 0));
      const h = Math.max(...members.map((r) => r.track.height ?? 0));
      const fps = first.input.props.FPS;
      // One representation: its SegmentTemplate goes on the set, as GPAC writes it.
      let setTemplate;
      if (representations.length === 1) {
        setTemplate = representations[0]!.segmentTemplate;
        delete representations[0]!.segmentTemplate;
      }
      sets.push({
        ...(setTemplate ? { segmentTemplate: setTemplate } : {}),
        mimeType: video ? 'video/mp4' : 'audio/mp4',
        segmentAlignment: true,
        startWithSAP: 1,
        ...(video
          ? { maxWidth: w, maxHeight: h, ...(fps ? { maxFrameRate: fps } : {}), par: darKey(first) }
          : {}),
        ...(first.track.language && first.track.language !== 'und' ? { lang: first.track.language } : {}),
        // The instant the period's time 0 was live, which the in-band prft boxes repeat chunk by chunk.
        ...(llDash
          ? {
              producerReferenceTimes: [
                {
                  id: 0,
                  type: 'encoder' as const,
                  inband: true,
                  wallClockTime: view.wallAt0,
                  presentationTime: Math.round(view.t0 * first.timescale),
                  ...(utc?.[0] ? { utcTiming: utc[0] } : {}),
                },
              ],
            }
          : {}),
        representations,
      });
    }
    return sets;
  };

  const finalStatic = finalStaticOf(s, st);
  const shift = st.forcedAst !== undefined ? (st.ast - st.forcedAst) / 1000 : 0;
  const single: PeriodView = {
    id: 'DID1',
    start: shift,
    reps,
    segmentsOf: (r) => r.segments,
    startNumberOf: () => s.args.startnum,
    t0: 0,
    wallAt0: st.ast,
  };
  // A finished run is one period: its media is one timeline whatever restarts it went through.
  const views = !finalStatic && st.periods?.length ? restartViews(s, reps, st, shift) : [single];
  // The presentation's duration: the last period's end; one period: the longest representation, never more
  // than the segments each has (SegmentTemplate@duration: a client derives the segment count from it).
  let maxDuration = Math.max(0, ...reps.map((r) => r.mediaDuration / r.timescale));
  for (const r of reps) {
    const last = r.segments.filter((x) => !x.open).at(-1);
    if (last) maxDuration = Math.min(maxDuration, (last.number - s.args.startnum + 1) * s.segdur);
  }
  const lastView = views.at(-1)!;
  if (views.length > 1) maxDuration = lastView.start - shift + mediaExtent(s, lastView);
  const refresh = s.args.refresh;
  const model: Presentation = {
    type: finalStatic ? 'static' : 'dynamic',
    ended: st.ended,
    profiles: s.profiles,
    generator: { name: 'graphpac' },
    minBufferTime: s.minBufferTime,
    ...(maxSeg ? { maxSegmentDuration: maxSeg } : {}),
    programInformation: { title: s.args.title ?? `${s.names.mpd ?? master} generated by graphpac` },
    ...(s.args.base.length ? { baseUrls: [...s.args.base] } : {}),
    periods: views.map((v) => ({
      ...(finalStatic
        ? { duration: maxDuration }
        : { id: v.id, start: v.start, ...(v.duration !== undefined ? { duration: v.duration } : {}) }),
      adaptationSets: setsOf(v),
    })),
  };
  if (finalStatic) {
    model.mediaPresentationDuration = maxDuration;
  } else {
    model.availabilityStartTime = st.forcedAst ?? st.ast;
    model.publishTime = st.now;
    if (st.ended) model.mediaPresentationDuration = maxDuration;
    else if (refresh >= 0) model.minimumUpdatePeriod = refresh > 0 ? refresh : s.segdur;
    else model.mediaPresentationDuration = -refresh;
    if (s.tsb > 0) model.timeShiftBufferDepth = s.tsb;
    if (s.args.spd > 0) model.suggestedPresentationDelay = s.args.spd / 1000;
    if (utc) model.utcTimings = utc;
    // The unit a player fetches is the longest chunk the cdur grid makes (LL-HLS's PART-TARGET: 0.52 s for
    // cdur=0.5 at 25 fps, 0.214 s for cdur=0.2 with AAC at 48 kHz), so dash.js gets the target hls.js gets
    // from PART-HOLD-BACK.
    const longest = Math.max(0, ...reps.map((r) => r.partTarget ?? 0));
    if (llDash)
      model.serviceDescription = deriveServiceDescription({
        segmentDuration: s.segdur,
        chunkDuration: longest > 0 ? longest : s.cdur,
        ...(asto ? { availabilityTimeOffset: asto } : {}),
        chunkedDelivery: (asto ?? 0) > 0 || s.cdur > 0,
      });
  }
  if (master) {
    const partTargets = reps.map((r) => r.partTarget ?? 0);
    model.hls = {
      master,
      targetDuration: s.targetDuration,
      llhls: s.llhls,
      ...(s.llhls !== 'off' && Math.max(...partTargets) > 0 ? { partTarget: Math.max(...partTargets) } : {}),
      ...(s.args.ll_part_hb > 0 ? { partHoldBack: s.args.ll_part_hb } : {}),
      ...(s.args.hlsc ? { programDateTime: true } : {}),
    };
    if (!model.availabilityStartTime && s.args.hlsc) model.availabilityStartTime = st.ast;
  }
  return model;
}
