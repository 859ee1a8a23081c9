/**
 * dasher (spec §4–§6): framed audio/video in; CMAF segments and chunks, an MPD and/or HLS playlists
 * (LL-HLS parts with llhls) out. Each input PID becomes a Representation written to its own file
 * destination; manifests go to the destination the dasher was loaded for (and, with dual, to a second
 * one it opens). Live manifests announce a chunk only once the sink acknowledged its last byte.
 */
import { defineFilter, GraphError, isEvent, makeEvent, propEquals } from '../../src/index.js';
import type { InputPid, OutputPid, PidProps } from '../../src/index.js';
import { dasherArgs } from './args.js';
import { deriveDasherSettings, OnDemandAssembler, tmpName } from './ondemand.js';
import type { Settings } from './settings.js';
import { repNames } from './naming.js';
import { Rep } from './rep.js';
import type { RepHost } from './rep.js';
import type { ClosedChunk } from './segmenter.js';
import { Acks } from './acks.js';
import { MANIFEST_EXTENSIONS, mainFormatOf } from '../../src/manifest/manifest-formats.js';
import { buildPresentation, lowLatencyDash } from './presentation.js';
import { Publisher } from './publisher.js';
import { Purger } from './purge.js';

/** A run is "real time" while its media time stays within this many seconds of the wall clock. */
const REALTIME_SLACK_S = 1;
/** Faster than real time, live manifests are rewritten at most this often (ms of wall clock). */
const FAST_PUBLISH_INTERVAL_MS = 1000;

