/**
 * PID properties of one ISOBMFF track, read from the parsed moov (mp4box.js boxes) the way GPAC's
 * mp4dmx exposes them: StreamType, CodecID, Timescale, DecoderConfig, ID, Width/Height/FPS/SAR or
 * SampleRate/NumChannels, Bitrate, Duration, NbFrames, Language, Delay.
 */
import type { Box, ISOFile, SampleEntry } from 'mp4box';
import { AudioSampleEntry, VisualSampleEntry } from 'mp4box';
import type { Fraction, PidProps, StreamType } from '../../src/index.js';
import { parseAudioSpecificConfig } from './asc.js';
import type { TableStats } from './sample-table.js';

export type Trak = ReturnType<ISOFile['getTrackById']>;

/** Sample entry 4CC → GPAC codec name; unknown entries keep their 4CC. */
const CODECS: Record<string, string> = {
  avc1: 'avc',
  avc2: 'avc',
  avc3: 'avc',
  avc4: 'avc',
  dva1: 'avc',
  dvav: 'avc',
  hvc1: 'hevc',
  hev1: 'hevc',
  dvh1: 'hevc',
  dvhe: 'hevc',
  vvc1: 'vvc',
  vvi1: 'vvc',
  av01: 'av1',
  vp08: 'vp8',
  vp09: 'vp9',
  Opus: 'opus',
  fLaC: 'flac',
  'ac-3': 'ac3',
  'ec-3': 'eac3',
  'ac-4': 'ac4',
  '.mp3': 'mp3',
  wvtt: 'webvtt',
  tx3g: 'tx3g',
  stpp: 'stpp',
};

/** MPEG-4 objectTypeIndication (esds) → codec name. */
const OTI: Record<number, string> = {
  0x40: 'aac',
  0x66: 'aac',
  0x67: 'aac',
  0x68: 'aac',
  0x69: 'mp3',
  0x6b: 'mp3',
  0x20: 'mpeg4v',
  0x21: 'avc',
  0x23: 'hevc',
  0xa5: 'ac3',
  0xa6: 'eac3',
};

/** Codec configuration boxes whose payload is the DecoderConfig, as GPAC exposes it. */
const CONFIG_BOXES = ['avcC', 'hvcC', 'vvcC', 'av1C', 'vpcC', 'dOps', 'dfLa', 'dac3', 'dec3', 'dac4'];

function streamTypeOf(handler: string, entry: SampleEntry): StreamType {
  switch (handler) {
    case 'vide':
      return 'Visual';
    case 'soun':
      return 'Audio';
    case 'text':
    case 'sbtl':
    case 'subt':
    case 'clcp':
      return 'Text';
    case 'meta':
      return 'Metadata';
    case 'sdsm':
    case 'odsm':
      return 'Scene';
  }
  if (entry instanceof VisualSampleEntry) return 'Visual';
  if (entry instanceof AudioSampleEntry) return 'Audio';
  return 'Unknown';
}

function child(entry: SampleEntry, type: string): Box | undefined {
  return entry.boxes?.find((b) => b.type === type);
}

/** Bytes of the file between two offsets (as the box positions mp4box recorded), when at hand. */
export type RawBytes = (start: number, end: number) => Uint8Array | undefined;

/** The payload (after the box header) of `box` as it is in the file. */
function rawPayload(raw: RawBytes, box: Box): Uint8Array | undefined {
  const start = box.start;
  const hdr = box.hdr_size ?? 8;
  if (start === undefined || !(box.size > hdr)) return undefined;
  const bytes = raw(start + hdr, start + box.size);
  return bytes ? new Uint8Array(bytes) : undefined;
}

interface DescriptorLike {
  tag?: unknown;
  data?: unknown;
  oti?: unknown;
  avgBitrate?: unknown;
  descs?: unknown;
}

function descriptors(d: DescriptorLike): DescriptorLike[] {
  return Array.isArray(d.descs) ? (d.descs as DescriptorLike[]) : [];
}

