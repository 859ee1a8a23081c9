# The argv-level grammar of a gpac command line (spec gpac-semantics.md §1.1, §1.5, §11).
#
# Input: argv joined by src/syntax/argv-lexer.ts (every element terminated by \u0000, one token per
# element). Output: ArgNode[] (src/syntax/arg-nodes.ts) in argv order; parse.ts splits each element's
# text (URLs, options) and builds the GraphSpec.
#
# The grammar is total and unambiguous: every token sequence the lexer can produce has exactly one
# parse. Errors (a flag without its value, dangling link directives) are parsed into nodes and reported
# by parse.ts with the argv index, position and what was expected.
#
# Regenerate with `npm run gen:grammar`; `npm run check:grammar` verifies the committed output.

@preprocessor typescript

@{%
import type { Token } from 'moo';
import type { ArgNode, ArgNodeKind } from './arg-nodes.js';
import { argvLexer as lexer } from './argv-lexer.js';

/** A one-element form: `src=URL`, `NAME[:opts]`, `--opt=val`, `-opt[=val]`, `-xopt…`. */
const single =
  (kind: ArgNodeKind) =>
  (d: any[]): ArgNode => ({ kind, head: d[0] as Token, pair: false, next: null, links: [] });

/** A two-element form whose second element may be missing: `-i URL`, `-logs VALUE`, `-h [TOPIC]`. */
const pair =
  (kind: ArgNodeKind) =>
  (d: any[]): ArgNode => ({ kind, head: d[0] as Token, pair: true, next: (d[1] as Token | null) ?? null, links: [] });

/** An element met after a link directive and before the entry it applies to. */
type Pending = { link: Token } | { setting: ArgNode };

/** Splits pending elements into the directives (in order) and the settings met on the way. */
const sortPending = (first: Token, pending: Pending[]): { links: Token[]; settings: ArgNode[] } => {
  const links = [first];
  const settings: ArgNode[] = [];
  for (const p of pending) {
    if ('link' in p) links.push(p.link);
    else settings.push(p.setting);
  }
  return { links, settings };
};

/** `@… [settings…] ENTRY`: every directive goes to ENTRY (spec §1.5, they accumulate). */
const linked = (d: any[]): ArgNode[] => {
  const { links, settings } = sortPending(d[0] as Token, d[1] as Pending[]);
  return [...settings, { ...(d[2] as ArgNode), links }];
};

/** `@… [settings…]` with no entry after it: kept as a node so parse.ts can name the directive. */
const dangling = (d: any[]): ArgNode[] => {
  const { links, settings } = sortPending(d[0] as Token, d[1] as Pending[]);
  return [...settings, { kind: 'dangling', head: d[0] as Token, pair: false, next: null, links }];
};
%}

@lexer lexer

main -> part:* trailing:? %XOPT:?
  {% (d: any[]): ArgNode[] => [
    ...(d[0] as ArgNode[][]).flat(),
    ...((d[1] as ArgNode[] | null) ?? []),
    ...(d[2] ? [single('xopt')([d[2]])] : []),
  ] %}

part -> entry                {% (d: any[]): ArgNode[] => [d[0] as ArgNode] %}
      | setting              {% (d: any[]): ArgNode[] => [d[0] as ArgNode] %}
      | %LINK pending:* entry {% linked %}

trailing -> %LINK pending:*  {% dangling %}

pending -> %LINK             {% (d: any[]): Pending => ({ link: d[0] as Token }) %}
         | setting           {% (d: any[]): Pending => ({ setting: d[0] as ArgNode }) %}

entry -> %SRC_FLAG %VALUE:?  {% pair('source') %}
       | %SRC_ARG            {% single('source') %}
       | %DST_FLAG %VALUE:?  {% pair('sink') %}
       | %DST_ARG            {% single('sink') %}
       | %FILTER             {% single('filter') %}

setting -> %GLOBAL                {% single('global') %}
         | %OPTION                {% single('session') %}
         | %VALUE_OPTION %VALUE:? {% pair('session') %}
         | %HELP %TOPIC:?         {% pair('help') %}
