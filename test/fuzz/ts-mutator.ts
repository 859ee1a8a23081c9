/**
 * Structure-aware mutations of MPEG-2 transport streams (188-byte packets): truncation, garbage between or
 * instead of packets, lost sync, wrong continuity counters (lost, repeated, reordered packets), PES
 * headers with lengths past the packet or a broken PTS/DTS, adaptation fields longer than the packet, PAT
 * and PMT sections rewritten with a valid CRC (a PMT pointing at PIDs that carry nothing, wrong stream
 * types, a PAT pointing at a missing PMT, lengths past the section) and corrupt elementary stream headers
 * (ADTS, LOAS/LATM, H.264/H.265 parameter sets).
 */
import { crc32Mpeg2 } from '../../src/media/ts/index.js';
import type { Mutator, Step } from './mutator.js';
import type { Rng } from './prng.js';

const SIZE = 188;

interface Packet {
  index: number;
  at: number;
  pid: number;
  start: boolean;
  /** Offset of the payload (after the adaptation field), or -1 without one. */
  payload: number;
}

function packets(d: Uint8Array): Packet[] {
  const out: Packet[] = [];
  for (let at = 0, index = 0; at + SIZE <= d.length; at += SIZE, index++) {
    if (d[at] !== 0x47) continue;
    const pid = ((d[at + 1]! & 0x1f) << 8) | d[at + 2]!;
    const afc = (d[at + 3]! >> 4) & 3;
    let payload = -1;
    if (afc & 1) payload = afc & 2 ? at + 5 + d[at + 4]! : at + 4;
    if (payload >= at + SIZE) payload = -1;
    out.push({ index, at, pid, start: (d[at + 1]! & 0x40) !== 0, payload });
  }
  return out;
}

/** PIDs of the PMTs the PAT names, and the elementary PIDs the PMTs name. */
function tables(d: Uint8Array, all: Packet[]): { pmtPids: Set<number>; esPids: Set<number> } {
  const pmtPids = new Set<number>();
  const esPids = new Set<number>();
  for (const p of all.filter((x) => x.pid === 0 && x.start && x.payload >= 0)) {
    const s = p.payload + 1 + d[p.payload]!;
    const len = ((d[s + 1]! & 0x0f) << 8) | d[s + 2]!;
    for (let q = s + 8; q + 4 <= s + 3 + len - 4 && q + 4 <= p.at + SIZE; q += 4)
      if ((d[q]! << 8) | d[q + 1]!) pmtPids.add(((d[q + 2]! & 0x1f) << 8) | d[q + 3]!);
  }
  for (const p of all.filter((x) => pmtPids.has(x.pid) && x.start && x.payload >= 0)) {
    const s = p.payload + 1 + d[p.payload]!;
    const len = ((d[s + 1]! & 0x0f) << 8) | d[s + 2]!;
    const info = ((d[s + 10]! & 0x0f) << 8) | d[s + 11]!;
    for (let q = s + 12 + info; q + 5 <= s + 3 + len - 4 && q + 5 <= p.at + SIZE;) {
      esPids.add(((d[q + 1]! & 0x1f) << 8) | d[q + 2]!);
      q += 5 + (((d[q + 3]! & 0x0f) << 8) | d[q + 4]!);
    }
  }
  return { pmtPids, esPids };
}

/** Recomputes the CRC of the section starting at `s` (so a rewritten table is still accepted). */
function fixCrc(d: Uint8Array, s: number, limit: number): void {
  const len = ((d[s + 1]! & 0x0f) << 8) | d[s + 2]!;
  const end = s + 3 + len;
  if (len < 4 || end > limit) return;
  const crc = crc32Mpeg2(d, s, end - 4);
  d[end - 4] = crc >>> 24;
  d[end - 3] = (crc >>> 16) & 0xff;
  d[end - 2] = (crc >>> 8) & 0xff;
  d[end - 1] = crc & 0xff;
}

type Op = (d: Uint8Array, all: Packet[], rng: Rng) => Step | undefined;

const copy = (d: Uint8Array) => Uint8Array.from(d);

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const truncate: Op = (d, all, rng) => {
  const p = rng.pick(all);
  const cut = rng.chance(0.5) ? p.at : p.at + rng.range(1, SIZE - 1);
  if (cut <= 0) return undefined;
  return { bytes: d.slice(0, cut), step: `truncate at ${cut} (packet ${p.index})` };
};

const garbage: Op = (d, all, rng) => {
  const p = rng.pick(all);
  const n = rng.pick([1, 7, 100, 187, 188, 189, 1000]);
  const junk = Uint8Array.from({ length: n }, () => (rng.chance(0.05) ? 0x47 : rng.int(256)));
  if (rng.chance(0.4)) {
    const out = copy(d);
    out.set(junk.subarray(0, SIZE), p.at);
    return { bytes: out, step: `packet ${p.index} replaced by garbage` };
  }
  return {
    bytes: concat(d.subarray(0, p.at), junk, d.subarray(p.at)),
    step: `${n} garbage bytes before packet ${p.index}`,
  };
};

