/** The plain-data description of one track, as the init segment writer and codec helpers take it. */

export type TrackKind = 'video' | 'audio';
export type TrackCodec = 'avc' | 'hevc' | 'aac';
export type VideoSampleEntryType = 'avc1' | 'avc3' | 'hvc1' | 'hev1';

export interface Ratio {
  num: number;
  den: number;
}

export interface TrackConfig {
  /** track_ID (≥ 1), unique in the movie. */
  trackId: number;
  kind: TrackKind;
  codec: TrackCodec;
  /**
   * Sample entry FourCC. Default `avc1` / `hvc1` (parameter sets in the sample entry only); `avc3` /
   * `hev1` allow parameter sets in band. Audio tracks are always `mp4a`.
   */
  sampleEntryType?: VideoSampleEntryType;
  /** Media timescale (ticks per second) of the track: mdhd timescale, and the unit of tfdt/trun. */
  timescale: number;
  /** The raw avcC/hvcC record (no box header), or the AAC AudioSpecificConfig. */
  decoderConfig: Uint8Array;
  /** Coded (cropped) picture size. Read from the SPS when absent (AVC only; required for HEVC). */
  width?: number;
  height?: number;
  /** Sample (pixel) aspect ratio; read from the AVC SPS when absent, else 1:1. A `pasp` box is written when ≠ 1:1. */
  sar?: Ratio;
  /** Output sampling rate in Hz; from the AudioSpecificConfig when absent (the SBR rate for HE-AAC). */
  sampleRate?: number;
  /** Channel count; from the AudioSpecificConfig when absent (2 when it does not say). */
  channels?: number;
  /** ISO-639-2/T language code, default `und`. */
  language?: string;
  /** Average bitrate in bits/s: written to `btrt` (video) and esds avgBitrate (audio). */
  bitrate?: number;
  /** Peak bitrate in bits/s (default: `bitrate`). */
  maxBitrate?: number;
  /**
   * Media time (track timescale) that the presentation should skip at the start: the B-frame
   * composition delay (first CTS − first DTS) for video, the encoder priming for AAC (typically 1024 or
   * 2112). See the edit-list policy in `init-segment.ts`.
   */
  editDelay?: number;
  /** Track duration in the track timescale when known (static presentations); 0 or absent = unknown. */
  duration?: number;
}
