/**
 * Outcome classes of a fuzz case. Good: `clean-error` (exit 1, one line naming the file and what is
 * wrong, nothing of JavaScript's inside) and `success` (exit 0, and the output checks pass). Everything
 * else is a failure: `leak` (an error message that is not that one clean line), `bad-output` (exit 0 but
 * manifests missing or not plain, or an output that does not decode while the input does), `crash` (the
 * process died: signal, V8 fatal error, uncaught exception), `hang` (over the time limit), `memory`
 * (over the memory limit).
 */
export type Outcome = 'success' | 'clean-error' | 'leak' | 'bad-output' | 'crash' | 'hang' | 'memory';

export const GOOD: ReadonlySet<Outcome> = new Set(['success', 'clean-error']);

/** What JavaScript, not the input, has to say: never part of a message about a bad file. */
const INTERNALS = [
  /Cannot read propert/,
  /Cannot set propert/,
  /is not a function/,
  /is not defined/,
  /is not iterable/,
  /is not a constructor/,
  /\bundefined\b/,
  /\bNaN\b/,
  /\bInfinity\b/,
  /DataView/,
  /typed array/i,
  /Invalid array length/,
  /Array buffer allocation/,
  /Maximum call stack/,
  /out of memory/i,
  /\b(Type|Range|Reference|Syntax|Assertion|Internal)Error\b/,
  /\bu32:/,
  /\[object /,
  /\n\s+at /,
  /\(file:\/\//,
];

/**
 * Judges the error output of a run that failed (exit code not 0). `file` is the input's path as given on
 * the command line.
 */
export function judgeError(stderr: string, file: string): { outcome: Outcome; why?: string } {
  const lines = stderr.split('\n').filter((l) => l.trim());
  if (lines.length !== 1) return { outcome: 'leak', why: `${lines.length} lines on stderr` };
  const line = lines[0]!;
  if (!line.startsWith('graphpac: ')) return { outcome: 'leak', why: 'not a graphpac message' };
  const bad = INTERNALS.find((re) => re.test(line));
  if (bad) return { outcome: 'leak', why: `JavaScript internals (${bad.source})` };
  const base = file.split('/').pop()!;
  if (!line.includes(base)) return { outcome: 'leak', why: 'does not name the file' };
  return { outcome: 'clean-error' };
}
