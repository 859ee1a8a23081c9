/**
 * H.265/HEVC helpers: the HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 8.3.3.1) and the RFC 6381
 * codec string of ISO/IEC 14496-15 Annex E.3.
 */
import { ByteCursor } from './bit-reader.js';

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
