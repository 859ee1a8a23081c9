/**
 * PES packets (ISO/IEC 13818-1 2.4.3.6, 2.4.3.7): the header fields a demuxer needs (stream_id,
 * PES_packet_length, PTS, DTS, data_alignment_indicator) and where the payload starts.
 */

export interface PesHeader {
  streamId: number;
  /** PES_packet_length: bytes after this field (0: unbounded, video). */
  packetLength: number;
  /** Offset of the elementary stream data from the start of the PES packet. */
  payloadOffset: number;
  /** 33-bit timestamps in 90 kHz units. */
  pts?: number;
  dts?: number;
  dataAlignment: boolean;
}

/** stream_ids without the optional PES header (2.4.3.7: program stream map, padding, private 2, ECM…). */
const NO_HEADER = new Set([0xbc, 0xbe, 0xbf, 0xf0, 0xf1, 0xff, 0xf2, 0xf8]);

function timestamp(b: Uint8Array, i: number): number {
  // '0010'/'0011' marker bits, 3 bits, marker, 15 bits, marker, 15 bits, marker.
  return (
    ((b[i]! >> 1) & 0x07) * 0x40000000 +
    ((b[i + 1]! << 22) | ((b[i + 2]! >> 1) << 15) | (b[i + 3]! << 7) | (b[i + 4]! >> 1))
  );
}

/**
 * Parses the start of a PES packet. Returns undefined when the start code prefix is missing or the
 * header claims more bytes than `data` holds (the header always fits the first TS packet in practice).
 */
export function parsePesHeader(data: Uint8Array): PesHeader | undefined {
  if (data.length < 6 || data[0] !== 0 || data[1] !== 0 || data[2] !== 1) return undefined;
  const streamId = data[3]!;
  const packetLength = (data[4]! << 8) | data[5]!;
  if (NO_HEADER.has(streamId)) return { streamId, packetLength, payloadOffset: 6, dataAlignment: false };
  if (data.length < 9 || (data[6]! & 0xc0) !== 0x80) return undefined;
  const flags = data[7]!;
  const headerLength = data[8]!;
  const payloadOffset = 9 + headerLength;
  if (payloadOffset > data.length) return undefined;
  const h: PesHeader = { streamId, packetLength, payloadOffset, dataAlignment: (data[6]! & 0x04) !== 0 };
  const ptsDts = flags >> 6;
  if (ptsDts >= 2 && headerLength >= 5) h.pts = timestamp(data, 9);
  if (ptsDts === 3 && headerLength >= 10) h.dts = timestamp(data, 14);
  if (packetLength && payloadOffset > 6 + packetLength) return undefined;
  return h;
}
