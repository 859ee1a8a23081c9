/**
 * mp4box.js prints some parse errors with console.error (when it has no ISOFile to report them to).
 * Those lines would corrupt graphpac's one-line error contract and stdout data, so calls into mp4box run
 * with the console redirected into a list the demuxer turns into debug logs and error details.
 */
type ConsoleMethod = 'error' | 'warn' | 'info' | 'debug' | 'log';
const METHODS: readonly ConsoleMethod[] = ['error', 'warn', 'info', 'debug', 'log'];

/** Run `fn` (synchronous) with console output captured into `sink` (last 50 lines kept). */
export function quietly<T>(sink: string[], fn: () => T): T {
  // Redirecting, not printing: see the file comment.
  const con = console;
  const saved = METHODS.map((m) => con[m]);
  const capture = (...args: unknown[]): void => {
    // mp4box prefixes its lines with "[h:mm:ss.mmm] [Module]": keep "Module: message".
    const line = args.map((a) => (typeof a === 'string' ? a : String(a))).join(' ');
    sink.push(line.replace(/^\[[\d:.]+\]\s*\[([^\]]*)\]\s*/, '$1: '));
    if (sink.length > 50) sink.splice(0, sink.length - 50);
  };
  for (const m of METHODS) con[m] = capture;
  try {
    return fn();
  } finally {
    METHODS.forEach((m, i) => (con[m] = saved[i]!));
  }
}
