/**
 * A transport stream demultiplexer (ISO/IEC 13818-1) as a pure push parser: bytes in, in any chunking;
 * programs (PAT/PMT), PCRs and reassembled PES packets out through callbacks, in stream order. It never
 * throws on bad input: lost sync, continuity errors, corrupt sections and PES packets are counted in
 * `stats` (and reported to `onIssue`), and what they spoil is dropped.
 */
import { NULL_PID, PAT_PID, parseTsPacket, TS_PACKET_SIZE } from './packet.js';
import type { TsPacket } from './packet.js';
import type { PesHeader } from './pes.js';
import { parsePesHeader } from './pes.js';
import type { Pmt, PmtStream } from './psi.js';
import { parsePat, parsePmt, SectionAssembler } from './psi.js';

export interface Program {
  number: number;
  pmtPid: number;
  pcrPid: number;
  streams: PmtStream[];
  /** The PMT section bytes the streams were read from (a changed PMT is noticed even at the same version). */
  pmtBytes?: Uint8Array;
}

export interface PesPacket {
  pid: number;
  program: number;
  streamType: number;
  header: PesHeader;
  /** The elementary stream bytes (after the PES header). */
  data: Uint8Array;
  /** random_access_indicator of the packet the PES started in. */
  randomAccess: boolean;
  /**
   * Packets of it were lost (continuity error, transport error) or it ended before its declared length:
   * the bytes that came, in order, with a hole. Its timing is right; whether to use it is the receiver's
   * call (a video frame kept keeps the timeline whole: the decoder conceals the damage).
   */
  corrupt?: boolean;
}

export interface DemuxStats {
  packets: number;
  /** Bytes skipped to find the sync again (garbage, truncated packets). */
  bytesSkipped: number;
  syncLosses: number;
  /** Packets whose continuity counter skipped: packets were lost (or the source restarted). */
  ccErrors: number;
  /** Packets flagged corrupt by the transport (transport_error_indicator). */
  teiPackets: number;
  /** Sections with a bad CRC or length. */
  badSections: number;
  /** PES packets dropped: a bad header. */
  droppedPes: number;
  /** PES packets delivered with a hole (lost packets inside, or cut short before their length). */
  corruptPes: number;
  /** PES packets whose declared length ended inside a TS packet that carried more (extra bytes ignored). */
  pesOverruns: number;
}

export type DemuxIssue =
  | { kind: 'sync-lost'; at: number }
  | { kind: 'cc'; pid: number; expected: number; got: number }
  | { kind: 'section'; pid: number; error: string }
  | { kind: 'pes'; pid: number; error: string };

export interface DemuxEvents {
  /** A program's PMT was read for the first time, or changed. */
  onProgram?(program: Program, previous: Program | undefined): void;
  /** A PCR on a program's PCR PID (27 MHz). `discontinuity`: the adaptation field says the time base changed. */
  onPcr?(program: number, pcr: number, discontinuity: boolean): void;
  /** A PES packet of an elementary stream listed in a PMT started (its header is known, its data is not). */
  onPesStart?(pid: number, header: PesHeader): void;
  /** A complete PES packet. `data` is a fresh buffer the receiver may keep. */
  onPes?(pes: PesPacket): void;
  onIssue?(issue: DemuxIssue): void;
}

interface EsState {
  pid: number;
  program: number;
  streamType: number;
  chunks: Uint8Array[];
  size: number;
  header: PesHeader | undefined;
  /** Bytes of PES payload expected (PES_packet_length − header), 0 when unbounded. */
  expected: number;
  randomAccess: boolean;
  /** A packet of this PES was lost: drop it. */
  broken: boolean;
}

interface PidState {
  lastCc: number;
  /** Discontinuity indicator seen: the next counter may be anything. */
  ccFree: boolean;
}

export class TsDemuxer {
  readonly stats: DemuxStats = {
    packets: 0,
    bytesSkipped: 0,
    syncLosses: 0,
    ccErrors: 0,
    teiPackets: 0,
    badSections: 0,
    droppedPes: 0,
    corruptPes: 0,
    pesOverruns: 0,
  };
  /** Programs by number. */
  readonly programs = new Map<number, Program>();
  private readonly sections = new Map<number, SectionAssembler>();
  private readonly pmtPids = new Map<number, number>();
  private readonly es = new Map<number, EsState>();
  private readonly pidState = new Map<number, PidState>();
  private readonly pcrPrograms = new Map<number, number[]>();
  private carry: Uint8Array | undefined;
  private stride = 0;
  private offset = 0;
  /** Bytes of the next push that belong to the packet just read (the tail of a 192/204-byte stride). */
  private skipNext = 0;

  constructor(private readonly events: DemuxEvents = {}) {}

  /** Stream offset of the next byte pushed. */
  get position(): number {
    return this.offset;
  }

