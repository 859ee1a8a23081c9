import { playerAssets, watchPage } from '../../src/watch/page.js';
/**
 * The origin: one HTTP server per host:port. Routes each request: the UTCTiming URL (`/time`),
 * manifests (playlist.ts), files in production and held preload-hinted resources (delivery.ts),
 * static files of the rdirs (paths confined to them, symlinks included), uploads with wdir.
 * Limits: maxc connections, maxp per client address, held requests per client, headers size and
 * timeouts from Node's parser; bad requests get a 4xx, never a crash. The HTTP server does not listen
 * itself: many accept points on one listening socket (accept-points.ts) hand it their connections.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createSecureServer } from 'node:http2';
import type { Http2SecureServer } from 'node:http2';
import type { Server as NetServer, Socket } from 'node:net';
import { realpath, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { GraphError } from '../../src/index.js';
import type { Logger } from '../../src/index.js';
import { ACCEPT_POINTS, openAcceptPoints } from './accept-points.js';
import { ConnectionBudget, FIRST_REQUEST_MS, SWEEP_MS, connKey } from './connections.js';
import { headersFor, sendFile, sendLive, sendSimple, tooManyHeld } from './delivery.js';
import type { Exchange } from './delivery.js';
import { holdLimitMs } from './directives.js';
import type { CacheClass } from './headers.js';
import type { ServerOptions } from './options.js';
import { TIME_PATH, WATCH_PATH } from './options.js';
import { servePlaylist } from './playlist.js';
import { Store } from './store.js';
import { realTimers } from './timers.js';
import type { Timers } from './timers.js';
import { inside, upload } from './uploads.js';

/** Requests one client address may have held (blocking playlist reloads, hinted resources) at once. */
export const MAX_HELD_PER_CLIENT = 16;
/** Pending connections the kernel may queue for accept(). */
export const LISTEN_BACKLOG = 4096;
/** Requests one HTTP/1.1 connection may have waiting behind the one being answered. */
export const MAX_PIPELINED = 64;
export { TIME_PATH, WATCH_PATH };

/** Longest request target accepted (414 beyond; Node's 16 KiB header limit answers 431 further on). */
export const MAX_TARGET = 4096;

/**
 * Split and decode a request target (origin-form `/path?query`, or absolute-form `http://host/path`,
 * RFC 9112 §3.2.2); a status for anything too long (414), malformed (400) or escaping the root (403).
 */
