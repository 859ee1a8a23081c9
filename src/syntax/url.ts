/**
 * Where a source or destination URL ends inside an argv element (spec §1.3, "URL heuristics").
 *
 * GPAC splits `-o http://h:8080/live.mpd:segdur=2` into the URL and its options with a set of
 * heuristics spread over `gf_url_colon_suffix` (os_file.c), `gf_fs_path_escape_colon` and
 * `filter_parse_dyn_args` (filter.c). This module implements them as one deterministic function that
 * never touches the filesystem:
 *
 * 1. `:gpac:` always ends a URL (the text after it is options).
 * 2. Built-in schemes with a host and port (`udp tcp udpu tcpu rtp route mabr`): the first `:` after
 *    `://` is a port separator when digits follow it up to the next `:`/`/` (`udp://239.0.0.1:1234`,
 *    `udp://h:1234/:ttl=2`); otherwise it ends the URL.
 * 3. Other built-in schemes (`video audio av gmem gpac pipe atsc gfio`): the first `:` after `://`.
 * 4. Other schemes (http, https…): the earliest of `::`, `:gfopt:`, `:gfloc:`, `:gpac:` after the
 *    authority ends the URL (`::` is consumed; `gfopt`/`gfloc` stay as options). Without one, a sink URL
 *    ends at the first `:` after the first `/` following `://`, so a port is kept
 *    (`http://127.0.0.1:8080/live.mpd:segdur=2`); an IPv6 host in brackets is skipped
 *    (`http://[::1]:8080/x.m3u8`). A *source* URL without a marker is kept whole: GPAC then tests
 *    the candidate `http://h/a.mp4` as a local file, which never exists, and keeps the options in the URL
 *    (warning "Non-escaped argument pattern"), so remote sources need `:gpac:`.
 * 5. Local paths: the first `:` (a `:` followed by `\` or `/` is skipped, so `C:\x.mp4` and `C:/x.mp4`
 *    work); when the first `.` comes after that `:` and no `=` precedes the `.`, the separator moves to
 *    the first `:` after the `.` (GPAC's #1942 heuristic, `foo:bar.mp4:opt=1` ⇒ `foo:bar.mp4`).
 *    GPAC additionally tries, for sources, whether each `:` prefix names an existing file and, for sinks,
 *    whether the parent directory exists; graphpac does not, because parsing must not depend on the
 *    filesystem. Use `:gpac:` to end such a path explicitly.
 */

/** How a URL piece ends: the URL is `text.slice(start, end)`; options start at `next` (`null`: none). */
export interface Cut {
  end: number;
  next: number | null;
}

export type UrlRole = 'source' | 'sink';

const HOST_PORT_SCHEMES = new Set(['tcp', 'udp', 'tcpu', 'udpu', 'rtp', 'route', 'mabr']);
const BUILTIN_SCHEMES = new Set([
  ...HOST_PORT_SCHEMES,
  'video',
  'audio',
  'av',
  'gmem',
  'gpac',
  'pipe',
  'atsc',
  'gfio',
]);

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;

/** Markers that end a non-built-in URL, with the length consumed after the URL. */
const REMOTE_MARKERS: readonly (readonly [string, number])[] = [
  ['::', 2],
  [':gfopt:', 1],
  [':gfloc:', 1],
  [':gpac:', 6],
];

/** Finds where the URL starting at `start` ends (see the module comment for the rules). */
export function cutUrl(text: string, start: number, role: UrlRole): Cut {
  const scheme = SCHEME.exec(text.slice(start));
  let sep: number;
  if (scheme) {
    const name = (scheme[1] ?? '').toLowerCase();
    const authority = start + scheme[0].length;
    if (!BUILTIN_SCHEMES.has(name)) return cutRemoteUrl(text, authority, role);
    sep = HOST_PORT_SCHEMES.has(name) ? hostPortSeparator(text, authority) : text.indexOf(':', authority);
  } else {
    sep = localSeparator(text, start);
  }
  const gpac = text.indexOf(':gpac:', start);
  if (gpac >= 0 && (sep < 0 || gpac < sep)) sep = gpac;
  return cutAt(text, sep);
}

/**
 * Rule 4: a URL with a non-built-in scheme; `authority` is the index just after `://`. Also used for
 * option values that are URLs (`:#BUrl=http://h/x:next=1`), with role `sink`.
 */
export function cutRemoteUrl(text: string, authority: number, role: UrlRole): Cut {
  let from = authority;
  if (text[authority] === '[') {
    const close = text.indexOf(']', authority);
    if (close >= 0) from = close + 1;
  }
  let marker: Cut | null = null;
  for (const [m, skip] of REMOTE_MARKERS) {
    const at = text.indexOf(m, from);
    if (at >= 0 && (marker === null || at < marker.end)) marker = { end: at, next: at + skip };
  }
  if (marker) return marker;
  if (role === 'source') return { end: text.length, next: null };
  const slash = text.indexOf('/', from);
  return cutAt(text, skipPathColons(text, slash < 0 ? -1 : text.indexOf(':', slash + 1)));
}

/** Rule 2: `scheme://host:port…`; `authority` is the index just after `://`. */
function hostPortSeparator(text: string, authority: number): number {
  const sep = text.indexOf(':', authority);
  if (sep < 0) return -1;
  const nextColon = text.indexOf(':', sep + 1);
  const nextSlash = text.indexOf('/', sep + 1);
  const portEnd = Math.min(...[nextColon, nextSlash, text.length].filter((i) => i >= 0));
  return /^[1-9][0-9]*$/.test(text.slice(sep + 1, portEnd)) ? nextColon : sep;
}

/** Rule 5: a local path. */
function localSeparator(text: string, start: number): number {
  const sep = skipPathColons(text, text.indexOf(':', start));
  if (sep < 0) return sep;
  const dot = text.indexOf('.', start);
  if (dot > sep) {
    const assign = text.indexOf('=', start);
    if (assign < 0 || assign > dot) return text.indexOf(':', dot + 1);
  }
  return sep;
}

/** A `:` followed by `\` or `/` is part of a path (`C:\`, `C:/`), not a separator (filter.c). */
export function skipPathColons(text: string, sep: number): number {
  let s = sep;
  while (s >= 0 && (text[s + 1] === '\\' || text[s + 1] === '/')) s = text.indexOf(':', s + 1);
  return s;
}

/** A cut at separator `sep` (-1: none); a `:gpac:` separator is consumed whole. */
export function cutAt(text: string, sep: number): Cut {
  if (sep < 0) return { end: text.length, next: null };
  return { end: sep, next: sep + (text.startsWith(':gpac:', sep) ? 6 : 1) };
}
