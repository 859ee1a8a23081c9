/**
 * What flist plays: the entries of `srcs` (files, directories, `*.ext` patterns, `A&&B` parallel items)
 * or of a playlist file (GPAC's m3u-like format: one item per line, `#` directive lines, `##` comments,
 * ` && ` between sources played together). Follows GPAC's src/filters/filelist.c.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { GraphError } from '../../src/index.js';

/** One item: the sources played together, and the directives that apply to it. */
export interface Item {
  /** Source URLs, resolved (relative to the playlist file in playlist mode), with their options. */
  sources: { url: string; options: Record<string, string> }[];
  /** The line as written (playlist mode: identifies the item when the playlist is re-read). */
  text: string;
  /** 1-based number among the playlist's item lines (comments and directives not counted, as GPAC). */
  lineno: number;
  /** `#repeat=N`: played N more times. */
  repeat: number;
  /** `#stop=T`: each stream ends after T seconds. */
  stop?: number;
  /** `#nosync`: each stream continues from its own end, without the common realignment. */
  nosync: boolean;
  /** `#del` (or fdel): delete the source files once played. */
  del: boolean;
}

/** A source URL has a scheme (`http://…`, `file://…`): not a local path to check or to resolve. */
function hasScheme(url: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(url);
}

export function localPath(url: string): string | undefined {
  if (url.startsWith('file://')) return url.slice('file://'.length);
  return hasScheme(url) ? undefined : url;
}

/**
 * `path:opt=val:opt2` as GPAC's source syntax: the URL ends at the first `:` whose prefix is an
 * existing file (GPAC tests the candidates on disk the same way); the rest are options.
 */
export function splitSource(
  text: string,
  base: string | undefined,
): { url: string; options: Record<string, string> } {
  const resolve = (u: string) => (base && !hasScheme(u) && !isAbsolute(u) ? join(base, u) : u);
  let url = text;
  let rest = '';
  if (!hasScheme(text)) {
    for (let i = text.indexOf(':'); i > 0; i = text.indexOf(':', i + 1)) {
      if (existsSync(resolve(text.slice(0, i)))) {
        url = text.slice(0, i);
        rest = text.slice(i + 1);
        break;
      }
    }
  } else {
    const m = text.indexOf(':gpac:');
    if (m > 0) {
      url = text.slice(0, m);
      rest = text.slice(m + ':gpac:'.length);
    }
  }
  const options: Record<string, string> = {};
  for (const o of rest.split(':').filter(Boolean)) {
    const eq = o.indexOf('=');
    options[eq < 0 ? o : o.slice(0, eq)] = eq < 0 ? 'true' : o.slice(eq + 1);
  }
  return { url: resolve(url), options };
}

/** Fails with one clear error when a local source does not exist. */
export function checkExists(url: string, where: string): void {
  const p = localPath(url);
  if (p !== undefined && !existsSync(p))
    throw new GraphError('FILE_NOT_FOUND', `flist: source "${url}"${where} not found`, { url });
}

/** Parallel sources of one item: ` && ` (and, in srcs, `&&` without spaces, as GPAC accepts). */
function splitParallel(text: string, loose: boolean): string[] {
  const parts = text.split(loose ? /\s*&&\s*/ : ' && ');
  return parts.map((p) => p.trim()).filter(Boolean);
}

function item(text: string, lineno: number, sources: Item['sources'], del: boolean): Item {
  return { sources, text, lineno, repeat: 0, nosync: false, del };
}

type Sort = 'no' | 'name' | 'size' | 'date' | 'datex';

interface Found {
  path: string;
  size: number;
  mtime: number;
}

function stats(path: string): Found {
  const st = statSync(path);
  return { path, size: st.size, mtime: st.mtimeMs };
}

/** `dir`, `dir/`, `dir/*`, `dir/*.mp4`, `*.mp4`, `dir/*.mp4;*.mov`: the files it names (GPAC's enumeration). */
function enumerate(spec: string): Found[] {
  let dir: string;
  let pattern: string | undefined;
  if (existsSync(spec) && statSync(spec).isDirectory()) dir = spec;
  else {
    const slash = Math.max(spec.lastIndexOf('/'), spec.lastIndexOf('\\'));
    dir = slash >= 0 ? spec.slice(0, slash) || '/' : '.';
    pattern = slash >= 0 ? spec.slice(slash + 1) : spec;
  }
  const suffixes = (pattern ?? '*')
    .split(';')
    .map((p) => p.replace(/^\*/, ''))
    .filter(Boolean);
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new GraphError('FILE_NOT_FOUND', `flist: folder "${dir}" (from srcs=${spec}) not found`, {
      url: spec,
    });
  const out: Found[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (!e.isFile() || e.name.startsWith('.')) continue;
    if (suffixes.length && !suffixes.some((s) => e.name.endsWith(s))) continue;
    out.push(stats(join(dir, e.name)));
  }
  return out;
}

