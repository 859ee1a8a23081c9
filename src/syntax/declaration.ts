/**
 * One filter, source or sink declaration element → name or URL, options, FID and SID (spec §1.3).
 */
import { fail, type ArgRef } from './errors.js';
import type { OptionItem, SourceSelectorSpec } from './graph-spec.js';
import { splitPieces, type Piece } from './pieces.js';
import { cutUrl, type UrlRole } from './url.js';

/** The parts of an entry that come from its option list. */
export interface DeclarationOptions {
  options: OptionItem[];
  id: string | null;
  sources: SourceSelectorSpec[];
}

/**
 * `NAME[:opts]`. The name ends at the first `:` (a Windows drive letter `C:\` / `C:/` at the start of a
 * script path is kept in the name).
 */
export function readFilter(ref: ArgRef): DeclarationOptions & { name: string } {
  const { text } = ref;
  let sep = text.indexOf(':');
  if (sep === 1 && (text[2] === '\\' || text[2] === '/')) sep = text.indexOf(':', 2);
  const name = sep < 0 ? text : text.slice(0, sep);
  if (name === '') fail(ref, 0, 'a filter name');
  return { name, ...readOptions(ref, sep < 0 ? [] : splitPieces(text, sep + 1)) };
}

/**
 * A source or sink URL followed by options, starting at `start` in the element (0 for `-i URL`, 4 for
 * `src=URL`). `expected` describes the URL for errors, e.g. `a source URL after -i`.
 */
export function readTarget(
  ref: ArgRef,
  start: number,
  role: UrlRole,
  expected: string,
): DeclarationOptions & { url: string } {
  const cut = cutUrl(ref.text, start, role);
  const url = ref.text.slice(start, cut.end);
  if (url === '') fail(ref, start, expected);
  return { url, ...readOptions(ref, cut.next === null ? [] : splitPieces(ref.text, cut.next)) };
}

/**
 * Classifies pieces: `#Prop[=v]` ⇒ property; `!opt[=v]` ⇒ negated option; `FID=` ⇒ id; `SID=` ⇒
 * sources; the `gpac` marker is dropped; anything else (including `gfloc`, `gfopt` and the other reserved
 * names, and enum shorthand words) is an option, in the order written.
 */
export function readOptions(ref: ArgRef, pieces: readonly Piece[]): DeclarationOptions {
  const out: DeclarationOptions = { options: [], id: null, sources: [] };
  for (const piece of pieces) {
    const eq = piece.text.indexOf('=');
    const name = eq < 0 ? piece.text : piece.text.slice(0, eq);
    const value = eq < 0 ? null : piece.text.slice(eq + 1);
    /** Offset just after the name (and its `=`), where a missing value was expected. */
    const valuePos = piece.offset + (eq < 0 ? name.length : eq + 1);
    if (name.startsWith('#')) {
      if (name.length === 1) fail(ref, piece.offset + 1, "a property name after '#'");
      out.options.push({ kind: 'property', name: name.slice(1), value });
    } else if (name.startsWith('!')) {
      if (name.length === 1) fail(ref, piece.offset + 1, "an option name after '!'");
      out.options.push({ kind: 'option', name: name.slice(1), value, negated: true });
    } else if (name === '') {
      fail(ref, piece.offset, "an option name before '='");
    } else if (name === 'FID') {
      if (!value) fail(ref, valuePos, 'a filter ID after FID=');
      out.id = value;
    } else if (name === 'SID') {
      if (!value) fail(ref, valuePos, 'a source ID list after SID=');
      out.sources = readSourceIds(value);
    } else if (name !== 'gpac') {
      out.options.push({ kind: 'option', name, value, negated: false });
    }
  }
  return out;
}

/**
 * `SID=fin1#video,fin2`: comma-separated source IDs, each with an optional `#fragment` (spec §1.5).
 * An empty ID (`#video`) matches any source; empty entries (`a,,b`, trailing `,`) are skipped. A later
 * `SID=` replaces an earlier one, as in GPAC.
 */
function readSourceIds(value: string): SourceSelectorSpec[] {
  return value
    .split(',')
    .filter((s) => s !== '')
    .map((s) => {
      const hash = s.indexOf('#');
      return hash < 0 ? { id: s, fragment: null } : { id: s.slice(0, hash), fragment: s.slice(hash + 1) };
    });
}
