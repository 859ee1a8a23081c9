/**
 * Messages between the httpout filter (main thread: the packager) and its origin server's worker thread
 * (server-worker.ts). One port carries everything in order, so the server learns of a part's bytes
 * before it sees the playlist that lists them, exactly as the writer hooks ran.
 */
import type { PacketProps } from '../../src/index.js';
import type { ServerOptions } from './options.js';

export type ToServer =
  | { type: 'opened'; path: string; kind: 'file' | 'part' }
  | { type: 'progress'; path: string; size: number; data?: Uint8Array }
  | { type: 'boundary'; path: string; size: number }
  | { type: 'closed'; path: string; size: number }
  | { type: 'replaced'; path: string; data: Uint8Array; props: PacketProps }
  | { type: 'deleted'; path: string }
  | { type: 'abandoned'; path: string }
  | { type: 'page'; kind: 'hls' | 'dash'; path: string }
  | { type: 'close' };

export type FromServer =
  | { type: 'listening'; port: number }
  | { type: 'listen-error'; message: string; data: Record<string, unknown> }
  | { type: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; msg: string }
  | { type: 'clients'; n: number }
  | { type: 'closed' };

/** What the worker is started with (workerData). */
export interface ServerInit {
  options: ServerOptions;
}
