/**
 * The elementary streams m2tsdmx exposes: which PMT stream types it reads, and per stream the framer
 * (Annex-B video, ADTS or LOAS/LATM audio), the access units held before the PID is declared, and the PID
 * properties made from the in-band configuration.
 */
import type { PidProps } from '../../src/index.js';
import { AdtsFramer, LatmFramer, NalFramer } from '../../src/media/ts/index.js';
import type { AccessUnit, AudioFramer } from '../../src/media/ts/index.js';

/** PMT stream_type → what is read (ISO/IEC 13818-1 Table 2-34, H.222 amendments). */
export const STREAM_TYPES: Readonly<
  Record<number, { kind: 'video' | 'audio'; codec: 'avc' | 'hevc' | 'aac'; latm?: boolean }>
> = {
  0x1b: { kind: 'video', codec: 'avc' },
  0x24: { kind: 'video', codec: 'hevc' },
  0x0f: { kind: 'audio', codec: 'aac' },
  // AAC in LOAS/LATM: the same AAC once its framing is taken off (the MP4 output is the same).
  0x11: { kind: 'audio', codec: 'aac', latm: true },
};

/**
 * Private PES (stream type 0x06) carries many things; one with none of the descriptors naming AC-3,
 * E-AC-3, DTS, subtitles or teletext is read as AAC if its first PES starts with an ADTS header (ffmpeg
 * writes AAC so in .m2ts mode). DVB's AAC descriptor (0x7C) says so outright.
 */
export const PRIVATE_NOT_AAC = new Set([0x56, 0x59, 0x6a, 0x7a, 0x7b, 0x45, 0x46]);

/** Names of stream types not read, for the warning. */
export const UNSUPPORTED_NAMES: Readonly<Record<number, string>> = {
  0x01: 'MPEG-1 video',
  0x02: 'MPEG-2 video',
  0x03: 'MPEG-1 audio',
  0x04: 'MPEG-2 audio',
  0x06: 'private data (AC-3, subtitles, teletext…)',
  0x15: 'metadata',
  0x81: 'AC-3',
  0x86: 'SCTE-35',
  0x87: 'E-AC-3',
};

export class EsStream {
  readonly nal: NalFramer | undefined;
  /** The audio framer: ADTS, or LOAS/LATM (stream type 0x11). */
  readonly audio: AudioFramer | undefined;
  /** Access units waiting for the PID to be declared (video: from the first SAP on). */
  held: AccessUnit[] = [];
  /** Video access units dropped before the first random access point. */
  beforeSap = 0;
  sawSap = false;
  declared = false;
  /** A private PES stream read as AAC only if its data is ADTS. */
  probing = false;
  /**
   * Discontinuities of its program's clock when this stream's timestamps were last mapped (-1: none mapped
   * yet), and the decode time of its first access unit after the latest one it met, until that unit is sent.
   */
  epoch = -1;
  restartDts: number | undefined;
  /** The DecoderConfig the PID was declared (or last updated) with. */
  record: Uint8Array | undefined;

  constructor(
    readonly pid: number,
    readonly program: number,
    /** 1-based position in the PMT, for GPAC's PID name. */
    readonly index: number,
    readonly kind: 'video' | 'audio',
    readonly codec: 'avc' | 'hevc' | 'aac',
    readonly language: string | undefined,
    readonly latm = false,
  ) {
    if (codec === 'aac') this.audio = latm ? new LatmFramer() : new AdtsFramer();
    else this.nal = new NalFramer(codec);
  }

  /** GPAC's PID name: program, stream kind, position in the program (the PMT counts as the first). */
  get name(): string {
    return `P${this.program}${this.kind === 'video' ? 'V' : 'A'}${this.index + 1}`;
  }

  get timescale(): number {
    return this.audio ? (this.audio.config?.sampleRate ?? 90000) : 90000;
  }

  /** The decoder configuration is known and media can start (video: a SAP is held). */
  get ready(): boolean {
    if (this.nal) return !!this.nal.config && this.sawSap;
    return !!this.audio?.config && this.held.length > 0;
  }

  get configRecord(): Uint8Array | undefined {
    return this.nal ? this.nal.config?.record : this.audio?.config?.record;
  }

  /** Media held, in seconds. */
  get heldSeconds(): number {
    const first = this.held[0];
    const last = this.held.at(-1);
    if (!first || !last) return 0;
    return (last.dts + last.duration - first.dts) / this.timescale;
  }

  props(): PidProps {
    const p: PidProps = {
      StreamType: this.kind === 'video' ? 'Visual' : 'Audio',
      CodecID: this.codec,
      Timescale: this.timescale,
      ID: this.pid,
      ServiceID: this.program,
    };
    const record = this.configRecord;
    if (record) p.DecoderConfig = record;
    const v = this.nal?.config;
    if (v) {
      p.Width = v.width;
      p.Height = v.height;
      if (v.sar && (v.sar.num !== 1 || v.sar.den !== 1)) p.SAR = v.sar;
    }
    const a = this.audio?.config;
    if (a) {
      p.SampleRate = a.sampleRate;
      p.NumChannels = a.channels;
    }
    if (this.language && this.language !== 'und') p.Language = this.language;
    return p;
  }
}
