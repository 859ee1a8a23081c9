/**
 * The file writer's contract (file-writer.ts): the hooks an observer gets, the sink's options, the part
 * of a filter context it needs, and its errors.
 */
import { GraphError } from '../../src/index.js';
import type { Logger, Packet, PacketProps } from '../../src/index.js';

/** What happened on disk, reported after it happened (each call follows the operation it reports). */
export interface WriterHooks {
  /** A file (a segment, another file, or a part file) will be written: called when the write is planned,
   *  before any of its bytes; it is created (truncated) at once. */
  opened?(path: string, kind: 'file' | 'part'): void;
  /** Bytes were appended: `size` bytes of `path` are on disk; `data` are the bytes just appended. */
  progress?(path: string, size: number, data?: readonly Uint8Array[]): void;
  /**
   * A packet carrying `AckId` was written: `path` stands at `size`, the end of a chunk (an LL part).
   * A returned promise delays the acknowledgement (not the following writes) until it resolves (an
   * upload accepted by a push origin); if it rejects, the run fails with its error.
   */
  boundary?(path: string, size: number): void | Promise<void>;
  /** The file is complete (for a part file: its last byte is written). May be reported twice. */
  closed?(path: string, size: number): void;
  /** A whole file (manifest, atomic write) was renamed into place with these bytes. */
  replaced?(path: string, data: Uint8Array, props: PacketProps): void;
  /** The file was removed (`file-delete`). */
  deleted?(path: string): void;
  /**
   * The run stopped (SIGTERM, a failed write…) while the file was still being written: its bytes are
   * not a whole file. Reported instead of `closed` (for a part file in production too).
   */
  abandoned?(path: string): void;
}

export interface FileSinkOptions {
  /** Name used in error messages (`fout`, `httpout`). */
  label: string;
  /** Default file (packets without FileName). */
  dst: string;
  /** Folder packets' FileName paths are relative to. */
  baseDir: string;
  atomic: boolean;
  /** Take and drop everything (`dst=null`). */
  discard?: boolean;
  hooks?: WriterHooks;
  /**
   * Report to the hooks (and acknowledge chunks) as packets are planned instead of once the disk has
   * them: for an observer that keeps the bytes itself (httpout's server). Sizes are then the bytes
   * planned; the writes still happen in order, and a failed one still ends the run.
   */
  memoryFirst?: boolean;
}

/** The part of a filter context the writer needs. */
export interface WriterContext {
  readonly log: Logger;
  track<T>(work: Promise<T>): Promise<T>;
  /**
   * Packet release (a sink declaring dropsTakenPackets): packets whose bytes wait in the queue past the
   * process() call that took them are kept, and dropped once written.
   */
  keep?(packet: Packet): void;
  drop?(packet: Packet): void;
}

export function ioError(e: unknown, path: string, action: string, label = 'fout'): GraphError {
  if (e instanceof GraphError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOSPC'
      ? 'no space left on device'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'ENOENT'
          ? 'no such directory'
          : code === 'ENOTDIR' || code === 'EEXIST'
            ? 'a path component is not a directory'
            : code === 'EISDIR'
              ? 'it is a directory'
              : (e as Error).message;
  return new GraphError('WRITE_ERROR', `${label}: cannot ${action} "${path}": ${why}`, { path, code });
}
