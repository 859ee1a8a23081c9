/** What a session reports to its observers (CLI, library users): typed events and statistics. */
import type { GraphError } from './errors.js';

export interface SessionEvents {
  /** A filter was instantiated (declared or loaded by link resolution). */
  filter: (name: string, dynamic: boolean) => void;
  /** A filter was removed from the session (the chain of a source dropped with SourceHandle.remove()). */
  removed: (name: string) => void;
  /** A PID was linked from one filter to another. */
  link: (pid: string, from: string, to: string) => void;
  warning: (message: string) => void;
  /** Per-filter statistics, once, when the run has ended (before `end`). */
  stats: (stats: FilterStats[]) => void;
  /** The run ended (error is set when it failed). */
  end: (error?: GraphError) => void;
}

/** What `-stats` prints, as data. */
export interface FilterStats {
  filter: string;
  inputs: number;
  outputs: number;
  packetsSent: number;
  bytesSent: number;
  processCalls: number;
  processMs: number;
  /** The filter's last reported status (reportStatus). */
  status: Readonly<Record<string, number | string>>;
}

/** Where a run stands (Session.progress()). */
export interface SessionProgress {
  /** Media time reached, seconds: the furthest any filter reported as `mediaSeconds`. */
  mediaSeconds: number;
  /** The input duration when known (the longest demuxed stream). */
  durationSeconds: number | undefined;
  /** Every filter's reported status, by instance name. */
  status: Record<string, Readonly<Record<string, number | string>>>;
}