/** GPAC's sort orders: name sorts shorter names first, then alphabetically. */
function sortFound(list: Found[], sort: Sort): Found[] {
  if (sort === 'no') return list;
  const by: Record<Exclude<Sort, 'no'>, (a: Found, b: Found) => number> = {
    name: (a, b) => a.path.length - b.path.length || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0),
    size: (a, b) => a.size - b.size,
    date: (a, b) => a.mtime - b.mtime,
    datex: (a, b) => a.mtime - b.mtime,
  };
  return [...list].sort(by[sort]);
}

/** The items of `srcs` (source list mode). Every local file must exist. */
export function itemsFromSrcs(srcs: readonly string[], sort: Sort, del: boolean): Item[] {
  const found: (Found | Item)[] = [];
  for (const entry of srcs) {
    if (entry.includes('&&')) {
      const sources = splitParallel(entry, true).map((s) => splitSource(s, undefined));
      for (const s of sources) checkExists(s.url, ` (in srcs entry "${entry}")`);
      found.push(item(entry, found.length + 1, sources, del));
      continue;
    }
    const isDir = existsSync(entry) && statSync(entry).isDirectory();
    if (isDir || entry.includes('*')) {
      const files = enumerate(entry);
      if (!files.length)
        throw new GraphError('FILE_NOT_FOUND', `flist: no files found for srcs entry "${entry}"`, {
          url: entry,
        });
      found.push(...files);
      continue;
    }
    const src = splitSource(entry, undefined);
    checkExists(src.url, ' (in srcs)');
    const p = localPath(src.url);
    if (p !== undefined && !Object.keys(src.options).length) found.push(stats(p));
    else found.push(item(entry, found.length + 1, [src], del));
  }
  // Sorting applies to the files found (items written with options or && keep their place first).
  const files = sortFound(
    found.filter((f): f is Found => 'mtime' in f),
    sort,
  );
  let fi = 0;
  return found.map((f, i) => {
    if (!('mtime' in f)) return { ...f, lineno: i + 1 };
    const file = files[fi++]!;
    return item(file.path, i + 1, [{ url: file.path, options: {} }], del);
  });
}

/** Directives GPAC knows that graphpac does not implement (warned about, then ignored). */
const UNSUPPORTED_DIRECTIVES = new Set([
  'start',
  'cat',
  'srange',
  'send',
  'props',
  'out',
  'in',
  'keep',
  'mark',
  'sprops',
  'ka',
  'end',
]);

export interface Playlist {
  items: Item[];
  /** `#floop=N` (a global directive), when present. */
  floop?: number;
  /** `#raw=…` (a global directive), when present. */
  raw?: string;
  warnings: string[];
}

/**
 * A playlist file: `#` lines carry directives for the next item (space-separated, `name=value`), `##`
 * lines are comments, other lines are items (sources relative to the playlist's folder, ` && ` between
 * sources played together). Unknown directives are reported, as GPAC does.
 */
export function parsePlaylist(text: string, path: string, fdel: boolean): Playlist {
  const base = dirname(path);
  const pl: Playlist = { items: [], warnings: [] };
  let pending: Omit<Item, 'sources' | 'text' | 'lineno'> = { repeat: 0, nosync: false, del: fdel };
  let lineno = 0;
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.replace(/[\r\n\t ]+$/, '');
    if (!line) continue;
    if (line.startsWith('##')) continue;
    if (line.startsWith('#')) {
      for (const d of line.slice(1).split(/[ ,]+/).filter(Boolean)) {
        const eq = d.indexOf('=');
        const name = eq < 0 ? d : d.slice(0, eq);
        const value = eq < 0 ? undefined : d.slice(eq + 1);
        const where = `${path} line ${i + 1}`;
        if (name === 'repeat') pending.repeat = Math.max(0, Math.trunc(Number(value ?? 0)) || 0);
        else if (name === 'stop') pending.stop = Number(value ?? 0) > 0 ? Number(value) : undefined;
        else if (name === 'nosync') pending.nosync = true;
        else if (name === 'del') pending.del = true;
        else if (name === 'floop') pl.floop = Math.trunc(Number(value ?? 0)) || 0;
        else if (name === 'raw') pl.raw = value ?? 'av';
        else if (UNSUPPORTED_DIRECTIVES.has(name))
          pl.warnings.push(`directive "${d}" (${where}) is not supported by graphpac: ignored`);
        else pl.warnings.push(`unrecognized directive "${d}" (${where}): ignored`);
      }
      continue;
    }
    lineno++;
    if (/ @/.test(line))
      throw new GraphError(
        'BAD_OPTION_VALUE',
        `flist: filter chains in playlist items (" @ ", ${path} line ${i + 1}) are not supported`,
        { url: path },
      );
    const sources = splitParallel(line, false).map((s) => splitSource(s, base));
    pl.items.push({ ...pending, sources, text: line, lineno });
    pending = { repeat: 0, nosync: false, del: fdel };
  }
  return pl;
}
