/**
 * The initialisation segment: `ftyp` + `moov` (mvhd, one trak per track, mvex with trex per track).
 * Sample tables are empty: all samples live in movie fragments.
 *
 * EDIT-LIST POLICY: see {@link EditListPolicy} and docs/CMAF.md.
 */
import { parseAudioSpecificConfig } from '../codecs/aac.js';
import { parseAvcC, parseAvcSps } from '../codecs/avc.js';
import { rescale } from '../time.js';
import type { Ratio, TrackConfig } from '../track.js';
import {
  dinf,
  edts,
  elst,
  ftyp,
  hdlr,
  mdhd,
  mdia,
  mehd,
  minf,
  moov,
  mvex,
  mvhd,
  smhd,
  stbl,
  tkhd,
  trak,
  trex,
  vmhd,
} from './movie-boxes.js';
import { iTunSMPBText, udtaITunesTag } from './itunes-boxes.js';
import { type Part, serialize } from './part.js';
import { audioSampleEntry, avcC, btrt, esds, hvcC, pasp, visualSampleEntry } from './sample-entry-boxes.js';

/**
 * EDIT-LIST POLICY: how `TrackConfig.editDelay` (B-frame composition delay, AAC priming) is expressed.
 *
 * - `'elst'` (default): each track with `editDelay > 0` gets one edit, `media_time = editDelay`,
 *   `media_rate = 1`, `segment_duration = 0` ("the rest of the fragmented media", as GPAC writes it)
 *   or the presented duration when `TrackConfig.duration` is known. tfdt/trun keep the source's decode
 *   times and (non-negative) composition offsets. AAC tracks also get an iTunSMPB tag with the same
 *   priming (`aacPrimingTag`, default on).
 * - `'none'`: no edit list and no tag; the caller shifts timestamps itself if it wants to.
 *
 * Why (FFmpeg 5.1, `cat init seg…`, see test/media-writer/edit-list-policy.test.ts and docs/CMAF.md):
 * FFmpeg applies an edit list to a fragmented track only as a timestamp offset (`media_time` is
 * subtracted from every tfdt-derived DTS; its edit-list trimming runs on the moov sample tables,
 * which are empty here). So the elst alone puts B-frame video at start_time 0, but AAC at −0.021 s with
 * the 1024 priming samples still decoded. FFmpeg trims AAC priming (skip_samples) only from an iTunSMPB
 * tag; elst + iTunSMPB gives start_time 0 and exactly the source's decoded samples (PCM bit-identical).
 * Browsers (MSE in Chromium: a single-edit `media_time` is applied as a timestamp offset, and audio
 * before 0 is trimmed by the append window) and hls.js/dash.js (which place media by tfdt and let MSE
 * apply the edit) ignore the udta tag. `segment_duration` has no effect on either (measured: same
 * FFmpeg results with 0 and with the real duration).
 */
export type EditListPolicy = 'elst' | 'none';

export interface InitSegmentOptions {
  /** CMAF brand: adds `cmfc` (and `cmf2`) and makes the CMAF brand the major brand. */
  cmaf?: 'cmfc' | 'cmf2';
  /** Overrides the major brand. */
  majorBrand?: string;
  /** Brands appended to the compatible brands (e.g. a CMAF media profile such as `cfhd`). */
  extraBrands?: readonly string[];
  /** mvhd timescale, default 1000. */
  movieTimescale?: number;
  /** Presentation duration in the movie timescale when known: written to mvhd and to an mehd box. */
  duration?: number;
  editList?: EditListPolicy;
  /**
   * Also write the AAC priming (`editDelay` of AAC tracks) as an iTunSMPB tag in the audio trak, so
   * that FFmpeg trims it from fragmented files too. Default true. See the edit-list policy.
   */
  aacPrimingTag?: boolean;
  /** creation/modification time, seconds since 1904-01-01 (default 0, for reproducible output). */
  creationTime?: number;
}

