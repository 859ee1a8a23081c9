// Generated automatically by nearley, version 2.20.1
// http://github.com/Hardmath123/nearley
// Bypasses TS6133. Allow declared but unused functions.
// @ts-ignore
function id(d: any[]): any {
  return d[0];
}
declare var XOPT: any;
declare var LINK: any;
declare var SRC_FLAG: any;
declare var VALUE: any;
declare var SRC_ARG: any;
declare var DST_FLAG: any;
declare var DST_ARG: any;
declare var FILTER: any;
declare var GLOBAL: any;
declare var OPTION: any;
declare var VALUE_OPTION: any;
declare var HELP: any;
declare var TOPIC: any;

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
  (d: any[]): ArgNode => ({
    kind,
    head: d[0] as Token,
    pair: true,
    next: (d[1] as Token | null) ?? null,
    links: [],
  });

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

interface NearleyToken {
  value: any;
  [key: string]: any;
}

interface NearleyLexer {
  reset: (chunk: string, info: any) => void;
  next: () => NearleyToken | undefined;
  save: () => any;
  formatError: (token: never) => string;
  has: (tokenType: string) => boolean;
}

interface NearleyRule {
  name: string;
  symbols: NearleySymbol[];
  postprocess?: (d: any[], loc?: number, reject?: {}) => any;
}

type NearleySymbol = string | { literal: any } | { test: (token: any) => boolean };

interface Grammar {
  Lexer: NearleyLexer | undefined;
  ParserRules: NearleyRule[];
  ParserStart: string;
}

const grammar: Grammar = {
  Lexer: lexer,
  ParserRules: [
    { name: 'main$ebnf$1', symbols: [] },
    { name: 'main$ebnf$1', symbols: ['main$ebnf$1', 'part'], postprocess: (d) => d[0].concat([d[1]]) },
    { name: 'main$ebnf$2', symbols: ['trailing'], postprocess: id },
    { name: 'main$ebnf$2', symbols: [], postprocess: () => null },
    { name: 'main$ebnf$3', symbols: [lexer.has('XOPT') ? { type: 'XOPT' } : XOPT], postprocess: id },
    { name: 'main$ebnf$3', symbols: [], postprocess: () => null },
    {
      name: 'main',
      symbols: ['main$ebnf$1', 'main$ebnf$2', 'main$ebnf$3'],
      postprocess: (d: any[]): ArgNode[] => [
        ...(d[0] as ArgNode[][]).flat(),
        ...((d[1] as ArgNode[] | null) ?? []),
        ...(d[2] ? [single('xopt')([d[2]])] : []),
      ],
    },
    { name: 'part', symbols: ['entry'], postprocess: (d: any[]): ArgNode[] => [d[0] as ArgNode] },
    { name: 'part', symbols: ['setting'], postprocess: (d: any[]): ArgNode[] => [d[0] as ArgNode] },
    { name: 'part$ebnf$1', symbols: [] },
    { name: 'part$ebnf$1', symbols: ['part$ebnf$1', 'pending'], postprocess: (d) => d[0].concat([d[1]]) },
    {
      name: 'part',
      symbols: [lexer.has('LINK') ? { type: 'LINK' } : LINK, 'part$ebnf$1', 'entry'],
      postprocess: linked,
    },
    { name: 'trailing$ebnf$1', symbols: [] },
    {
      name: 'trailing$ebnf$1',
      symbols: ['trailing$ebnf$1', 'pending'],
      postprocess: (d) => d[0].concat([d[1]]),
    },
    {
      name: 'trailing',
      symbols: [lexer.has('LINK') ? { type: 'LINK' } : LINK, 'trailing$ebnf$1'],
      postprocess: dangling,
    },
    {
      name: 'pending',
      symbols: [lexer.has('LINK') ? { type: 'LINK' } : LINK],
      postprocess: (d: any[]): Pending => ({ link: d[0] as Token }),
    },
    {
      name: 'pending',
      symbols: ['setting'],
      postprocess: (d: any[]): Pending => ({ setting: d[0] as ArgNode }),
    },
    { name: 'entry$ebnf$1', symbols: [lexer.has('VALUE') ? { type: 'VALUE' } : VALUE], postprocess: id },
    { name: 'entry$ebnf$1', symbols: [], postprocess: () => null },
    {
      name: 'entry',
      symbols: [lexer.has('SRC_FLAG') ? { type: 'SRC_FLAG' } : SRC_FLAG, 'entry$ebnf$1'],
      postprocess: pair('source'),
    },
    {
      name: 'entry',
      symbols: [lexer.has('SRC_ARG') ? { type: 'SRC_ARG' } : SRC_ARG],
      postprocess: single('source'),
    },
    { name: 'entry$ebnf$2', symbols: [lexer.has('VALUE') ? { type: 'VALUE' } : VALUE], postprocess: id },
    { name: 'entry$ebnf$2', symbols: [], postprocess: () => null },
    {
      name: 'entry',
      symbols: [lexer.has('DST_FLAG') ? { type: 'DST_FLAG' } : DST_FLAG, 'entry$ebnf$2'],
      postprocess: pair('sink'),
    },
    {
      name: 'entry',
      symbols: [lexer.has('DST_ARG') ? { type: 'DST_ARG' } : DST_ARG],
      postprocess: single('sink'),
    },
    {
      name: 'entry',
      symbols: [lexer.has('FILTER') ? { type: 'FILTER' } : FILTER],
      postprocess: single('filter'),
    },
    {
      name: 'setting',
      symbols: [lexer.has('GLOBAL') ? { type: 'GLOBAL' } : GLOBAL],
      postprocess: single('global'),
    },
    {
      name: 'setting',
      symbols: [lexer.has('OPTION') ? { type: 'OPTION' } : OPTION],
      postprocess: single('session'),
    },
    { name: 'setting$ebnf$1', symbols: [lexer.has('VALUE') ? { type: 'VALUE' } : VALUE], postprocess: id },
    { name: 'setting$ebnf$1', symbols: [], postprocess: () => null },
    {
      name: 'setting',
      symbols: [lexer.has('VALUE_OPTION') ? { type: 'VALUE_OPTION' } : VALUE_OPTION, 'setting$ebnf$1'],
      postprocess: pair('session'),
    },
    { name: 'setting$ebnf$2', symbols: [lexer.has('TOPIC') ? { type: 'TOPIC' } : TOPIC], postprocess: id },
    { name: 'setting$ebnf$2', symbols: [], postprocess: () => null },
    {
      name: 'setting',
      symbols: [lexer.has('HELP') ? { type: 'HELP' } : HELP, 'setting$ebnf$2'],
      postprocess: pair('help'),
    },
  ],
  ParserStart: 'main',
};

export default grammar;
