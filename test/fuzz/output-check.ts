/**
 * What a packaging run wrote, checked as a player would take it: the manifests exist and print only
 * plain numbers (no NaN, no exponent form), every HLS media playlist names files that exist, and (when
 * asked) each one decodes: its init segment and segments put back together and decoded by ffprobe.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A number in exponent form, or a value that is no number at all. */
const BAD_NUMBER =
  /(?<![\w.-])[-+]?\d+(?:\.\d+)?[eE][-+]?\d+(?![\w])|\bNaN\b|\bInfinity\b|\bundefined\b|\[object /;

export interface Problem {
  file: string;
  what: string;
}

/** Problems of the manifests in `dir` (`live.m3u8`, its media playlists, `live.mpd`), [] when none. */
export async function checkManifests(dir: string, names: { hls?: string; mpd?: string }): Promise<Problem[]> {
  const problems: Problem[] = [];
  const texts = new Map<string, string>();
  for (const name of [names.hls, names.mpd].filter((n): n is string => !!n)) {
    if (!existsSync(join(dir, name))) {
      problems.push({ file: name, what: 'not written' });
      continue;
    }
    texts.set(name, await readFile(join(dir, name), 'utf8'));
  }
  if (names.hls && texts.has(names.hls)) {
    for (const uri of masterUris(texts.get(names.hls)!)) {
      if (!existsSync(join(dir, uri))) {
        problems.push({ file: names.hls, what: `names ${uri}, which was not written` });
        continue;
      }
      const text = await readFile(join(dir, uri), 'utf8');
      texts.set(uri, text);
      for (const seg of mediaUris(text))
        if (!existsSync(join(dir, seg)))
          problems.push({ file: uri, what: `names ${seg}, which was not written` });
    }
  }
  for (const [file, text] of texts) {
    const m = BAD_NUMBER.exec(text);
    if (m) problems.push({ file, what: `prints "${m[0]}"` });
  }
  return problems;
}

/** Media playlists a master playlist names (variant streams and renditions). */
export function masterUris(master: string): string[] {
  const out = new Set<string>();
  for (const line of master.split('\n')) {
    const l = line.trim();
    if (!l) continue;
    if (!l.startsWith('#')) out.add(l);
    const m = /URI="([^"]+)"/.exec(l);
    if (m && l.startsWith('#EXT-X-MEDIA:')) out.add(m[1]!);
  }
  return [...out];
}

/** Init segment and segments of a media playlist, in order, each once. */
export function mediaUris(playlist: string): string[] {
  const out: string[] = [];
  for (const line of playlist.split('\n')) {
    const l = line.trim();
    const map = /^#EXT-X-MAP:.*URI="([^"]+)"/.exec(l);
    const part = /^#EXT-X-PART:.*URI="([^"]+)"/.exec(l);
    const uri = map?.[1] ?? part?.[1] ?? (l && !l.startsWith('#') ? l : undefined);
    if (uri && out.at(-1) !== uri && !out.includes(uri)) out.push(uri);
  }
  return out;
}

export interface Decoded {
  /** Frames decoded per stream. */
  frames: number[];
  /** ffprobe's exit status was not 0. */
  failed: boolean;
  error: string;
}

/** Decodes every frame of `path` with ffprobe (`-count_frames`). */
export async function decodeFile(path: string): Promise<Decoded> {
  try {
    const r = await run(
      'ffprobe',
      ['-v', 'error', '-count_frames', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', path],
      { maxBuffer: 1 << 22, timeout: 60_000 },
    );
    const frames = r.stdout
      .split('\n')
      .map((l) => l.trim().replace(/,$/, ''))
      .filter(Boolean)
      .map(Number);
    return { frames, failed: false, error: r.stderr.trim() };
  } catch (e) {
    return { frames: [], failed: true, error: String((e as { stderr?: string }).stderr ?? e).trim() };
  }
}

/**
 * Each media playlist of the master playlist `hls` in `dir` put back together (init + segments) into
 * `scratch`, and decoded. Returns one result per playlist.
 */
export async function decodePlaylists(
  dir: string,
  hls: string,
  scratch: string,
): Promise<{ playlist: string; decoded: Decoded }[]> {
  const out: { playlist: string; decoded: Decoded }[] = [];
  for (const uri of masterUris(await readFile(join(dir, hls), 'utf8'))) {
    const files = mediaUris(await readFile(join(dir, uri), 'utf8'));
    const whole = Buffer.concat(await Promise.all(files.map((f) => readFile(join(dir, f)))));
    const path = join(scratch, `${uri}.whole.mp4`);
    await writeFile(path, whole);
    out.push({ playlist: uri, decoded: await decodeFile(path) });
  }
  return out;
}
