/**
 * One dasher instance: waits for every input, makes the representations (rep-set.ts), feeds their
 * packets through the segmenters to the file sinks, turns write acknowledgements into model changes
 * (acks.ts), keeps the live window (purge.ts) and has the manifests published (publication.ts).
 */
import { GraphError, isEvent, makeEvent, packetProp } from '../../src/index.js';
import type { ArgsOf, FilterContext, FilterEvent, InputPid, Packet, ProcessResult } from '../../src/index.js';
import type { dasherArgs } from './args.js';
import { Acks } from './acks.js';
import { Availability } from './availability.js';
import { deriveDasherSettings, OnDemandAssembler } from './ondemand.js';
import { Periods } from './periods.js';
import { Publication } from './publication.js';
import { Purger } from './purge.js';
import type { Rep, RepHost } from './rep.js';
import { describeInput, RepSet } from './rep-set.js';
import type { Settings } from './settings.js';
import type { ClosedChunk } from './segmenter.js';

export type DasherContext = FilterContext<ArgsOf<typeof dasherArgs>>;

export class Dasher {
  private s: Settings | undefined;
  /** Write acknowledgements of this instance (representations and on-demand files). */
  private readonly acks = new Acks();
  private readonly reps: RepSet;
  private readonly availability: Availability;
  /** Live periods after encoder restarts. */
  private readonly periods = new Periods();
  /** Inputs linked but not yet made into representations (they start together, see process()). */
  private readonly waiting: InputPid[] = [];
  private started = false;
  private finished = false;
  private needPurge = false;
  /** Made with the first input: the manifest outputs, the time-shift buffer, profile=onDemand's files. */
  private publication: Publication | undefined;
  private purger: Purger | undefined;
  private assembler: OnDemandAssembler | undefined;

  constructor(private readonly ctx: DasherContext) {
    const host: RepHost = {
      acks: this.acks,
      written: (_rep, closedSegment) => this.written(closedSegment),
      drop: (packet) => ctx.drop(packet),
    };
    this.reps = new RepSet(ctx, host);
    this.availability = new Availability(ctx.log);
  }

  private settings(): Settings {
    if (this.s) return this.s;
    let s = deriveDasherSettings(this.ctx.args, this.ctx.destination);
    // RFC 8216bis §6.2.2: a live playlist never holds less than 3 target durations (clients start
    // HOLD-BACK = 3 × TD behind the edge). GPAC would shrink it to tsb.
    const minWindow = 3 * s.targetDuration;
    if (s.names.m3u8 && s.dynamic && s.tsb >= 0 && s.tsb < minWindow) {
      this.ctx.log.warn(
        `tsb=${s.tsb} is shorter than 3 target durations: the live window is kept at ${minWindow} s`,
      );
      s = { ...s, tsb: minWindow };
    }
    return (this.s = s);
  }

  configurePid(pid: InputPid, status: 'new' | 'update' | 'remove'): void {
    const st = this.settings();
    if (status === 'remove') return;
    if (status === 'update') return this.reps.update(pid);
    const ctx = this.ctx;
    if (st.profile === 'onDemand')
      this.assembler ??= new OnDemandAssembler(st.base.replace(/^file:\/\//, '') || '.', {
        acks: this.acks,
        track: (w) => ctx.track(w),
        requestProcess: () => ctx.requestProcess(),
      });
    const assembler = this.assembler;
    this.publication ??= new Publication(
      ctx,
      st,
      this.reps,
      this.availability,
      this.periods,
      assembler ? (model) => assembler.decorate(model) : undefined,
    );
    this.purger ??= new Purger(
      st.tsb,
      st.segdur,
      st.args.keep_segs,
      st.llhls === 'sf' || st.llhls === 'brsf',
    );
    if (this.started) this.reps.add(st, pid, ctx.inputs, this.assembler);
    else this.waiting.push(pid);
  }

  processEvent(event: FilterEvent): boolean {
    if (isEvent(event, 'output-caps')) {
      this.publication?.outputCaps(event);
      return true;
    }
    if (!isEvent(event, 'write-ack')) return false;
    this.acks.settle(event.ackId);
    return true;
  }

  /** Acknowledged bytes of a representation entered the model. */
  private written(closedSegment: boolean): void {
    this.publication?.changed(closedSegment);
    if (closedSegment) this.needPurge = true;
    const latest = this.periods.list.at(-1);
    this.ctx.reportStatus(this.reps.status(this.availability.ast, this.ctx.clock.wallNow(), latest?.offset));
  }

