/**
 * gpac command line → GraphSpec (spec §1, §11).
 *
 * Two stages:
 * 1. the nearley grammar (grammar/gpac.ne, lexer in argv-lexer.ts) gives the argv-level structure:
 *    which elements are sources, sinks, filters, link directives, global and session options, and which
 *    element is the value of `-i`/`-o`/`-logs…`/`-h`. The grammar is total and unambiguous: exactly
 *    one parse for every argv (checked on every call);
 * 2. each element's text is split by small hand-written functions (declaration.ts, pieces.ts, url.ts,
 *    directives.ts) that follow GPAC's per-argument rules and report errors with positions.
 *
 * Not handled here: a leading `gpac` word (the CLI strips it), validation of option names and values
 * (the engine's args schemas and the CLI do that), and `-seps`: it is parsed as a session option, but
 * alternative separators are not supported — the default `:=#,!@` are always used.
 */
import nearley from 'nearley';
import type { Token } from 'moo';
import type { ArgNode } from './arg-nodes.js';
import { ARG_END, joinArgv } from './argv-lexer.js';
import { readFilter, readTarget } from './declaration.js';
import { readGlobal, readLink, readSession } from './directives.js';
import { fail, type ArgRef } from './errors.js';
import grammar from './gpac-grammar.js';
import type { Entry, GraphSpec } from './graph-spec.js';

export { GraphSyntaxError } from './errors.js';
export type { ArgNode } from './arg-nodes.js';

const compiledGrammar = nearley.Grammar.fromCompiled(grammar);

/**
 * Runs the argv-level grammar and returns every parse (there is always exactly one; exposed so tests can
 * check it). Throws GraphSyntaxError for an element that contains a NUL character.
 */
export function parseGraphResults(argv: readonly string[]): ArgNode[][] {
  argv.forEach((text, arg) => {
    const nul = text.indexOf(ARG_END);
    if (nul >= 0) fail({ arg, text }, nul, 'no NUL character');
  });
  const parser = new nearley.Parser(compiledGrammar);
  parser.feed(joinArgv(argv));
  return parser.results as ArgNode[][];
}

/**
 * Parses a gpac command line (without the leading `gpac` word) into a GraphSpec.
 * Throws GraphSyntaxError naming the argv element (0-based), the position in it and what was expected.
 * Entry `arg` indices point at the element holding the URL or declaration (for `-i URL`, the URL).
 */
export function parseGraph(argv: readonly string[]): GraphSpec {
  const results = parseGraphResults(argv);
  const nodes = results[0];
  if (results.length !== 1 || nodes === undefined) {
    throw new Error(`internal error: the gpac grammar gave ${results.length} parses instead of 1`);
  }
  const argAt = argIndexer(argv);
  const ref = (token: Token): ArgRef => {
    const arg = argAt(token);
    return { arg, text: argv[arg] ?? '' };
  };

  const spec: GraphSpec = { entries: [], globals: [], session: [] };
  for (const node of nodes) {
    const head = ref(node.head);
    switch (node.kind) {
      case 'source':
      case 'sink':
      case 'filter':
        spec.entries.push(readEntry(node, head, ref));
        break;
      case 'global':
        spec.globals.push({ arg: head.arg, ...readGlobal(head) });
        break;
      case 'session':
        spec.session.push({ arg: head.arg, ...readSessionNode(node, head, ref) });
        break;
      case 'help':
        spec.session.push({
          arg: head.arg,
          name: head.text.slice(1),
          value: node.next ? ref(node.next).text : null,
        });
        break;
      case 'xopt':
        // `-xopt`: everything after it is ignored (GUI passthrough); kept so the CLI sees it.
        spec.session.push({ arg: head.arg, name: 'xopt', value: null });
        break;
      case 'dangling':
        node.links.forEach((t) => readLink(ref(t)));
        fail(head, head.text.length, `a filter, source or sink after link directive "${head.text}"`);
    }
  }
  return spec;
}

/** A source, sink or filter node → Entry, with its link directives. */
function readEntry(node: ArgNode, head: ArgRef, ref: (t: Token) => ArgRef): Entry {
  const links = node.links.map((t) => readLink(ref(t)));
  if (node.kind === 'filter') {
    const { name, ...rest } = readFilter(head);
    return { kind: 'filter', arg: head.arg, name, ...rest, links };
  }
  const role = node.kind === 'source' ? 'source' : 'sink';
  const what = role === 'source' ? 'a source URL' : 'a destination URL';
  if (!node.pair) {
    // `src=URL` / `dst=URL`
    const { url, ...rest } = readTarget(head, 4, role, `${what} after ${head.text.slice(0, 4)}`);
    return { kind: role, arg: head.arg, url, ...rest, links };
  }
  const expected = `${what} after ${head.text}`;
  if (node.next === null) fail(head, head.text.length, expected);
  const value = ref(node.next);
  const { url, ...rest } = readTarget(value, 0, role, expected);
  return { kind: role, arg: value.arg, url, ...rest, links };
}

/** `-opt`, `-opt=val` or `-opt VALUE` (for the options listed in VALUE_OPTIONS). */
function readSessionNode(
  node: ArgNode,
  head: ArgRef,
  ref: (t: Token) => ArgRef,
): { name: string; value: string | null } {
  if (!node.pair) return readSession(head);
  if (node.next === null) fail(head, head.text.length, `a value after ${head.text}`);
  return { name: head.text.slice(1), value: ref(node.next).text };
}

/** Maps a token to its argv index (every token starts an element; see argv-lexer.ts). */
function argIndexer(argv: readonly string[]): (token: Token) => number {
  const byOffset = new Map<number, number>();
  let offset = 0;
  argv.forEach((text, i) => {
    byOffset.set(offset, i);
    offset += text.length + ARG_END.length;
  });
  return (token) => {
    const arg = byOffset.get(token.offset);
    if (arg === undefined)
      throw new Error(`internal error: token at offset ${token.offset} starts no argument`);
    return arg;
  };
}
