/**
 * H.264/AVC helpers: the AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.3.3.1), the sequence parameter
 * set fields a packager needs (ITU-T H.264 7.3.2.1.1: size, cropping, sample aspect ratio) and the
 * RFC 6381 codec string.
 */
import { BitReader, ByteCursor, hex, unescapeRbsp } from './bit-reader.js';

export interface AvcDecoderConfig {
  configurationVersion: number;
  AVCProfileIndication: number;
  profile_compatibility: number;
  AVCLevelIndication: number;
  /** NAL unit length field size in bytes (lengthSizeMinusOne + 1): 1, 2 or 4. */
  lengthSize: number;
  /** SPS NAL units (with their one-byte NAL header). */
  sps: Uint8Array[];
  /** PPS NAL units. */
  pps: Uint8Array[];
  /** Present for High profiles (100, 110, 122, 144) when the record carries the extension. */
  chroma_format?: number;
  bit_depth_luma?: number;
  bit_depth_chroma?: number;
}

/** Parses an avcC payload (the record, without the box header). NAL arrays are views, not copies. */
export function parseAvcC(record: Uint8Array): AvcDecoderConfig {
  const c = new ByteCursor(record);
  const configurationVersion = c.u8();
  if (configurationVersion !== 1)
    throw new RangeError(`avcC configurationVersion ${configurationVersion} != 1`);
  const AVCProfileIndication = c.u8();
  const profile_compatibility = c.u8();
  const AVCLevelIndication = c.u8();
  const lengthSize = (c.u8() & 0x03) + 1;
  const numSps = c.u8() & 0x1f;
  const sps: Uint8Array[] = [];
  for (let i = 0; i < numSps; i++) sps.push(c.take(c.u16()));
  const numPps = c.u8();
  const pps: Uint8Array[] = [];
  for (let i = 0; i < numPps; i++) pps.push(c.take(c.u16()));
  const out: AvcDecoderConfig = {
    configurationVersion,
    AVCProfileIndication,
    profile_compatibility,
    AVCLevelIndication,
    lengthSize,
    sps,
    pps,
  };
  if ([100, 110, 122, 144].includes(AVCProfileIndication) && c.left >= 4) {
    out.chroma_format = c.u8() & 0x03;
    out.bit_depth_luma = (c.u8() & 0x07) + 8;
    out.bit_depth_chroma = (c.u8() & 0x07) + 8;
  }
  return out;
}

/** `avc1.PPCCLL` with uppercase hex, as GPAC writes it (e.g. `avc1.64001E`). */
export function avcCodecString(
  config: Pick<AvcDecoderConfig, 'AVCProfileIndication' | 'profile_compatibility' | 'AVCLevelIndication'>,
  sampleEntryType: 'avc1' | 'avc3' = 'avc1',
): string {
  return `${sampleEntryType}.${hex(config.AVCProfileIndication)}${hex(config.profile_compatibility)}${hex(config.AVCLevelIndication)}`;
}

export interface AvcSpsInfo {
  profile_idc: number;
  constraint_flags: number;
  level_idc: number;
  seq_parameter_set_id: number;
  chroma_format_idc: number;
  bit_depth_luma: number;
  bit_depth_chroma: number;
  frame_mbs_only_flag: boolean;
  /** Displayed (cropped) size in luma samples. */
  width: number;
  height: number;
  /** Sample aspect ratio from the VUI (1:1 when absent or unspecified). */
  sar: { num: number; den: number };
}

/** Table E-1: aspect_ratio_idc 1..16. */
const SAR_TABLE: readonly (readonly [number, number])[] = [
  [1, 1],
  [12, 11],
  [10, 11],
  [16, 11],
  [40, 33],
  [24, 11],
  [20, 11],
  [32, 11],
  [80, 33],
  [18, 11],
  [15, 11],
  [64, 33],
  [160, 99],
  [4, 3],
  [3, 2],
  [2, 1],
];

const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

function skipScalingList(r: BitReader, size: number): void {
  let last = 8;
  let next = 8;
  for (let j = 0; j < size; j++) {
    if (next !== 0) next = (last + r.se() + 256) % 256;
    last = next === 0 ? last : next;
  }
}

