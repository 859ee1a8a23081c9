/**
 * When and what the dasher publishes: the manifest PIDs (one per format extension of the table), the
 * model built from the representations at that instant, and the pace. Live manifests are republished
 * at every acknowledged part in real time; a faster-than-real-time dynamic run republishes at most once
 * a second; a static run writes them once at the end.
 */
import type { FilterContext, OutputPid, ProtocolEvent } from '../../src/index.js';
import type { Presentation } from '../../src/manifest/model.js';
import { partHoldBackFor } from '../../src/manifest/hls/ll.js';
import { mainFormatOf } from '../../src/manifest/manifest-formats.js';
import type { Availability } from './availability.js';
import type { Periods } from './periods.js';
import { buildPresentation } from './presentation.js';
import { Publisher } from './publisher.js';
import type { Rep } from './rep.js';
import type { RepSet } from './rep-set.js';
import type { Settings } from './settings.js';

/** Faster than real time, live manifests are rewritten at most this often (ms of wall clock). */
const FAST_PUBLISH_INTERVAL_MS = 1000;

export type PublicationContext = Pick<
  FilterContext<unknown>,
  'clock' | 'log' | 'createPid' | 'connectDestination' | 'requestProcess'
>;

export class Publication {
  private readonly publisher: Publisher;
  /** Session clock time of the last publication. */
  private lastPublish = -Infinity;
  /** The model changed since the last publication. */
  private dirty = false;
  /** A segment closed (or left the time-shift buffer): formats that change with segments are due. */
  private segmentClosed = false;
  /** Something the MPD states changed outside the media (the origin's UTCTiming URL): write it again. */
  private mpdStale = false;
  private targetDuration = 0;
  /** UTCTiming URL answered by the origin serving the manifests. */
  private originUtcs: string | undefined;
  /** `ll_part_hb` was reported (once). */
  private holdBackTold = false;
  /** Parts listed so far, by representation (for the publication log). */
  private readonly published = new Map<Rep, number>();

  constructor(
    private readonly ctx: PublicationContext,
    private readonly st: Settings,
    private readonly reps: RepSet,
    private readonly availability: Availability,
    private readonly periods: Periods,
    /** Last touch on every model (profile=onDemand: byte ranges of the single files). */
    private readonly decorate?: (model: Presentation) => void,
  ) {
    // One manifest PID per format extension written, the primary first: it goes to the destination the
    // dasher was loaded for, a companion (dual, mname) to its own.
    const pids = new Map<string, OutputPid>();
    for (const [ext, name] of Object.entries(st.names)) {
      const format = mainFormatOf(name);
      const pid = ctx.createPid(
        {
          StreamType: 'File',
          Extension: ext,
          ...(format ? { MIMEType: format.mimeType } : {}),
          IsManifest: true,
        },
        `manifest_${ext}`,
      );
      if (ext !== st.primary) ctx.connectDestination(pid, st.base + name);
      pids.set(ext, pid);
    }
    this.publisher = new Publisher(st, pids);
  }

  /** Acknowledged bytes entered the model (`segment`: a segment closed or left the window). */
  changed(segment: boolean): void {
    this.dirty = true;
    if (segment) this.segmentClosed = true;
  }

  /** Segments left the time-shift buffer: the MPD is due with the playlists' next publication. */
  segmentsLeft(): void {
    this.segmentClosed = true;
  }

  /** The manifest sink honours LL-HLS delivery directives (an origin): say so in the playlists. */
  outputCaps(event: ProtocolEvent<'output-caps'>): void {
    this.publisher.caps = {
      ...this.publisher.caps,
      ...(event.blockingReload ? { blockingReload: true } : {}),
      ...(event.canSkipUntil !== undefined ? { canSkipUntil: event.canSkipUntil } : {}),
    };
    // An origin that answers UTCTiming itself: the default clock source of the MPD.
    // An MPD already written names the old one (an origin on port 0 announces its port once listening).
    if (event.utcs !== undefined && event.utcs !== this.originUtcs) {
      this.mpdStale = this.lastPublish !== -Infinity;
      this.originUtcs = event.utcs;
    }
    this.dirty = true;
  }

