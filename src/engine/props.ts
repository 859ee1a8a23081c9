/**
 * PID and packet properties (spec §3.2). Names are GPAC's, as used in `#Name=value` syntax.
 * Values are plain data so a PID's properties can be printed, compared and serialised.
 */

export interface Fraction {
  num: number;
  den: number;
}

export type PropValue =
  number | string | boolean | Fraction | Uint8Array | readonly number[] | readonly string[];

export type StreamType = 'File' | 'Visual' | 'Audio' | 'Text' | 'Metadata' | 'Scene' | 'Unknown';

/** Well-known PID properties; any other name is allowed too (filters may define their own). */
export interface PidProps {
  StreamType?: StreamType;
  /** Codec of the stream: `avc`, `hevc`, `aac`, … (`raw` for unframed bytes). */
  CodecID?: string;
  /** Units per second of DTS/CTS/duration on this PID. */
  Timescale?: number;
  /** avcC / hvcC record, or AAC AudioSpecificConfig. */
  DecoderConfig?: Uint8Array;
  ID?: number;
  Width?: number;
  Height?: number;
  FPS?: Fraction;
  SAR?: Fraction;
  SampleRate?: number;
  NumChannels?: number;
  /** Average bitrate, bits per second. */
  Bitrate?: number;
  /** Duration of the stream (num in Timescale units / den = timescale). */
  Duration?: Fraction;
  /** Edit-list delay in Timescale units, GPAC's sign: presentation time = CTS + Delay (−1024 skips B-frame delay or AAC priming). */
  Delay?: number;
  Language?: string;
  /** File extension (without dot) for StreamType=File PIDs. */
  Extension?: string;
  MIMEType?: string;
  URL?: string;
  SourcePath?: string;
  /** Number of samples in the stream when known (demuxers). */
  NbFrames?: number;
  /** Size of the source file in bytes (fin). */
  DownloadSize?: number;
  /** Stream carries only sync samples. */
  IntraOnly?: boolean;
  /** Bytes are not framed into access units. */
  Unframed?: boolean;
  [name: string]: PropValue | undefined;
}

/** Packet properties (spec §3.2): FileNumber, FileName, InitSeg, EODS, LLHASFragNum, … */
export type PacketProps = Record<string, PropValue | undefined>;

export function propToString(v: PropValue | undefined): string {
  if (v === undefined) return '';
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  if (Array.isArray(v)) return v.join(',');
  if (typeof v === 'object' && 'num' in v) return `${v.num}/${v.den}`;
  return String(v);
}

/** Structural equality of two property values (used to detect real property changes). */
export function propEquals(a: PropValue | undefined, b: PropValue | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    return a.length === b.length && a.every((x, i) => x === b[i]);
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => x === b[i]);
  }
  if (typeof a === 'object' && typeof b === 'object' && 'num' in a && 'num' in b) {
    return a.num * b.den === b.num * a.den;
  }
  return false;
}
