/**
 * MPEG-4 AudioSpecificConfig (ISO/IEC 14496-3 §1.6.2.1): the sample rate and channel count a decoder
 * will output. The ASC is the truth for AAC: the sample entry's channel_count is often a fixed 2.
 */

const SAMPLE_RATES = [
  96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350,
];
/** channelConfiguration → channel count (0: defined in a program_config_element, unknown here). */
const CHANNELS = [0, 1, 2, 3, 4, 5, 6, 8, 0, 0, 0, 7, 8, 24, 8, 0];

export interface AudioConfig {
  /** Audio object type (2 = AAC-LC, 5 = SBR, 29 = PS…). */
  objectType: number;
  /** Output sample rate (the SBR extension rate for HE-AAC with explicit signalling). */
  sampleRate: number | undefined;
  /** Output channel count; undefined when the ASC defers to a program config element. */
  channels: number | undefined;
}

class BitReader {
  private pos = 0;
  constructor(private readonly d: Uint8Array) {}
  read(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) {
      const byte = this.d[this.pos >> 3];
      if (byte === undefined) throw new RangeError('AudioSpecificConfig is truncated');
      v = v * 2 + ((byte >> (7 - (this.pos & 7))) & 1);
      this.pos++;
    }
    return v;
  }
}

function objectType(r: BitReader): number {
  const t = r.read(5);
  return t === 31 ? 32 + r.read(6) : t;
}

function sampleRate(r: BitReader): number | undefined {
  const i = r.read(4);
  return i === 15 ? r.read(24) : SAMPLE_RATES[i];
}

/** Parse the leading fields of an AudioSpecificConfig; undefined if it is too short. */
export function parseAudioSpecificConfig(asc: Uint8Array): AudioConfig | undefined {
  try {
    const r = new BitReader(asc);
    let type = objectType(r);
    let rate = sampleRate(r);
    let channels = CHANNELS[r.read(4)] || undefined;
    // Explicit hierarchical SBR/PS signalling: the extension rate is what the decoder outputs.
    if (type === 5 || type === 29) {
      const extRate = sampleRate(r);
      if (type === 29 && channels === 1) channels = 2;
      type = objectType(r);
      rate = extRate ?? rate;
    }
    return { objectType: type, sampleRate: rate, channels };
  } catch {
    return undefined;
  }
}
