/**
 * The dasher's representations: one per input PID, each written to its own file destination. Makes
 * them (names, output PID, destination, init segment), refuses a mid-run change of coding, and answers
 * what the manifests need about all of them together (live edge, media duration, target duration,
 * upcoming segments, progress figures).
 */
import { GraphError, propEquals } from '../../src/index.js';
import type { FilterContext, InputPid, PidProps } from '../../src/index.js';
import { repNames } from './naming.js';
import { lowLatencyDash } from './presentation.js';
import { tmpName } from './ondemand.js';
import type { OnDemandAssembler } from './ondemand.js';
import { Rep } from './rep.js';
import type { RepHost } from './rep.js';
import type { Settings } from './settings.js';

/** What the representation set asks of the filter context. */
export type RepContext = Pick<FilterContext<unknown>, 'createPid' | 'connectDestination' | 'log'>;

/** PID properties the init segment is made of: a change of any of them cannot be packaged on. */
const CODING_PROPS = [
  'StreamType',
  'CodecID',
  'DecoderConfig',
  'Timescale',
  'Width',
  'Height',
  'SAR',
  'SampleRate',
  'NumChannels',
] as const;

/** `PID "audio1" of "clip.mp4"`: names the stream and its source file. */
export function describeInput(pid: InputPid): string {
  const src = pid.props.SourcePath ?? pid.props.URL;
  return `PID "${pid.name}"${src ? ` of "${String(src)}"` : ''}`;
}

