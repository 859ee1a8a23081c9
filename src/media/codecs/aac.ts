/**
 * MPEG-4 Audio AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1) and the RFC 6381 `mp4a.40.<AOT>` string.
 *
 * Handles escaped object types (31 → 32 + 6 bits), explicit frequencies (index 15 → 24 bits), explicit
 * hierarchical SBR/PS signalling (AOT 5/29 first, then the core type) and backward-compatible signalling
 * (the 0x2B7 sync extension after a GASpecificConfig, optionally followed by 0x548 for PS).
 */
import { BitReader } from './bit-reader.js';

export const AAC_SAMPLING_FREQUENCIES: readonly number[] = [
  96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350,
];

/** Table 1.19: channelConfiguration → number of channels (0 = defined by a program_config_element). */
const CHANNELS_BY_CONFIGURATION: readonly number[] = [0, 1, 2, 3, 4, 5, 6, 8, 0, 0, 0, 7, 8, 24, 8];

/** Object types carrying a GASpecificConfig. */
const GA_OBJECT_TYPES = new Set([1, 2, 3, 4, 6, 7, 17, 19, 20, 21, 22, 23]);

export type SbrSignalling = 'none' | 'explicit' | 'backward-compatible';

export interface AudioSpecificConfig {
  /** The first object type in the config: 2 for AAC-LC, 5 (SBR) or 29 (PS) for explicit HE-AAC. */
  audioObjectType: number;
  /** The core coder's object type (2 for HE-AAC v1/v2 over AAC-LC). */
  coreObjectType: number;
  /** 0..12 from the table, or 15 for an explicit frequency. */
  samplingFrequencyIndex: number;
  /** The core coder's sampling frequency in Hz. */
  samplingFrequency: number;
  /** The SBR output frequency, when SBR is signalled. */
  extensionSamplingFrequency?: number;
  channelConfiguration: number;
  /** From channelConfiguration (0 when a program_config_element defines them). */
  channels: number;
  sbr: boolean;
  ps: boolean;
  signalling: SbrSignalling;
  /** 1024 or 960 samples per frame (core coder), for GA object types. */
  frameLength?: number;
  /** What a decoder outputs: the SBR rate when SBR is signalled (either way), else the core rate. */
  outputSampleRate: number;
  /**
   * Channels a decoder outputs: parametric stereo turns a mono core into stereo; undefined when a
   * program_config_element defines them (channelConfiguration 0).
   */
  outputChannels: number | undefined;
}

function objectType(r: BitReader): number {
  const aot = r.bits(5);
  return aot === 31 ? 32 + r.bits(6) : aot;
}

function frequency(r: BitReader): { index: number; hz: number } {
  const index = r.bits(4);
  if (index === 15) return { index, hz: r.bits(24) };
  const hz = AAC_SAMPLING_FREQUENCIES[index];
  if (hz === undefined) throw new RangeError(`AudioSpecificConfig: reserved samplingFrequencyIndex ${index}`);
  return { index, hz };
}

/**
 * Parses an AudioSpecificConfig (the DecoderSpecificInfo payload of an mp4a esds). Throws a RangeError
 * on truncated data or a reserved sampling frequency index.
 */
export function parseAudioSpecificConfig(data: Uint8Array): AudioSpecificConfig {
  const asc = parseFields(data);
  asc.outputSampleRate = asc.sbr
    ? (asc.extensionSamplingFrequency ?? asc.samplingFrequency)
    : asc.samplingFrequency;
  asc.outputChannels =
    asc.channelConfiguration === 0 ? undefined : asc.ps && asc.channels === 1 ? 2 : asc.channels;
  return asc;
}

function parseFields(data: Uint8Array): AudioSpecificConfig {
  const r = new BitReader(data);
  const audioObjectType = objectType(r);
  const freq = frequency(r);
  const channelConfiguration = r.bits(4);
  const out: AudioSpecificConfig = {
    audioObjectType,
    coreObjectType: audioObjectType,
    samplingFrequencyIndex: freq.index,
    samplingFrequency: freq.hz,
    channelConfiguration,
    channels: CHANNELS_BY_CONFIGURATION[channelConfiguration] ?? 0,
    sbr: false,
    ps: false,
    signalling: 'none',
    outputSampleRate: freq.hz,
    outputChannels: undefined,
  };
  if (audioObjectType === 5 || audioObjectType === 29) {
    out.sbr = true;
    out.ps = audioObjectType === 29;
    out.signalling = 'explicit';
    out.extensionSamplingFrequency = frequency(r).hz;
    out.coreObjectType = objectType(r);
    if (out.coreObjectType === 22) r.skip(4); // extensionChannelConfiguration
  }
  // What follows is optional for the fields above: an ASC cut short after them (a few muxers write
  // the first two bytes only) still tells the rate and channels.
  if (r.bitsLeft > 0)
    try {
      readTail(r, out);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
    }
  return out;
}