  /** Feed bytes (any chunking). */
  push(chunk: Uint8Array): void {
    let data = chunk;
    if (this.carry) {
      data = new Uint8Array(this.carry.length + chunk.length);
      data.set(this.carry);
      data.set(chunk, this.carry.length);
      this.carry = undefined;
    }
    const base = this.offset - (data.length - chunk.length);
    this.offset += chunk.length;
    let pos = Math.min(this.skipNext, data.length);
    this.skipNext -= pos;
    while (pos < data.length) {
      if (!this.stride) {
        const found = scanSync(data, pos);
        this.skip(found.offset - pos);
        pos = found.offset;
        if (!found.stride) break; // not enough bytes to confirm: wait for more
        this.stride = found.stride;
      }
      if (pos + TS_PACKET_SIZE > data.length) break;
      if (data[pos] !== 0x47) {
        this.stats.syncLosses++;
        this.events.onIssue?.({ kind: 'sync-lost', at: base + pos });
        this.stride = 0;
        continue;
      }
      this.packet(data, pos);
      pos += this.stride;
    }
    if (pos < data.length) this.carry = data.slice(pos);
    else this.skipNext = pos - data.length;
  }

  private skip(n: number): void {
    if (n > 0) this.stats.bytesSkipped += n;
  }

  /** End of input: complete the PES packets in progress (unbounded ones end here). */
  flush(): void {
    // The tail: packets too few to confirm the sync with three in a row are taken as they come.
    const tail = this.carry;
    this.carry = undefined;
    let pos = 0;
    const stride = this.stride || 188;
    while (tail && pos + TS_PACKET_SIZE <= tail.length && tail[pos] === 0x47) {
      this.packet(tail, pos);
      pos += stride;
    }
    if (tail && pos < tail.length) this.stats.bytesSkipped += tail.length - pos;
    for (const es of this.es.values()) this.completePes(es, true);
  }

  private packet(buf: Uint8Array, off: number): void {
    const p = parseTsPacket(buf, off);
    this.stats.packets++;
    if (!p) {
      this.stats.teiPackets++;
      return;
    }
    if (p.tei) {
      this.stats.teiPackets++;
      const es = this.es.get(p.pid);
      if (es) es.broken = true;
      return;
    }
    if (p.pid === NULL_PID) return;
    if (!this.continuity(p)) return;
    if (p.pcr !== undefined) {
      const progs = this.pcrPrograms.get(p.pid);
      if (progs) for (const n of progs) this.events.onPcr?.(n, p.pcr, p.discontinuity);
    }
    if (!p.hasPayload) return;
    const payload = buf.subarray(off + p.payloadOffset, off + TS_PACKET_SIZE);
    if (p.pid === PAT_PID) return this.psi(p, payload, (s) => this.pat(s));
    const pmtProgram = this.pmtPids.get(p.pid);
    if (pmtProgram !== undefined) return this.psi(p, payload, (s) => this.pmt(p.pid, s));
    const es = this.es.get(p.pid);
    if (es) this.pes(es, p, payload);
  }

  /** Continuity counter check (2.4.3.3). False for a duplicate packet (to be ignored). */
  private continuity(p: TsPacket): boolean {
    const st = this.pidState.get(p.pid);
    if (!st) {
      this.pidState.set(p.pid, { lastCc: p.cc, ccFree: false });
      return true;
    }
    if (!p.hasPayload) {
      // The counter does not move on packets without payload.
      if (p.discontinuity) st.ccFree = true;
      return true;
    }
    const expected = (st.lastCc + 1) & 0x0f;
    if (p.cc === expected || st.ccFree || p.discontinuity) {
      st.lastCc = p.cc;
      st.ccFree = false;
      return true;
    }
    if (p.cc === st.lastCc) return false; // a duplicate packet (sent twice on purpose)
    this.stats.ccErrors++;
    this.events.onIssue?.({ kind: 'cc', pid: p.pid, expected, got: p.cc });
    st.lastCc = p.cc;
    const es = this.es.get(p.pid);
    // Packets were lost. Inside a PES, it is broken. At the start of the next one (an encoder restart,
    // a splice), the PES in progress ends here: a bounded one is checked against its length, an
    // unbounded one (video) is taken as it is rather than lost whole.
    if (es?.header && !p.pusi) es.broken = true;
    this.sections.get(p.pid)?.reset();
    return true;
  }

  private psi(p: TsPacket, payload: Uint8Array, on: (s: Uint8Array) => void): void {
    let asm = this.sections.get(p.pid);
    if (!asm) {
      asm = new SectionAssembler((error) => {
        if (error !== 'continuity') this.stats.badSections++;
        this.events.onIssue?.({ kind: 'section', pid: p.pid, error });
      });
      this.sections.set(p.pid, asm);
    }
    for (const s of asm.push(payload, p.pusi)) on(s.data);
  }

  private pat(s: Uint8Array): void {
    if (s[0] !== 0x00) return;
    const pat = parsePat(s);
    if (!pat.currentNext) return;
    for (const e of pat.programs) {
      if (this.pmtPids.get(e.pmtPid) === e.programNumber) continue;
      this.pmtPids.set(e.pmtPid, e.programNumber);
    }
  }

