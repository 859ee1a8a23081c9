/** RTP (RFC 3550 5.1): the payload of a packet, header, CSRCs, extension and padding taken off. */
export function stripRtp(p: Uint8Array): Uint8Array | undefined {
  if (p.length < 12 || p[0]! >> 6 !== 2) return undefined;
  const cc = p[0]! & 0x0f;
  let off = 12 + 4 * cc;
  if (p[0]! & 0x10) {
    if (off + 4 > p.length) return undefined;
    off += 4 + 4 * ((p[off + 2]! << 8) | p[off + 3]!);
  }
  let end = p.length;
  if (p[0]! & 0x20) end -= p[p.length - 1]!;
  return off < end ? p.subarray(off, end) : undefined;
}
