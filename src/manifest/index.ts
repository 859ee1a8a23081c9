// Manifest model and its pure writers (MPD, HLS master / variant / LL-HLS / delta).

export type * from './model.js';
export { writeMpd, type MpdOptions } from './mpd.js';
export { writeMaster, type MasterOptions } from './hls/master.js';
export { writeVariant, skippedCount, type VariantOptions } from './hls/variant.js';
export {
  type PartHoldBack,
  type ServerControlOptions,
  lastPublished,
  partHoldBackFor,
  partTargetOf,
  partWindowStart,
} from './hls/ll.js';
export { type PlaylistSet, hlsRenditions, hlsVersion, playlistName } from './hls/common.js';
export { deriveServiceDescription, type LatencyInputs, mediaKind } from './derive.js';
export {
  formatDecimal,
  formatG,
  isoDate,
  isoDuration,
  isoDurationSeconds,
  formatHlsFrameRate,
  xmlEscape,
} from './format.js';
export {
  MANIFEST_EXTENSIONS,
  MANIFEST_FORMATS,
  mainFormatOf,
  type ManifestFile,
  type ManifestFormat,
  type ManifestWriteOptions,
} from './manifest-formats.js';