  private pmt(pid: number, s: Uint8Array): void {
    if (s[0] !== 0x02) return;
    const prev = this.programs.get((s[3]! << 8) | s[4]!);
    if (prev?.pmtBytes && sameBytes(prev.pmtBytes, s)) return;
    let pmt: Pmt;
    try {
      pmt = parsePmt(s);
    } catch {
      this.stats.badSections++;
      return;
    }
    if (!pmt.currentNext) return;
    const program: Program = {
      number: pmt.programNumber,
      pmtPid: pid,
      pcrPid: pmt.pcrPid,
      streams: pmt.streams,
      pmtBytes: s,
    };
    this.programs.set(program.number, program);
    // Streams that left the program end here; new ones are tracked.
    if (prev)
      for (const old of prev.streams)
        if (!program.streams.some((x) => x.pid === old.pid)) {
          const es = this.es.get(old.pid);
          if (es) this.completePes(es, true);
          this.es.delete(old.pid);
        }
    for (const st of program.streams) {
      const cur = this.es.get(st.pid);
      if (cur && cur.streamType === st.streamType) continue;
      this.es.set(st.pid, {
        pid: st.pid,
        program: program.number,
        streamType: st.streamType,
        chunks: [],
        size: 0,
        header: undefined,
        expected: 0,
        randomAccess: false,
        broken: false,
      });
    }
    for (const [k, progs] of this.pcrPrograms) {
      const i = progs.indexOf(program.number);
      if (i >= 0) progs.splice(i, 1);
      if (!progs.length) this.pcrPrograms.delete(k);
    }
    if (program.pcrPid !== NULL_PID) {
      const list = this.pcrPrograms.get(program.pcrPid) ?? [];
      list.push(program.number);
      this.pcrPrograms.set(program.pcrPid, list);
    }
    this.events.onProgram?.(program, prev);
  }

  private pes(es: EsState, p: TsPacket, payload: Uint8Array): void {
    if (p.pusi) {
      if (es.header) this.completePes(es, true);
      const header = parsePesHeader(payload);
      if (!header) {
        this.dropPes(es, 'bad PES header');
        return;
      }
      es.header = header;
      es.broken = false;
      es.randomAccess = p.randomAccess;
      es.expected = header.packetLength ? header.packetLength + 6 - header.payloadOffset : 0;
      this.events.onPesStart?.(es.pid, header);
      payload = payload.subarray(header.payloadOffset);
    } else if (!es.header) return; // joined in the middle of a PES: wait for the next start
    if (es.expected) {
      const room = es.expected - es.size;
      if (payload.length > room) {
        this.stats.pesOverruns++;
        this.events.onIssue?.({ kind: 'pes', pid: es.pid, error: 'data past PES_packet_length ignored' });
        payload = payload.subarray(0, Math.max(0, room));
      }
    }
    if (payload.length) {
      es.chunks.push(payload.slice());
      es.size += payload.length;
    }
    if (es.expected && es.size >= es.expected) this.completePes(es, false);
  }

  private dropPes(es: EsState, error: string): void {
    this.stats.droppedPes++;
    this.events.onIssue?.({ kind: 'pes', pid: es.pid, error });
    this.resetPes(es);
  }

  private resetPes(es: EsState): void {
    es.chunks = [];
    es.size = 0;
    es.header = undefined;
    es.expected = 0;
    es.broken = false;
  }

  /** The PES in progress ends: `cut` when a new one starts (or input ends) before its declared length. */
  private completePes(es: EsState, cut: boolean): void {
    const header = es.header;
    if (!header) return;
    const short = cut && es.expected > 0 && es.size < es.expected;
    const corrupt = es.broken || short;
    if (corrupt) {
      this.stats.corruptPes++;
      this.events.onIssue?.({
        kind: 'pes',
        pid: es.pid,
        error: short ? `PES cut short (${es.size} of ${es.expected} bytes)` : 'packets lost inside the PES',
      });
    }
    const data = es.chunks.length === 1 ? es.chunks[0]! : concat(es.chunks, es.size);
    const pes: PesPacket = {
      pid: es.pid,
      program: es.program,
      streamType: es.streamType,
      header,
      data,
      randomAccess: es.randomAccess,
      ...(corrupt ? { corrupt } : {}),
    };
    this.resetPes(es);
    this.events.onPes?.(pes);
  }
}

/**
 * The first offset from `pos` where three sync bytes follow each other at a packet stride; `stride` is
 * undefined when the data ends before that can be told (the caller keeps the bytes from `offset` on).
 */
function scanSync(data: Uint8Array, pos: number): { offset: number; stride?: 188 | 192 | 204 } {
  for (let off = pos; off < data.length; off++) {
    if (data[off] !== 0x47) continue;
    if (off + 2 * 204 >= data.length) {
      // Too close to the end to try every stride: decide with what fits, or wait.
      for (const stride of [188, 192] as const)
        if (off + 2 * stride < data.length && data[off + stride] === 0x47 && data[off + 2 * stride] === 0x47)
          return { offset: off, stride };
      return { offset: off };
    }
    for (const stride of [188, 192, 204] as const)
      if (data[off + stride] === 0x47 && data[off + 2 * stride] === 0x47) return { offset: off, stride };
  }
  return { offset: data.length };
}

function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
