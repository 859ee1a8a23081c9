/**
 * What the AAC framers of PES payloads share (ADTS: adts-framer.ts, LOAS/LATM: latm-framer.ts): frames
 * found by their sync word, a frame cut by a PES boundary carried over to the next PES, and the times.
 * Times are in samples (the stream's timescale is its sampling rate): the first frame of a PES at its
 * PTS, the next ones a frame apart; a PTS within half a frame of where the previous frames ended keeps
 * the count exact.
 */
import type { AccessUnit } from './nal-framer.js';

export interface AudioConfig {
  /** AudioSpecificConfig. */
  record: Uint8Array;
  sampleRate: number;
  channels: number;
}

/** What m2tsdmx needs of an audio framer. */
export interface AudioFramer {
  /** Known once a frame with the configuration was read. */
  readonly config: AudioConfig | undefined;
  /** A PES packet's payload; `pts` on the output timeline (90 kHz) when its header had one. */
  add(data: Uint8Array, pts: number | undefined): AccessUnit[];
  /** The first feature met that is not read, if any (its frames are dropped). */
  readonly problem?: string | undefined;
}

/** One frame found at a position of the data. */
export interface FoundFrame {
  /** Its bytes, header included. */
  length: number;
  /** The access units it holds; undefined: none usable (dropped). */
  payloads: Uint8Array[] | undefined;
  /** How many frames of samples it lasts (0 when not known: the time does not move). */
  frames: number;
}

export abstract class SyncedAudioFramer implements AudioFramer {
  config: AudioConfig | undefined;
  private carry: Uint8Array | undefined;
  private next: number | undefined;
  /** Bytes skipped to find a sync word again. */
  bytesSkipped = 0;
  /** Frames dropped: a feature not read, or damaged. */
  unsupportedFrames = 0;

  /** The smallest header: fewer bytes left wait for the next PES. */
  protected abstract readonly headerLength: number;
  /** Samples per frame (1024, or 960). */
  protected abstract readonly frameSamples: number;
  /**
   * The frame at `pos` (read, and the config updated from it), 'partial' when it runs past the data, or
   * undefined when no sync word starts there.
   */
  protected abstract frameAt(data: Uint8Array, pos: number): FoundFrame | 'partial' | undefined;

  add(data: Uint8Array, pts: number | undefined): AccessUnit[] {
    // A carried frame started in the previous PES: its time continues the count.
    if (this.carry?.length) {
      const joined = new Uint8Array(this.carry.length + data.length);
      joined.set(this.carry);
      joined.set(data, this.carry.length);
      data = joined;
      pts = undefined;
    }
    this.carry = undefined;
    const out: AccessUnit[] = [];
    let pos = 0;
    let first = true;
    while (pos + this.headerLength <= data.length) {
      const f = this.frameAt(data, pos);
      if (!f) {
        pos++;
        this.bytesSkipped++;
        continue;
      }
      if (f === 'partial') break;
      pos += f.length;
      if (!this.config || !f.frames) continue;
      const samples = this.frameSamples;
      if (first && pts !== undefined) {
        const t = Math.round((pts * this.config.sampleRate) / 90000);
        if (this.next === undefined || Math.abs(t - this.next) > samples / 2) this.next = t;
      }
      first = false;
      // No time yet (joined mid-stream, a PES without PTS): wait for one.
      if (this.next === undefined) continue;
      if (!f.payloads) {
        // Dropped (a form not supported): its time still passes.
        this.unsupportedFrames++;
        this.next += samples * f.frames;
      } else
        for (const p of f.payloads) {
          out.push({ data: p, pts: this.next, dts: this.next, duration: samples, sap: 1 });
          this.next += samples;
        }
    }
    if (pos < data.length) this.carry = data.slice(pos);
    return out;
  }
}
