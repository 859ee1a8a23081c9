// Shared HLS helpers: which representations have playlists, playlist-set naming (brsf `_IF`), versions
// and relative URIs.

import { posix } from 'node:path';
import type {
  AdaptationSet,
  HlsSettings,
  Presentation,
  Representation,
  RepresentationHls,
  Segment,
} from '../model.js';
import {
  type MediaKind,
  addressingOf,
  currentPeriod,
  mediaKind,
  representationsOf,
  segmentStartSeconds,
} from '../derive.js';

/** `main`: the normal playlists; `IF`: brsf's second set (`<name>_IF.m3u8`) whose parts are separate files. */
export type PlaylistSet = 'main' | 'IF';

/** A representation that has an HLS playlist, with what the writers need about it. */
export interface HlsRendition {
  /** Its adaptation set. */
  set: AdaptationSet;
  /** The representation. */
  rep: Representation;
  /** Its HLS naming and settings. */
  hls: RepresentationHls;
  /** video / audio / text / other. */
  kind: MediaKind;
  /**
   * Its segments over every period, in order: the representations with its id in the periods before the
   * current one, then its own. A live packager's periods split one continuous media timeline (a new Period
   * at an encoder restart): one playlist goes on across them.
   */
  segments: Segment[];
  /** When `seg` (one of `segments`) starts, in seconds since availabilityStartTime (its period's start + its time in it). */
  startOf(seg: Segment): number;
}

/** The HLS settings, or an error naming what is missing. */
export function hlsSettings(model: Presentation): HlsSettings {
  if (!model.hls) throw new Error('manifest model has no HLS settings (model.hls)');
  return model.hls;
}

/** Every representation of the current (last) period that has an HLS playlist, in document order. */
export function hlsRenditions(model: Presentation): HlsRendition[] {
  const period = currentPeriod(model);
  if (!period) return [];
  const out: HlsRendition[] = [];
  for (const { set, rep } of representationsOf(period)) {
    if (!rep.hls) continue;
    const kind = mediaKind(set, rep);
    if (model.periods.length === 1) {
      const addressing = addressingOf(set, rep);
      const start = period.start ?? 0;
      const startOf = (seg: Segment) => start + segmentStartSeconds(seg, addressing);
      out.push({ set, rep, hls: rep.hls, kind, segments: rep.segments, startOf });
      continue;
    }
    const segments: Segment[] = [];
    const starts = new Map<Segment, number>();
    for (const p of model.periods)
      for (const other of representationsOf(p)) {
        if (other.rep.id !== rep.id) continue;
        const addressing = addressingOf(other.set, other.rep);
        for (const seg of other.rep.segments) {
          segments.push(seg);
          starts.set(seg, (p.start ?? 0) + segmentStartSeconds(seg, addressing));
        }
      }
    out.push({ set, rep, hls: rep.hls, kind, segments, startOf: (seg) => starts.get(seg) ?? NaN });
  }
  return out;
}

/** The playlist name within a set: `live_1.m3u8` → `live_1_IF.m3u8` for the IF set. */
export function playlistName(name: string, set: PlaylistSet = 'main'): string {
  if (set === 'main') return name;
  const dot = name.lastIndexOf('.');
  const slash = name.lastIndexOf('/');
  return dot > slash ? `${name.slice(0, dot)}_IF${name.slice(dot)}` : `${name}_IF`;
}

/** Parts are addressed as separate files (`sf`, or the IF set of `brsf`) rather than byte ranges. */
export function usesPartFiles(settings: HlsSettings, set: PlaylistSet): boolean {
  return settings.llhls === 'sf' || (settings.llhls === 'brsf' && set === 'IF');
}

/** EXT-X-VERSION shared by master and variants: 3, 4 with byte-range segments, 6 with fMP4 / EXT-X-MAP. */
export function hlsVersion(model: Presentation): number {
  const settings = hlsSettings(model);
  if (settings.version !== undefined) return settings.version;
  let version = 3;
  for (const { set, rep, hls, segments } of hlsRenditions(model)) {
    if (segments.some((s) => s.byteRange)) version = Math.max(version, 4);
    const mime = rep.mimeType ?? set.mimeType;
    if (hls.initUri !== undefined || mime.includes('mp4')) version = Math.max(version, 6);
  }
  return version;
}

/** `uri` (relative to the master) made relative to the playlist `playlist` (also relative to the master). */
export function relativeTo(playlist: string, uri: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(uri) || uri.startsWith('/')) return uri;
  const dir = posix.dirname(playlist);
  if (dir === '.' || dir === '') return uri;
  return posix.relative(dir, uri) || posix.basename(uri);
}

/** Quoted attribute list entry `NAME="value"`. */
export function quoted(name: string, value: string): string {
  return `${name}="${value.replace(/["\r\n]/g, '')}"`;
}
