/**
 * H.265/HEVC helpers: the HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 8.3.3.1) and the RFC 6381
 * codec string of ISO/IEC 14496-15 Annex E.3.
 */
import { BitReader, ByteCursor, unescapeRbsp } from './bit-reader.js';

export interface HevcNalArray {
  array_completeness: boolean;
  NAL_unit_type: number;
  /** NAL units (views into the record). */
  nalus: Uint8Array[];
}

export interface HevcDecoderConfig {
  configurationVersion: number;
  general_profile_space: number;
  general_tier_flag: number;
  general_profile_idc: number;
  /** 32 flags; flag j is bit (31 - j) of this number, as in the bitstream. */
  general_profile_compatibility_flags: number;
  /** The 6 bytes of the 48 constraint indicator flags, as in the bitstream. */
  general_constraint_indicator_flags: Uint8Array;
  general_level_idc: number;
  min_spatial_segmentation_idc: number;
  parallelismType: number;
  chromaFormat: number;
  bitDepthLuma: number;
  bitDepthChroma: number;
  avgFrameRate: number;
  constantFrameRate: number;
  numTemporalLayers: number;
  temporalIdNested: boolean;
  /** NAL unit length field size in bytes (lengthSizeMinusOne + 1). */
  lengthSize: number;
  arrays: HevcNalArray[];
}

/** Parses an hvcC payload (the record, without the box header). */
export function parseHvcC(record: Uint8Array): HevcDecoderConfig {
  const c = new ByteCursor(record);
  const configurationVersion = c.u8();
  if (configurationVersion !== 1)
    throw new RangeError(`hvcC configurationVersion ${configurationVersion} != 1`);
  const b1 = c.u8();
  const general_profile_compatibility_flags = (c.u16() * 0x10000 + c.u16()) >>> 0;
  const general_constraint_indicator_flags = c.take(6);
  const general_level_idc = c.u8();
  const min_spatial_segmentation_idc = c.u16() & 0x0fff;
  const parallelismType = c.u8() & 0x03;
  const chromaFormat = c.u8() & 0x03;
  const bitDepthLuma = (c.u8() & 0x07) + 8;
  const bitDepthChroma = (c.u8() & 0x07) + 8;
  const avgFrameRate = c.u16();
  const b2 = c.u8();
  const numOfArrays = c.u8();
  const arrays: HevcNalArray[] = [];
  for (let i = 0; i < numOfArrays; i++) {
    const h = c.u8();
    const numNalus = c.u16();
    const nalus: Uint8Array[] = [];
    for (let j = 0; j < numNalus; j++) nalus.push(c.take(c.u16()));
    arrays.push({ array_completeness: (h & 0x80) !== 0, NAL_unit_type: h & 0x3f, nalus });
  }
  return {
    configurationVersion,
    general_profile_space: b1 >>> 6,
    general_tier_flag: (b1 >>> 5) & 1,
    general_profile_idc: b1 & 0x1f,
    general_profile_compatibility_flags,
    general_constraint_indicator_flags,
    general_level_idc,
    min_spatial_segmentation_idc,
    parallelismType,
    chromaFormat,
    bitDepthLuma,
    bitDepthChroma,
    avgFrameRate,
    constantFrameRate: b2 >>> 6,
    numTemporalLayers: (b2 >>> 3) & 0x07,
    temporalIdNested: ((b2 >>> 2) & 1) === 1,
    lengthSize: (b2 & 0x03) + 1,
    arrays,
  };
}

/** Reverses the bit order of a 32-bit value (flag 0 becomes the least significant bit). */
function reverse32(v: number): number {
  let r = 0;
  for (let i = 0; i < 32; i++) {
    r = r * 2 + (v & 1);
    v >>>= 1;
  }
  return r;
}

/**
 * `hvc1.<space><profile_idc>.<compat>.<tier><level>[.<constraint bytes>]` (14496-15 E.3), e.g.
 * `hvc1.1.6.L93.B0`:
 * - profile space: '' for 0, 'A'/'B'/'C' for 1/2/3, then general_profile_idc in decimal;
 * - general_profile_compatibility_flags in reverse bit order, hex;
 * - 'L' (Main tier) or 'H' (High tier), then general_level_idc in decimal;
 * - each constraint byte in hex, trailing zero bytes omitted.
 * Hex digits are uppercase and not zero-padded, as GPAC prints them (`%X`).
 */
export function hevcCodecString(
  config: Pick<
    HevcDecoderConfig,
    | 'general_profile_space'
    | 'general_tier_flag'
    | 'general_profile_idc'
    | 'general_profile_compatibility_flags'
    | 'general_constraint_indicator_flags'
    | 'general_level_idc'
  >,
  sampleEntryType: 'hvc1' | 'hev1' = 'hvc1',
): string {
  const space = ['', 'A', 'B', 'C'][config.general_profile_space] ?? '';
  const compat = reverse32(config.general_profile_compatibility_flags).toString(16).toUpperCase();
  const tier = config.general_tier_flag ? 'H' : 'L';
  const constraints = Array.from(config.general_constraint_indicator_flags);
  while (constraints.length > 0 && constraints[constraints.length - 1] === 0) constraints.pop();
  const tail = constraints.map((b) => `.${b.toString(16).toUpperCase()}`).join('');
  return `${sampleEntryType}.${space}${config.general_profile_idc}.${compat}.${tier}${config.general_level_idc}${tail}`;
}