function fileBase(pid: InputPid): string {
  const src = String(pid.props.SourcePath ?? pid.props.URL ?? pid.name);
  const name = src.slice(src.replace(/\\/g, '/').lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

export class RepSet {
  readonly list: Rep[] = [];
  /** Input properties each representation's init segment was made from. */
  private readonly initProps = new Map<Rep, Readonly<PidProps>>();

  constructor(
    private readonly ctx: RepContext,
    private readonly host: RepHost,
  ) {}

  get size(): number {
    return this.list.length;
  }

  /** Make the representation of `pid` (`all`: the inputs starting with it, for GPAC's `$FS$`). */
  add(st: Settings, pid: InputPid, all: readonly InputPid[], assembler?: OnDemandAssembler): void {
    const id = String(this.list.length + 1);
    const siblings = all.filter((p) => fileBase(p) === fileBase(pid));
    const names = repNames({
      template: st.args.template,
      segext: st.args.segext,
      initext: st.args.initext,
      file: fileBase(pid),
      // GPAC: `_track<ID>_` when the source file holds several streams.
      fs: siblings.length > 1 ? `_track${pid.props.ID ?? id}_` : '',
      repId: id,
      bandwidth: pid.props.Bitrate ?? 0,
      single: st.profile === 'onDemand',
    });
    if (this.list.some((r) => r.opts.names.init === names.init))
      throw new GraphError(
        'BAD_OPTION_VALUE',
        `dasher: two representations would write the same files (${names.init}); use a template with $RepresentationID$`,
      );
    const out = this.ctx.createPid(
      { StreamType: 'File', Extension: 'm4s', MIMEType: 'video/mp4' },
      `rep${id}`,
    );
    const rep = new Rep(
      pid,
      out,
      {
        id,
        names,
        segdur: st.segdur,
        cdur: st.cdur,
        startNumber: st.args.startnum,
        partFiles: st.llhls === 'sf' || st.llhls === 'brsf',
        cmaf: st.args.cmaf,
        prft: st.args.prft || lowLatencyDash(st),
        bound: st.args.sbound,
        ackEveryChunk: st.dynamic,
        ...(assembler ? { single: tmpName(names.init) } : {}),
      },
      this.host,
    );
    assembler?.add(rep, names.init);
    // Segment names are relative to the manifest's folder (templates may add sub-folders).
    this.ctx.connectDestination(out, st.base + names.init, {
      base: st.base.replace(/^file:\/\//, '') || '.',
    });
    rep.sendInit();
    this.list.push(rep);
    this.initProps.set(rep, pid.props);
  }

  /**
   * The properties of an input changed. The init segment is written once: a change of coding (a new
   * source with another decoder configuration, e.g. from flist) cannot be packaged into the same
   * representation.
   */
  update(pid: InputPid): void {
    const rep = this.list.find((r) => r.input === pid);
    if (!rep) return;
    const initial = this.initProps.get(rep) ?? {};
    const changed = CODING_PROPS.filter((k) => !propEquals(initial[k], pid.props[k]));
    if (changed.length)
      throw new GraphError(
        'STREAM_CHANGED',
        `dasher: ${describeInput(pid)} changed its coding mid-run (${changed.join(', ')}); a representation keeps the configuration of its init segment (encode every source of a playlist alike)`,
        { pid: pid.name, changed },
      );
    this.ctx.log.debug('stream properties changed mid-run (coding unchanged)', { pid: pid.name });
  }

  /** Representations whose input ended without a single packet: left out of the manifests. */
  private readonly warnedEmpty = new Set<Rep>();

  /** The representations the manifests show (not those whose input ended without a sample). */
  shown(): Rep[] {
    return this.list.filter((r) => !r.empty);
  }

  /** Warns about representations left out once another one has media (else it is an error). */
  reportEmpty(allEnded: boolean): void {
    const fed = this.list.some((r) => r.fed);
    if (!fed && allEnded && this.list.some((r) => r.empty))
      throw new GraphError(
        'CORRUPT_INPUT',
        `dasher: nothing to package: ${this.list.map((r) => describeInput(r.input)).join(', ')} ended without a sample`,
      );
    if (!fed) return;
    for (const r of this.list) {
      if (!r.empty || this.warnedEmpty.has(r)) continue;
      this.warnedEmpty.add(r);
      this.ctx.log.warn(`${describeInput(r.input)} has no samples: left out of the manifests`);
    }
  }

  /** Every representation has ended (its input and its last chunk sent). */
  get ended(): boolean {
    return this.list.length > 0 && this.list.every((r) => r.ended);
  }

  /** Every byte sent was acknowledged. */
  get settled(): boolean {
    return this.list.every((r) => r.settled);
  }

  /** End (s) of the latest complete segment over all representations. */
  liveEdge(): number {
    let edge = 0;
    for (const r of this.list) {
      const last = r.lastClosed();
      if (last) edge = Math.max(edge, (last.time + last.duration) / r.timescale);
    }
    return edge;
  }

  /** Media sent so far (s), the furthest representation. */
  mediaSeconds(): number {
    return Math.max(0, ...this.list.map((r) => r.mediaDuration / r.timescale));
  }

  /** The largest whole-second duration of a complete segment, at least `base` (EXT-X-TARGETDURATION). */
  targetDuration(base: number): number {
    let td = base;
    for (const r of this.list)
      for (const seg of r.segments) if (!seg.open) td = Math.max(td, Math.round(seg.duration / r.timescale));
    return td;
  }

  /**
   * The next two segments of every representation after its last complete one (names relative to the
   * manifest): an LL-DASH player may ask for one a little before its first chunk exists, and an
   * origin holds such a request rather than answer 404.
   */
  upcomingSegments(): string[] {
    const names: string[] = [];
    for (const r of this.list) {
      const last = r.lastClosed();
      if (!last) continue;
      for (let k = 1; k <= 2; k++) names.push(r.segmentName(last.number + k, last.time + k * last.duration));
    }
    return names;
  }

  /** Progress figures: per representation (they advance together), the furthest. */
  status(ast: number | undefined, wallNow: number, offset = 0): Record<string, number> {
    const media = Math.max(...this.list.map((r) => r.mediaDone / r.timescale));
    return {
      segments: Math.max(...this.list.map((r) => r.segmentsDone)),
      parts: Math.max(...this.list.map((r) => r.partsDone)),
      mediaSeconds: media,
      // How far behind the wall clock the written media is (live runs; negative = ahead).
      // After an encoder restart, against the clock of its period (offset: periods.ts).
      ...(ast !== undefined ? { lagMs: Math.round(wallNow - ast - (offset + media) * 1000) } : {}),
    };
  }
}
