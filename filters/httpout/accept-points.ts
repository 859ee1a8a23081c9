/**
 * Many accept points on one listening socket. libuv (Node 20) accepts at most one connection per event-loop
 * iteration on a listening descriptor, and an iteration of a loaded server thread takes 100 ms or more: new
 * connections then wait seconds in the kernel's accept queue. With COUNT descriptors of the same socket,
 * each in its own net.Server on this thread's loop, one iteration accepts up to COUNT connections.
 *
 * The descriptors come from a helper process (accept-helper.ts) that binds the socket and sends it COUNT times
 * over its IPC channel (SCM_RIGHTS: each send is a new descriptor here; closing one closes only that one). If
 * the helper cannot run (no IPC, spawn failure, Windows), one plain listen() on this thread instead, with a
 * debug line saying why. Bind errors (EADDRINUSE, EACCES…) are rejected either way, with the socket's code.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { ACCEPT_HELPER_SOURCE } from './accept-helper.js';

/** Descriptors of the listening socket (accept points) when the helper runs. */
export const ACCEPT_POINTS = 64;
/** Longest wait for the helper (its start-up on a loaded machine included). */
const HELPER_TIMEOUT_MS = 10_000;
/** What net.Server copies onto each socket it accepts (the HTTP server's own values are used). */
const SOCKET_OPTIONS = [
  'allowHalfOpen',
  'pauseOnConnect',
  'noDelay',
  'keepAlive',
  'keepAliveInitialDelay',
  'highWaterMark',
] as const;

export interface AcceptOptions {
  host: string;
  /** 0: the system picks one (see AcceptPoints.port). */
  port: number;
  backlog: number;
  /** Accept points wanted (1: a plain listen, no helper). */
  count: number;
  /** Accepted sockets get the socket options this server gives its own (allowHalfOpen, noDelay…). */
  like: Server;
  onConnection(socket: Socket): void;
  /** An accept failure after listening (EMFILE…). */
  onError(e: Error): void;
  debug(msg: string): void;
  /** The node binary running the helper (tests: a missing one, to see the fallback). */
  nodePath?: string;
}

export interface AcceptPoints {
  servers: Server[];
  port: number;
  via: 'helper' | 'listen';
  /** Time to get them, ms. */
  ms: number;
}

type HelperMessage =
  { type: 'server'; port: number } | { type: 'socket' } | { type: 'error'; code?: string; message: string };

type HelperResult =
  { servers: Server[]; port: number } | { listenError: NodeJS.ErrnoException } | { failed: string };

function listenError(code: string | undefined, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

/** The helper's environment: no NODE_OPTIONS (a --import tsx there would only slow it down). */
function helperEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return env;
}

function fromHelper(o: AcceptOptions): Promise<HelperResult> {
  return new Promise((resolve) => {
    const servers: Server[] = [];
    let settled = false;
    let stderr = '';
    const child = spawn(
      o.nodePath ?? process.execPath,
      ['-e', ACCEPT_HELPER_SOURCE, o.host, String(o.port), String(o.count), String(o.backlog)],
      { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], env: helperEnv() },
    );
    const settle = (r: HelperResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if ('servers' in r) {
        // It disconnects and exits by itself; nothing here waits for it.
        child.unref();
        child.channel?.unref();
      } else {
        child.kill('SIGKILL');
        for (const s of servers) s.close();
      }
      resolve(r);
    };
    const timer = setTimeout(
      () => settle({ failed: `no answer within ${HELPER_TIMEOUT_MS / 1000} s` }),
      HELPER_TIMEOUT_MS,
    );
    child.stderr!.on('data', (c: Buffer) => {
      if (stderr.length < 4096) stderr += c.toString();
    });
    child.on('error', (e) => settle({ failed: e.message }));
    child.on('exit', (code, signal) => {
      const last = stderr.trim().split('\n').at(-1);
      settle({
        failed: `it exited (${code ?? signal}) after ${servers.length} of ${o.count} descriptors${last ? `: ${last}` : ''}`,
      });
    });
    child.on('message', (m: HelperMessage, handle: unknown) => {
      if (m.type === 'socket') {
        // A client that connected during the hand-over, with the socket options an accept point gives.
        if (handle) {
          const socket = handle as Socket;
          const like = o.like as unknown as { noDelay: boolean; allowHalfOpen: boolean };
          socket.setNoDelay(like.noDelay);
          socket.allowHalfOpen = like.allowHalfOpen;
          o.onConnection(socket);
        }
        return;
      }
      if (m.type === 'error') return settle({ listenError: listenError(m.code, m.message) });
      if (settled) return void (handle as Server | undefined)?.close();
      if (!handle) return settle({ failed: 'a message came without its descriptor' });
      // Listening from now on: its connections must go somewhere at once.
      servers.push(adopt(handle as Server, o).on('error', o.onError));
      if (servers.length === o.count) settle({ servers, port: m.port });
    });
  });
}

/** An accept point: the socket options of `o.like`, its connections to `o.onConnection`. */
function adopt(server: Server, o: AcceptOptions): Server {
  const fields = server as unknown as Record<string, unknown>;
  const like = o.like as unknown as Record<string, unknown>;
  for (const k of SOCKET_OPTIONS) fields[k] = like[k];
  server.on('connection', o.onConnection);
  return server;
}

function listenHere(o: AcceptOptions): Promise<{ servers: Server[]; port: number }> {
  const server = adopt(createServer(), o);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: o.host, port: o.port, backlog: o.backlog }, () => {
      server.off('error', reject);
      server.on('error', o.onError);
      const a = server.address();
      resolve({ servers: [server], port: a && typeof a === 'object' ? a.port : o.port });
    });
  });
}

/**
 * Listening accept points on host:port: every accepted socket goes to `onConnection`. Rejects with the bind
 * error (its `code`: EADDRINUSE, EACCES, EADDRNOTAVAIL…).
 */
export async function openAcceptPoints(o: AcceptOptions): Promise<AcceptPoints> {
  const t0 = performance.now();
  let got: { servers: Server[]; port: number } | undefined;
  let via: AcceptPoints['via'] = 'listen';
  if (o.count <= 1) {
    // one accept point asked for: a plain listen
  } else if (process.platform === 'win32') {
    o.debug(
      'one accept point: descriptors of a listening socket are not passed between processes on Windows',
    );
  } else {
    const r = await fromHelper(o);
    if ('listenError' in r) throw r.listenError;
    if ('failed' in r) o.debug(`one accept point: the accept-points helper failed (${r.failed})`);
    else {
      got = r;
      via = 'helper';
    }
  }
  got ??= await listenHere(o);
  return { servers: got.servers, port: got.port, via, ms: performance.now() - t0 };
}
