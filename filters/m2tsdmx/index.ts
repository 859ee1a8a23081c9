/**
 * m2tsdmx: MPEG-2 transport stream demultiplexer (GPAC's m2tsdmx). TS bytes in (a file, a socket, a
 * pipe); one PID per H.264 / H.265 / AAC stream of every program out, framed (length-prefixed NAL units,
 * raw AAC frames) with their decoder configuration built from the in-band parameter sets.
 */
import { defineFilter, GraphError } from '../../src/index.js';
import descriptor from './descriptor.js';
import type { InputPid, MediaPacketProps, OutputPid } from '../../src/index.js';
import { parseAdtsHeader } from '../../src/media/codecs/index.js';
import { ProgramClock, TsDemuxer } from '../../src/media/ts/index.js';
import type { AccessUnit, DemuxIssue, PesPacket, Program } from '../../src/media/ts/index.js';
import { EsStream, PRIVATE_NOT_AAC, STREAM_TYPES, UNSUPPORTED_NAMES } from './streams.js';

export { TS_EXTENSIONS, TS_MIMES } from './descriptor.js';

const hex = (n: number, w = 2) => `0x${n.toString(16).toUpperCase().padStart(w, '0')}`;

export default defineFilter({
  ...descriptor,
  create(ctx) {
    const streams = new Map<number, EsStream>();
    const clocks = new Map<number, ProgramClock>();
    const outputs = new Map<EsStream, OutputPid>();
    const warned = new Set<string>();
    /** PCR (90 kHz, unwrapped crudely) when the first PMT was read, and the latest, per program. */
    const pcrSpan = new Map<number, { first: number; last: number }>();
    let input: InputPid | undefined;
    let declaredAll = false;
    let ended = false;
    let aus = 0;
    /** Corrupt PES packets (lost packets): video ones kept, audio ones dropped. */
    let corruptKept = 0;
    let corruptDropped = 0;
    const issues = { cc: 0, pes: 0, section: 0, sync: 0 };

    const warnOnce = (key: string, msg: string) => {
      if (warned.has(key)) return;
      warned.add(key);
      ctx.log.warn(msg);
    };
    const srcName = () => String(input?.props.URL ?? input?.props.SourcePath ?? 'input');

    /** Map a PES's timestamps, and say so when the program's clock jumped (an encoder restart, a splice). */
    function mapTime(s: EsStream, pts: number, dts: number | undefined): { pts: number; dts: number } {
      const clock = clockOf(s.program);
      const before = clock.discontinuities;
      const t = clock.map(s.pid, pts, dts);
      // This stream's first timestamps after a jump of its program's clock (its own, or another stream's
      // seen first): its first access unit from there on is flagged (Restart), for a live packager.
      if (ctx.args.mappcr && clock.discontinuities > s.epoch) {
        if (s.epoch >= 0) s.restartDts = t.dts;
        s.epoch = clock.discontinuities;
      }
      if (clock.discontinuities !== before)
        ctx.log.warn(
          `${srcName()}: program ${s.program}: timestamps jumped on PID ${s.pid} (an encoder restart or a splice)${ctx.args.mappcr ? ': absorbed, the output timeline continues' : ''}; ${clock.discontinuities} so far`,
        );
      return t;
    }

    const clockOf = (program: number): ProgramClock => {
      let c = clocks.get(program);
      if (!c) {
        c = new ProgramClock({
          continuous: ctx.args.mappcr,
          maxGap: Math.max(0.05, ctx.args.maxgap) * 90000,
        });
        clocks.set(program, c);
      }
      return c;
    };

    function onProgram(p: Program, prev: Program | undefined): void {
      ctx.log.debug(`program ${p.number}: PMT on PID ${p.pmtPid}, PCR on PID ${p.pcrPid}`, {
        streams: p.streams.map((s) => `${s.pid}:${hex(s.streamType)}`),
      });
      if (prev) ctx.log.info(`program ${p.number}: PMT changed`);
      p.streams.forEach((s, i) => {
        const privateAac =
          s.streamType === 0x06 &&
          !s.descriptorTags.some((d) => PRIVATE_NOT_AAC.has(d)) &&
          (s.registration === undefined || s.registration === 'AAC ');
        const t = STREAM_TYPES[s.streamType] ?? (privateAac ? STREAM_TYPES[0x0f] : undefined);
        const existing = streams.get(s.pid);
        if (existing && t && existing.codec === t.codec && existing.latm === !!t.latm) return;
        if (!t) {
          warnOnce(
            `type-${s.pid}-${s.streamType}`,
            `program ${p.number}, PID ${s.pid}: stream type ${hex(s.streamType)}${UNSUPPORTED_NAMES[s.streamType] ? ` (${UNSUPPORTED_NAMES[s.streamType]})` : ''} is not supported: skipped`,
          );
          return;
        }
        if (existing) warnOnce(`changed-${s.pid}`, `PID ${s.pid} changed codec: the new stream is skipped`);
        else {
          const es = new EsStream(s.pid, p.number, i + 1, t.kind, t.codec, s.language, t.latm);
          es.probing = s.streamType === 0x06 && !s.descriptorTags.includes(0x7c);
          streams.set(s.pid, es);
        }
      });
    }

    function onPcr(program: number, pcr: number): void {
      const v = Math.floor(pcr / 300);
      const span = pcrSpan.get(program);
      if (!span) pcrSpan.set(program, { first: v, last: v });
      else if (v >= span.last && v - span.last < 90000 * 60) span.last = v;
      else pcrSpan.set(program, { first: v - (span.last - span.first), last: v });
    }

    function onPesStart(pid: number, header: { pts?: number; dts?: number }): void {
      const s = streams.get(pid);
      if (!s?.nal || header.pts === undefined) return;
      // The access unit in progress is complete: its duration is known from this decode time.
      const t = mapTime(s, header.pts, header.dts);
      const au = s.nal.next(t.dts);
      if (au) deliver(s, au);
      pendingStart.set(pid, t);
    }
    /** Mapped timestamps of the PES whose start was just seen, by PID. */
    const pendingStart = new Map<number, { pts: number; dts: number }>();

    function onPes(pes: PesPacket): void {
      const s = streams.get(pes.pid);
      if (!s) return;
      if (s.probing) {
        if (!parseAdtsHeader(pes.data, 0)) {
          streams.delete(pes.pid);
          warnOnce(
            `type-${pes.pid}-6`,
            `program ${s.program}, PID ${s.pid}: private data stream (0x06) that is not AAC: skipped`,
          );
          return;
        }
        s.probing = false;
      }
      if (pes.corrupt) {
        // Video: kept, so the timeline stays whole (a lost frame's time goes to the one before; the
        // decoder conceals the damage until the next random access point). Audio: dropped.
        if (s.audio) {
          corruptDropped++;
          pendingStart.delete(pes.pid);
          return;
        }
        corruptKept++;
      }
      let ts = pendingStart.get(pes.pid);
      pendingStart.delete(pes.pid);
      if (pes.header.pts === undefined) ts = undefined;
      else ts ??= mapTime(s, pes.header.pts, pes.header.dts);
      if (s.nal) {
        const au = s.nal.add(pes.data, ts);
        if (au) deliver(s, au);
      } else if (s.audio) {
        for (const au of s.audio.add(pes.data, ts?.pts)) deliver(s, au);
        const problem = s.audio.problem;
        if (problem)
          warnOnce(
            `latm-${s.pid}`,
            `${srcName()}: program ${s.program}, PID ${s.pid}: LATM with ${problem} is not supported: its frames are dropped`,
          );
      }
    }

    function onIssue(i: DemuxIssue): void {
      if (i.kind === 'cc') {
        issues.cc++;
        if (issues.cc === 1 || issues.cc % 100 === 0)
          ctx.log.warn(
            `${srcName()}: continuity error on PID ${i.pid} (expected ${i.expected}, got ${i.got}): packets lost; ${issues.cc} so far`,
          );
      } else if (i.kind === 'pes') {
        issues.pes++;
        if (issues.pes === 1 || issues.pes % 100 === 0)
          ctx.log.warn(`${srcName()}: PID ${i.pid}: ${i.error}; ${issues.pes} PES problems so far`);
      } else if (i.kind === 'section') {
        issues.section++;
        if (issues.section === 1) ctx.log.warn(`${srcName()}: PSI section on PID ${i.pid}: ${i.error}`);
      } else {
        issues.sync++;
        if (issues.sync === 1 || issues.sync % 100 === 0)
          ctx.log.warn(`${srcName()}: lost packet sync at byte ${i.at}; ${issues.sync} times so far`);
      }
    }

    const demux = new TsDemuxer({ onProgram, onPcr, onPesStart, onPes, onIssue });

    /** A complete access unit: held until the stream is declared, then sent. */
    function deliver(s: EsStream, au: AccessUnit): void {
      if (s.nal && !s.sawSap) {
        if (au.sap < 1 || au.sap > 3 || !s.nal.config) {
          s.beforeSap++;
          return;
        }
        s.sawSap = true;
      }
      if (!s.declared) {
        s.held.push(au);
        return;
      }
      send(s, au);
    }

    /** An access unit's decode time in 90 kHz units (AAC's are in samples), half a frame late for audio (its times snap to the frame grid). */
    function at90k(s: EsStream, au: AccessUnit): number {
      const rate = s.audio?.config?.sampleRate;
      return rate ? ((au.dts + au.duration / 2) * 90000) / rate : au.dts;
    }

    function send(s: EsStream, au: AccessUnit): void {
      const out = outputs.get(s);
      if (!out) return;
      const record = s.configRecord;
      if (record && s.record && !sameBytes(record, s.record)) {
        ctx.log.info(`${s.name}: decoder configuration changed in band`);
        s.record = record;
        out.setProps(s.props());
      }
      // The first access unit from the restart on (all before it have earlier decode times).
      const restart = s.restartDts !== undefined && at90k(s, au) >= s.restartDts;
      if (restart) s.restartDts = undefined;
      // Video is in 90 kHz; AAC in samples already.
      out.send({
        ...(restart ? { props: { Restart: true } satisfies MediaPacketProps } : {}),
        data: au.data,
        dts: au.dts,
        cts: au.pts,
        duration: au.duration,
        sap: au.sap as 0 | 1 | 2 | 3 | 4,
        start: true,
        end: true,
      });
      aus++;
    }

    function declare(s: EsStream): void {
      if (s.declared) return;
      const props = s.props();
      // File sources name the segments after the file; live sources (udp://…) after the PID.
      const src = input?.props;
      if (src?.SourcePath !== undefined && !String(src.URL ?? '').includes('://')) {
        props.SourcePath = src.SourcePath;
        props.URL = src.URL;
      }
      const first = s.held[0];
      if (s.kind === 'video' && first && first.pts > first.dts) props.Delay = -(first.pts - first.dts);
      const out = ctx.createPid(props, s.name);
      outputs.set(s, out);
      s.declared = true;
      s.record = s.configRecord;
      ctx.log.info(
        `${s.name}: PID ${s.pid} of program ${s.program}, ${s.codec}${props.Width ? ` ${props.Width}x${props.Height}` : ''}${props.SampleRate ? ` ${props.SampleRate} Hz ${props.NumChannels} ch` : ''}`,
      );
      if (s.beforeSap)
        ctx.log.debug(`${s.name}: ${s.beforeSap} frames before the first random access point dropped`);
    }

    /** Declare the streams once all are ready, or when waiting longer would only delay the others. */
    function maybeDeclare(atEnd: boolean): void {
      if (declaredAll) {
        for (const s of streams.values()) if (!s.declared && s.ready) flushHeld([s]);
        return;
      }
      const all = [...streams.values()];
      if (!all.length) return;
      const ready = all.filter((s) => s.ready);
      const waited = Math.max(
        0,
        ...all.map((s) => s.heldSeconds),
        ...[...pcrSpan.values()].map((p) => (p.last - p.first) / 90000),
      );
      if (ready.length < all.length && !atEnd && waited < ctx.args.pwait) return;
      if (!ready.length) return;
      for (const s of all)
        if (!s.ready)
          ctx.log.warn(
            `${srcName()}: program ${s.program}, PID ${s.pid} (${s.codec}) ${s.nal && s.nal.config ? 'has no random access point' : 'sent no usable data'} within ${ctx.args.pwait} s: left out`,
          );
      declaredAll = true;
      flushHeld(ready);
    }

    /** Declare `list` and send what they hold, interleaved by decode time. */
    function flushHeld(list: EsStream[]): void {
      for (const s of list) declare(s);
      const queue: { s: EsStream; au: AccessUnit; t: number }[] = [];
      for (const s of list) for (const au of s.held) queue.push({ s, au, t: au.dts / s.timescale });
      queue.sort((a, b) => a.t - b.t);
      for (const q of queue) send(q.s, q.au);
      for (const s of list) s.held = [];
    }

    function report(): void {
      const st = demux.stats;
      ctx.reportStatus({
        frames: aus,
        ccErrors: st.ccErrors,
        pesDropped: st.droppedPes + corruptDropped,
        pesDamaged: corruptKept,
        bytesSkipped: st.bytesSkipped,
        discontinuities: [...clocks.values()].reduce((n, c) => n + c.discontinuities, 0),
      });
    }

    function finish(): void {
      demux.flush();
      for (const s of streams.values()) {
        const au = s.nal?.flush();
        if (au) deliver(s, au);
      }
      maybeDeclare(true);
      if (!declaredAll) {
        const st = demux.stats;
        const what = !demux.programs.size
          ? `no MPEG-2 TS program found (no PAT/PMT${st.packets ? ` in ${st.packets} packets` : ''}${st.bytesSkipped ? `, ${st.bytesSkipped} bytes without packet sync` : ''})`
          : !streams.size
            ? `no supported stream (H.264, H.265, AAC) in its programs`
            : `no stream sent usable data`;
        throw new GraphError('CORRUPT_INPUT', `m2tsdmx: "${srcName()}": ${what}`, { url: srcName() });
      }
      for (const o of ctx.outputs) o.setEos();
      ended = true;
      const st = demux.stats;
      const disc = [...clocks.values()].reduce((n, c) => n + c.discontinuities, 0);
      if (
        st.ccErrors ||
        st.droppedPes ||
        st.corruptPes ||
        st.bytesSkipped ||
        st.pesOverruns ||
        st.badSections ||
        disc
      )
        ctx.log.warn(
          `${srcName()}: ${st.ccErrors} continuity errors, ${corruptKept} damaged video frames kept, ${st.droppedPes + corruptDropped} PES dropped, ${st.pesOverruns} PES overruns, ${st.badSections} bad sections, ${st.bytesSkipped} bytes skipped, ${disc} timestamp discontinuities`,
        );
    }

    return {
      configurePid(pid, status) {
        if (status === 'new') input = pid;
      },
      process() {
        if (ended) return 'eos';
        const inp = input ?? ctx.inputs[0];
        if (!inp) return 'not-ready';
        let took = 0;
        for (;;) {
          if (ctx.outputs.some((o) => o.wouldBlock)) break;
          const p = inp.take();
          if (!p) break;
          took++;
          demux.push(p.data);
          maybeDeclare(false);
          if (took >= 64) break;
        }
        if (took) report();
        if (inp.eos && !inp.peek()) {
          finish();
          report();
          return 'eos';
        }
        return took ? 'ok' : 'not-ready';
      },
    };
  },
});

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
