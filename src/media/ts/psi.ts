/**
 * Program specific information (ISO/IEC 13818-1 2.4.4): sections reassembled from the packets of one
 * PID (pointer_field, sections spanning packets, several sections in a packet), the CRC_32 of Annex A,
 * the program association table (PAT) and the program map table (PMT).
 */

/** CRC-32/MPEG-2 (polynomial 0x04C11DB7, no reflection, initial value 0xFFFFFFFF, no final xor). */
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    t[i] = c >>> 0;
  }
  return t;
})();

export function crc32Mpeg2(data: Uint8Array, start = 0, end = data.length): number {
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ data[i]!) & 0xff]!) >>> 0;
  return crc >>> 0;
}

export interface Section {
  tableId: number;
  /** The whole section, from table_id to the CRC included. */
  data: Uint8Array;
}

export type SectionError = 'crc' | 'length' | 'continuity';

/**
 * Reassembles the sections of one PID. `push` takes the payload of each packet; complete sections with a
 * valid CRC come out, bad ones are reported to `onError` and skipped.
 */
export class SectionAssembler {
  private buf: Uint8Array | undefined;
  private have = 0;

  constructor(private readonly onError: (e: SectionError) => void = () => {}) {}

  /** A continuity error: the section in progress is lost. */
  reset(): void {
    if (this.buf) this.onError('continuity');
    this.buf = undefined;
    this.have = 0;
  }

  push(payload: Uint8Array, pusi: boolean): Section[] {
    const out: Section[] = [];
    if (!pusi) {
      if (this.buf) this.append(payload, out);
      return out;
    }
    const pointer = payload[0] ?? 0;
    // The bytes before the pointer end the section in progress.
    if (this.buf) this.append(payload.subarray(1, Math.min(payload.length, 1 + pointer)), out);
    this.buf = undefined;
    this.have = 0;
    let pos = 1 + pointer;
    // New sections start here, back to back until stuffing (0xFF).
    while (pos < payload.length && payload[pos] !== 0xff) {
      if (pos + 3 > payload.length) break; // a header cut by the packet end: lost (never happens in practice)
      const len = 3 + (((payload[pos + 1]! & 0x0f) << 8) | payload[pos + 2]!);
      if (len > 1024) {
        // Longer than any PSI section may be (2.4.4.4): garbage.
        this.onError('length');
        return out;
      }
      const section = new Uint8Array(len);
      const n = Math.min(len, payload.length - pos);
      section.set(payload.subarray(pos, pos + n));
      pos += n;
      if (n === len) this.finish(section, out);
      else {
        this.buf = section;
        this.have = n;
      }
    }
    return out;
  }

  private append(bytes: Uint8Array, out: Section[]): void {
    const buf = this.buf!;
    const n = Math.min(bytes.length, buf.length - this.have);
    buf.set(bytes.subarray(0, n), this.have);
    this.have += n;
    if (this.have === buf.length) {
      this.buf = undefined;
      this.have = 0;
      this.finish(buf, out);
    }
  }

  private finish(section: Uint8Array, out: Section[]): void {
    const syntax = (section[1]! & 0x80) !== 0;
    if (syntax) {
      if (section.length < 12) return this.onError('length');
      if (crc32Mpeg2(section) !== 0) return this.onError('crc');
    }
    out.push({ tableId: section[0]!, data: section });
  }
}

export interface PatEntry {
  programNumber: number;
  pmtPid: number;
}

export interface TableHeader {
  tableIdExtension: number;
  version: number;
  currentNext: boolean;
}

function header(s: Uint8Array): TableHeader {
  return {
    tableIdExtension: (s[3]! << 8) | s[4]!,
    version: (s[5]! >> 1) & 0x1f,
    currentNext: (s[5]! & 1) === 1,
  };
}

/** Program association section (table_id 0): program number → PMT PID (program 0 is the NIT). */
export function parsePat(s: Uint8Array): TableHeader & { programs: PatEntry[] } {
  const programs: PatEntry[] = [];
  for (let i = 8; i + 4 <= s.length - 4; i += 4) {
    const programNumber = (s[i]! << 8) | s[i + 1]!;
    const pid = ((s[i + 2]! & 0x1f) << 8) | s[i + 3]!;
    if (programNumber !== 0) programs.push({ programNumber, pmtPid: pid });
  }
  return { ...header(s), programs };
}

export interface PmtStream {
  streamType: number;
  pid: number;
  /** ISO 639 language from the ISO_639_language_descriptor (tag 0x0A), when present. */
  language?: string;
  /** registration_descriptor (tag 0x05) format identifier, e.g. `HEVC`, `AC-3`. */
  registration?: string;
  /** Descriptor tags present in the ES_info loop. */
  descriptorTags: number[];
}

export interface Pmt extends TableHeader {
  programNumber: number;
  pcrPid: number;
  streams: PmtStream[];
}

/** Program map section (table_id 2). */
export function parsePmt(s: Uint8Array): Pmt {
  const h = header(s);
  const end = s.length - 4;
  const pcrPid = ((s[8]! & 0x1f) << 8) | s[9]!;
  const programInfoLength = ((s[10]! & 0x0f) << 8) | s[11]!;
  const streams: PmtStream[] = [];
  let i = 12 + programInfoLength;
  while (i + 5 <= end) {
    const streamType = s[i]!;
    const pid = ((s[i + 1]! & 0x1f) << 8) | s[i + 2]!;
    const esInfoLength = ((s[i + 3]! & 0x0f) << 8) | s[i + 4]!;
    const st: PmtStream = { streamType, pid, descriptorTags: [] };
    let d = i + 5;
    const dEnd = Math.min(end, d + esInfoLength);
    while (d + 2 <= dEnd) {
      const tag = s[d]!;
      const len = s[d + 1]!;
      const body = s.subarray(d + 2, Math.min(dEnd, d + 2 + len));
      st.descriptorTags.push(tag);
      if (tag === 0x0a && body.length >= 3) {
        const lang = String.fromCharCode(body[0]!, body[1]!, body[2]!);
        if (/^[a-zA-Z]{3}$/.test(lang)) st.language = lang.toLowerCase();
      } else if (tag === 0x05 && body.length >= 4) {
        st.registration = String.fromCharCode(body[0]!, body[1]!, body[2]!, body[3]!);
      }
      d += 2 + len;
    }
    streams.push(st);
    i += 5 + esInfoLength;
  }
  return { ...h, programNumber: h.tableIdExtension, pcrPid, streams };
}
