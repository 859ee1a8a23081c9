/**
 * The protocol between filters: the events they exchange and the packet properties whose meaning a
 * producer and its consumers share. Both sides use this module: a sender builds an event with
 * `makeEvent()` and types the properties it sets as `FilePacketProps` / `PlaylistPacketProps` (both are
 * PacketProps); a receiver checks an event with `isEvent()` (which also checks the fields' types) and
 * reads a property with `packetProp()` (undefined when absent or of the wrong type: a plugin's mistake
 * never becomes NaN).
 *
 * A plugin may send events and set properties of its own: these are the ones built-in filters
 * understand.
 */
import type { FilterEvent } from './engine/filter-api.js';
import type { PacketProps } from './engine/props.js';

/** Every event built-in filters exchange, by type: the fields each carries. */
export interface EventMap {
  /** Upstream, to a source (fin): the next packet should start at byte `start` of the file. */
  'source-seek': { start: number };
  /** Upstream, to a source: nothing more will be read (GPAC's STOP). */
  stop: Record<never, never>;
  /** Downstream, in order with the packets: remove `url` (relative to the sink's destination). */
  'file-delete': { url: string };
  /**
   * Upstream, from a file sink: the packet carrying `AckId = ackId` is written (or, for an origin
   * serving from memory, held by the server). Ack ids are chosen by the producer, unique per producer.
   */
  'write-ack': { ackId: number };
  /** Upstream, from a manifest sink: what it honours beyond writing files (an LL-HLS origin). */
  'output-caps': {
    /** `_HLS_msn` / `_HLS_part` blocking playlist reload: CAN-BLOCK-RELOAD=YES. */
    blockingReload?: boolean;
    /** `_HLS_skip` delta updates: CAN-SKIP-UNTIL (seconds; the dasher raises it to ≥ 6 × TD). */
    canSkipUntil?: number;
    /** A UTCTiming URL the sink answers (an origin's `/time`). */
    utcs?: string;
  };
}

export type EventType = keyof EventMap;

/** An event of the protocol: `{ type, ...fields }`. */
export type ProtocolEvent<T extends EventType = EventType> = {
  [K in T]: { readonly type: K } & Readonly<EventMap[K]>;
}[T];

const optional = (v: unknown, type: 'boolean' | 'number' | 'string'): boolean =>
  v === undefined || typeof v === type;

/** What makes a received event well-formed, per type. */
const EVENT_CHECKS: { readonly [K in EventType]: (ev: FilterEvent) => boolean } = {
  'source-seek': (ev) => typeof ev.start === 'number' && Number.isFinite(ev.start) && ev.start >= 0,
  stop: () => true,
  'file-delete': (ev) => typeof ev.url === 'string',
  'write-ack': (ev) => Number.isSafeInteger(ev.ackId),
  'output-caps': (ev) =>
    optional(ev.blockingReload, 'boolean') &&
    optional(ev.canSkipUntil, 'number') &&
    optional(ev.utcs, 'string'),
};

/** Build an event of the protocol (type-checked against EventMap). */
export function makeEvent<T extends EventType>(type: T, fields: EventMap[T]): ProtocolEvent<T> {
  return { ...fields, type } as ProtocolEvent<T>;
}

/** Whether `ev` is a well-formed event of this type (its fields have the types EventMap gives). */
export function isEvent<T extends EventType>(ev: FilterEvent, type: T): ev is FilterEvent & ProtocolEvent<T> {
  return ev.type === type && EVENT_CHECKS[type](ev);
}

/** Packet properties of File PIDs: how a producer lays files out for a file sink (fout, httpout). */
export type FilePacketProps = {
  /** Starts a new file with this name (relative to the sink's folder). */
  FileName?: string;
  /** Starts a new file (numbered output). */
  FileNumber?: number;
  /** The file ends with this packet: the sink closes it. */
  EndOfFile?: boolean;
  /** Acknowledge this packet with a `write-ack` event once its bytes are written. */
  AckId?: number;
  /** LL-HLS part `k` of the current segment starts with this packet. */
  LLHASFragNum?: number;
  /** With LLHASFragNum: also write the part to its own file `<segment>.<k>` (llhls=sf / brsf). */
  LLHASPartFiles?: boolean;
};

/**
 * Packet properties of manifest PIDs: what the dasher tells an origin about a manifest it sends
 * (LL-HLS delivery directives, segments about to exist).
 */
export type PlaylistPacketProps = {
  /** An HLS media (variant) playlist. */
  HLSVariant?: boolean;
  /** Media sequence number of its last listed segment (-1: none). */
  HLSLastMsn?: number;
  /** Index of the last listed part of that segment (-1: none). */
  HLSLastPart?: number;
  /** The playlist has its EXT-X-ENDLIST (or is a VOD playlist): no blocking reload. */
  HLSEnded?: boolean;
  /** Its EXT-X-TARGETDURATION (s). */
  HLSTargetDuration?: number;
  /** The delta form of the playlist for `_HLS_skip=YES`. */
  HLSSkipYES?: string;
  /** The delta form for `_HLS_skip=v2` (date ranges skipped too). */
  HLSSkipV2?: string;
  /** MPD: segments about to be produced (names relative to the MPD): an origin holds early requests. */
  DASHUpcoming?: readonly string[];
};

/** Packet properties of media PIDs (demuxer to packager). */
export type MediaPacketProps = {
  /**
   * The source's timeline restarted at this packet, its first after the restart on its PID (an encoder
   * restart absorbed by m2tsdmx's mappcr: the timestamps go on from where the media ended, but what follows
   * was captured later than they say, by the encoder's downtime). A live DASH packager starts a new Period
   * here, placed on the wall clock; a filter that passes packets on keeps their properties.
   */
  Restart?: boolean;
};

export type WellKnownPacketProps = FilePacketProps & PlaylistPacketProps & MediaPacketProps;

type PropKind = 'string' | 'number' | 'int' | 'boolean' | 'strings';

const PROP_KINDS: { readonly [K in keyof Required<WellKnownPacketProps>]: PropKind } = {
  FileName: 'string',
  FileNumber: 'int',
  EndOfFile: 'boolean',
  AckId: 'int',
  LLHASFragNum: 'int',
  LLHASPartFiles: 'boolean',
  HLSVariant: 'boolean',
  HLSLastMsn: 'int',
  HLSLastPart: 'int',
  HLSEnded: 'boolean',
  HLSTargetDuration: 'number',
  HLSSkipYES: 'string',
  HLSSkipV2: 'string',
  DASHUpcoming: 'strings',
  Restart: 'boolean',
};

function hasKind(v: unknown, kind: PropKind): boolean {
  switch (kind) {
    case 'int':
      return Number.isSafeInteger(v);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'strings':
      return Array.isArray(v) && v.every((x) => typeof x === 'string');
    default:
      return typeof v === kind;
  }
}

/** A well-known property of a packet, or undefined when absent or not of its type. */
export function packetProp<K extends keyof WellKnownPacketProps>(
  props: PacketProps | undefined,
  key: K,
): WellKnownPacketProps[K] | undefined {
  const v = props?.[key];
  if (v === undefined || !hasKind(v, PROP_KINDS[key])) return undefined;
  return v as WellKnownPacketProps[K];
}
