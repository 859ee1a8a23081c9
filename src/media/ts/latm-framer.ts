/**
 * AAC access units from LOAS/LATM (ISO/IEC 14496-3 §1.7; MPEG-2 TS stream type 0x11, as DVB broadcasts
 * and `ffmpeg -mpegts_flags latm` send AAC): the AudioSyncStream's 0x2B7 sync and length, the
 * AudioMuxElement's StreamMuxConfig (its AudioSpecificConfig, copied bit for bit into the MP4's
 * DecoderConfig), then each subframe's payload, which starts anywhere in a byte and is copied out.
 *
 * Read: audioMuxVersion 0 and 1 (audioMuxVersionA 0), one program with one layer, frameLengthType 0
 * (lengths in MuxSlotLengthBytes), any number of subframes, otherData and the CRC skipped. Anything else
 * (several programs or layers: multi-stream LATM; fixed-length CELP/HVXC framing; a program_config_element
 * in the config) is reported in `problem` and its frames dropped. Carry-over and times: audio-framer.ts.
 */
import { parseAudioSpecificConfig } from '../codecs/aac.js';
import { BitReader } from '../codecs/bit-reader.js';
import { SyncedAudioFramer } from './audio-framer.js';
import type { AudioConfig, FoundFrame } from './audio-framer.js';

/** Object types whose config is a GASpecificConfig (ISO/IEC 14496-3 Table 1.15). */
const GA = new Set([1, 2, 3, 4, 6, 7, 17, 19, 20, 21, 22, 23]);
/** LOAS AudioSyncStream header: 11-bit sync 0x2B7, 13-bit length. */
const HEADER = 3;

/** A LATM feature not read: the frames are dropped and this says why. */
class Unsupported extends Error {}

function latmValue(r: BitReader): number {
  const bytes = r.bits(2);
  let v = 0;
  for (let i = 0; i <= bytes; i++) v = v * 256 + r.bits(8);
  return v;
}

function objectType(r: BitReader): number {
  const aot = r.bits(5);
  return aot === 31 ? 32 + r.bits(6) : aot;
}

function frequency(r: BitReader): void {
  if (r.bits(4) === 15) r.skip(24);
}

/** Reads an AudioSpecificConfig in place (its length is not given with audioMuxVersion 0). */
function skipAudioSpecificConfig(r: BitReader): void {
  let aot = objectType(r);
  frequency(r);
  const channelConfiguration = r.bits(4);
  if (aot === 5 || aot === 29) {
    frequency(r);
    aot = objectType(r);
    if (aot === 22) r.skip(4);
  }
  if (!GA.has(aot)) throw new Unsupported(`audio object type ${aot} (not a GA coder)`);
  r.skip(1); // frameLengthFlag
  if (r.flag()) r.skip(14); // dependsOnCoreCoder → coreCoderDelay
  const extensionFlag = r.flag();
  if (channelConfiguration === 0) throw new Unsupported('a program_config_element (channelConfiguration 0)');
  if (aot === 6 || aot === 20) r.skip(3);
  if (extensionFlag) {
    if (aot === 22) r.skip(16);
    if (aot === 17 || aot === 19 || aot === 20 || aot === 23) r.skip(3);
    r.skip(1);
  }
  if (aot >= 17 && aot <= 23 && aot !== 18) {
    const epConfig = r.bits(2);
    if (epConfig === 2 || epConfig === 3) throw new Unsupported(`error protection (epConfig ${epConfig})`);
  }
}

/** `n` bits from the reader's position, as bytes (the last one padded with zeros). */
function copyBits(r: BitReader, n: number): Uint8Array {
  // A length read from the stream: checked before anything is allocated for it.
  if (n > r.bitsLeft) throw new RangeError(`${n} bits wanted, ${r.bitsLeft} left`);
  const out = new Uint8Array(Math.ceil(n / 8));
  let i = 0;
  for (; n >= 8; n -= 8) out[i++] = r.bits(8);
  if (n > 0) out[i] = r.bits(n) << (8 - n);
  return out;
}

interface MuxConfig {
  subFrames: number;
  config: AudioConfig;
  frameLength: number;
}

