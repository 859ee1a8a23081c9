/**
 * `src/media/ts/`: MPEG-2 transport stream reading as pure modules: packets, PSI (PAT/PMT), PES, the
 * demultiplexer, program time (33-bit wrap, continuous timeline), and the framers that turn PES payloads
 * into access units (H.264/H.265 Annex-B, AAC ADTS and LOAS/LATM).
 */
export * from './packet.js';
export * from './psi.js';
export * from './pes.js';
export * from './demux.js';
export * from './timestamps.js';
export * from './nal-framer.js';
export * from './adts-framer.js';
export * from './latm-framer.js';
