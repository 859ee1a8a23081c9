/**
 * AAC access units from the ADTS frames of PES payloads (ISO/IEC 13818-7): the ADTS header taken off,
 * the AudioSpecificConfig built from it, a frame cut by a PES boundary carried over. Times are in samples
 * (the stream's timescale is its sampling rate): the first frame of a PES at its PTS, the next ones
 * 1024 samples apart; a PTS within half a frame of where the previous frames ended keeps the count exact.
 */
import { adtsToAudioSpecificConfig, parseAdtsHeader } from '../codecs/aac.js';
import type { AccessUnit } from './nal-framer.js';

export interface AudioConfig {
  /** AudioSpecificConfig. */
  record: Uint8Array;
  sampleRate: number;
  channels: number;
}

/** What m2tsdmx needs of an audio framer (ADTS here, LOAS/LATM in latm-framer.ts). */
export interface AudioFramer {
  /** Known once a frame with the configuration was read. */
  readonly config: AudioConfig | undefined;
  /** A PES packet's payload; `pts` on the output timeline (90 kHz) when its header had one. */
  add(data: Uint8Array, pts: number | undefined): AccessUnit[];
  /** The first feature met that is not read, if any (its frames are dropped). */
  readonly problem?: string | undefined;
}

const SAMPLES_PER_FRAME = 1024;

export class AdtsFramer implements AudioFramer {
  config: AudioConfig | undefined;
  private carry: Uint8Array | undefined;
  private next: number | undefined;
  /** Bytes skipped to find an ADTS syncword again. */
  bytesSkipped = 0;
  /** Frames with several raw data blocks (not split: dropped). */
  unsupportedFrames = 0;

  /** A PES packet's payload; `pts` on the output timeline (90 kHz) when its header had one. */
  add(data: Uint8Array, pts: number | undefined): AccessUnit[] {
    if (this.carry?.length) {
      const joined = new Uint8Array(this.carry.length + data.length);
      joined.set(this.carry);
      joined.set(data, this.carry.length);
      data = joined;
      // The carried frame started in the previous PES: its time continues the count.
      pts = undefined;
    }
    this.carry = undefined;
    const out: AccessUnit[] = [];
    let pos = 0;
    let first = true;
    while (pos + 7 <= data.length) {
      const h = parseAdtsHeader(data, pos);
      if (!h) {
        pos++;
        this.bytesSkipped++;
        continue;
      }
      if (pos + h.frameLength > data.length) break;
      const rec = adtsToAudioSpecificConfig(h);
      if (!this.config || this.config.record[0] !== rec[0] || this.config.record[1] !== rec[1])
        this.config = { record: rec, sampleRate: h.sampleRate, channels: channelsOf(h.channelConfiguration) };
      const rate = h.sampleRate;
      if (first && pts !== undefined) {
        const t = Math.round((pts * rate) / 90000);
        if (this.next === undefined || Math.abs(t - this.next) > SAMPLES_PER_FRAME / 2) this.next = t;
      }
      first = false;
      if (this.next === undefined) {
        // No time yet (joined mid-stream, a PES without PTS): wait for one.
        pos += h.frameLength;
        continue;
      }
      if (h.rawBlocks !== 1) this.unsupportedFrames++;
      else
        out.push({
          data: data.slice(pos + h.headerLength, pos + h.frameLength),
          pts: this.next,
          dts: this.next,
          duration: SAMPLES_PER_FRAME,
          sap: 1,
        });
      this.next += SAMPLES_PER_FRAME * h.rawBlocks;
      pos += h.frameLength;
    }
    if (pos < data.length) this.carry = data.slice(pos);
    return out;
  }
}

function channelsOf(cfg: number): number {
  return [2, 1, 2, 3, 4, 5, 6, 8][cfg] ?? 2;
}