function fileBase(pid: InputPid): string {
  const src = String(pid.props.SourcePath ?? pid.props.URL ?? pid.name);
  const name = src.slice(src.replace(/\\/g, '/').lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

export default defineFilter({
  name: 'dasher',
  logTools: ['dash'],
  description: 'Segment audio/video into CMAF and write DASH (MPD) and HLS / LL-HLS manifests',
  help: `The dasher is loaded by link resolution for -o NAME.mpd or -o NAME.m3u8 and takes the options written
after that URL (segdur, cdur, profile, dmode, llhls, dual…). Segments start at a SAP on the segdur grid;
chunks (LL-HLS parts) on the cdur grid inside each segment. In dynamic mode, playlists change at every
part and list a part only after its last byte is written; without a real-time source (reframer:rt=on)
the input is packaged as fast as possible and manifests are written once at the end (static) or at most
once per second (dynamic).

Examples:
  graphpac -i source1 -i source2 reframer:rt=on -o res/live.m3u8:segdur=2:cdur=0.5:profile=live:dmode=dynamic:llhls=br
  graphpac -i source1 -i source2 -o res/live.mpd:dual:segdur=10:cdur=1:profile=live:llhls=sf
  graphpac -i clip.mp4 -o out/vod.mpd:segdur=4:profile=live`,
  args: dasherArgs,
  maxInputs: Infinity,
  // Framed audio and video (demuxed streams) in; manifest files out (their extension picks the format).
  caps: [
    {
      name: 'audio/video in, manifests out',
      in: { StreamType: ['Visual', 'Audio'] },
      out: { StreamType: 'File', Extension: [...MANIFEST_EXTENSIONS] },
    },
  ],
  create(ctx) {
    let s: Settings | undefined;
    const settings = (): Settings => {
      if (s) return s;
      s = deriveDasherSettings(ctx.args, ctx.destination);
      // RFC 8216bis §6.2.2: a live playlist never holds less than 3 target durations (clients start
      // HOLD-BACK = 3 × TD behind the edge). GPAC would shrink it to tsb.
      const minWindow = 3 * s.targetDuration;
      if (s.names.m3u8 && s.dynamic && s.tsb >= 0 && s.tsb < minWindow) {
        ctx.log.warn(
          `tsb=${s.tsb} is shorter than 3 target durations: the live window is kept at ${minWindow} s`,
        );
        s = { ...s, tsb: minWindow };
      }
      return s;
    };
    const reps: Rep[] = [];
    /** Write acknowledgements of this instance (representations and on-demand files). */
    const acks = new Acks();
    /** Input properties each representation's init segment was made from. */
    const initProps = new Map<Rep, Readonly<PidProps>>();
    /** Inputs linked but not yet made into representations (they start together, see process()). */
    const waiting: InputPid[] = [];
    /** Representations whose input ended without a single packet: left out of the manifests. */
    const empty = new Set<Rep>();
    const fed = new Set<Rep>();
    const warnedEmpty = new Set<Rep>();

    /** Warns about representations left out once another one has media (else it is an error, below). */
    function reportEmpty(allEnded: boolean): void {
      if (!fed.size && allEnded && empty.size)
        throw new GraphError(
          'CORRUPT_INPUT',
          `dasher: nothing to package: ${reps.map((r) => describeInput(r.input)).join(', ')} ended without a sample`,
        );
      if (!fed.size) return;
      for (const r of empty) {
        if (warnedEmpty.has(r)) continue;
        warnedEmpty.add(r);
        ctx.log.warn(`${describeInput(r.input)} has no samples: left out of the manifests`);
      }
    }
    let publisher: Publisher | undefined;
    /** profile=onDemand: writes each representation's single file at the end. */
    let assembler: OnDemandAssembler | undefined;
    let purger: Purger | undefined;
    /** availabilityStartTime: the wall-clock time media time 0 was live, estimated until first published. */
    let ast: number | undefined;
    let astFrozen = false;
    let lastPublish = -Infinity;
    let dirty = false;
    let segmentClosed = false;
    /** Something the MPD states changed outside the media (the origin's UTCTiming URL): write it again. */
    let mpdStale = false;
    let needPurge = false;
    let finished = false;
    let started = false;
    let targetDuration = 0;
    let originUtcs: string | undefined;
    let astWarned = false;
    /** Option ast, when it is not after the live start (GPAC: ignored with a warning otherwise). */
    const forcedAst = (): number | undefined => {
      const f = s?.forcedAst;
      if (f === undefined || ast === undefined || !s?.dynamic) return undefined;
      if (f > ast) {
        if (!astWarned) ctx.log.warn(`ast=${s.args.ast} is after the start of the stream: ignored`);
        astWarned = true;
        return undefined;
      }
      return f;
    };

    /** One manifest PID per format extension written (the table's main formats), the primary first. */
    function setupOutputs(st: Settings): Publisher {
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
        // The primary goes to the destination the dasher was loaded for; a companion to its own.
        if (ext !== st.primary) ctx.connectDestination(pid, st.base + name);
        pids.set(ext, pid);
      }
      return new Publisher(st, pids);
    }

    function addRep(st: Settings, pid: InputPid, all: readonly InputPid[]): void {
      const id = String(reps.length + 1);
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
      if (reps.some((r) => r.opts.names.init === names.init))
        throw new GraphError(
          'BAD_OPTION_VALUE',
          `dasher: two representations would write the same files (${names.init}); use a template with $RepresentationID$`,
        );
      const out = ctx.createPid({ StreamType: 'File', Extension: 'm4s', MIMEType: 'video/mp4' }, `rep${id}`);
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
          ...(assembler ? { single: tmpName(names.init) } : {}),
        },
        repHost,
      );
      assembler?.add(rep, names.init);
      // Segment names are relative to the manifest's folder (templates may add sub-folders).
      ctx.connectDestination(out, st.base + names.init, { base: st.base.replace(/^file:\/\//, '') || '.' });
      rep.sendInit();
      reps.push(rep);
      initProps.set(rep, pid.props);
    }

    /** Acknowledged bytes of a representation entered the model. */
    const repHost: RepHost = {
      acks,
      written(_rep, closedSegment) {
        dirty = true;
        if (closedSegment) segmentClosed = needPurge = true;
        const media = Math.max(...reps.map((r) => r.mediaDone / r.timescale));
        ctx.reportStatus({
          // Per representation (they advance together): the furthest.
          segments: Math.max(...reps.map((r) => r.segmentsDone)),
          parts: Math.max(...reps.map((r) => r.partsDone)),
          mediaSeconds: media,
          // How far behind the wall clock the written media is (live runs; negative = ahead).
          ...(ast !== undefined ? { lagMs: Math.round(ctx.clock.wallNow() - ast - media * 1000) } : {}),
        });
      },
    };

    function liveEdge(): number {
      let edge = 0;
      for (const r of reps) {
        const last = r.segments.filter((x) => !x.open).at(-1);
        if (last) edge = Math.max(edge, (last.time + last.duration) / r.timescale);
      }
      return edge;
    }

    /**
     * The wall-clock instant (epoch ms) a chunk's first sample was live: AST + its decode time, the
     * mapping the MPD's ProducerReferenceTime states, so the prft boxes agree with it.
     */
    function liveInstant(r: Rep, c: ClosedChunk, fallback: number): number {
      if (ast === undefined || r.firstDts === undefined) return fallback;
      return ast + ((c.baseDts - r.firstDts) / r.timescale) * 1000;
    }

    function mediaSeconds(): number {
      return Math.max(0, ...reps.map((r) => r.mediaDuration / r.timescale));
    }

    /**
     * TARGETDURATION: ceil(segdur), raised when a real segment rounds above it (a GOP longer than segdur).
     * RFC 8216bis wants it fixed for the run: raising it in a live run is reported once.
     */
    function updateTargetDuration(st: Settings): void {
      let td = st.targetDuration;
      for (const r of reps)
        for (const seg of r.segments)
          if (!seg.open) td = Math.max(td, Math.round(seg.duration / r.timescale));
      if (targetDuration && td > targetDuration && st.dynamic)
        ctx.log.warn(
          `segments are longer than segdur (${st.segdur} s): EXT-X-TARGETDURATION raised to ${td} during the run; use a segdur that is a multiple of the GOP`,
        );
      targetDuration = td;
    }

    function publish(st: Settings, final: boolean): void {
      const shown = reps.filter((r) => !empty.has(r));
      if (!publisher || !shown.length || shown.some((r) => !r.segments.length)) return;
      const now = ctx.clock.wallNow();
      astFrozen = true;
      if (final) for (const r of shown) r.dropEmptyTail();
      updateTargetDuration(st);
      const model = buildPresentation({ ...st, targetDuration }, shown, {
        ast: ast ?? now,
        now,
        ended: final,
        ...(originUtcs ? { utcs: originUtcs } : {}),
        ...(forcedAst() !== undefined ? { forcedAst: forcedAst() } : {}),
      });
      assembler?.decorate(model);
      publisher.publish(model, {
        segment: final || segmentClosed || mpdStale || lastPublish === -Infinity || st.args.stl,
        ...(st.dynamic && !final ? { upcoming: upcomingSegments() } : {}),
      });
      lastPublish = ctx.clock.now();
      if (st.dynamic && ast !== undefined) logPublished(now, ast);
      dirty = false;
      segmentClosed = false;
      mpdStale = false;
    }

    /**
     * The next two segments of every representation after its last complete one (names relative to the
     * manifest): an LL-DASH player may ask for one a little before its first chunk exists, and an
     * origin holds such a request rather than answer 404.
     */
    function upcomingSegments(): string[] {
      const names: string[] = [];
      for (const r of reps) {
        const last = r.segments.filter((x) => !x.open).at(-1);
        if (!last) continue;
        for (let k = 1; k <= 2; k++)
          names.push(r.segmentName(last.number + k, last.time + k * last.duration));
      }
      return names;
    }

    /** Parts listed so far, by representation (for the publication log). */
    const published = new Map<Rep, number>();
    /**
     * Debug log (`-logs=dasher@debug`), once per newly listed part: how late its publication is, i.e.
     * now − (availabilityStartTime + the part's media end). Benchmarks read it from outside the process.
     */
    function logPublished(now: number, astMs: number): void {
      for (const r of reps) {
        if (r.partsDone === (published.get(r) ?? 0)) continue;
        published.set(r, r.partsDone);
        ctx.log.debug('part published', {
          rep: r.id,
          parts: r.partsDone,
          lateMs: Math.round((now - astMs - (r.mediaDone / r.timescale) * 1000) * 10) / 10,
        });
      }
    }

    /** Live time-shift buffer: at every closed segment, whether or not manifests are written now. */
    function purge(st: Settings): void {
      if (!st.dynamic || !purger) return;
      const edge = liveEdge();
      if (purger.collect(reps, edge)) segmentClosed = true;
      for (const g of purger.due(edge))
        for (const url of g.files) g.rep.out.sendEvent(makeEvent('file-delete', { url }));
    }

    return {
      configurePid(pid, status) {
        const st = settings();
        if (status === 'remove') return;
        if (status === 'update') {
          const rep = reps.find((r) => r.input === pid);
          if (!rep) return;
          // The init segment is written once: a change of coding (a new source with another decoder
          // configuration, e.g. from flist) cannot be packaged into the same representation.
          const initial = initProps.get(rep) ?? {};
          const changed = CODING_PROPS.filter((k) => !propEquals(initial[k], pid.props[k]));
          if (changed.length)
            throw new GraphError(
              'STREAM_CHANGED',
              `dasher: ${describeInput(pid)} changed its coding mid-run (${changed.join(', ')}); a representation keeps the configuration of its init segment (encode every source of a playlist alike)`,
              { pid: pid.name, changed },
            );
          ctx.log.debug('stream properties changed mid-run (coding unchanged)', { pid: pid.name });
          return;
        }
        publisher ??= setupOutputs(st);
        if (st.profile === 'onDemand')
          assembler ??= new OnDemandAssembler(st.base.replace(/^file:\/\//, '') || '.', {
            acks,
            track: (w) => ctx.track(w),
            requestProcess: () => ctx.requestProcess(),
          });
        purger ??= new Purger(st.tsb, st.segdur, st.args.keep_segs, st.llhls === 'sf' || st.llhls === 'brsf');
        if (started) addRep(st, pid, ctx.inputs);
        else waiting.push(pid);
      },
      processEvent(event) {
        if (isEvent(event, 'output-caps')) {
          // The manifest sink honours LL-HLS delivery directives: say so in the playlists.
          if (publisher) {
            publisher.caps = {
              ...publisher.caps,
              ...(event.blockingReload ? { blockingReload: true } : {}),
              ...(event.canSkipUntil !== undefined ? { canSkipUntil: event.canSkipUntil } : {}),
            };
            // An origin that answers UTCTiming itself: the default clock source of the MPD.
            // An MPD already written names the old one (an origin on port 0 announces its port once listening).
            if (event.utcs !== undefined && event.utcs !== originUtcs) {
              mpdStale = lastPublish !== -Infinity;
              originUtcs = event.utcs;
            }
            dirty = true;
          }
          return true;
        }
        if (!isEvent(event, 'write-ack')) return false;
        acks.settle(event.ackId);
        return true;
      },
      process() {
        const st = settings();
        if (!started) {
          // One manifest for every stream: start once every input that will come has come.
          if (ctx.connectionsPending()) return 'not-ready';
          started = true;
          const all = waiting.splice(0);
          // Video representations first (GPAC's order), each keeping its input order.
          for (const pid of [
            ...all.filter((p) => p.props.StreamType === 'Visual'),
            ...all.filter((p) => p.props.StreamType !== 'Visual'),
          ])
            addRep(st, pid, all);
        }
        let moved = false;
        const now = ctx.clock.now();
        for (const rep of reps) {
          // Back-pressure: take nothing for a representation whose file sink is behind.
          if (rep.ended || rep.out.wouldBlock) continue;
          for (let p = rep.input.take(); p; p = rep.input.take()) {
            moved = true;
            fed.add(rep);
            if (!rep.frameDuration) {
              if (rep.track.kind === 'video' && !p.sap)
                throw new GraphError(
                  'CORRUPT_INPUT',
                  `dasher: ${describeInput(rep.input)} does not start with a sync sample (SAP); it cannot be segmented`,
                );
              rep.noteFirstPacket(p.duration);
            }
            const wall = ctx.clock.wallNow();
            if (!astFrozen) {
              // Packets may reach the dasher late (it waits for all inputs); the earliest
              // (arrival − media time) is when media time 0 was live.
              // Decode time: a real-time source releases packets in decode order.
              const dts = p.dts ?? p.cts ?? 0;
              rep.firstDts ??= dts;
              const m = (dts - rep.firstDts) / rep.timescale;
              ast = Math.min(ast ?? Infinity, wall - m * 1000);
            }
            for (const c of rep.segmenter.push(p)) rep.sendChunk(c, liveInstant(rep, c, wall));
            if (rep.out.wouldBlock) break;
          }
          if (rep.input.eos) {
            for (const c of rep.segmenter.flush()) rep.sendChunk(c, liveInstant(rep, c, ctx.clock.wallNow()));
            rep.ended = true;
            moved = true;
            if (!fed.has(rep)) empty.add(rep);
          }
        }
        if (needPurge) {
          needPurge = false;
          purge(st);
        }
        const allEnded = reps.length > 0 && reps.every((r) => r.ended);
        reportEmpty(allEnded);
        if (allEnded && reps.every((r) => r.settled) && !finished) {
          // profile=onDemand: each single file is assembled (init + sidx + fragments) first.
          if (assembler && !assembler.pump()) return 'not-ready';
          finished = true;
          publish(st, true);
          for (const o of ctx.outputs) o.setEos();
          return 'eos';
        }
        if (dirty && st.dynamic) {
          const realtime =
            ast !== undefined && mediaSeconds() <= (ctx.clock.wallNow() - ast) / 1000 + REALTIME_SLACK_S;
          if (realtime || now - lastPublish >= FAST_PUBLISH_INTERVAL_MS) publish(st, false);
          else ctx.requestProcess(FAST_PUBLISH_INTERVAL_MS - (now - lastPublish));
        }
        if (finished) return 'eos';
        return moved ? 'ok' : 'not-ready';
      },
    };
  },
});

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
function describeInput(pid: InputPid): string {
  const src = pid.props.SourcePath ?? pid.props.URL;
  return `PID "${pid.name}"${src ? ` of "${String(src)}"` : ''}`;
}
