/**
 * The argv-level lexer for the gpac argument language (spec §1.1, §11).
 *
 * The whole argv is lexed as one string in which every element is terminated by `\u0000` (a C argv
 * element can never contain NUL). Every token is exactly one argv element including its terminator, so a
 * token never straddles two elements and an empty element (`-o ""`) is still a token. The only exception
 * is `-xopt`, whose token swallows everything after it (GPAC ignores the rest of the line).
 *
 * The lexer is stateful so that the grammar stays unambiguous (dependencies.md §2): after a flag that
 * takes the next element as its value (`-i`, `-o`, `-logs`…) the next element is always a `VALUE`
 * whatever it looks like, and after `-h`/`-ha`/`-hx`/`-hh` an element that does not start with `-` is a
 * `TOPIC`.
 */
import moo from 'moo';

/* eslint-disable no-control-regex -- NUL (\u0000) is the argv element terminator matched by every rule. */

/** Terminates every argv element in the lexed string. */
export const ARG_END = '\u0000';

/** `-i URL` / `-src URL`: load a source (spec §1.1). */
export const SOURCE_FLAGS = ['i', 'src'] as const;

/** `-o URL` / `-dst URL`: load a sink (spec §1.1). */
export const SINK_FLAGS = ['o', 'dst'] as const;

/** Help flags; they take the next element as topic when it does not start with `-` (spec §11). */
export const HELP_FLAGS = ['h', 'ha', 'hx', 'hh'] as const;

/**
 * Core / app options that accept their value as the next argv element (`-logs all@debug`) as well as
 * `-opt=value` (spec §11; `gf_sys_set_args` in GPAC consumes the next element for non-boolean options).
 * Any other `-opt` only takes a value through `=`. The `-ib/-ibx/-ibb/-ibm/-ob` entries are GPAC's
 * test variants of `-i`/`-o` (spec §1.1): they are kept here so that their URL is not read as a filter,
 * and reach the CLI as session options.
 */
export const VALUE_OPTIONS = [
  'logs',
  'lf',
  'log-file',
  'seps',
  'threads',
  'runfor',
  'runforf',
  'runforx',
  'max-chain',
  'buffer-gen',
  'buffer-units',
  'buffer-dec',
  'p',
  'cfg',
  'ntp-shift',
  'ca-bundle',
  'ib',
  'ibx',
  'ibb',
  'ibm',
  'ob',
] as const;

/** Joins argv into the string the lexer reads: each element followed by {@link ARG_END}. */
export function joinArgv(argv: readonly string[]): string {
  return argv.map((a) => a + ARG_END).join('');
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
/** A regex matching exactly one element `-NAME` for one of `names`. */
const flagRe = (names: readonly string[]): RegExp =>
  new RegExp(`-(?:${names.map(escapeRe).join('|')})\\u0000`);

const stripEnd = (text: string): string => text.slice(0, -1);
/** Every rule below can contain line breaks (argv elements may hold `\n`). */
const rule = (match: RegExp, extra: moo.Rule = {}): moo.Rule => ({
  match,
  lineBreaks: true,
  value: stripEnd,
  ...extra,
});

/**
 * Main-state rules, tried in order (moo takes the first alternative that matches, not the longest).
 * Each regex consumes one whole element up to its terminator.
 */
const mainRules: Record<string, moo.Rule> = {
  XOPT: { match: /-xopt\u0000[^]*/, lineBreaks: true },
  SRC_FLAG: rule(flagRe(SOURCE_FLAGS), { next: 'value' }),
  DST_FLAG: rule(flagRe(SINK_FLAGS), { next: 'value' }),
  HELP: rule(flagRe(HELP_FLAGS), { next: 'topic' }),
  VALUE_OPTION: rule(flagRe(VALUE_OPTIONS), { next: 'value' }),
  GLOBAL: rule(/-[-+][^\u0000]*\u0000/),
  OPTION: rule(/-[^\u0000]*\u0000/),
  LINK: rule(/@[^\u0000]*\u0000/),
  SRC_ARG: rule(/src=[^\u0000]*\u0000/),
  DST_ARG: rule(/dst=[^\u0000]*\u0000/),
  FILTER: rule(/[^\u0000]*\u0000/),
};

/** In the topic state, main rules return to the main state unless they already switch somewhere. */
const backToMain = Object.fromEntries(
  Object.entries(mainRules).map(([name, r]) => [name, r.next === undefined ? { ...r, next: 'main' } : r]),
);

/** The lexer used by the generated grammar (`@lexer lexer` in grammar/gpac.ne). */
export const argvLexer = moo.states({
  main: mainRules,
  value: { VALUE: rule(/[^\u0000]*\u0000/, { next: 'main' }) },
  topic: { TOPIC: rule(/[^\-\u0000][^\u0000]*\u0000/, { next: 'main' }), ...backToMain },
});