export function requestPath(
  target: string | undefined,
): { path: string; query: URLSearchParams } | { status: 400 | 403 | 414; reason: string } {
  if (!target) return { status: 400, reason: 'bad request target' };
  if (target.length > MAX_TARGET) return { status: 414, reason: 'request target too long' };
  const absolute = /^https?:\/\/[^/?#]*/i.exec(target);
  let url = absolute ? target.slice(absolute[0].length) : target;
  if (absolute && !url.startsWith('/')) url = `/${url}`;
  if (!url.startsWith('/')) return { status: 400, reason: 'bad request target' };
  const q = url.indexOf('?');
  const raw = q < 0 ? url : url.slice(0, q);
  let path: string;
  try {
    path = decodeURIComponent(raw);
  } catch {
    return { status: 400, reason: 'bad percent-encoding' };
  }
  if (path.includes('\0')) return { status: 400, reason: 'bad path' };
  if (path.split(/[/\\]/).some((s) => s === '..'))
    return { status: 403, reason: 'path outside the served folders' };
  return { path, query: new URLSearchParams(q < 0 ? '' : url.slice(q + 1)) };
}

const PLAYER_ASSETS = playerAssets();

/**
 * A request line that is well formed but names a method Node's parser does not know (`BREW / HTTP/1.1`):
 * 501 (RFC 9110 §9.1), where garbage is 400.
 */
function wellFormedLine(err: NodeJS.ErrnoException & { rawPacket?: Buffer }): boolean {
  const line = err.rawPacket?.toString('latin1').split('\r\n')[0] ?? '';
  return /^[!#$%&'*+.^_`|~0-9A-Za-z-]+ [\x21-\x7e]+ HTTP\/1\.[01]$/.test(line);
}

export class OriginServer {
  /** Manifests the watch page plays (paths on this server), set as manifest sinks connect. */
  readonly pages: { hls?: string; dash?: string } = {};

  readonly store: Store;
  private server: Server | Http2SecureServer | undefined;
  /** The listening descriptors (accept-points.ts); the HTTP server itself never listens. */
  private points: NetServer[] = [];
  private boundPort = 0;
  private sockets = new Set<Socket>();
  /** maxc / maxp, and the deadline of connections that never sent a request (connections.ts). */
  readonly budget: ConnectionBudget;
  /** Cancels the next sweep of never-used connections. */
  private sweeper: (() => void) | undefined;
  /** Called when the last connection closed (close() waits for it). */
  private drained: (() => void) | undefined;
  /** Sockets that carried a request: a parse error after it just closes them. */
  private used = new WeakSet<Socket>();
  /** HTTP/1.1 connections answering a request: the requests pipelined behind it, in order. */
  private pipelined = new WeakMap<Socket, (() => void)[]>();
  private held = new Map<string, number>();
  private reqNum = 0;
  /** Instances (the first and its aliases) using this server. */
  refs = 0;
  readonly methods: string;

  constructor(
    readonly o: ServerOptions,
    private readonly log: Logger,
    /** A manual clock in tests (held requests, stalled clients, connection deadlines); real time otherwise. */
    private readonly timers: Timers = realTimers,
  ) {
    this.store = new Store(timers);
    this.methods = o.wdir ? 'GET, HEAD, OPTIONS, PUT, POST, DELETE' : 'GET, HEAD, OPTIONS';
    this.budget = new ConnectionBudget({
      maxc: o.maxc,
      maxp: o.maxp,
      now: () => timers.now(),
      timedOut: (s) => {
        // Plain HTTP/1.1 can be told why; TLS (no handshake, or h2 without a stream) is just closed.
        if (this.o.tls || !s.writable) return void s.destroy();
        s.end('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        setTimeout(() => s.destroy(), 1000).unref();
      },
    });
  }

  get url(): string {
    const h = this.o.host.includes(':') ? `[${this.o.host}]` : this.o.host;
    return `${this.o.tls ? 'https' : 'http'}://${h}:${this.port}`;
  }

  get port(): number {
    return this.boundPort || this.o.port;
  }

  /** `acceptPoints`: descriptors of the listening socket (accept-points.ts; 1: a plain listen). */
  async listen(acceptPoints = ACCEPT_POINTS): Promise<void> {
    const tls = this.o.tls;
    // HTTPS: HTTP/2 (ALPN h2) with HTTP/1.1 fallback. The compatibility API's request and response
    // offer what the handlers use (headers, writeHead, write with backpressure, end, close events).
    const server: Server | Http2SecureServer = tls
      ? createSecureServer(
          {
            cert: tls.cert,
            key: tls.key,
            allowHTTP1: true,
            maxSessionMemory: 10,
            settings: { maxHeaderListSize: 16 * 1024 },
            // A TLS handshake never finished holds a connection: the same deadline as a first request.
            handshakeTimeout: FIRST_REQUEST_MS,
          },
          (req, res) => this.onRequest(req as unknown as IncomingMessage, res as unknown as ServerResponse),
        )
      : createServer(
          {
            maxHeaderSize: 16 * 1024,
            // A request's header must be whole within FIRST_REQUEST_MS of its first byte (a slowloris on a
            // connection already used; connections.ts times out those that never sent one), checked every
            // second (Node's default: every 30 s, so a 10 s timeout fired after up to 40 s). Bodies: uploads
            // to wdir may stream for as long as a segment is produced.
            headersTimeout: FIRST_REQUEST_MS,
            requestTimeout: this.o.wdir ? 600_000 : 30_000,
            connectionsCheckingInterval: 1000,
          },
          (req, res) => this.onRequest(req, res),
        );
    this.server = server;
    if ('keepAliveTimeout' in server) server.keepAliveTimeout = this.o.timeoutS * 1000;
    else server.setTimeout(this.o.timeoutS * 1000);
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
      if (!socket.writable || this.used.has(socket)) return socket.destroy();
      const code =
        err.code === 'HPE_HEADER_OVERFLOW'
          ? 431
          : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? 408
            : err.code === 'HPE_INVALID_METHOD' && wellFormedLine(err)
              ? 501
              : 400;
      const reason = {
        431: 'Request Header Fields Too Large',
        408: 'Request Timeout',
        501: 'Not Implemented',
        400: 'Bad Request',
      }[code];
      socket.end(`HTTP/1.1 ${code} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    });
    // What a listen() of the HTTP server would start: its connection tracking (headers and request timeouts,
    // closeIdleConnections). The HTTP server itself never listens: the accept points hand it the sockets.
    // CONNECT (a proxy's method) never reaches the request handler: not implemented here.
    server.on('connect', (_req: IncomingMessage, socket: Socket) =>
      socket.end('HTTP/1.1 501 Not Implemented\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'),
    );
    server.emit('listening');
    try {
      // A live audience arrives together (a stream announced, players reconnecting after an outage): a deep
      // accept queue (Node's default is 511; the kernel caps it at somaxconn) rather than SYNs dropped and
      // retried seconds later, and many accept points so that a busy loop still accepts many per iteration.
      const points = await openAcceptPoints({
        host: this.o.host,
        port: this.o.port,
        backlog: LISTEN_BACKLOG,
        count: acceptPoints,
        like: server,
        onConnection: (s) => this.accept(server, s),
        onError: (e) => this.log.error(`server error: ${e.message}`),
        debug: (m) => this.log.debug(`httpout: ${m}`),
      });
      this.boundPort = points.port;
      // Closed while the accept points were coming: nothing to serve.
      if (this.server !== server) for (const p of points.servers) p.close();
      else this.points = points.servers;
      this.log.debug(
        `httpout: listening on ${this.url} with ${points.servers.length} accept point(s) (${points.via}, ${points.ms.toFixed(0)} ms)`,
      );
    } catch (e) {
      this.server = undefined;
      server.close(() => {}); // its connection-tracking timer
      const err = e as NodeJS.ErrnoException;
      const why =
        err.code === 'EADDRINUSE'
          ? 'the port is already in use'
          : err.code === 'EACCES'
            ? 'permission denied (ports below 1024 need privileges)'
            : err.code === 'EADDRNOTAVAIL'
              ? 'no such local address'
              : err.message;
      throw new GraphError('WRITE_ERROR', `httpout: cannot listen on ${this.o.host}:${this.o.port}: ${why}`, {
        host: this.o.host,
        port: this.o.port,
        code: err.code,
      });
    }
    server.on('error', (e) => this.log.error(`server error: ${e.message}`));
  }

  /**
   * A connection from an accept point: maxc / maxp apply here (an idle connection may make room for it:
   * connections.ts), then the HTTP server takes it.
   */
  private accept(server: Server | Http2SecureServer, s: Socket): void {
    if (this.server !== server || !this.budget.admit(s, () => this.gone(s))) {
      s.destroy();
      return;
    }
    this.sockets.add(s);
    if (!this.sweeper) {
      const sweep = () => {
        this.budget.sweep();
        this.sweeper = this.timers.after(SWEEP_MS, sweep);
      };
      this.sweeper = this.timers.after(SWEEP_MS, sweep);
    }
    server.emit('connection', s);
  }

  private gone(s: Socket): void {
    this.sockets.delete(s);
    if (this.sockets.size === 0) this.drained?.();
  }

  /** Open client connections (for progress displays). */
  get clients(): number {
    return this.sockets.size;
  }

  /** Stop: held requests answered, idle connections closed, the rest cut after `graceMs`. */
  async close(graceMs = 1500): Promise<void> {
    const server = this.server;
    this.store.shutdown();
    if (!server) return;
    this.server = undefined;
    this.sweeper?.();
    for (const p of this.points) p.close();
    this.points = [];
    // The HTTP server never listened: close() only stops its timers and closes idle HTTP/1.1 connections;
    // its callback (ERR_SERVER_NOT_RUNNING) does not wait for the others, so the wait is here.
    server.close(() => {});
    const h1 = 'closeIdleConnections' in server ? server : undefined;
    h1?.closeIdleConnections();
    const t = setTimeout(() => {
      h1?.closeAllConnections();
      for (const s of this.sockets) s.destroy(); // HTTP/2 sessions
    }, graceMs);
    if (this.sockets.size > 0) await new Promise<void>((r) => (this.drained = r));
    clearTimeout(t);
    if (this.o.tempRoot) await rm(this.o.rdirs[0]!, { recursive: true, force: true });
  }

  private logLine(msg: string): void {
    this.log.warn(msg);
  }

  /**
   * HTTP/1.1 pipelining: Node parses every request a client sent in one go and would answer them all
   * at once, each holding a read block and a file until the responses before it are sent. Here the
   * next request of a connection starts only once the previous response is done; at most
   * MAX_PIPELINED wait (a client sending more is dropped). HTTP/2 streams are independent: not queued.
   */
  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    // Busy from the request's arrival to the end of its answer (held ones included): never idle.
    const key = connKey(req.socket);
    this.budget.started(key);
    res.once('close', () => this.budget.ended(key));
    if (req.httpVersionMajor !== 1) return this.handle(req, res);
    const socket = req.socket;
    const queue = this.pipelined.get(socket);
    if (queue) {
      if (queue.length >= MAX_PIPELINED) {
        socket.destroy();
        return;
      }
      queue.push(() => this.runPipelined(socket, req, res));
      return;
    }
    this.pipelined.set(socket, []);
    this.runPipelined(socket, req, res);
  }

  private runPipelined(socket: Socket, req: IncomingMessage, res: ServerResponse): void {
    res.once('close', () => {
      const next = this.pipelined.get(socket)?.shift();
      if (next && !socket.destroyed) return next();
      this.pipelined.delete(socket);
    });
    this.handle(req, res);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const n = ++this.reqNum;
    const method = req.method ?? '';
    this.used.add(req.socket);
    const logged = this.o.reqlog.has('*') || this.o.reqlog.has(method);
    const t0 = performance.now();
    const peer = req.socket.remoteAddress ?? '';
    const x: Exchange = {
      req,
      res,
      o: this.o,
      store: this.store,
      methods: this.methods,
      bytes: 0,
      hold: () => this.hold(peer),
      debug: (m) => this.log.debug(`httpout: ${m}`),
    };
    if (logged) {
      const range = req.headers.range ? ` [range: ${req.headers.range}]` : '';
      this.logLine(`REQ#${n} ${req.socket.remoteAddress ?? '?'} ${method} ${req.url ?? ''}${range} start`);
      res.on('close', () =>
        this.logLine(
          `REQ#${n} ${method} done: reply ${res.statusCode}${res.writableFinished ? '' : ' (aborted)'} - ${x.bytes} bytes in ${Math.round(performance.now() - t0)} ms`,
        ),
      );
    }
    this.route(x).catch((e: unknown) => {
      this.log.debug(`request ${req.url ?? ''} failed: ${(e as Error).message}`);
      if (!res.headersSent) sendSimple(x, 500, 'internal error\n', 'error');
      else res.destroy();
    });
  }

  private async route(x: Exchange): Promise<void> {
    const { req } = x;
    const method = req.method ?? '';
    const target = requestPath(req.url);
    if ('status' in target) {
      sendSimple(x, target.status, `${target.reason}\n`, 'error');
      return;
    }
    // RFC 9112 §3.2: more than one Host field line is a bad request.
    let hosts = 0;
    for (let i = 0; i < req.rawHeaders.length; i += 2)
      if (req.rawHeaders[i]!.toLowerCase() === 'host') hosts++;
    if (hosts > 1) {
      sendSimple(x, 400, 'more than one Host header\n', 'error');
      return;
    }
    if (method === 'OPTIONS') {
      x.res.writeHead(204, { ...headersFor(x, 'none'), Allow: this.methods });
      x.res.end();
      return;
    }
    if (!(this.o.wdir && (method === 'PUT' || method === 'POST'))) req.resume(); // bodies not wanted
    if (method === 'PUT' || method === 'POST' || method === 'DELETE') {
      if (this.o.wdir) await upload(x, this.o.wdir, target.path);
      else sendSimple(x, 405, 'method not allowed\n', 'error', { Allow: this.methods });
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') {
      // RFC 9110 §9.1 / §15.6.2: a method this server does not implement at all (PATCH, TRACE…) is 501.
      sendSimple(x, 501, 'not implemented\n', 'error', { Allow: this.methods });
      return;
    }
    if (target.path === WATCH_PATH) {
      sendSimple(x, 200, watchPage(this.pages), 'none', {
        'Content-Type': 'text/html; charset=utf-8',
        'Cache-Control': 'no-cache',
      });
      return;
    }
    const asset = PLAYER_ASSETS[target.path];
    if (asset) {
      const st = await stat(asset);
      return sendFile(x, asset, st.size, st.mtimeMs, 'media');
    }
    if (target.path === TIME_PATH) {
      sendSimple(x, 200, new Date().toISOString(), 'none', { 'Cache-Control': 'no-store' });
      return;
    }
    await this.serve(x, target.path, target.query, true);
  }

  /** Produced files first (manifests, files in production), then the rdirs on disk, then held hints. */
  private async serve(x: Exchange, path: string, query: URLSearchParams, mayHold: boolean): Promise<void> {
    const root = this.o.rdirs[0]!;
    const abs = join(root, path);
    if (this.store.manifests.has(abs)) return servePlaylist(x, abs, query);
    const lf = this.store.live.get(abs);
    if (lf) return sendLive(x, lf, 'media');
    const recent = this.store.recent.get(abs);
    if (recent) return sendFile(x, abs, recent.data.length, recent.mtimeMs, this.cacheOf(abs), recent.data);
    if (mayHold && this.store.isHinted(abs)) {
      // A preload-hinted resource (HLS hint, LL-DASH upcoming segment): held until this thread knows it
      // (3 × target duration at most), and never read from the disk before: the writer's reports reach
      // this thread as messages, and a request handled before them found the file on disk with its first
      // chunk only, answered as complete (dash.js then had a hole of a segment less one chunk: a stall).
      const release = x.hold();
      if (!release) return tooManyHeld(x);
      try {
        const r = await this.store.waitFor(
          () =>
            this.store.live.has(abs) ||
            this.store.recent.has(abs) ||
            this.store.manifests.has(abs) ||
            !this.store.isHinted(abs),
          holdLimitMs(this.store.targetDuration),
          (cb) => {
            x.res.on('close', cb);
            return () => x.res.off('close', cb);
          },
        );
        if (r === 'ok') return await this.serve(x, path, query, false);
        if (r !== 'closed') sendSimple(x, 404, 'not found\n', 'live-error');
      } finally {
        release();
      }
      return;
    }
    for (const dir of this.o.rdirs) {
      const found = await this.onDisk(dir, path);
      if (found === 'forbidden') return sendSimple(x, 403, 'forbidden\n', 'error');
      if (found) return sendFile(x, found.path, found.size, found.mtimeMs, this.cacheOf(found.path));
    }
    sendSimple(x, 404, 'not found\n', 'error');
  }

  /**
   * One more request held for `peer` (a blocking playlist reload, a hinted resource): a release function,
   * or undefined past MAX_HELD_PER_CLIENT (then 429).
   */
  private hold(peer: string): (() => void) | undefined {
    const n = this.held.get(peer) ?? 0;
    if (n >= MAX_HELD_PER_CLIENT) return undefined;
    this.held.set(peer, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.held.get(peer) ?? 1) - 1;
      if (left > 0) this.held.set(peer, left);
      else this.held.delete(peer);
    };
  }

  private cacheOf(path: string): CacheClass {
    return /\.(m3u8|mpd)$/i.test(path) ? 'live' : 'media';
  }

  /** A regular file under `dir` (after resolving symlinks), 'forbidden' for folders or escapes. */
  private async onDisk(
    dir: string,
    path: string,
  ): Promise<{ path: string; size: number; mtimeMs: number } | 'forbidden' | undefined> {
    try {
      const root = await realpath(dir);
      const real = await realpath(join(dir, path));
      if (!inside(root, real)) return 'forbidden';
      const st = await stat(real);
      if (st.isDirectory()) return 'forbidden';
      if (!st.isFile()) return 'forbidden';
      return { path: real, size: st.size, mtimeMs: st.mtimeMs };
    } catch {
      return undefined;
    }
  }
}