/** The esds DecoderConfigDescriptor (tag 4) and its DecoderSpecificInfo bytes (tag 5). */
function esdsInfo(entry: SampleEntry): { oti?: number; avgBitrate?: number; dsi?: Uint8Array } | undefined {
  const esds = child(entry, 'esds') as (Box & { esd?: DescriptorLike }) | undefined;
  if (!esds?.esd) return undefined;
  const dcd = descriptors(esds.esd).find((d) => d.tag === 4);
  if (!dcd) return {};
  const dsi = descriptors(dcd).find((d) => d.tag === 5);
  return {
    oti: typeof dcd.oti === 'number' ? dcd.oti : undefined,
    avgBitrate: typeof dcd.avgBitrate === 'number' ? dcd.avgBitrate : undefined,
    dsi: dsi?.data instanceof Uint8Array ? new Uint8Array(dsi.data) : undefined,
  };
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

export function reduce(num: number, den: number): Fraction {
  const g = gcd(Math.abs(num), Math.abs(den)) || 1;
  return { num: num / g, den: den / g };
}

/**
 * Edit list → GPAC's Delay (in media timescale units): presentation time = CTS + Delay.
 * An initial empty edit delays the track (positive); the media_time of the first real edit skips media
 * (negative: B-frame reordering delay, AAC priming). Other edits (speed changes, several segments) are ignored.
 */
export function editDelay(trak: Trak, movieTimescale: number): number {
  const entries = trak.edts?.elst?.entries ?? [];
  let delay = 0;
  let i = 0;
  const first = entries[0];
  if (first && first.media_time === -1) {
    if (movieTimescale > 0)
      delay += Math.round((first.segment_duration * trak.mdia.mdhd.timescale) / movieTimescale);
    i = 1;
  }
  const edit = entries[i];
  if (edit && edit.media_time > 0) delay -= edit.media_time;
  return delay;
}

/**
 * Build the PID properties of `trak`. `stats`: its sample tables (only the first fragments' samples when
 * `fragmented`); `raw`: the file bytes the moov came from (DecoderConfig is copied as it is in the file).
 */
export function trackProps(
  file: ISOFile,
  trak: Trak,
  fragmented: boolean,
  stats: TableStats,
  raw: RawBytes,
): PidProps {
  const entry = trak.mdia.minf.stbl.stsd.entries[0];
  const timescale = trak.mdia.mdhd.timescale;
  const movieTimescale = file.moov.mvhd.timescale;
  if (!entry) return { StreamType: 'Unknown', CodecID: 'none', Timescale: timescale, ID: trak.tkhd.track_id };
  const type = entry.type;
  const props: PidProps = {
    StreamType: streamTypeOf(trak.mdia.hdlr.handler, entry),
    CodecID: CODECS[type] ?? type,
    Timescale: timescale,
    ID: trak.tkhd.track_id,
  };

  const esds = esdsInfo(entry);
  if (esds) {
    if (esds.oti !== undefined) props.CodecID = OTI[esds.oti] ?? type;
    if (esds.dsi && esds.dsi.length) props.DecoderConfig = esds.dsi;
  }
  for (const name of CONFIG_BOXES) {
    const box = child(entry, name);
    if (!box) continue;
    const payload = rawPayload(raw, box);
    if (payload) props.DecoderConfig = payload;
    break;
  }

  if (entry instanceof VisualSampleEntry) {
    props.Width = entry.width;
    props.Height = entry.height;
    const pasp = child(entry, 'pasp') as (Box & { hSpacing?: number; vSpacing?: number }) | undefined;
    if (pasp?.hSpacing && pasp.vSpacing) props.SAR = reduce(pasp.hSpacing, pasp.vSpacing);
    // Frame rate = timescale / the most common sample duration (robust to a short first or last frame).
    if (stats.commonDuration > 0) props.FPS = reduce(timescale, stats.commonDuration);
  } else if (entry instanceof AudioSampleEntry) {
    props.SampleRate = entry.getSampleRate();
    props.NumChannels = entry.getChannelCount();
    if (props.CodecID === 'aac' && props.DecoderConfig) {
      const asc = parseAudioSpecificConfig(props.DecoderConfig);
      if (asc?.sampleRate) props.SampleRate = asc.sampleRate;
      if (asc?.channels) props.NumChannels = asc.channels;
    }
  }

  const btrt = child(entry, 'btrt') as (Box & { avgBitrate?: number }) | undefined;
  const declared = esds?.avgBitrate || btrt?.avgBitrate || undefined;
  const mediaDuration = trak.mdia.mdhd.duration || (fragmented ? 0 : stats.totalDuration);
  // Measured from the tables, unless their timing makes it absurd (past what a 32-bit bitrate field holds).
  const measured =
    !fragmented && stats.totalDuration > 0
      ? Math.round((stats.totalSize * 8 * timescale) / stats.totalDuration)
      : undefined;
  if (measured !== undefined && measured <= 0xffffffff) {
    props.Bitrate = measured;
  } else if (declared) {
    props.Bitrate = declared;
  }
  if (mediaDuration > 0) {
    props.Duration = { num: mediaDuration, den: timescale };
  } else {
    const mehd = file.moov.mvex?.mehd;
    if (mehd?.fragment_duration && movieTimescale)
      props.Duration = { num: mehd.fragment_duration, den: movieTimescale };
  }
  if (!fragmented) props.NbFrames = stats.count;
  const lang = trak.mdia.mdhd.languageString;
  if (lang && /^[a-z]{3}$/.test(lang) && lang !== 'und') props.Language = lang;
  const delay = editDelay(trak, movieTimescale);
  if (delay !== 0) props.Delay = delay;
  return props;
}