/** Parses an SPS NAL unit (starting with its NAL header byte, emulation prevention included). */
export function parseAvcSps(nal: Uint8Array): AvcSpsInfo {
  const r = new BitReader(unescapeRbsp(nal));
  const nalType = r.bits(8) & 0x1f;
  if (nalType !== 7) throw new RangeError(`not an SPS (nal_unit_type ${nalType})`);
  const profile_idc = r.bits(8);
  const constraint_flags = r.bits(8);
  const level_idc = r.bits(8);
  const seq_parameter_set_id = r.ue();
  let chroma_format_idc = 1;
  let separate_colour_plane = false;
  let bit_depth_luma = 8;
  let bit_depth_chroma = 8;
  if (HIGH_PROFILES.has(profile_idc)) {
    chroma_format_idc = r.ue();
    if (chroma_format_idc === 3) separate_colour_plane = r.flag();
    bit_depth_luma = r.ue() + 8;
    bit_depth_chroma = r.ue() + 8;
    r.skip(1); // qpprime_y_zero_transform_bypass_flag
    if (r.flag()) {
      // seq_scaling_matrix_present_flag
      for (let i = 0; i < (chroma_format_idc !== 3 ? 8 : 12); i++) {
        if (r.flag()) skipScalingList(r, i < 6 ? 16 : 64);
      }
    }
  }
  r.ue(); // log2_max_frame_num_minus4
  const pic_order_cnt_type = r.ue();
  if (pic_order_cnt_type === 0) {
    r.ue(); // log2_max_pic_order_cnt_lsb_minus4
  } else if (pic_order_cnt_type === 1) {
    r.skip(1); // delta_pic_order_always_zero_flag
    r.se(); // offset_for_non_ref_pic
    r.se(); // offset_for_top_to_bottom_field
    const n = r.ue(); // num_ref_frames_in_pic_order_cnt_cycle
    for (let i = 0; i < n; i++) r.se(); // offset_for_ref_frame[i]
  }
  r.ue(); // max_num_ref_frames
  r.skip(1); // gaps_in_frame_num_value_allowed_flag
  const pic_width_in_mbs = r.ue() + 1;
  const pic_height_in_map_units = r.ue() + 1;
  const frame_mbs_only_flag = r.flag();
  if (!frame_mbs_only_flag) r.skip(1); // mb_adaptive_frame_field_flag
  r.skip(1); // direct_8x8_inference_flag
  let crop = { left: 0, right: 0, top: 0, bottom: 0 };
  if (r.flag()) crop = { left: r.ue(), right: r.ue(), top: r.ue(), bottom: r.ue() };
  const chromaArrayType = separate_colour_plane ? 0 : chroma_format_idc;
  const subWidthC = chromaArrayType === 1 || chromaArrayType === 2 ? 2 : 1;
  const subHeightC = chromaArrayType === 1 ? 2 : 1;
  const cropUnitX = chromaArrayType === 0 ? 1 : subWidthC;
  const cropUnitY = (chromaArrayType === 0 ? 1 : subHeightC) * (frame_mbs_only_flag ? 1 : 2);
  const width = pic_width_in_mbs * 16 - cropUnitX * (crop.left + crop.right);
  const height =
    (frame_mbs_only_flag ? 1 : 2) * pic_height_in_map_units * 16 - cropUnitY * (crop.top + crop.bottom);
  let sar = { num: 1, den: 1 };
  if (r.bitsLeft > 0 && r.flag() && r.flag()) {
    // vui_parameters_present_flag, aspect_ratio_info_present_flag
    const aspect_ratio_idc = r.bits(8);
    if (aspect_ratio_idc === 255) sar = { num: r.bits(16), den: r.bits(16) };
    else {
      const e = SAR_TABLE[aspect_ratio_idc - 1];
      if (e) sar = { num: e[0], den: e[1] };
    }
    if (sar.num === 0 || sar.den === 0) sar = { num: 1, den: 1 };
  }
  return {
    profile_idc,
    constraint_flags,
    level_idc,
    seq_parameter_set_id,
    chroma_format_idc,
    bit_depth_luma,
    bit_depth_chroma,
    frame_mbs_only_flag,
    width,
    height,
    sar,
  };
}

/** H.264 nal_unit_type values a packager looks at (Table 7-1). */
export const AVC_NAL = {
  SLICE: 1,
  IDR: 5,
  SEI: 6,
  SPS: 7,
  PPS: 8,
  AUD: 9,
  END_SEQ: 10,
  END_STREAM: 11,
  FILLER: 12,
  SPS_EXT: 13,
} as const;

/**
 * Builds an AVCDecoderConfigurationRecord (14496-15 5.3.3.1) from in-band parameter sets, 4-byte NAL
 * lengths. Profile, compatibility and level come from the first SPS; High profiles get the chroma and
 * bit-depth extension.
 */
export function buildAvcC(sps: readonly Uint8Array[], pps: readonly Uint8Array[]): Uint8Array {
  const first = sps[0];
  if (!first || first.length < 4) throw new RangeError('buildAvcC: no sequence parameter set');
  const info = parseAvcSps(first);
  const ext = [100, 110, 122, 144].includes(info.profile_idc);
  let size = 6 + 1 + (ext ? 4 : 0);
  for (const n of sps) size += 2 + n.length;
  for (const n of pps) size += 2 + n.length;
  const out = new Uint8Array(size);
  let at = 0;
  const u8 = (v: number) => (out[at++] = v & 0xff);
  const u16 = (v: number) => {
    u8(v >> 8);
    u8(v);
  };
  u8(1);
  u8(first[1]!); // profile_idc
  u8(first[2]!); // constraint flags (profile_compatibility)
  u8(first[3]!); // level_idc
  u8(0xfc | 3); // lengthSizeMinusOne = 3
  u8(0xe0 | sps.length);
  for (const n of sps) {
    u16(n.length);
    out.set(n, at);
    at += n.length;
  }
  u8(pps.length);
  for (const n of pps) {
    u16(n.length);
    out.set(n, at);
    at += n.length;
  }
  if (ext) {
    u8(0xfc | info.chroma_format_idc);
    u8(0xf8 | (info.bit_depth_luma - 8));
    u8(0xf8 | (info.bit_depth_chroma - 8));
    u8(0); // numOfSequenceParameterSetExt
  }
  return out;
}

/**
 * The recovery point SEI (payloadType 6, D.1.8) of an SEI NAL unit, when there is one: its
 * recovery_frame_cnt (0: the picture and all that follow in output order are correct).
 */
export function avcRecoveryFrameCount(sei: Uint8Array): number | undefined {
  const rbsp = unescapeRbsp(sei);
  let i = 1;
  while (i < rbsp.length && rbsp[i] !== 0x80) {
    let type = 0;
    while (rbsp[i] === 0xff) type += rbsp[i++]!;
    type += rbsp[i++] ?? 0;
    let size = 0;
    while (rbsp[i] === 0xff) size += rbsp[i++]!;
    size += rbsp[i++] ?? 0;
    if (type === 6) {
      try {
        return new BitReader(rbsp.subarray(i, i + size)).ue();
      } catch {
        return undefined;
      }
    }
    i += size;
  }
  return undefined;
}
