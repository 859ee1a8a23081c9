/**
 * `src/media/`: pure media helpers with no I/O and no engine dependency: the ISOBMFF/CMAF writer,
 * codec configuration parsing and RFC 6381 codec strings, and timing math. Bytes are `Uint8Array`
 * throughout (a Node `Buffer` is accepted wherever a `Uint8Array` is).
 */
export * from './bmff/index.js';
export * from './codecs/index.js';
export * from './time.js';
export type { Ratio, TrackCodec, TrackConfig, TrackKind, VideoSampleEntryType } from './track.js';
