/**
 * graphpac's public API: what plugins and scripts may import (`import { defineFilter } from 'graphpac'`).
 * Built-in filters use exactly this surface.
 */
export { defineFilter, defineLazyFilter, FILTER_API_VERSION } from './engine/filter-api.js';
export type {
  AnyFilterDescriptor,
  Clock,
  FileDeleteEvent,
  FilterContext,
  FilterDescriptor,
  FilterEvent,
  FilterImpl,
  FilterMetadata,
  InputPid,
  LazyFilterDescriptor,
  Logger,
  OutputPid,
  Packet,
  PacketInit,
  ProbeScore,
  ProcessResult,
  SapType,
  SessionScope,
  SourceHandle,
  SourceSeekEvent,
} from './engine/filter-api.js';
export { arg } from './engine/args.js';
export { propEquals } from './engine/props.js';
export type { ArgDef, ArgsOf, ArgsSchema } from './engine/args.js';
export type { CapsBundle, CapValue } from './engine/caps.js';
export type { Fraction, PacketProps, PidProps, PropValue, StreamType } from './engine/props.js';
export { GraphError, ERROR_CODES } from './engine/errors.js';
export type { ErrorCode } from './engine/errors.js';
export * from './protocol.js'; // the protocol between filters: typed events, well-known packet props
// Scripted graphs (the built-in filters are loaded when a session runs: src/builtins.ts).
export { createSession, GraphSession, readGraphFile, splitCommandLine } from './api.js';
export type { FilterRef, GraphFile, Options, OptionValue, SessionSettings } from './api.js';
export type { FilterStats, SessionEvents, SessionProgress } from './engine/session-events.js';
