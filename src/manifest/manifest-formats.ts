/**
 * The manifest formats a packager writes, as a table: one entry per kind of file (the MPD, the HLS
 * master playlist, the HLS variant playlists, and brsf's second `_IF` set of each), with its
 * extension, MIME type, writer and the metadata it gives an origin. A packager iterates the table to
 * choose its manifests from a destination (settings), to declare what it outputs (caps) and to write
 * them (publisher); a new format is a new entry here and its writer.
 *
 * (Number and date formatting of the writers is in format.ts.)
 */
import type { PlaylistPacketProps } from '../protocol.js';
import type { Presentation } from './model.js';
import { writeMpd } from './mpd.js';
import { writeMaster } from './hls/master.js';
import { writeVariant } from './hls/variant.js';
import type { VariantOptions } from './hls/variant.js';
import { lastPublished } from './hls/ll.js';
import { hlsRenditions, playlistName } from './hls/common.js';
import type { PlaylistSet } from './hls/common.js';

/** What a publication needs beyond the model. */
export interface ManifestWriteOptions {
  /** The sink answers `_HLS_msn` / `_HLS_part` blocking reloads (CAN-BLOCK-RELOAD=YES). */
  blockingReload?: boolean;
  /** The sink answers `_HLS_skip` delta updates: CAN-SKIP-UNTIL (s); the delta texts ride along. */
  canSkipUntil?: number;
  /** LL-HLS EXT-X-PRELOAD-HINT (GPAC's ll_preload_hint). */
  preloadHint?: boolean;
  /** LL-HLS EXT-X-RENDITION-REPORT (GPAC's ll_rend_rep). */
  renditionReports?: boolean;
  /** Names of segments about to be produced (live): an origin holds early requests for them. */
  upcoming?: readonly string[];
}

/** One file of a publication. */
export interface ManifestFile {
  /** Name relative to the manifest's folder. */
  name: string;
  text: string;
  /** What an origin serving the file needs to know about it (delivery directives, upcoming segments). */
  meta: PlaylistPacketProps;
}

export interface ManifestFormat {
  /** Stable id: `mpd`, `hls-master`, `hls-variant`, `hls-master-if`, `hls-variant-if`. */
  readonly id: string;
  /** Extension of the files (without the dot); a destination with this extension selects `main` formats. */
  readonly extension: string;
  readonly mimeType: string;
  /**
   * The file named by the destination (the MPD, the master playlist): a destination `x.EXT` selects the
   * main format of extension EXT, and with it every format of the same extension. Others are derived.
   */
  readonly main: boolean;
  /** With `dual`, the extension of the companion manifest written next to this main one. */
  readonly dualWith?: string;
  /**
   * `part`: the files change at every published part (HLS playlists); `segment`: only when a segment
   * closes or something outside the media changes (the MPD with SegmentTemplate@duration).
   */
  readonly changesWith: 'part' | 'segment';
  /** Whether the model has files of this format (brsf's `_IF` set exists with llhls=brsf only). */
  applies(model: Presentation): boolean;
  /** The files of this format for one model. `name`: the main file of its extension (the destination). */
  write(model: Presentation, name: string, o: ManifestWriteOptions): ManifestFile[];
}

function master(set: PlaylistSet): ManifestFormat['write'] {
  return (model, name) => [{ name: playlistName(name, set), text: writeMaster(model, { set }), meta: {} }];
}

function variants(set: PlaylistSet): ManifestFormat['write'] {
  return (model, _name, o) => {
    const files: ManifestFile[] = [];
    for (const { rep, hls, segments } of hlsRenditions(model)) {
      const opts: VariantOptions = {
        set,
        ...(o.preloadHint !== undefined ? { preloadHint: o.preloadHint } : {}),
        ...(o.renditionReports !== undefined ? { renditionReports: o.renditionReports } : {}),
        ...(o.blockingReload ? { blockingReload: true } : {}),
        ...(o.canSkipUntil !== undefined ? { canSkipUntil: o.canSkipUntil } : {}),
      };
      const text = writeVariant(model, rep.id, opts);
      // For an origin: where the playlist stands (blocking reloads) and its delta forms (_HLS_skip).
      const last = lastPublished(segments);
      const meta: PlaylistPacketProps = {
        HLSVariant: true,
        HLSLastMsn: last?.msn ?? -1,
        HLSLastPart: last?.part ?? -1,
        HLSEnded: model.ended === true || model.type === 'static',
        HLSTargetDuration: model.hls?.targetDuration ?? 0,
      };
      if (o.canSkipUntil !== undefined) {
        meta.HLSSkipYES = writeVariant(model, rep.id, { ...opts, skip: 'YES' });
        meta.HLSSkipV2 = writeVariant(model, rep.id, { ...opts, skip: 'v2' });
      }
      files.push({ name: playlistName(hls.playlist, set), text, meta });
    }
    return files;
  };
}

const HLS_MIME = 'application/vnd.apple.mpegurl';
const hls = (model: Presentation) => model.hls !== undefined;
const hlsIF = (model: Presentation) => model.hls?.llhls === 'brsf';

/** Every manifest format, in the order a publication writes them. */
export const MANIFEST_FORMATS: readonly ManifestFormat[] = [
  {
    id: 'mpd',
    extension: 'mpd',
    mimeType: 'application/dash+xml',
    main: true,
    dualWith: 'm3u8',
    changesWith: 'segment',
    applies: () => true,
    write: (model, name, o) => [
      { name, text: writeMpd(model), meta: o.upcoming?.length ? { DASHUpcoming: o.upcoming } : {} },
    ],
  },
  {
    id: 'hls-master',
    extension: 'm3u8',
    mimeType: HLS_MIME,
    main: true,
    dualWith: 'mpd',
    changesWith: 'part',
    applies: hls,
    write: master('main'),
  },
  {
    id: 'hls-variant',
    extension: 'm3u8',
    mimeType: HLS_MIME,
    main: false,
    changesWith: 'part',
    applies: hls,
    write: variants('main'),
  },
  {
    id: 'hls-master-if',
    extension: 'm3u8',
    mimeType: HLS_MIME,
    main: false,
    changesWith: 'part',
    applies: hlsIF,
    write: master('IF'),
  },
  {
    id: 'hls-variant-if',
    extension: 'm3u8',
    mimeType: HLS_MIME,
    main: false,
    changesWith: 'part',
    applies: hlsIF,
    write: variants('IF'),
  },
];

/** The main format a destination or manifest name selects by its extension (case-insensitive). */
export function mainFormatOf(name: string): ManifestFormat | undefined {
  const ext = name.slice(name.lastIndexOf('.') + 1).toLowerCase();
  return MANIFEST_FORMATS.find((f) => f.main && f.extension === ext);
}

/** Extensions of the main formats: what a packager's manifest output may be. */
export const MANIFEST_EXTENSIONS: readonly string[] = [
  ...new Set(MANIFEST_FORMATS.filter((f) => f.main).map((f) => f.extension)),
];
