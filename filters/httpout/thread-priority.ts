/**
 * The server thread's scheduling priority. The packager (main thread) must never be late; the server serves best
 * effort. When the CPUs are saturated (thousands of players), the scheduler should run the packager first: the
 * server thread lowers its own priority (a higher niceness, which needs no privileges).
 */
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** Niceness added to the server thread (Linux). */
export const SERVER_NICENESS = 5;

/**
 * Adds `by` to the calling thread's niceness. Linux only: there, a thread id given to setpriority() changes that
 * thread alone (its id is the last component of /proc/thread-self). Threads it starts afterwards inherit it.
 * Returns the new niceness, or why it was not changed (best effort: never throws).
 */
export function lowerThreadPriority(by: number): { tid: number; nice: number } | { failed: string } {
  if (process.platform !== 'linux') return { failed: `not on Linux (${process.platform})` };
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return { failed: 'no thread id in /proc/thread-self' };
    const nice = Math.min(19, getPriority(tid) + by);
    setPriority(tid, nice);
    return { tid, nice: getPriority(tid) };
  } catch (e) {
    return { failed: (e as Error).message };
  }
}
