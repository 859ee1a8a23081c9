/**
 * One-element directives: link directives (`@…`), global filter options (`--…`, `-+…`) and session
 * options (`-opt[=val]`).
 */
import { fail, type ArgRef } from './errors.js';
import type { LinkSpec } from './graph-spec.js';

/**
 * `@`, `@N`, `@@N`, each with an optional `#fragment` (spec §1.5). `@` alone is `@0` (the previous
 * filter) and `@@` alone is `@@0` (the first one), as GPAC reads a missing N as 0. The rare `@…@…` form
 * that links an already declared filter is not supported: the second `@` is reported as an error.
 */
export function readLink(ref: ArgRef): LinkSpec {
  const { text } = ref;
  const first = text[1] === '@';
  let i = first ? 2 : 1;
  const digits = /^[0-9]*/.exec(text.slice(i))?.[0] ?? '';
  i += digits.length;
  let fragment: string | null = null;
  if (i < text.length) {
    if (text[i] !== '#')
      fail(ref, i, "a filter index (digits), '#fragment' or the end of the link directive");
    fragment = text.slice(i + 1);
    if (fragment === '') fail(ref, i + 1, "a fragment after '#'");
  }
  return { from: first ? 'first' : 'previous', index: digits === '' ? 0 : Number(digits), fragment };
}

/**
 * `--opt`, `--opt=val`, `--FILTER@opt=val`, `--FILTER:opt=val` (spec §1.4). The filter prefix is looked
 * for before the first `=` only. `-+opt=val` (options for meta-filters such as ffmpeg, which declare no
 * schema) is returned the same way: GraphSpec does not tell the two apart, the engine applies both as
 * global options by name.
 */
export function readGlobal(ref: ArgRef): { filter: string | null; name: string; value: string | null } {
  const { text } = ref;
  const eq = text.indexOf('=');
  const key = eq < 0 ? text.slice(2) : text.slice(2, eq);
  const value = eq < 0 ? null : text.slice(eq + 1);
  const at = key.search(/[@:]/);
  if (at < 0) {
    if (key === '') fail(ref, 2, `an option name after ${text.slice(0, 2)}`);
    return { filter: null, name: key, value };
  }
  const sep = key[at] ?? '@';
  if (at === 0) fail(ref, 2, `a filter name before '${sep}'`);
  const name = key.slice(at + 1);
  if (name === '') fail(ref, 2 + at + 1, `an option name after '${sep}'`);
  return { filter: key.slice(0, at), name, value };
}

/** `-opt` or `-opt=val`: the name and value of a one-element session option. */
export function readSession(ref: ArgRef): { name: string; value: string | null } {
  const { text } = ref;
  const eq = text.indexOf('=');
  const name = eq < 0 ? text.slice(1) : text.slice(1, eq);
  if (name === '') fail(ref, 1, "an option name after '-'");
  return { name, value: eq < 0 ? null : text.slice(eq + 1) };
}
