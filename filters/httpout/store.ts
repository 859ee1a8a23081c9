/**
 * What the origin knows about the files it produces, fed by the file writer's hooks (never by
 * polling): files in production (bytes written, last complete part), the latest version of every
 * manifest (with the dasher's playlist state), and the resources named by preload hints. Held requests
 * wait on `waitFor`, re-checked at every change.
 */
import { createHash } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { packetProp } from '../../src/index.js';
import type { PacketProps } from '../../src/index.js';
import type { WriterHooks } from '../fout/file-writer.js';
import { listedSecondsOf, partHoldBackOf, partTargetOf, preloadHints } from './directives.js';
import { realTimers } from './timers.js';
import type { Timers } from './timers.js';
import type { PlaylistState } from './directives.js';

/**
 * Recently completed files kept in memory (bytes), so the live edge is served without touching the
 * disk or the thread pool the packager's writes use. Least recently completed first out.
 */
export const RECENT_BYTES = 64 * 1024 * 1024;

/** A file being written. */
export class LiveFile {
  /** Bytes on disk. */
  size = 0;
  /** End of the last complete chunk / part (−1: the writer reported none). */
  boundary = -1;
  done = false;
  /** The run stopped before the file was complete: what was sent of it must end as truncated. */
  abandoned = false;
  private waiters: (() => void)[] = [];
  /** The file's bytes so far, when every append came with its bytes (else: read from disk). */
  private mem: Buffer | undefined = Buffer.alloc(0);
  private memLen = 0;

  constructor(
    readonly path: string,
    readonly kind: 'file' | 'part',
  ) {}

  /** Keep appended bytes; `data` missing or not matching `size`: memory is given up for this file. */
  append(size: number, data: readonly Uint8Array[] | undefined): void {
    if (!this.mem) return;
    const n = data?.reduce((a, d) => a + d.byteLength, 0) ?? -1;
    if (!data || this.memLen + n !== size) {
      this.mem = undefined;
      return;
    }
    if (size > this.mem.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(size, this.mem.length * 2, 64 * 1024));
      this.mem.copy(grown, 0, 0, this.memLen);
      this.mem = grown; // views handed out earlier keep the old buffer: its bytes never change
    }
    for (const d of data) {
      this.mem.set(d, this.memLen);
      this.memLen += d.byteLength;
    }
  }

  /** Bytes [0, size) in memory, if all are. */
  bytes(): Buffer | undefined {
    return this.mem && this.memLen >= this.size ? this.mem.subarray(0, this.size) : undefined;
  }

  /** Bytes that may be sent: never a byte of an unfinished part. A part file: nothing until complete. */
  get deliverable(): number {
    if (this.done) return this.size;
    if (this.kind === 'part') return 0;
    return this.boundary >= 0 ? this.boundary : this.size;
  }

  /** Resolves at the next change (bytes, part boundary, completion). */
  changed(): Promise<void> {
    if (this.done || this.abandoned) return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }

  notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

export interface Manifest {
  path: string;
  data: Buffer;
  etag: string;
  mtime: number;
  props: PacketProps;
  /** Variant playlists: where they stand (for delivery directives). */
  state?: PlaylistState;
  /** When `state` last advanced (a new part or segment listed), on the origin's clock (`timers.now()`, ms). */
  advancedAt: number;
}

export function etagOf(data: Uint8Array): string {
  return `"${createHash('sha1').update(data).digest('base64url').slice(0, 22)}"`;
}

function stateOf(props: PacketProps, text: string): PlaylistState | undefined {
  if (packetProp(props, 'HLSVariant') !== true) return undefined;
  const pt = partTargetOf(text);
  const phb = partHoldBackOf(text);
  return {
    lastMsn: packetProp(props, 'HLSLastMsn') ?? -1,
    lastPart: packetProp(props, 'HLSLastPart') ?? -1,
    ended: packetProp(props, 'HLSEnded') === true,
    targetDuration: packetProp(props, 'HLSTargetDuration') ?? 0,
    ...(pt !== undefined ? { partTarget: pt } : {}),
    ...(phb !== undefined ? { partHoldBack: phb, listed: listedSecondsOf(text) } : {}),
  };
}

export type WaitResult = 'ok' | 'timeout' | 'closed' | 'shutdown';

/** A complete file held in memory. */
export interface RecentFile {
  data: Buffer;
  mtimeMs: number;
}

export class Store {
  readonly live = new Map<string, LiveFile>();
  /** Completed files in memory, oldest first (bounded by RECENT_BYTES). */
  readonly recent = new Map<string, RecentFile>();
  private recentBytes = 0;
  readonly manifests = new Map<string, Manifest>();
  /** Absolute paths named by the current preload hints, by playlist. */
  private hints = new Map<string, string[]>();
  private listeners = new Set<() => void>();
  /** Largest target duration seen (seconds), for deadlines of held requests. */
  targetDuration = 0;
  closing = false;

