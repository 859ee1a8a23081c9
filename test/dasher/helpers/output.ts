/**
 * Reading a dasher output folder: the representations its playlists / MPD describe, and the checks
 * every run shares (strict LL-HLS checker with the real files, MPD well-formedness and templates,
 * "a playlist never lists what is not complete on disk").
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  checkPartBytes,
  checkPlaylist,
  checkRenditionReports,
  parsePlaylist,
} from '../../helpers/llhls-check.js';
import type { ParsedPlaylist, Violation } from '../../helpers/llhls-check.js';
import { listTree } from './workdir.js';
import type { FileEntry } from './workdir.js';
import { mpdExpectedFiles, parseXml } from './xml.js';

/** A variant playlist of a master, read from disk. */
export interface Variant {
  name: string;
  text: string;
  parsed: ParsedPlaylist;
  init: string | undefined;
  audio: boolean;
}

export async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The media playlists named by a master playlist (STREAM-INF URIs and EXT-X-MEDIA URIs). */
export function masterVariants(master: string): { uri: string; audio: boolean }[] {
  const out: { uri: string; audio: boolean }[] = [];
  const lines = master.split('\n');
  lines.forEach((l, k) => {
    if (l.startsWith('#EXT-X-STREAM-INF:')) {
      const uri = lines[k + 1];
      if (uri && !uri.startsWith('#')) out.push({ uri, audio: false });
    }
    const m = /^#EXT-X-MEDIA:.*TYPE=AUDIO.*URI="([^"]+)"/.exec(l);
    if (m) out.push({ uri: m[1]!, audio: true });
  });
  return out;
}

export function mapUri(text: string): string | undefined {
  return /^#EXT-X-MAP:URI="([^"]+)"/m.exec(text)?.[1];
}

export async function readVariants(dir: string, master = 'live.m3u8'): Promise<Variant[]> {
  const m = await readText(join(dir, master));
  if (m === undefined) throw new Error(`no ${master} in ${dir}`);
  const out: Variant[] = [];
  for (const v of masterVariants(m)) {
    const text = await readText(join(dir, v.uri));
    if (text === undefined) throw new Error(`${master} names ${v.uri}, which does not exist`);
    out.push({ name: v.uri, text, parsed: parsePlaylist(text), init: mapUri(text), audio: v.audio });
  }
  return out;
}

export const fileReader =
  (dir: string) =>
  async (uri: string): Promise<Uint8Array | undefined> => {
    try {
      return await readFile(join(dir, uri));
    } catch {
      return undefined;
    }
  };

/** `rule@line: message` lines, for readable assertion failures. */
export function show(vs: readonly Violation[]): string[] {
  return vs.map((v) => `${v.rule}@${v.line}: ${v.message}`);
}

/**
 * Everything a playlist names must exist: the init, every complete segment and every part; byte
 * ranges must lie inside the file (the strict checker then verifies they start on styp/moof and
 * that a complete segment ends where its last part ends). Returns problems, empty when fine.
 */
export async function listedFilesProblems(
  dir: string,
  name: string,
  text: string,
  files?: Map<string, FileEntry>,
): Promise<string[]> {
  const tree = files ?? (await listTree(dir));
  const pl = parsePlaylist(text);
  const problems: string[] = [];
  const need = (uri: string, why: string, minSize = 1): void => {
    const f = tree.get(uri);
    if (!f) problems.push(`${name}: ${why} ${uri} does not exist`);
    else if (f.symlink) problems.push(`${name}: ${why} ${uri} is not a regular file`);
    else if (f.size < minSize) problems.push(`${name}: ${why} ${uri} has ${f.size} bytes, needs ${minSize}`);
  };
  const init = mapUri(text);
  if (init) need(init, 'init');
  for (const s of pl.segments) {
    need(s.uri, `segment ${s.msn}`);
    for (const p of s.parts)
      need(p.uri, 'part', p.byteRange ? (p.byteRange.offset ?? 0) + p.byteRange.length : 1);
  }
  for (const p of pl.openParts)
    need(p.uri, 'open part', p.byteRange ? (p.byteRange.offset ?? 0) + p.byteRange.length : 1);
  return problems;
}

/** Strict LL-HLS check of one playlist, with the real files for the byte checks. */
export async function strictCheck(
  dir: string,
  text: string,
  o: Parameters<typeof checkPlaylist>[1] = {},
): Promise<string[]> {
  return show([...checkPlaylist(text, o), ...(await checkPartBytes(text, fileReader(dir)))]);
}

/** Rendition reports of a set of playlists read at the same instant. */
export function reportCheck(playlists: Record<string, string>): string[] {
  return show(checkRenditionReports(playlists));
}

/** MPD: well-formed, and every init/media file its templates announce exists. */
export async function mpdProblems(dir: string, name: string): Promise<string[]> {
  const text = await readText(join(dir, name));
  if (text === undefined) return [`${name} does not exist`];
  const { root, errors } = parseXml(text);
  if (errors.length || !root) return errors.map((e) => `${name}: ${e}`);
  if (root.name !== 'MPD') return [`${name}: root element is <${root.name}>`];
  const tree = await listTree(dir);
  const problems: string[] = [];
  for (const rep of mpdExpectedFiles(root)) {
    if (rep.init && !tree.has(rep.init)) problems.push(`rep ${rep.repId}: init ${rep.init} missing`);
    for (const s of rep.segments)
      if (!tree.has(s)) problems.push(`rep ${rep.repId}: ${s} announced by the template is missing`);
  }
  return problems;
}
