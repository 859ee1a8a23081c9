/**
 * Splitting the option list of one filter declaration into `name[=value]` pieces, following GPAC's
 * `filter_parse_dyn_args` (filter.c; spec §1.3). Left to right, each piece ends at the next `:` except:
 *
 * - **`::` escaping**: a piece that begins right after `::` runs to the next `::`, uninspected
 *   (`f::a=foo:b=bar` ⇒ `a=foo:b=bar`; `f:a=foo::b=bar:c::d=fun` ⇒ `a=foo`, `b=bar:c`, `d=fun`).
 * - **`:gpac:`**: when a piece's separator is not part of `::` and `:gpac:` occurs at or after it, the
 *   piece runs up to that `:gpac:`, which is consumed (`f:a=1:b:gpac:c=2` ⇒ `a=1:b`, `c=2`).
 * - **`src=` / `dst=` pieces** end where their URL ends (url.ts).
 * - **URL values**: when the first `:` is a `://`, the value is a URL and ends by the remote-URL rule
 *   (`:#BUrl=http://h:8080/x/:next=1`).
 * - **paths**: a `:` followed by `\` or `/` is not a separator (`C:\`, `C:/`).
 * - **times**: `THH:MM:SS[.ms]` (and comma lists of such times) are not split
 *   (`xs=T10:00:00:rt=on` ⇒ `xs=T10:00:00`, `rt=on`).
 * - **XML**: when the piece holds a `<` before its separator and does not end with `>`, it runs to the
 *   first `:` that follows a `>` (`<…>:`), or to the end. (GPAC's code stops at the first `:` *not*
 *   preceded by `>`, contradicting its own documentation; graphpac follows the documented rule.)
 *
 * Empty pieces (from `::` runs or a trailing `:`) are dropped, as GPAC ignores them.
 */
import { cutAt, cutRemoteUrl, cutUrl, skipPathColons, type Cut } from './url.js';

/** One `name[=value]` piece and its character offset inside the argv element. */
export interface Piece {
  text: string;
  offset: number;
}

/** Splits `text` from `start` (just after the filter name or URL separator) into pieces. */
export function splitPieces(text: string, start: number): Piece[] {
  const pieces: Piece[] = [];
  let pos: number | null = start;
  while (pos !== null && pos < text.length) {
    let cut: Cut;
    if (text[pos] === ':') {
      while (text[pos] === ':') pos++;
      const close = text.indexOf('::', pos + 1);
      cut = close < 0 ? { end: text.length, next: null } : { end: close, next: close + 2 };
    } else {
      cut = cutPiece(text, pos);
    }
    if (cut.end > pos) pieces.push({ text: text.slice(pos, cut.end), offset: pos });
    pos = cut.next;
  }
  return pieces;
}

/** Where the (non-escaped) piece starting at `pos` ends. */
function cutPiece(text: string, pos: number): Cut {
  if (text.startsWith('src=', pos)) return cutUrl(text, pos + 4, 'source');
  if (text.startsWith('dst=', pos)) return cutUrl(text, pos + 4, 'sink');
  let sep = text.indexOf(':', pos);
  while (sep >= 0 && text.startsWith('://', sep)) {
    const url = cutRemoteUrl(text, sep + 3, 'sink');
    if (url.next === null || text.startsWith('::', url.end)) return url;
    sep = url.end;
  }
  sep = skipPathColons(text, sep);
  if (sep >= 0) sep = skipTime(text, pos, sep);
  if (sep >= 0 && text[sep + 1] !== ':') {
    const gpac = text.indexOf(':gpac:', sep);
    if (gpac >= 0) sep = gpac;
  }
  if (sep >= 0) sep = skipXml(text, pos, sep);
  return cutAt(text, sep);
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/**
 * A separator right after `T` + one or two characters may be inside a time (`T10:00:00.5`): GPAC's date
 * escape scans digits and up to three `:` (plus one `.`/`;` fraction) from the `T` and moves the
 * separator to the first `:` after the time; a `,T…` that follows continues a list of times.
 */
function skipTime(text: string, pos: number, sep: number): number {
  let t: number;
  if (sep - 3 >= pos && text[sep - 3] === 'T') t = sep - 3;
  else if (sep - 2 >= pos && text[sep - 2] === 'T') t = sep - 2;
  else return sep;
  for (;;) {
    let last = -1;
    let colons = 0;
    let fraction = false;
    for (let i = t + 1; ; i++) {
      const c = text[i];
      if (isDigit(c)) {
        last = i;
      } else if (c === ':') {
        last = i;
        if (colons >= 3) break;
        colons++;
      } else if (c === '.' || c === ';') {
        if (fraction || colons === 0) {
          last = -1;
          break;
        }
        fraction = true;
        last = i;
      } else {
        break;
      }
    }
    if (last < 0) return sep;
    const nextT = text.indexOf('T', last);
    const nextColon = text.indexOf(':', last);
    if (nextT >= 0 && nextColon >= 0 && nextT < nextColon && text[nextT - 1] === ',') {
      t = nextT;
      continue;
    }
    return nextColon;
  }
}

/** `<…>:` values: see the module comment. */
function skipXml(text: string, pos: number, sep: number): number {
  const lt = text.indexOf('<', pos);
  if (lt < 0 || lt >= sep || text[sep - 1] === '>') return sep;
  for (let s = text.indexOf(':', sep + 1); s >= 0; s = text.indexOf(':', s + 1)) {
    if (text[s - 1] === '>') return s;
  }
  return -1;
}