/** GASpecificConfig and backward-compatible SBR/PS signalling, read into `out`. */
function readTail(r: BitReader, out: AudioSpecificConfig): void {
  const channelConfiguration = out.channelConfiguration;
  if (!GA_OBJECT_TYPES.has(out.coreObjectType)) return;
  // GASpecificConfig (4.4.1)
  out.frameLength = r.flag() ? 960 : 1024; // frameLengthFlag
  if (r.flag()) r.skip(14); // dependsOnCoreCoder → coreCoderDelay
  const extensionFlag = r.flag();
  if (channelConfiguration === 0) return; // a program_config_element follows: not parsed further
  if (out.coreObjectType === 6 || out.coreObjectType === 20) r.skip(3); // layerNr
  if (extensionFlag) {
    if (out.coreObjectType === 22) r.skip(16); // numOfSubFrame, layer_length
    if ([17, 19, 20, 23].includes(out.coreObjectType)) r.skip(3); // the three resilience flags
    r.skip(1); // extensionFlag3
  }
  if ([17, 19, 20, 21, 22, 23].includes(out.coreObjectType)) {
    const epConfig = r.bits(2);
    if (epConfig === 2 || epConfig === 3) return; // ErrorProtectionSpecificConfig: not parsed
  }
  if (out.signalling === 'explicit' || r.bitsLeft < 16) return;
  // Backward-compatible signalling (1.6.5.2)
  if (r.bits(11) !== 0x2b7) return; // syncExtensionType
  const extensionAudioObjectType = objectType(r);
  if (extensionAudioObjectType !== 5 && extensionAudioObjectType !== 22) return;
  const sbrPresentFlag = r.flag();
  if (sbrPresentFlag) {
    out.extensionSamplingFrequency = frequency(r).hz;
    out.sbr = true;
    out.signalling = 'backward-compatible';
    if (extensionAudioObjectType === 5 && r.bitsLeft >= 12 && r.bits(11) === 0x548) {
      out.ps = r.flag(); // psPresentFlag
    }
  }
}

/**
 * `mp4a.40.<AOT>` (RFC 6381 3.3, object type indication 0x40 = MPEG-4 Audio) with the object type as
 * signalled first in the AudioSpecificConfig: `mp4a.40.2` for AAC-LC, `mp4a.40.5`/`mp4a.40.29` for
 * explicitly signalled HE-AAC v1/v2. Backward-compatible HE-AAC (LC + a 0x2B7 sync extension) stays
 * `mp4a.40.2` unless `preferExtension` is set, in which case SBR gives 5 and PS gives 29.
 */
export function aacCodecString(
  config: Pick<AudioSpecificConfig, 'audioObjectType' | 'sbr' | 'ps' | 'signalling'>,
  options: { preferExtension?: boolean } = {},
): string {
  let aot = config.audioObjectType;
  if (options.preferExtension && config.signalling === 'backward-compatible') aot = config.ps ? 29 : 5;
  return `mp4a.40.${aot}`;
}

export interface AdtsHeader {
  /** MPEG-4 audio object type (profile + 1): 2 for AAC-LC. */
  objectType: number;
  samplingFrequencyIndex: number;
  sampleRate: number;
  channelConfiguration: number;
  /** Header length: 7, or 9 with a CRC. */
  headerLength: number;
  /** aac_frame_length: the whole frame, header included. */
  frameLength: number;
  /** number_of_raw_data_blocks_in_frame + 1. */
  rawBlocks: number;
}

/**
 * The ADTS header (ISO/IEC 13818-7 6.2, 14496-3 1.A.2) at `off`, or undefined when `data` holds no valid
 * one there (no syncword, reserved layer or frequency, a length shorter than the header).
 */
export function parseAdtsHeader(data: Uint8Array, off = 0): AdtsHeader | undefined {
  if (off + 7 > data.length) return undefined;
  const b1 = data[off + 1]!;
  if (data[off] !== 0xff || (b1 & 0xf6) !== 0xf0) return undefined; // syncword, layer 0
  const b2 = data[off + 2]!;
  const b3 = data[off + 3]!;
  const samplingFrequencyIndex = (b2 >> 2) & 0x0f;
  const sampleRate = AAC_SAMPLING_FREQUENCIES[samplingFrequencyIndex];
  if (sampleRate === undefined) return undefined;
  const headerLength = b1 & 1 ? 7 : 9;
  const frameLength = ((b3 & 0x03) << 11) | (data[off + 4]! << 3) | (data[off + 5]! >> 5);
  if (frameLength < headerLength) return undefined;
  return {
    objectType: (b2 >> 6) + 1,
    samplingFrequencyIndex,
    sampleRate,
    channelConfiguration: ((b2 & 1) << 2) | (b3 >> 6),
    headerLength,
    frameLength,
    rawBlocks: (data[off + 6]! & 0x03) + 1,
  };
}

/** The 2-byte AudioSpecificConfig an ADTS header stands for. */
export function adtsToAudioSpecificConfig(
  h: Pick<AdtsHeader, 'objectType' | 'samplingFrequencyIndex' | 'channelConfiguration'>,
): Uint8Array {
  const v = (h.objectType << 11) | (h.samplingFrequencyIndex << 7) | (h.channelConfiguration << 3);
  return new Uint8Array([v >> 8, v & 0xff]);
}
