/**
 * Calls into mp4box.js that parse file bytes. mp4box.js parses a box with no try/catch: a box whose
 * fields run past its end throws a RangeError from deep inside it. Such an exception is the input's
 * fault, so it becomes a MalformedInput naming the box mp4box.js was reading (found from its read
 * position); exceptions from our own callbacks, which mp4box.js calls from inside appendBuffer, are
 * stashed by the caller and rethrown as they are.
 */
import type { ISOFile } from 'mp4box';
import type { BoxAt } from './box-path.js';
import { MalformedInput } from './malformed.js';
import { quietly } from './quiet.js';

export function parseCall<T>(
  logs: string[],
  file: ISOFile,
  fn: () => T,
  boxAt: (offset: number) => BoxAt | undefined,
  what: string,
): T {
  try {
    return quietly(logs, fn);
  } catch (e) {
    if (e instanceof MalformedInput) throw e;
    const why = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    logs.push(`mp4box.js threw ${why}`);
    const pos = (file.stream as { getPosition?: () => number } | undefined)?.getPosition?.();
    const box = typeof pos === 'number' ? boxAt(pos) : undefined;
    const how = e instanceof RangeError ? 'its fields run past its end' : 'its fields contradict each other';
    throw new MalformedInput(
      box
        ? `box ${box.path} at byte ${box.start} cannot be parsed: ${how}`
        : typeof pos === 'number' && pos > 0
          ? `the boxes at byte ${pos} cannot be parsed: ${how}`
          : `${what} cannot be parsed: ${how}`,
    );
  }
}

/** An mp4box.js log line made fit for a one-line message (no control characters, bounded length). */
export function printableLog(line: string): string {
  const s = line.replace(/[^\x20-\x7e]/g, '?');
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}