function readStreamMuxConfig(r: BitReader, data: Uint8Array): MuxConfig {
  const audioMuxVersion = r.bits(1);
  const audioMuxVersionA = audioMuxVersion ? r.bits(1) : 0;
  if (audioMuxVersionA) throw new Unsupported('audioMuxVersionA 1');
  if (audioMuxVersion) latmValue(r); // taraBufferFullness
  r.skip(1); // allStreamsSameTimeFraming
  const subFrames = r.bits(6) + 1;
  if (r.bits(4) !== 0) throw new Unsupported('several programs');
  if (r.bits(3) !== 0) throw new Unsupported('several layers');
  let asc: Uint8Array;
  if (audioMuxVersion === 0) {
    const start = r.position;
    skipAudioSpecificConfig(r);
    const end = r.position;
    const copy = new BitReader(data);
    copy.skip(start);
    asc = copyBits(copy, end - start);
  } else {
    const bits = latmValue(r);
    asc = copyBits(r, bits);
  }
  const frameLengthType = r.bits(3);
  if (frameLengthType !== 0) throw new Unsupported(`frameLengthType ${frameLengthType} (CELP/HVXC or fixed)`);
  r.skip(8); // latmBufferFullness
  // otherDataLenBits and the CRC: read past (other data follows the payloads, which are all we take).
  if (r.flag()) {
    if (audioMuxVersion) latmValue(r);
    else {
      let esc: boolean;
      do {
        esc = r.flag(); // otherDataLenEsc, then 8 bits of otherDataLenTmp
        r.skip(8);
      } while (esc);
    }
  }
  if (r.flag()) r.skip(8);
  let parsed;
  try {
    parsed = parseAudioSpecificConfig(asc);
  } catch (e) {
    throw new Unsupported(`its AudioSpecificConfig: ${(e as Error).message}`);
  }
  return {
    subFrames,
    frameLength: parsed.frameLength ?? 1024,
    config: {
      record: asc,
      sampleRate: parsed.samplingFrequency,
      channels: parsed.outputChannels ?? parsed.channels ?? 2,
    },
  };
}

export class LatmFramer extends SyncedAudioFramer {
  protected readonly headerLength = HEADER;
  private mux: MuxConfig | undefined;
  /** The first LATM feature met that is not read (its frames are dropped). */
  problem: string | undefined;

  protected get frameSamples(): number {
    return this.mux?.frameLength ?? 1024;
  }

  protected frameAt(data: Uint8Array, pos: number): FoundFrame | 'partial' | undefined {
    if (data[pos] !== 0x56 || (data[pos + 1]! & 0xe0) !== 0xe0) return undefined;
    const length = ((data[pos + 1]! & 0x1f) << 8) | data[pos + 2]!;
    if (pos + HEADER + length > data.length) return 'partial';
    const payloads = this.element(data.subarray(pos + HEADER, pos + HEADER + length));
    // An element that cannot be read: its subframes are not known, the time does not move.
    return { length: HEADER + length, payloads, frames: payloads?.length ?? 0 };
  }

  /** The payloads of one AudioMuxElement (muxConfigPresent = 1), or undefined when it cannot be read. */
  private element(data: Uint8Array): Uint8Array[] | undefined {
    const r = new BitReader(data);
    try {
      if (!r.flag()) {
        // useSameStreamMux = 0: a (new) StreamMuxConfig.
        this.mux = readStreamMuxConfig(r, data);
        const rec = this.mux.config.record;
        const old = this.config?.record;
        if (!old || old.length !== rec.length || old.some((b, i) => b !== rec[i]))
          this.config = this.mux.config;
      }
      const mux = this.mux;
      // Frames before the first config cannot be decoded: skipped.
      if (!mux) return undefined;
      const payloads: Uint8Array[] = [];
      for (let i = 0; i < mux.subFrames; i++) {
        let length = 0;
        let b: number;
        do {
          b = r.bits(8);
          length += b;
        } while (b === 255);
        payloads.push(copyBits(r, length * 8));
      }
      return payloads;
    } catch (e) {
      if (e instanceof Unsupported) {
        this.problem ??= e.message;
        this.unsupportedFrames++;
        return undefined;
      }
      if (e instanceof RangeError) {
        // Lengths that run past the element: a damaged frame.
        this.unsupportedFrames++;
        return undefined;
      }
      throw e;
    }
  }
}
