/**
 * AAC access units from the ADTS frames of PES payloads (ISO/IEC 13818-7): the ADTS header taken off,
 * the AudioSpecificConfig built from it, 1024 samples a frame (carry-over and times: audio-framer.ts).
 */
import { adtsToAudioSpecificConfig, parseAdtsHeader } from '../codecs/aac.js';
import { SyncedAudioFramer } from './audio-framer.js';
import type { FoundFrame } from './audio-framer.js';

export type { AudioConfig, AudioFramer } from './audio-framer.js';

export class AdtsFramer extends SyncedAudioFramer {
  protected readonly headerLength = 7;
  protected readonly frameSamples = 1024;

  protected frameAt(data: Uint8Array, pos: number): FoundFrame | 'partial' | undefined {
    const h = parseAdtsHeader(data, pos);
    if (!h) return undefined;
    if (pos + h.frameLength > data.length) return 'partial';
    const rec = adtsToAudioSpecificConfig(h);
    if (!this.config || this.config.record[0] !== rec[0] || this.config.record[1] !== rec[1])
      this.config = { record: rec, sampleRate: h.sampleRate, channels: channelsOf(h.channelConfiguration) };
    return {
      length: h.frameLength,
      // Several raw data blocks in a frame: not split, dropped (their time is kept).
      payloads: h.rawBlocks === 1 ? [data.slice(pos + h.headerLength, pos + h.frameLength)] : undefined,
      frames: h.rawBlocks,
    };
  }
}

function channelsOf(cfg: number): number {
  return [2, 1, 2, 3, 4, 5, 6, 8][cfg] ?? 2;
}