/** H.265 nal_unit_type values a packager looks at (Table 7-1). */
export const HEVC_NAL = {
  BLA_W_LP: 16,
  BLA_N_LP: 18,
  IDR_W_RADL: 19,
  IDR_N_LP: 20,
  CRA: 21,
  /** 16..23 are IRAP pictures. */
  IRAP_LAST: 23,
  VPS: 32,
  SPS: 33,
  PPS: 34,
  AUD: 35,
  EOS: 36,
  EOB: 37,
  FD: 38,
  SEI_PREFIX: 39,
  SEI_SUFFIX: 40,
} as const;

export function hevcNalType(nal: Uint8Array): number {
  return ((nal[0] ?? 0) >> 1) & 0x3f;
}

export interface HevcSpsInfo {
  maxSubLayers: number;
  temporalIdNested: boolean;
  /** general_profile_space … general_level_idc: the 12 bytes of the general profile_tier_level. */
  profileTierLevel: Uint8Array;
  chroma_format_idc: number;
  bit_depth_luma: number;
  bit_depth_chroma: number;
  /** Displayed (conformance-window cropped) size in luma samples. */
  width: number;
  height: number;
}

/** Parses the fields of an SPS NAL unit (with its 2-byte NAL header) that an hvcC and a track need. */
export function parseHevcSps(nal: Uint8Array): HevcSpsInfo {
  const rbsp = unescapeRbsp(nal);
  if (hevcNalType(rbsp) !== HEVC_NAL.SPS)
    throw new RangeError(`not an SPS (nal_unit_type ${hevcNalType(rbsp)})`);
  const r = new BitReader(rbsp.subarray(2));
  r.skip(4); // sps_video_parameter_set_id
  const maxSubLayersMinus1 = r.bits(3);
  const temporalIdNested = r.flag();
  if (rbsp.length < 2 + 1 + 12) throw new RangeError('SPS too short');
  const profileTierLevel = rbsp.slice(3, 15);
  r.skip(96);
  const subProfile: boolean[] = [];
  const subLevel: boolean[] = [];
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    subProfile.push(r.flag());
    subLevel.push(r.flag());
  }
  if (maxSubLayersMinus1 > 0) for (let i = maxSubLayersMinus1; i < 8; i++) r.skip(2);
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    if (subProfile[i]) r.skip(88);
    if (subLevel[i]) r.skip(8);
  }
  r.ue(); // sps_seq_parameter_set_id
  const chroma_format_idc = r.ue();
  let separate = false;
  if (chroma_format_idc === 3) separate = r.flag();
  let width = r.ue();
  let height = r.ue();
  if (r.flag()) {
    // conformance window, in chroma sample units
    const chroma = separate ? 0 : chroma_format_idc;
    const subW = chroma === 1 || chroma === 2 ? 2 : 1;
    const subH = chroma === 1 ? 2 : 1;
    const l = r.ue();
    const rt = r.ue();
    const t = r.ue();
    const b = r.ue();
    width -= subW * (l + rt);
    height -= subH * (t + b);
  }
  const bit_depth_luma = r.ue() + 8;
  const bit_depth_chroma = r.ue() + 8;
  return {
    maxSubLayers: maxSubLayersMinus1 + 1,
    temporalIdNested,
    profileTierLevel,
    chroma_format_idc,
    bit_depth_luma,
    bit_depth_chroma,
    width,
    height,
  };
}

/**
 * Builds an HEVCDecoderConfigurationRecord (14496-15 8.3.3.1) from in-band VPS, SPS and PPS NAL units
 * (4-byte NAL lengths, arrays complete: parameter sets are also kept out of the samples).
 */
export function buildHvcC(
  vps: readonly Uint8Array[],
  sps: readonly Uint8Array[],
  pps: readonly Uint8Array[],
): Uint8Array {
  const first = sps[0];
  if (!first) throw new RangeError('buildHvcC: no sequence parameter set');
  const info = parseHevcSps(first);
  const arrays = [
    [HEVC_NAL.VPS, vps],
    [HEVC_NAL.SPS, sps],
    [HEVC_NAL.PPS, pps],
  ] as const;
  let size = 23;
  for (const [, nalus] of arrays) {
    if (!nalus.length) continue;
    size += 3;
    for (const n of nalus) size += 2 + n.length;
  }
  const out = new Uint8Array(size);
  let at = 0;
  const u8 = (v: number) => (out[at++] = v & 0xff);
  const u16 = (v: number) => {
    u8(v >> 8);
    u8(v);
  };
  u8(1);
  out.set(info.profileTierLevel, at); // profile space/tier/idc, compatibility flags, constraints, level
  at += 12;
  u16(0xf000); // min_spatial_segmentation_idc = 0
  u8(0xfc); // parallelismType = 0
  u8(0xfc | info.chroma_format_idc);
  u8(0xf8 | (info.bit_depth_luma - 8));
  u8(0xf8 | (info.bit_depth_chroma - 8));
  u16(0); // avgFrameRate
  // constantFrameRate 0, numTemporalLayers, temporalIdNested, lengthSizeMinusOne 3
  u8(((info.maxSubLayers & 7) << 3) | (info.temporalIdNested ? 4 : 0) | 3);
  u8(arrays.filter(([, n]) => n.length).length);
  for (const [type, nalus] of arrays) {
    if (!nalus.length) continue;
    u8(0x80 | type); // array_completeness
    u16(nalus.length);
    for (const n of nalus) {
      u16(n.length);
      out.set(n, at);
      at += n.length;
    }
  }
  return out;
}
