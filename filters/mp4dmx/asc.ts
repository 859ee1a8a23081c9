/**
 * What a decoder will output for an AAC track, from its AudioSpecificConfig: the ASC is the truth for
 * AAC (the sample entry's channel_count is often a fixed 2). The parsing is graphpac/media's
 * (src/media/codecs/aac.ts), the one AudioSpecificConfig parser.
 */
import { parseAudioSpecificConfig as parseAsc } from '../../src/media/codecs/index.js';

export interface AudioConfig {
  /** The core coder's object type (2 = AAC-LC, also under SBR/PS). */
  objectType: number;
  /** Output sample rate: the SBR rate when SBR is signalled (explicitly or backward-compatibly). */
  sampleRate: number | undefined;
  /** Output channel count (parametric stereo: 2 from a mono core); undefined when a program config element defines them. */
  channels: number | undefined;
}

/** The decoder's output format; undefined if the ASC is truncated or invalid. */
export function parseAudioSpecificConfig(asc: Uint8Array): AudioConfig | undefined {
  try {
    const c = parseAsc(asc);
    return {
      objectType: c.coreObjectType,
      sampleRate: c.outputSampleRate,
      channels: c.outputChannels || undefined,
    };
  } catch {
    return undefined;
  }
}