  process(): ProcessResult {
    const st = this.settings();
    if (!this.started) {
      // One manifest for every stream: start once every input that will come has come.
      if (this.ctx.connectionsPending()) return 'not-ready';
      this.started = true;
      const all = this.waiting.splice(0);
      // Video representations first (GPAC's order), each keeping its input order.
      for (const pid of [
        ...all.filter((p) => p.props.StreamType === 'Visual'),
        ...all.filter((p) => p.props.StreamType !== 'Visual'),
      ])
        this.reps.add(st, pid, all, this.assembler);
    }
    let moved = false;
    for (const rep of this.reps.list) if (this.feed(rep)) moved = true;
    if (this.needPurge) {
      this.needPurge = false;
      this.purge(st);
    }
    this.reps.reportEmpty(this.reps.ended);
    if (this.reps.ended && this.reps.settled && !this.finished) {
      // profile=onDemand: each single file is assembled (init + sidx + fragments) first.
      if (this.assembler && !this.assembler.pump()) return 'not-ready';
      this.finished = true;
      this.publication?.publish(true);
      for (const o of this.ctx.outputs) o.setEos();
      return 'eos';
    }
    this.publication?.live();
    if (this.finished) return 'eos';
    return moved ? 'ok' : 'not-ready';
  }

  /**
   * Live, once the source restarted (periods.ts): the packet after a restart ends its representation's
   * segment and opens a new period (or joins the one another representation opened); later packets refine
   * the period's place on the clock until it is published.
   */
  private followPeriods(rep: Rep, p: Packet, wall: number, restart: boolean): void {
    const ast = this.availability.ast ?? wall;
    const ts = rep.timescale;
    const dts = p.dts ?? p.cts ?? 0;
    const offset = (wall - ast) / 1000 - (dts - (rep.firstDts ?? dts)) / ts;
    if (!restart) {
      this.periods.observe(rep, offset);
      for (const c of rep.segmenter.push(p)) rep.sendChunk(c, this.liveInstant(rep, c, wall));
      return;
    }
    const closed = rep.segmenter.restart(p);
    const t0 = ((p.cts ?? dts) - (rep.segmenter.originCts ?? 0)) / ts;
    const number = rep.segmenter.upcomingNumber;
    const made = this.periods.restart(rep, t0, offset, number, wall);
    if (made)
      this.ctx.log.info(
        `the source restarted: period ${made.id} starts at segment ${number} (media ${t0.toFixed(3)} s), placed on the clock where its media arrives`,
      );
    for (const c of closed) rep.sendChunk(c, this.liveInstant(rep, c, wall));
  }

  /** Take what a representation's sink can accept and segment it; true if anything moved. */
  private feed(rep: Rep): boolean {
    // Back-pressure: take nothing for a representation whose file sink is behind.
    if (rep.ended || rep.out.wouldBlock) return false;
    let moved = false;
    const clock = this.ctx.clock;
    // One reading of the wall clock for what is taken now (a live source sends a packet or a few per call;
    // a file job, hundreds: a reading each took 0.7–6 ms of the ~450 of packaging 600 s, 0.3–0.6 ms now).
    const wall = clock.wallNow();
    for (let p = rep.input.take(); p; p = rep.input.take()) {
      moved = true;
      rep.fed = true;
      // Held by the segmenter until its chunk is sent (dropsTakenPackets: dropped by Rep.sendChunk).
      this.ctx.keep(p);
      if (!rep.frameDuration) {
        if (rep.track.kind === 'video' && !p.sap)
          throw new GraphError(
            'CORRUPT_INPUT',
            `dasher: ${describeInput(rep.input)} does not start with a sync sample (SAP); it cannot be segmented`,
          );
        rep.noteFirstPacket(p.duration);
      }
      this.availability.observe(rep, p, wall);
      const restart =
        this.s?.dynamic === true &&
        rep.segmenter.originCts !== undefined &&
        packetProp(p.props, 'Restart') === true;
      if (restart || this.periods.list.length) this.followPeriods(rep, p, wall, restart);
      else for (const c of rep.segmenter.push(p)) rep.sendChunk(c, this.liveInstant(rep, c, wall));
      if (rep.out.wouldBlock) break;
    }
    if (rep.input.eos) {
      for (const c of rep.segmenter.flush()) rep.sendChunk(c, this.liveInstant(rep, c, clock.wallNow()));
      rep.ended = true;
      moved = true;
      if (!rep.fed) rep.empty = true;
    }
    return moved;
  }

  /**
   * The wall-clock instant (epoch ms) a chunk's first sample was live: AST + its decode time, the
   * mapping the MPD's ProducerReferenceTime states, so the prft boxes agree with it.
   */
  private liveInstant(r: Rep, c: ClosedChunk, fallback: number): number {
    const ast = this.availability.ast;
    if (ast === undefined || r.firstDts === undefined) return fallback;
    // After a restart, on the clock of the chunk's period.
    const offset = this.periods.list.length ? (this.periods.periodOf(r, c.segment)?.offset ?? 0) : 0;
    return ast + (offset + (c.baseDts - r.firstDts) / r.timescale) * 1000;
  }

  /** Live time-shift buffer: at every closed segment, whether or not manifests are written now. */
  private purge(st: Settings): void {
    if (!st.dynamic || !this.purger) return;
    const edge = this.reps.liveEdge();
    if (this.purger.collect(this.reps.list, edge)) this.publication?.segmentsLeft();
    for (const g of this.purger.due(edge))
      for (const url of g.files) g.rep.out.sendEvent(makeEvent('file-delete', { url }));
  }
}
