/**
 * Writes the manifests of a model to the manifest PIDs, one PID per manifest extension, iterating the
 * manifest-format table (src/manifest/manifest-formats.ts): the MPD, the HLS master and variant playlists
 * (and brsf's `_IF` set). A file is re-sent only when its text (or its metadata for an origin) changed.
 */
import type { OutputPid } from '../../src/index.js';
import type { PlaylistPacketProps } from '../../src/index.js';
import type { Presentation } from '../../src/manifest/model.js';
import { MANIFEST_FORMATS } from '../../src/manifest/manifest-formats.js';
import type { Settings } from './settings.js';

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

  /** `pids`: the manifest PID of each extension in `s.names`. */
  constructor(
    private readonly s: Settings,
    private readonly pids: ReadonlyMap<string, OutputPid>,
  ) {}

  /**
   * Write every format that applies. `segment`: formats that change only with segments (the MPD) are
   * due too. `upcoming`: names of segments about to be produced (live), for an origin.
   */
  publish(model: Presentation, what: { segment: boolean; upcoming?: readonly string[] }): void {
    const opts = {
      preloadHint: this.s.args.ll_preload_hint,
      renditionReports: this.s.args.ll_rend_rep,
      ...this.caps,
      ...(what.upcoming ? { upcoming: what.upcoming } : {}),
    };
    for (const format of MANIFEST_FORMATS) {
      const name = this.s.names[format.extension];
      const pid = this.pids.get(format.extension);
      if (name === undefined || !pid || !format.applies(model)) continue;
      if (format.changesWith === 'segment' && !what.segment) continue;
      for (const file of format.write(model, name, opts)) this.send(pid, file.name, file.text, file.meta);
    }
  }

  private send(pid: OutputPid, name: string, body: string, meta: PlaylistPacketProps): void {
    const text = body.endsWith('\n') ? body : `${body}\n`;
    // Same text and same metadata for the origin: nothing to send.
    const key = meta.DASHUpcoming ? `${text}\0${meta.DASHUpcoming.join('\n')}` : text;
    if (this.last.get(name) === key) return;
    this.last.set(name, key);
    pid.send({ data: utf8.encode(text), props: { FileName: name, ...meta } });
  }
}
