/**
 * Syntax errors of the gpac argument language. Every error names the argv element (the message counts from 1, the `arg` field from 0; after
 * any leading `gpac` word), the character offset inside it, and what was expected there.
 */

export class GraphSyntaxError extends Error {
  override readonly name = 'GraphSyntaxError';

  constructor(
    /** Index of the offending argv element (0-based). */
    readonly arg: number,
    /** The text of that element. */
    readonly argText: string,
    /** Character offset inside the element where the problem is (may equal its length: "after"). */
    readonly position: number,
    /** What was expected there, e.g. `a destination URL after -o`. */
    readonly expected: string,
  ) {
    super(`argument ${arg + 1} ${JSON.stringify(argText)}, position ${position}: expected ${expected}`);
  }
}

/** One argv element being parsed: its index and text, for error reporting. */
export interface ArgRef {
  arg: number;
  text: string;
}

export function fail(ref: ArgRef, position: number, expected: string): never {
  throw new GraphSyntaxError(ref.arg, ref.text, position, expected);
}
