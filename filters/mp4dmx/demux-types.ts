/** Types shared by the demuxer front (demuxer.ts) and its two readers (table-demux.ts, fragment-demux.ts). */
import type { PidProps } from '../../src/index.js';

export interface DemuxTrack {
  readonly id: number;
  readonly props: PidProps;
  readonly timescale: number;
  /** GPAC Delay (edit list), media timescale units; tracks are interleaved on DTS + Delay. */
  readonly delay: number;
}

/**
 * Who to tell when the demuxer lets go of a block of file bytes it was given (mp4dmx drops the
 * source's packet then, so fin can reuse the memory). Samples cut out of a block name its owner.
 */
export interface BlockOwner {
  release(): void;
}

export interface OutSample {
  /** 0-based sample number in its track. */
  number: number;
  data: Uint8Array;
  dts: number;
  cts: number;
  duration: number;
  sync: boolean;
  /** The block `data` is a view of (undefined: `data` is the demuxer's own memory). */
  owner?: BlockOwner;
}

/** Which sample's bytes are missing, to name it when the file ends first. */
export interface Missing {
  track: number;
  /** 1-based sample number. */
  sample: number;
  /** Offset just past the sample's data. */
  end: number;
}

export type DemuxStep =
  | { kind: 'sample'; track: DemuxTrack; sample: OutSample }
  /** Bytes from `offset` on are needed to go on. */
  | { kind: 'need'; offset: number; missing?: Missing }
  | { kind: 'done' };

/** A reader once the moov is known: sample tables (plain MP4) or mp4box.js extraction (fragmented). */
export interface DemuxMode {
  readonly tracks: readonly DemuxTrack[];
  readonly fragmented: boolean;
  /** Bytes held besides the shared block cache. */
  readonly heldBytes: number;
  /** With `owner`, the mode calls owner.release() once it holds no view of `data` any more. */
  append(data: Uint8Array, offset: number, owner?: BlockOwner): void;
  step(): DemuxStep;
  consumed(track: DemuxTrack, sample: OutSample): void;
  /** Every byte of the file has been seen: flush what is pending. Returns false if that changes nothing. */
  endOfFile(): boolean;
}

/** Decode time in seconds with the edit delay applied (the interleaving order). */
export function decodeTime(t: DemuxTrack, dts: number): number {
  return (dts + t.delay) / t.timescale;
}
