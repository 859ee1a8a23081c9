/**
 * Errors as data (ARCHITECTURE §2): a catalogue of stable codes, each message carrying the values
 * (which filter, which option, what was given, what was expected). The CLI prints `message` alone
 * (no stack) unless logs ask for debug.
 */

export const ERROR_CODES = {
  SYNTAX: 'the command line does not parse',
  UNKNOWN_FILTER: 'no filter of that name is registered',
  UNKNOWN_OPTION: 'a session option is not known',
  BAD_OPTION_VALUE: 'an option value does not fit its type',
  NO_SOURCE_HANDLER: 'no filter can open a source URL',
  NO_SINK_HANDLER: 'no filter can write a destination URL',
  LINK_FAILED: 'a PID could not be linked to any filter',
  BAD_LINK_DIRECTIVE: 'a link directive names no filter',
  FILE_NOT_FOUND: 'an input file does not exist',
  READ_ERROR: 'an input could not be read',
  WRITE_ERROR: 'an output could not be written',
  UNSUPPORTED_FORMAT: 'the input is not in a format any filter reads',
  CORRUPT_INPUT: 'the input is truncated or corrupt',
  UNSUPPORTED_CODEC: 'a stream uses a codec that is not supported',
  STREAM_CHANGED: 'a stream changed its coding (decoder configuration) mid-run',
  FILTER_FAILED: 'a filter threw while processing',
  GRAPH_STUCK: 'no filter can make progress but the graph has not ended',
  PLUGIN_INVALID: 'a plugin module is not a valid filter',
  INTERRUPTED: 'the run was aborted by a signal',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * Marks every GraphError, whichever copy of this module made it: the installed CLI runs a bundle of the
 * engine (scripts/build.mjs) while a plugin imports `graphpac` from dist/, so `instanceof` must not depend
 * on the class object being the same one.
 */
const BRAND = Symbol.for('graphpac.GraphError');

export class GraphError extends Error {
  static override [Symbol.hasInstance](value: unknown): boolean {
    // A subclass keeps the ordinary prototype check.
    if (this !== GraphError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
  readonly [BRAND] = true;
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;
  constructor(
    code: ErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'GraphError';
    this.code = code;
    this.details = details;
  }
}

export function isGraphError(e: unknown): e is GraphError {
  return e instanceof GraphError;
}

/** Message of any thrown value, for one-line reporting. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