  constructor(readonly timers: Timers = realTimers) {}

  isHinted(path: string): boolean {
    for (const list of this.hints.values()) if (list.includes(path)) return true;
    return false;
  }

  emit(): void {
    for (const l of [...this.listeners]) l();
  }

  /** Hold until `check()` is true (checked now and at every change), the deadline, or `signal` closes. */
  waitFor(check: () => boolean, ms: number, onClose: (cb: () => void) => () => void): Promise<WaitResult> {
    if (check()) return Promise.resolve('ok');
    if (this.closing) return Promise.resolve('shutdown');
    return new Promise((resolveWait) => {
      let off = () => {};
      const done = (why: WaitResult) => {
        cancel();
        this.listeners.delete(listener);
        off();
        resolveWait(why);
      };
      const listener = () => {
        if (check()) done('ok');
        else if (this.closing) done('shutdown');
      };
      const cancel = this.timers.after(ms, () => done('timeout'));
      this.listeners.add(listener);
      off = onClose(() => done('closed'));
    });
  }

  private keepRecent(path: string, data: Buffer): void {
    this.forget(path);
    if (data.length > RECENT_BYTES / 4) return;
    this.recent.set(path, { data, mtimeMs: Date.now() });
    this.recentBytes += data.length;
    for (const [p, f] of this.recent) {
      if (this.recentBytes <= RECENT_BYTES) break;
      this.recent.delete(p);
      this.recentBytes -= f.data.length;
    }
  }

  private forget(path: string): void {
    const f = this.recent.get(path);
    if (!f) return;
    this.recent.delete(path);
    this.recentBytes -= f.data.length;
  }

  /** The server closes: files still in production will never complete (their answers end truncated). */
  shutdown(): void {
    this.closing = true;
    for (const lf of this.live.values()) lf.abandoned = true;
    this.emit();
    for (const lf of this.live.values()) lf.notify();
  }

  /** The writer hooks that keep this store up to date. */
  hooks(): WriterHooks {
    return {
      opened: (path, kind) => {
        this.forget(path);
        this.live.set(path, new LiveFile(path, kind));
        this.emit();
      },
      progress: (path, size, data) => {
        const lf = this.live.get(path);
        if (!lf) return;
        lf.append(size, data);
        lf.size = size;
        lf.notify();
        this.emit();
      },
      boundary: (path, size) => {
        const lf = this.live.get(path);
        if (!lf) return;
        lf.size = Math.max(lf.size, size);
        lf.boundary = size;
        lf.notify();
        this.emit();
      },
      closed: (path, size) => {
        const lf = this.live.get(path);
        if (!lf) return;
        lf.size = size;
        lf.done = true;
        this.live.delete(path);
        const bytes = lf.bytes();
        if (bytes) this.keepRecent(path, bytes);
        lf.notify();
        this.emit();
      },
      replaced: (path, data, props) => {
        const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
        const text = buf.toString('utf8');
        const state = stateOf(props, text);
        if (state) this.targetDuration = Math.max(this.targetDuration, state.targetDuration);
        const before = this.manifests.get(path);
        const now = this.timers.now();
        const same =
          before?.state !== undefined &&
          state !== undefined &&
          before.state.lastMsn === state.lastMsn &&
          before.state.lastPart === state.lastPart;
        this.manifests.set(path, {
          path,
          data: buf,
          etag: etagOf(buf),
          mtime: now,
          props,
          ...(state ? { state } : {}),
          advancedAt: same ? before.advancedAt : now,
        });
        // Resources about to exist, held when asked for early: HLS preload hints; for an MPD, the
        // dasher's next segments (DASHUpcoming).
        const named = path.endsWith('.m3u8') ? preloadHints(text) : (packetProp(props, 'DASHUpcoming') ?? []);
        const dir = dirname(path);
        const list = named
          .filter((u) => !u.includes('://'))
          .map((u) => resolve(dir, decodeURIComponentSafe(u)));
        if (list.length) this.hints.set(path, list);
        else this.hints.delete(path);
        this.emit();
      },
      abandoned: (path) => {
        const lf = this.live.get(path);
        if (!lf) return;
        lf.abandoned = true;
        this.live.delete(path);
        lf.notify();
        this.emit();
      },
      deleted: (path) => {
        this.live.delete(path);
        this.forget(path);
        this.manifests.delete(path);
        this.hints.delete(path);
        this.emit();
      },
    };
  }
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