const sync: Op = (d, all, rng) => {
  const p = rng.pick(all);
  const out = copy(d);
  out[p.at] = rng.pick([0x00, 0x46, 0xff, 0x48]);
  return { bytes: out, step: `sync byte of packet ${p.index} → 0x${out[p.at]!.toString(16)}` };
};

const continuity: Op = (d, all, rng) => {
  const p = rng.pick(all.filter((x) => x.pid !== 0x1fff));
  const what = rng.int(4);
  if (what === 0) {
    const out = copy(d);
    const old = out[p.at + 3]! & 0x0f;
    const v = (old + rng.range(1, 15)) & 0x0f;
    out[p.at + 3] = (out[p.at + 3]! & 0xf0) | v;
    return { bytes: out, step: `continuity counter of packet ${p.index} (PID ${p.pid}) ${old} → ${v}` };
  }
  if (what === 1) {
    const n = rng.range(1, 20);
    return {
      bytes: concat(d.subarray(0, p.at), d.subarray(Math.min(d.length, p.at + n * SIZE))),
      step: `${n} packets lost from packet ${p.index}`,
    };
  }
  if (what === 2) {
    return {
      bytes: concat(d.subarray(0, p.at + SIZE), d.subarray(p.at, p.at + SIZE), d.subarray(p.at + SIZE)),
      step: `packet ${p.index} repeated`,
    };
  }
  const q = p.at + SIZE;
  if (q + SIZE > d.length) return undefined;
  const out = copy(d);
  out.set(d.subarray(q, q + SIZE), p.at);
  out.set(d.subarray(p.at, q), q);
  return { bytes: out, step: `packets ${p.index} and ${p.index + 1} swapped` };
};

const pes: Op = (d, all, rng) => {
  const starts = all.filter(
    (x) =>
      x.start &&
      x.payload >= 0 &&
      x.payload + 14 <= x.at + SIZE &&
      d[x.payload] === 0 &&
      d[x.payload + 1] === 0 &&
      d[x.payload + 2] === 1,
  );
  if (!starts.length) return undefined;
  const p = rng.pick(starts);
  const out = copy(d);
  const h = p.payload;
  const what = rng.int(5);
  if (what === 0) {
    const v = rng.pick([1, 7, 0xffff, 0xfff0, 200, rng.int(0x10000)]);
    out[h + 4] = v >> 8;
    out[h + 5] = v & 0xff;
    return { bytes: out, step: `PES_packet_length of packet ${p.index} (PID ${p.pid}) → ${v}` };
  }
  if (what === 1) {
    const v = rng.pick([0xff, 200, 180, 10, 0]);
    out[h + 8] = v;
    return { bytes: out, step: `PES_header_data_length of packet ${p.index} → ${v}` };
  }
  if (what === 2) {
    // PTS (and DTS) bytes: random, or DTS after PTS.
    for (let k = 9; k < 19 && h + k < p.at + SIZE; k++) if (rng.chance(0.4)) out[h + k] = rng.int(256);
    return { bytes: out, step: `PTS/DTS bytes of packet ${p.index} (PID ${p.pid})` };
  }
  if (what === 3) {
    out[h + 7] = rng.pick([0x00, 0x40, 0xc0, 0xff, 0x80]);
    return { bytes: out, step: `PTS_DTS_flags of packet ${p.index} → 0x${out[h + 7]!.toString(16)}` };
  }
  out[h + 3] = rng.pick([0xe0, 0xc0, 0xbd, 0xbe, 0xff, 0x00]);
  return { bytes: out, step: `stream_id of packet ${p.index} → 0x${out[h + 3]!.toString(16)}` };
};

const adaptation: Op = (d, all, rng) => {
  const p = rng.pick(all);
  const out = copy(d);
  if (rng.chance(0.5)) {
    const afc = rng.pick([0, 1, 2, 3]);
    out[p.at + 3] = (out[p.at + 3]! & 0xcf) | (afc << 4);
    if (afc & 2) out[p.at + 4] = rng.pick([0, 1, 183, 184, 200, 255]);
    return {
      bytes: out,
      step: `adaptation_field_control of packet ${p.index} → ${afc} (length ${out[p.at + 4]})`,
    };
  }
  out[p.at + 1] = out[p.at + 1]! ^ rng.pick([0x80, 0x40, 0x20]); // TEI, PUSI, priority
  return { bytes: out, step: `header bits of packet ${p.index}` };
};

