/** Codec helpers: configuration record parsing and RFC 6381 codec strings. */
import type { TrackConfig } from '../track.js';
import { aacCodecString, parseAudioSpecificConfig } from './aac.js';
import { avcCodecString, parseAvcC } from './avc.js';
import { hevcCodecString, parseHvcC } from './hevc.js';

export * from './aac.js';
export * from './annexb.js';
export * from './avc.js';
export * from './hevc.js';
export { BitReader, ByteCursor, unescapeRbsp } from './bit-reader.js';

/**
 * The RFC 6381 `codecs` value of a track, from its decoder configuration and sample entry type:
 * `avc1.64001E`, `hvc1.1.6.L93.B0`, `mp4a.40.2`.
 */
export function trackCodecString(
  track: Pick<TrackConfig, 'codec' | 'decoderConfig' | 'sampleEntryType'>,
): string {
  switch (track.codec) {
    case 'avc': {
      const entry = track.sampleEntryType === 'avc3' ? 'avc3' : 'avc1';
      return avcCodecString(parseAvcC(track.decoderConfig), entry);
    }
    case 'hevc': {
      const entry = track.sampleEntryType === 'hev1' ? 'hev1' : 'hvc1';
      return hevcCodecString(parseHvcC(track.decoderConfig), entry);
    }
    case 'aac':
      return aacCodecString(parseAudioSpecificConfig(track.decoderConfig));
  }
}