  /** Live: publish what changed, at once in real time, at most once a second faster than that. */
  live(): void {
    if (!this.dirty || !this.st.dynamic) return;
    const clock = this.ctx.clock;
    const now = clock.now();
    if (
      this.availability.realtime(this.reps.mediaSeconds(), clock.wallNow()) ||
      now - this.lastPublish >= FAST_PUBLISH_INTERVAL_MS
    )
      this.publish(false);
    else this.ctx.requestProcess(FAST_PUBLISH_INTERVAL_MS - (now - this.lastPublish));
  }

  /** Build the model and write the manifests (`final`: the end of the run). */
  publish(final: boolean): void {
    const st = this.st;
    const reps = this.reps.shown();
    if (!reps.length || reps.some((r) => !r.segments.length)) return;
    const now = this.ctx.clock.wallNow();
    this.availability.freeze();
    if (final) for (const r of reps) r.dropEmptyTail();
    this.updateTargetDuration();
    const ast = this.availability.ast;
    const forcedAst = this.availability.forcedAst(st);
    // A restart period waits up to two segments for every representation to restart.
    const periods = this.periods.list.length ? this.periods.complete(reps, now, 2000 * st.segdur) : [];
    this.periods.freeze(periods);
    const model = buildPresentation({ ...st, targetDuration: this.targetDuration }, reps, {
      ast: ast ?? now,
      now,
      ended: final,
      ...(this.originUtcs ? { utcs: this.originUtcs } : {}),
      ...(forcedAst !== undefined ? { forcedAst } : {}),
      ...(periods.length ? { periods } : {}),
    });
    if (periods.length) this.periods.forgetBefore(model.periods[0]?.id);
    this.decorate?.(model);
    this.tellHoldBack(model);
    this.publisher.publish(model, {
      segment: final || this.segmentClosed || this.mpdStale || this.lastPublish === -Infinity || st.args.stl,
      ...(st.dynamic && !final ? { upcoming: this.reps.upcomingSegments() } : {}),
    });
    this.lastPublish = this.ctx.clock.now();
    if (st.dynamic && ast !== undefined) this.logPublished(now, ast);
    this.dirty = false;
    this.segmentClosed = false;
    this.mpdStale = false;
  }

  /** An `ll_part_hb` under the RFC's 3 × PART-TARGET is said once: honoured down to 2 ×, raised below. */
  private tellHoldBack(model: Presentation): void {
    if (this.holdBackTold || !model.hls || model.hls.llhls === 'off' || model.hls.partHoldBack === undefined)
      return;
    this.holdBackTold = true;
    const phb = partHoldBackFor(model);
    const asked = `ll_part_hb=${phb.requested}`;
    const should = `${+phb.recommended.toFixed(3)} s (3 × PART-TARGET)`;
    if (phb.raised)
      this.ctx.log.warn(
        `${asked} is under 2 × PART-TARGET, the least RFC 8216bis allows: PART-HOLD-BACK raised to ${+phb.value.toFixed(3)} s`,
      );
    else if (phb.value < phb.recommended - 1e-9)
      this.ctx.log.info(
        `${asked}: PART-HOLD-BACK under the recommended ${should}: players start closer to live, with less margin for a late part`,
      );
  }

  /**
   * TARGETDURATION: ceil(segdur), raised when a real segment rounds above it (a GOP longer than segdur).
   * RFC 8216bis wants it fixed for the run: raising it in a live run is reported once.
   */
  private updateTargetDuration(): void {
    const td = this.reps.targetDuration(this.st.targetDuration);
    if (this.targetDuration && td > this.targetDuration && this.st.dynamic)
      this.ctx.log.warn(
        `segments are longer than segdur (${this.st.segdur} s): EXT-X-TARGETDURATION raised to ${td} during the run; use a segdur that is a multiple of the GOP`,
      );
    this.targetDuration = td;
  }

  /**
   * Debug log (`-logs=dasher@debug`), once per newly listed part: how late its publication is, i.e.
   * now − (availabilityStartTime + the part's media end). Benchmarks read it from outside the process.
   */
  private logPublished(now: number, astMs: number): void {
    for (const r of this.reps.list) {
      if (r.partsDone === (this.published.get(r) ?? 0)) continue;
      this.published.set(r, r.partsDone);
      this.ctx.log.debug('part published', {
        rep: r.id,
        parts: r.partsDone,
        lateMs:
          Math.round((now - astMs - (this.periods.offsetOf(r) + r.mediaDone / r.timescale) * 1000) * 10) / 10,
      });
    }
  }
}
