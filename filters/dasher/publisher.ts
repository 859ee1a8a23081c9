/**
 * Writes the manifests of a model to the manifest PIDs: the MPD, and the HLS master and variant
 * playlists (both playlist sets with brsf). A file is re-sent only when its text changed.
 */
import type { OutputPid, PlaylistPacketProps } from '../../src/index.js';
import type { Presentation } from '../../src/manifest/model.js';
import { writeMpd } from '../../src/manifest/mpd.js';
import { writeMaster } from '../../src/manifest/hls/master.js';
import { writeVariant } from '../../src/manifest/hls/variant.js';
import { playlistName } from '../../src/manifest/hls/common.js';
import { lastPublished } from '../../src/manifest/hls/ll.js';
import type { PlaylistSet } from '../../src/manifest/hls/common.js';
import type { Settings } from './settings.js';
import type { DasherArgs } from './settings.js';

const utf8 = new TextEncoder();

/**
 * What the manifest's sink can do, announced upstream with an `output-caps` event (an HTTP origin that
 * implements LL-HLS delivery directives). Files on disk honour none of it.
 */
export interface OutputCaps {
  /** `_HLS_msn` / `_HLS_part` blocking playlist reload: CAN-BLOCK-RELOAD=YES. */
  blockingReload?: boolean;
  /** `_HLS_skip` delta updates: CAN-SKIP-UNTIL (seconds, raised to ≥ 6 × TD); delta texts ride along. */
  canSkipUntil?: number;
}

export class Publisher {
  private readonly last = new Map<string, string>();
  caps: OutputCaps = {};

  constructor(
    private readonly s: Settings,
    private readonly mpdPid: OutputPid | undefined,
    private readonly hlsPid: OutputPid | undefined,
    private readonly args: DasherArgs,
  ) {}

  /**
   * `upcoming`: names of segments about to be produced (live), attached to the MPD for an origin
   * (`DASHUpcoming`, one per line) so it holds early requests for them.
   */
  publish(model: Presentation, what: { mpd: boolean; hls: boolean; upcoming?: readonly string[] }): void {
    if (what.mpd && this.s.mpd && this.mpdPid)
      this.send(
        this.mpdPid,
        this.s.mpd,
        writeMpd(model),
        what.upcoming?.length ? { DASHUpcoming: what.upcoming } : {},
      );
    if (!what.hls || !this.s.hls || !this.hlsPid) return;
    const sets: PlaylistSet[] = this.s.llhls === 'brsf' ? ['main', 'IF'] : ['main'];
    const reps = model.periods.at(-1)?.adaptationSets.flatMap((a) => a.representations) ?? [];
    for (const set of sets) {
      this.send(this.hlsPid, playlistName(this.s.hls, set), writeMaster(model, { set }));
      for (const rep of reps) {
        if (!rep.hls) continue;
        const opts = {
          set,
          preloadHint: this.args.ll_preload_hint,
          renditionReports: this.args.ll_rend_rep,
          ...(this.caps.blockingReload ? { blockingReload: true } : {}),
          ...(this.caps.canSkipUntil !== undefined ? { canSkipUntil: this.caps.canSkipUntil } : {}),
        };
        const text = writeVariant(model, rep.id, opts);
        // For an origin: where the playlist stands (blocking reloads) and its delta forms (_HLS_skip).
        const last = lastPublished(rep.segments);
        const meta: PlaylistPacketProps = {
          HLSVariant: true,
          HLSLastMsn: last?.msn ?? -1,
          HLSLastPart: last?.part ?? -1,
          HLSEnded: model.ended === true || model.type === 'static',
          HLSTargetDuration: model.hls?.targetDuration ?? 0,
        };
        if (this.caps.canSkipUntil !== undefined) {
          meta.HLSSkipYES = writeVariant(model, rep.id, { ...opts, skip: 'YES' });
          meta.HLSSkipV2 = writeVariant(model, rep.id, { ...opts, skip: 'v2' });
        }
        this.send(this.hlsPid, playlistName(rep.hls.playlist, set), text, meta);
      }
    }
  }

  private send(pid: OutputPid, name: string, body: string, meta: PlaylistPacketProps = {}): void {
    const text = body.endsWith('\n') ? body : `${body}\n`;
    // Same text and same metadata for the origin: nothing to send.
    const key = meta.DASHUpcoming ? `${text}\0${meta.DASHUpcoming.join('\n')}` : text;
    if (this.last.get(name) === key) return;
    this.last.set(name, key);
    pid.send({ data: utf8.encode(text), props: { FileName: name, ...meta } });
  }
}
