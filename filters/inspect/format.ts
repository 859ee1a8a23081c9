/**
 * How inspect prints PIDs, packets and per-PID summaries, as GPAC-like text lines or JSON lines.
 */
import type { Fraction, InputPid, Packet, PropValue } from '../../src/index.js';

export interface PidStats {
  /** 1-based, in the order PIDs reached inspect. */
  index: number;
  name: string;
  timescale: number | undefined;
  packets: number;
  bytes: number;
  /** Sum of packet durations, timescale units. */
  duration: number;
  firstDts: number | undefined;
  lastDts: number | undefined;
  firstCts: number | undefined;
  minCts: number | undefined;
  maxCtsEnd: number | undefined;
  saps: number;
}

function isFraction(v: PropValue): v is Fraction {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && 'num' in v;
}

function hex(d: Uint8Array): string {
  return Buffer.from(d.buffer, d.byteOffset, d.byteLength).toString('hex');
}

/** Binary values longer than this are shown by their size only. */
const MAX_HEX_BYTES = 256;

function textValue(v: PropValue): string {
  if (v instanceof Uint8Array) return v.length <= MAX_HEX_BYTES ? `0x${hex(v)}` : `${v.length}bytes`;
  if (isFraction(v)) return v.den === 1 ? String(v.num) : `${v.num}/${v.den}`;
  if (Array.isArray(v)) return v.join(',');
  const s = String(v);
  return /\s/.test(s) ? JSON.stringify(s) : s;
}

function jsonValue(v: PropValue): unknown {
  if (v instanceof Uint8Array) return v.length <= MAX_HEX_BYTES ? hex(v) : { size: v.length };
  return v;
}

function propEntries(pid: InputPid): [string, PropValue][] {
  return Object.entries(pid.props).filter((e): e is [string, PropValue] => e[1] !== undefined);
}

export function pidText(pid: InputPid, st: PidStats, update: boolean): string {
  const props = propEntries(pid)
    .map(([k, v]) => `${k}=${textValue(v)}`)
    .join(' ');
  return `PID ${st.index} ${pid.name}${update ? ' (update)' : ''}: ${props}`;
}

export function pidJson(pid: InputPid, st: PidStats, update: boolean): string {
  const o: Record<string, unknown> = { type: 'pid', pid: st.index, name: pid.name, producer: pid.producer };
  if (update) o.update = true;
  for (const [k, v] of propEntries(pid)) o[k] = jsonValue(v);
  return JSON.stringify(o);
}

export function packetText(st: PidStats, p: Packet): string {
  return `PID ${st.index} pck ${st.packets} dts ${p.dts ?? 'N/A'} cts ${p.cts ?? 'N/A'} dur ${p.duration ?? 'N/A'} sap ${p.sap} size ${p.data.length}`;
}

export function packetJson(st: PidStats, p: Packet): string {
  const o: Record<string, unknown> = {
    type: 'packet',
    pid: st.index,
    n: st.packets,
    dts: p.dts ?? null,
    cts: p.cts ?? null,
    duration: p.duration ?? null,
    sap: p.sap,
    size: p.data.length,
  };
  if (p.byteOffset !== undefined) o.byteOffset = p.byteOffset;
  return JSON.stringify(o);
}

export function summaryObject(st: PidStats, complete: boolean): Record<string, unknown> {
  const ts = st.timescale;
  const seconds = (v: number | undefined) => (v === undefined || !ts ? null : v / ts);
  return {
    type: 'summary',
    pid: st.index,
    name: st.name,
    packets: st.packets,
    bytes: st.bytes,
    saps: st.saps,
    timescale: ts ?? null,
    duration: seconds(st.duration),
    durationUnits: st.duration,
    firstDts: st.firstDts ?? null,
    lastDts: st.lastDts ?? null,
    firstCts: st.firstCts ?? null,
    minCts: st.minCts ?? null,
    maxCtsEnd: st.maxCtsEnd ?? null,
    complete,
  };
}

export function summaryText(st: PidStats, complete: boolean): string {
  const s = summaryObject(st, complete);
  const dur = s.duration === null ? 'N/A' : `${s.duration as number}s`;
  return `PID ${st.index} ${st.name} summary: packets ${st.packets} bytes ${st.bytes} saps ${st.saps} duration ${dur} (${st.duration} units) first_dts ${st.firstDts ?? 'N/A'} last_dts ${st.lastDts ?? 'N/A'}${complete ? '' : ' (incomplete)'}`;
}

export function newStats(index: number, pid: InputPid): PidStats {
  const ts = pid.props.Timescale;
  return {
    index,
    name: pid.name,
    timescale: typeof ts === 'number' ? ts : undefined,
    packets: 0,
    bytes: 0,
    duration: 0,
    firstDts: undefined,
    lastDts: undefined,
    firstCts: undefined,
    minCts: undefined,
    maxCtsEnd: undefined,
    saps: 0,
  };
}

/** Account one packet in `st`. */
export function countPacket(st: PidStats, p: Packet): void {
  st.packets++;
  st.bytes += p.data.length;
  st.duration += p.duration ?? 0;
  if (p.sap > 0) st.saps++;
  if (p.dts !== undefined) {
    st.firstDts ??= p.dts;
    st.lastDts = p.dts;
  }
  const cts = p.cts ?? p.dts;
  if (cts !== undefined) {
    st.firstCts ??= cts;
    st.minCts = st.minCts === undefined ? cts : Math.min(st.minCts, cts);
    const end = cts + (p.duration ?? 0);
    st.maxCtsEnd = st.maxCtsEnd === undefined ? end : Math.max(st.maxCtsEnd, end);
  }
}
