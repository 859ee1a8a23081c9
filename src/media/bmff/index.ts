/** The ISOBMFF/CMAF writer: init segments, styp, chunks (moof + mdat), prft, emsg, sidx. */
export {
  initBrands,
  writeInitSegment,
  type EditListPolicy,
  type InitSegmentOptions,
} from './init-segment.js';
export {
  CMAF_SEGMENT_BRANDS,
  DASH_SEGMENT_BRANDS,
  NON_SYNC_SAMPLE_FLAGS,
  OPEN_GOP_SAMPLE_FLAGS,
  SYNC_SAMPLE_FLAGS,
  sampleFlagsForSap,
  writeChunk,
  writeEmsg,
  writeSidx,
  writeStyp,
  type Chunk,
  type ChunkInput,
  type ChunkSample,
  type ChunkTrack,
  type EmsgInput,
  type PrftInput,
  type SapType,
} from './chunk.js';
export type { SidxFields, SidxReference } from './fragment-boxes.js';
export { serialize, type Part } from './part.js';
