// HLS multivariant (master) playlist writer, GPAC's layout (gf_mpd_write_m3u8_master_playlist) with the
// attributes Apple's authoring rules ask for: AVERAGE-BANDWIDTH, FRAME-RATE with three decimals, real
// CHANNELS.

import type { Presentation } from '../model.js';
import { formatHlsFrameRate } from '../format.js';
import {
  type HlsRendition,
  type PlaylistSet,
  hlsRenditions,
  hlsSettings,
  hlsVersion,
  playlistName,
  quoted,
} from './common.js';

/** Options of `writeMaster`. */
export interface MasterOptions {
  /** Which playlist set (brsf writes a `main` and an `IF` master); default `main`. */
  set?: PlaylistSet;
}

/** Serialises the master playlist for the current period. Lines end with `\n`. */
export function writeMaster(model: Presentation, opts: MasterOptions = {}): string {
  const settings = hlsSettings(model);
  const set = opts.set ?? 'main';
  const version = hlsVersion(model);
  const renditions = hlsRenditions(model);
  const hasVideo = renditions.some((r) => r.kind === 'video');
  const primaryKind = hasVideo ? 'video' : 'audio';
  const isPrimary = (r: HlsRendition): boolean => r.kind === primaryKind || (r.kind === 'other' && !hasVideo);

  const audioGroups = groupsOf(
    renditions.filter((r) => r.kind === 'audio' && !isPrimary(r)),
    'audio',
  );
  const subtitleGroups = groupsOf(
    renditions.filter((r) => r.kind === 'text'),
    'subs',
  );
  const independent = renditions.every((r) => (r.set.startWithSAP ?? 1) <= 2);

  const head = ['#EXTM3U', `#EXT-X-VERSION:${version}`];
  if (independent) head.push('#EXT-X-INDEPENDENT-SEGMENTS');
  head.push(...(settings.masterHeaderLines ?? []));
  const blocks: string[] = [head.join('\n')];

  for (const r of renditions) {
    const uri = playlistName(r.hls.playlist, set);
    if (isPrimary(r)) {
      const subs = firstGroup(subtitleGroups);
      const audioList = audioGroups.size > 0 ? [...audioGroups.entries()] : [undefined];
      for (const audio of audioList) {
        blocks.push(`${streamInf(r, audio, subs, version)}\n${uri}`);
      }
    } else if (r.kind === 'audio') {
      blocks.push(mediaTag('AUDIO', r, groupName(r, 'audio'), uri));
    } else if (r.kind === 'text') {
      blocks.push(mediaTag('SUBTITLES', r, groupName(r, 'subs'), uri));
    }
  }
  return `${blocks.join('\n\n')}\n`;
}

type Group = [name: string, members: HlsRendition[]];

function groupName(r: HlsRendition, fallback: string): string {
  return r.hls.group ?? fallback;
}

function groupsOf(renditions: HlsRendition[], fallback: string): Map<string, HlsRendition[]> {
  const groups = new Map<string, HlsRendition[]>();
  for (const r of renditions) {
    const name = groupName(r, fallback);
    groups.set(name, [...(groups.get(name) ?? []), r]);
  }
  return groups;
}

function firstGroup(groups: Map<string, HlsRendition[]>): Group | undefined {
  const first = groups.entries().next();
  return first.done ? undefined : first.value;
}

function peak(r: HlsRendition): number {
  return r.hls.peakBandwidth ?? r.rep.bandwidth;
}

function average(r: HlsRendition): number {
  return r.hls.averageBandwidth ?? r.rep.bandwidth;
}

function streamInf(
  r: HlsRendition,
  audio: Group | undefined,
  subs: Group | undefined,
  version: number,
): string {
  const alternates = [audio, subs].filter((g): g is Group => g !== undefined);
  const maxOf = (members: HlsRendition[], f: (m: HlsRendition) => number): number =>
    Math.max(0, ...members.map(f));
  const bandwidth = peak(r) + alternates.reduce((sum, [, m]) => sum + maxOf(m, peak), 0);
  const avg = average(r) + alternates.reduce((sum, [, m]) => sum + maxOf(m, average), 0);
  const codecs = [r.rep.codecs];
  for (const [, members] of alternates) {
    for (const m of members) if (!codecs.includes(m.rep.codecs)) codecs.push(m.rep.codecs);
  }
  const attrs = [`BANDWIDTH=${bandwidth}`, `AVERAGE-BANDWIDTH=${avg}`, quoted('CODECS', codecs.join(','))];
  if (r.rep.width !== undefined && r.rep.height !== undefined)
    attrs.push(`RESOLUTION=${r.rep.width}x${r.rep.height}`);
  if (r.rep.frameRate) attrs.push(`FRAME-RATE=${formatHlsFrameRate(r.rep.frameRate)}`);
  if (audio) attrs.push(quoted('AUDIO', audio[0]));
  if (subs) attrs.push(quoted('SUBTITLES', subs[0]));
  if (version >= 6) attrs.push('CLOSED-CAPTIONS=NONE');
  return `#EXT-X-STREAM-INF:${attrs.join(',')}`;
}

function mediaTag(type: 'AUDIO' | 'SUBTITLES', r: HlsRendition, group: string, uri: string): string {
  const attrs = [`TYPE=${type}`, quoted('GROUP-ID', group), quoted('NAME', r.hls.name ?? r.rep.id)];
  const lang = r.set.lang;
  if (lang !== undefined && lang !== 'und') attrs.push(quoted('LANGUAGE', lang));
  attrs.push('AUTOSELECT=YES', quoted('URI', uri));
  if (type === 'AUDIO' && r.rep.channels !== undefined)
    attrs.push(quoted('CHANNELS', String(r.rep.channels)));
  return `#EXT-X-MEDIA:${attrs.join(',')}`;
}