/**
 * Brand rules:
 * - default: major `iso6` (the ISO brand covering the fragment features used: default-base-is-moof,
 *   version-1 trun with signed offsets, tfdt), compatible `iso6 isom dash`;
 * - `cmaf: 'cmfc'`: major `cmfc`, compatible `cmfc iso6 isom dash`;
 * - `cmaf: 'cmf2'`: major `cmf2`, compatible `cmf2 cmfc iso6 isom dash` (cmf2 implies cmfc);
 * - `majorBrand` replaces the major brand (and is listed among the compatible brands);
 *   `extraBrands` are appended.
 */
export function initBrands(options: Pick<InitSegmentOptions, 'cmaf' | 'majorBrand' | 'extraBrands'> = {}): {
  major: string;
  compatible: string[];
} {
  const cmaf = options.cmaf === 'cmf2' ? ['cmf2', 'cmfc'] : options.cmaf === 'cmfc' ? ['cmfc'] : [];
  const base = [...cmaf, 'iso6', 'isom', 'dash'];
  const major = options.majorBrand ?? base[0] ?? 'iso6';
  const compatible = [...new Set([major, ...base, ...(options.extraBrands ?? [])])];
  return { major, compatible };
}

/** Writes ftyp + moov for the given tracks (one Uint8Array). */
export function writeInitSegment(
  tracks: readonly TrackConfig[],
  options: InitSegmentOptions = {},
): Uint8Array {
  if (tracks.length === 0) throw new RangeError('writeInitSegment: no tracks');
  const ids = new Set<number>();
  for (const t of tracks) {
    if (!Number.isInteger(t.trackId) || t.trackId < 1)
      throw new RangeError(`trackId ${t.trackId} is not ≥ 1`);
    if (ids.has(t.trackId)) throw new RangeError(`trackId ${t.trackId} is used twice`);
    ids.add(t.trackId);
  }
  const movieTimescale = options.movieTimescale ?? 1000;
  const duration = options.duration ?? 0;
  const brands = initBrands(options);
  const creation_time = options.creationTime ?? 0;
  const mvexChildren: Part[] = [];
  if (options.duration !== undefined) mvexChildren.push(mehd(duration));
  for (const t of tracks) mvexChildren.push(trex({ track_ID: t.trackId }));
  return serialize(
    ftyp(brands.major, 0, brands.compatible),
    moov(
      mvhd({
        timescale: movieTimescale,
        duration,
        next_track_ID: Math.max(...ids) + 1,
        creation_time,
      }),
      ...tracks.map((t) =>
        trackBox(t, {
          movieTimescale,
          policy: options.editList ?? 'elst',
          primingTag: options.aacPrimingTag ?? true,
          creation_time,
        }),
      ),
      mvex(...mvexChildren),
    ),
  );
}

interface VideoGeometry {
  width: number;
  height: number;
  sar: Ratio;
}

function videoGeometry(t: TrackConfig): VideoGeometry {
  let { width, height, sar } = t;
  if ((width === undefined || height === undefined || sar === undefined) && t.codec === 'avc') {
    const sps = parseAvcC(t.decoderConfig).sps[0];
    if (sps) {
      const info = parseAvcSps(sps);
      width ??= info.width;
      height ??= info.height;
      sar ??= info.sar;
    }
  }
  if (width === undefined || height === undefined) {
    throw new RangeError(`track ${t.trackId}: width and height are required for ${t.codec}`);
  }
  return { width, height, sar: sar ?? { num: 1, den: 1 } };
}

