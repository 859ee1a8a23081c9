/**
 * What the nearley grammar (grammar/gpac.ne) produces: the argv-level structure of a gpac command line,
 * one node per source, sink, filter, global option, session option, help request, `-xopt` or dangling
 * link directives, in argv order. Per-element text (URL, options) is split later by parse.ts.
 */
import type { Token } from 'moo';

export type ArgNodeKind = 'source' | 'sink' | 'filter' | 'global' | 'session' | 'help' | 'xopt' | 'dangling';

export interface ArgNode {
  kind: ArgNodeKind;
  /**
   * The element that decides the kind: `-i`, `src=URL`, `reframer:rt=on`, `--segdur=2`, `-logs`,
   * `-logs=x`, `-h`, `-xopt`, or for `dangling` the first of the dangling `@` directives.
   */
  head: Token;
  /** True for the two-element forms `-i URL`, `-o URL`, `-logs VALUE`, `-h [TOPIC]`. */
  pair: boolean;
  /** The second element of a pair form; `null` when it is missing (end of argv, or `-h` without topic). */
  next: Token | null;
  /** Link directives (`@…` elements) that precede this entry, or the dangling ones. */
  links: Token[];
}
