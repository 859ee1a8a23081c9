/**
 * MPEG-2 transport stream packets (ISO/IEC 13818-1 2.4.3.2, 2.4.3.4, 2.4.3.5): the 4-byte header, the
 * adaptation field (discontinuity and random access indicators, PCR) and where the payload starts.
 * Packets are 188 bytes; BDAV `.m2ts` files put a 4-byte timestamp before each (192), DVB-ASI captures may
 * append 16 Reed-Solomon bytes (204): `findSync` finds which.
 */

export const TS_PACKET_SIZE = 188;
export const SYNC_BYTE = 0x47;
/** PIDs with a fixed meaning. */
export const PAT_PID = 0x0000;
export const NULL_PID = 0x1fff;

export interface TsPacket {
  pid: number;
  /** payload_unit_start_indicator: a PES or a section starts in this packet. */
  pusi: boolean;
  /** transport_error_indicator: the packet is known to be corrupt. */
  tei: boolean;
  /** continuity_counter (0..15), incremented on packets with a payload. */
  cc: number;
  hasPayload: boolean;
  /** adaptation_field discontinuity_indicator (continuity counter and/or time base discontinuity). */
  discontinuity: boolean;
  /** adaptation_field random_access_indicator. */
  randomAccess: boolean;
  /** Program clock reference in 27 MHz units (base × 300 + extension), when present. */
  pcr?: number;
  /** Offset of the payload from the packet's first byte (188 when there is none). */
  payloadOffset: number;
}

/**
 * Parses the packet of 188 bytes at `off`. Returns undefined when the sync byte is missing or the
 * adaptation field claims more bytes than the packet holds (a corrupt packet).
 */
export function parseTsPacket(buf: Uint8Array, off: number): TsPacket | undefined {
  if (buf[off] !== SYNC_BYTE || off + TS_PACKET_SIZE > buf.length) return undefined;
  const b1 = buf[off + 1]!;
  const b3 = buf[off + 3]!;
  const afc = (b3 >> 4) & 0x3;
  const pkt: TsPacket = {
    pid: ((b1 & 0x1f) << 8) | buf[off + 2]!,
    pusi: (b1 & 0x40) !== 0,
    tei: (b1 & 0x80) !== 0,
    cc: b3 & 0x0f,
    hasPayload: (afc & 1) !== 0,
    discontinuity: false,
    randomAccess: false,
    payloadOffset: 4,
  };
  if (afc & 2) {
    const len = buf[off + 4]!;
    // 183 bytes at most with no payload, 182 with one (2.4.3.5).
    if (len > (pkt.hasPayload ? 182 : 183)) return undefined;
    pkt.payloadOffset = 5 + len;
    if (len > 0) {
      const flags = buf[off + 5]!;
      pkt.discontinuity = (flags & 0x80) !== 0;
      pkt.randomAccess = (flags & 0x40) !== 0;
      if (flags & 0x10 && len >= 7) {
        const p = off + 6;
        // 33-bit base in 90 kHz, 6 reserved bits, 9-bit extension in 27 MHz.
        const base =
          buf[p]! * 0x2000000 +
          ((buf[p + 1]! << 17) | (buf[p + 2]! << 9) | (buf[p + 3]! << 1)) +
          (buf[p + 4]! >> 7);
        const ext = ((buf[p + 4]! & 1) << 8) | buf[p + 5]!;
        pkt.pcr = base * 300 + ext;
      }
    }
  }
  if (!pkt.hasPayload) pkt.payloadOffset = TS_PACKET_SIZE;
  return pkt;
}

export interface SyncInfo {
  /** Offset of the first sync byte of a 188-byte packet. */
  offset: number;
  /** Distance between packets: 188, 192 (BDAV timecode prefix) or 204 (Reed-Solomon suffix). */
  stride: 188 | 192 | 204;
}

/**
 * Finds where packets start: the first offset at which `count` sync bytes follow each other at one of
 * the strides (fewer when `data` is too short for them, but at least 2). Undefined when none fits.
 */
export function findSync(data: Uint8Array, count = 5, from = 0): SyncInfo | undefined {
  for (const stride of [188, 192, 204] as const) {
    const limit = Math.min(data.length, from + stride);
    for (let off = from; off < limit; off++) {
      if (data[off] !== SYNC_BYTE) continue;
      const need = Math.min(count, Math.floor((data.length - 1 - off) / stride) + 1);
      if (need < 2) continue;
      let n = 1;
      while (n < need && data[off + n * stride] === SYNC_BYTE) n++;
      if (n === need) return { offset: off, stride };
    }
  }
  return undefined;
}

/**
 * Content probe: true when `data` (the first bytes of a file or stream) is a transport stream: at least
 * 3 sync bytes one packet apart (5 when the data holds them), starting within the first packet.
 */
export function probeTransportStream(data: Uint8Array): SyncInfo | undefined {
  const sync = findSync(data, 5);
  if (!sync) return undefined;
  // adaptation_field_control 00 is reserved: text or other data with 0x47 bytes is not a stream.
  for (
    let off = sync.offset;
    off + 4 <= data.length && off < sync.offset + 5 * sync.stride;
    off += sync.stride
  )
    if ((data[off + 3]! & 0x30) === 0) return undefined;
  const seen = Math.min(5, Math.floor((data.length - 1 - sync.offset) / sync.stride) + 1);
  return seen >= 3 ? sync : undefined;
}