const psi: Op = (d, all, rng) => {
  const { pmtPids, esPids } = tables(d, all);
  const sections = all.filter((x) => (x.pid === 0 || pmtPids.has(x.pid)) && x.start && x.payload >= 0);
  if (!sections.length) return undefined;
  const p = rng.pick(sections);
  const out = copy(d);
  const s = p.payload + 1 + out[p.payload]!;
  if (s + 16 > p.at + SIZE) return undefined;
  const limit = p.at + SIZE;
  const len = ((out[s + 1]! & 0x0f) << 8) | out[s + 2]!;
  const what = rng.int(5);
  let step: string;
  if (what === 0) {
    const v = rng.pick([0, 5, 9, 0x3fd, 0xfff, len + 4, len - 4]) & 0xfff;
    out[s + 1] = (out[s + 1]! & 0xf0) | (v >> 8);
    out[s + 2] = v & 0xff;
    step = `section_length (PID ${p.pid}) ${len} → ${v}`;
  } else if (p.pid === 0) {
    // The PAT names a PMT PID that carries nothing (or the NIT, or PID 0).
    const v = rng.pick([0x1ffe, 0x10, 0, 0x1fff, rng.range(0x20, 0x1ffe)]);
    out[s + 10] = 0xe0 | (v >> 8);
    out[s + 11] = v & 0xff;
    step = `PAT: program_map_PID → ${v}`;
  } else {
    const info = ((out[s + 10]! & 0x0f) << 8) | out[s + 11]!;
    const q = s + 12 + info;
    if (what === 1 || q + 5 > limit) {
      const v = rng.pick([0xfff, 200, info + 5]);
      out[s + 10] = (out[s + 10]! & 0xf0) | (v >> 8);
      out[s + 11] = v & 0xff;
      step = `PMT: program_info_length ${info} → ${v}`;
    } else if (what === 2) {
      const used = new Set([...esPids, ...all.map((x) => x.pid)]);
      let v = rng.range(0x20, 0x1ffe);
      while (used.has(v)) v = rng.range(0x20, 0x1ffe);
      out[q + 1] = 0xe0 | (v >> 8);
      out[q + 2] = v & 0xff;
      step = `PMT: elementary_PID → ${v} (a PID that carries nothing)`;
    } else if (what === 3) {
      const v = rng.pick([0x1b, 0x24, 0x0f, 0x11, 0x06, 0x03, 0x02, 0x81, 0x00, 0xff]);
      out[q] = v;
      step = `PMT: stream_type ${d[q]} → ${v}`;
    } else {
      const v = rng.pick([0xfff, 100, 3]);
      out[q + 3] = 0xf0 | (v >> 8);
      out[q + 4] = v & 0xff;
      step = `PMT: ES_info_length → ${v}`;
    }
  }
  if (rng.chance(0.85)) fixCrc(out, s, limit);
  else step += ' (CRC left wrong)';
  return { bytes: out, step };
};

const elementary: Op = (d, all, rng) => {
  // A byte of an elementary stream's first bytes: ADTS header, NAL header, parameter sets.
  const starts = all.filter((x) => x.start && x.payload >= 0 && d[x.payload] === 0 && d[x.payload + 2] === 1);
  if (!starts.length) return undefined;
  const p = rng.pick(starts);
  const es = p.payload + 9 + d[p.payload + 8]!;
  if (es >= p.at + SIZE) return undefined;
  const at = es + rng.int(Math.min(40, p.at + SIZE - es));
  const out = copy(d);
  const old = out[at]!;
  out[at] = rng.chance(0.5) ? old ^ (1 << rng.int(8)) : rng.int(256);
  return {
    bytes: out,
    step: `elementary byte ${at - es} of packet ${p.index} (PID ${p.pid}) 0x${old.toString(16)} → 0x${out[at]!.toString(16)}`,
  };
};

const pid: Op = (d, all, rng) => {
  const p = rng.pick(all);
  const out = copy(d);
  const v = rng.pick([0, 0x1fff, 0x11, rng.int(0x2000), ...all.slice(0, 50).map((x) => x.pid)]);
  out[p.at + 1] = (out[p.at + 1]! & 0xe0) | (v >> 8);
  out[p.at + 2] = v & 0xff;
  return { bytes: out, step: `PID of packet ${p.index} ${p.pid} → ${v}` };
};

const OPS: readonly (readonly [Op, number])[] = [
  [truncate, 10],
  [garbage, 8],
  [sync, 4],
  [continuity, 12],
  [pes, 14],
  [adaptation, 8],
  [psi, 16],
  [elementary, 10],
  [pid, 6],
];

export const tsMutator: Mutator = {
  format: 'ts',
  mutate(bytes, rng) {
    const all = packets(bytes);
    if (!all.length) {
      if (bytes.length < 2) return undefined;
      const at = rng.int(bytes.length);
      return { bytes: bytes.slice(0, at || 1), step: `truncate at ${at || 1}` };
    }
    return rng.weighted(OPS)(bytes, all, rng);
  },
};