function videoSampleEntry(t: TrackConfig): { entry: Part; geometry: VideoGeometry } {
  const type = t.sampleEntryType ?? (t.codec === 'hevc' ? 'hvc1' : 'avc1');
  const isAvc = type === 'avc1' || type === 'avc3';
  if ((t.codec === 'avc') !== isAvc || (t.codec !== 'avc' && t.codec !== 'hevc')) {
    throw new RangeError(`track ${t.trackId}: sample entry ${type} does not carry ${t.codec}`);
  }
  const geometry = videoGeometry(t);
  const boxes: Part[] = [isAvc ? avcC(t.decoderConfig) : hvcC(t.decoderConfig)];
  if (geometry.sar.num !== geometry.sar.den) boxes.push(pasp(geometry.sar.num, geometry.sar.den));
  if (t.bitrate !== undefined) boxes.push(btrt(0, t.maxBitrate ?? t.bitrate, t.bitrate));
  const entry = visualSampleEntry({ type, width: geometry.width, height: geometry.height }, ...boxes);
  return { entry, geometry };
}

function audioEntry(t: TrackConfig): Part {
  if (t.codec !== 'aac') throw new RangeError(`track ${t.trackId}: audio codec ${t.codec} is not supported`);
  const asc = parseAudioSpecificConfig(t.decoderConfig);
  return audioSampleEntry(
    {
      type: 'mp4a',
      channelcount: t.channels ?? (asc.channels || 2),
      samplerate: t.sampleRate ?? asc.extensionSamplingFrequency ?? asc.samplingFrequency,
    },
    esds({
      ES_ID: 0,
      objectTypeIndication: 0x40,
      streamType: 0x05,
      bufferSizeDB: 0,
      maxBitrate: t.maxBitrate ?? t.bitrate ?? 0,
      avgBitrate: t.bitrate ?? 0,
      decoderSpecificInfo: t.decoderConfig,
    }),
  );
}

interface TrackBoxOptions {
  movieTimescale: number;
  policy: EditListPolicy;
  primingTag: boolean;
  creation_time: number;
}

function trackBox(t: TrackConfig, o: TrackBoxOptions): Part {
  const { movieTimescale, policy, creation_time } = o;
  if (!Number.isSafeInteger(t.timescale) || t.timescale < 1) {
    throw new RangeError(`track ${t.trackId}: timescale ${t.timescale} is not a positive integer`);
  }
  const video = t.kind === 'video';
  const { entry, geometry } = video ? videoSampleEntry(t) : { entry: audioEntry(t), geometry: undefined };
  const mediaDuration = t.duration ?? 0;
  const editDelay = t.editDelay ?? 0;
  if (!Number.isSafeInteger(editDelay) || editDelay < 0) {
    throw new RangeError(`track ${t.trackId}: editDelay ${editDelay} is not an integer ≥ 0`);
  }
  const presented = Math.max(0, mediaDuration - editDelay);
  const movieDuration = mediaDuration > 0 ? rescale(presented, t.timescale, movieTimescale) : 0;
  const children: Part[] = [
    tkhd({
      track_ID: t.trackId,
      duration: movieDuration,
      flags: 0x000003, // track_enabled | track_in_movie
      alternate_group: video ? 0 : 1,
      volume: video ? 0 : 1,
      width: geometry ? Math.round((geometry.width * geometry.sar.num) / geometry.sar.den) : 0,
      height: geometry ? geometry.height : 0,
      creation_time,
    }),
  ];
  if (policy === 'elst' && editDelay > 0) {
    children.push(edts(elst([{ segment_duration: movieDuration, media_time: editDelay }])));
  }
  children.push(
    mdia(
      mdhd({ timescale: t.timescale, duration: mediaDuration, language: t.language ?? 'und', creation_time }),
      hdlr(video ? 'vide' : 'soun', video ? 'VideoHandler' : 'SoundHandler'),
      minf(video ? vmhd() : smhd(), dinf(), stbl(entry)),
    ),
  );
  if (policy === 'elst' && o.primingTag && t.codec === 'aac' && editDelay > 0) {
    children.push(udtaITunesTag('iTunSMPB', iTunSMPBText(editDelay)));
  }
  return trak(...children);
}
