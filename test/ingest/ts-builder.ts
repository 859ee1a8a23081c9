/**
 * Hand-made transport stream packets for the unit tests: PSI sections with their CRC, PES packets cut
 * into TS packets, with the continuity counters a muxer would write.
 */
import { crc32Mpeg2 } from '../../src/media/ts/index.js';

export function section(tableId: number, ext: number, body: number[], version = 0): Uint8Array {
  const len = 5 + body.length + 4;
  const s = [
    tableId,
    0xb0 | (len >> 8),
    len & 0xff,
    ext >> 8,
    ext & 0xff,
    0xc1 | (version << 1),
    0,
    0,
    ...body,
  ];
  const crc = crc32Mpeg2(Uint8Array.from(s));
  return Uint8Array.from([...s, crc >>> 24, (crc >> 16) & 0xff, (crc >> 8) & 0xff, crc & 0xff]);
}

export function pat(programs: [number, number][]): Uint8Array {
  return section(
    0,
    1,
    programs.flatMap(([n, pid]) => [n >> 8, n & 0xff, 0xe0 | (pid >> 8), pid & 0xff]),
  );
}

export function pmt(
  program: number,
  pcrPid: number,
  streams: [number, number, string?][],
  version = 0,
): Uint8Array {
  const body = [0xe0 | (pcrPid >> 8), pcrPid & 0xff, 0xf0, 0];
  for (const [type, pid, lang] of streams) {
    const desc = lang ? [0x0a, 4, ...[...lang].map((c) => c.charCodeAt(0)), 0] : [];
    body.push(type, 0xe0 | (pid >> 8), pid & 0xff, 0xf0, desc.length, ...desc);
  }
  return section(2, program, body, version);
}

export class Muxer {
  private readonly cc = new Map<number, number>();
  readonly packets: Uint8Array[] = [];

  private header(pid: number, pusi: boolean, payload: boolean, af?: number[]): number[] {
    const c = this.cc.get(pid) ?? 0;
    if (payload) this.cc.set(pid, (c + 1) & 15);
    const afc = (af ? 2 : 0) | (payload ? 1 : 0);
    return [0x47, (pusi ? 0x40 : 0) | (pid >> 8), pid & 0xff, (afc << 4) | c];
  }

  /** A PSI section in packets (pointer field 0, 0xFF stuffing). */
  psi(pid: number, s: Uint8Array): this {
    const bytes = [0, ...s];
    for (let i = 0; i < bytes.length; i += 184) {
      const chunk = bytes.slice(i, i + 184);
      const p = [...this.header(pid, i === 0, true), ...chunk];
      while (p.length < 188) p.push(0xff);
      this.packets.push(Uint8Array.from(p));
    }
    return this;
  }

  /** A PES packet in TS packets; `pcr` (27 MHz) goes into the first packet's adaptation field. */
  pes(
    pid: number,
    streamId: number,
    data: Uint8Array,
    pts?: number,
    dts?: number,
    opts: { bounded?: boolean; pcr?: number; rai?: boolean } = {},
  ): this {
    const hdr: number[] = [];
    if (pts !== undefined) {
      const flag = dts !== undefined ? 3 : 2;
      hdr.push(...ts(flag === 3 ? 3 : 2, pts));
      if (dts !== undefined) hdr.push(...ts(1, dts));
    }
    const optional = [0x80, pts === undefined ? 0 : dts !== undefined ? 0xc0 : 0x80, hdr.length, ...hdr];
    const len = opts.bounded ? optional.length + data.length : 0;
    const pes = [0, 0, 1, streamId, len >> 8, len & 0xff, ...optional, ...data];
    let first = true;
    for (let i = 0; i < pes.length;) {
      let af: number[] | undefined;
      if (first && (opts.pcr !== undefined || opts.rai)) {
        af = [(opts.rai ? 0x40 : 0) | (opts.pcr !== undefined ? 0x10 : 0)];
        if (opts.pcr !== undefined) {
          const base = Math.floor(opts.pcr / 300);
          const ext = opts.pcr % 300;
          af.push(
            Math.floor(base / 2 ** 25) & 0xff,
            (base >>> 17) & 0xff,
            (base >>> 9) & 0xff,
            (base >>> 1) & 0xff,
            ((base & 1) << 7) | 0x7e | (ext >> 8),
            ext & 0xff,
          );
        }
      }
      const room = 184 - (af ? 1 + af.length : 0);
      const take = Math.min(room, pes.length - i);
      if (take < room) {
        // Stuffing through the adaptation field: its length byte, flags, 0xFF bytes.
        const afLen = 183 - take;
        const body = af ?? (afLen > 0 ? [0] : []);
        while (body.length < afLen) body.push(0xff);
        af = body;
      }
      const h = this.header(pid, first, true, af);
      const afBytes = af ? [af.length, ...af] : [];
      this.packets.push(Uint8Array.from([...h, ...afBytes, ...pes.slice(i, i + take)]));
      i += take;
      first = false;
    }
    return this;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.packets.length * 188);
    this.packets.forEach((p, i) => out.set(p, i * 188));
    return out;
  }
}

function ts(prefix: number, v: number): number[] {
  return [
    (prefix << 4) | ((Math.floor(v / 2 ** 30) & 7) << 1) | 1,
    (v >>> 22) & 0xff,
    (((v >>> 15) & 0x7f) << 1) | 1,
    (v >>> 7) & 0xff,
    ((v & 0x7f) << 1) | 1,
  ];
}
