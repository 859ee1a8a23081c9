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
import { createWriteStream } from 'node:fs';
import { mkdir, realpath, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { GraphError } from '../../src/index.js';
import type { Logger } from '../../src/index.js';
import { ACCEPT_POINTS, openAcceptPoints } from './accept-points.js';
import { headersFor, sendFile, sendLive, sendSimple } from './delivery.js';
import type { Exchange } from './delivery.js';
import { holdLimitMs } from './directives.js';
import type { CacheClass } from './headers.js';
import type { ServerOptions } from './options.js';
import { servePlaylist } from './playlist.js';
import { Store } from './store.js';

/** Requests one client address may have held (blocking reloads, hinted resources) at once. */
export const MAX_HELD_PER_CLIENT = 16;
/** Pending connections the kernel may queue for accept(). */
export const LISTEN_BACKLOG = 4096;
/** Requests one HTTP/1.1 connection may have waiting behind the one being answered. */
export const MAX_PIPELINED = 64;
/** Largest upload accepted with wdir. */
const MAX_UPLOAD = 50 * 1024 * 1024;
/** Path of the UTCTiming resource (urn:mpeg:dash:utc:http-iso:2014). */
export const TIME_PATH = '/time';
/** The watch page (src/watch/page.ts) and the players it loads. */
export const WATCH_PATH = '/watch';

/** Split and decode a request target; `undefined` for anything malformed or escaping the root. */
export function requestPath(
  url: string | undefined,
): { path: string; query: URLSearchParams } | { status: 400 | 403; reason: string } {
  if (!url || !url.startsWith('/') || url.length > 4096) return { status: 400, reason: 'bad request target' };
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

function inside(root: string, p: string): boolean {
  return p === root || p.startsWith(root.endsWith(sep) ? root : root + sep);
}

const PLAYER_ASSETS = playerAssets();

export class OriginServer {
  /** Manifests the watch page plays (paths on this server), set as manifest sinks connect. */
  readonly pages: { hls?: string; dash?: string } = {};

  readonly store = new Store();
  private server: Server | Http2SecureServer | undefined;
  /** The listening descriptors (accept-points.ts); the HTTP server itself never listens. */
  private points: NetServer[] = [];
  private boundPort = 0;
  private sockets = new Set<Socket>();
  /** Called when the last connection closed (close() waits for it). */
  private drained: (() => void) | undefined;
  /** Sockets that carried a request: a parse error after it just closes them. */
  private used = new WeakSet<Socket>();
  /** HTTP/1.1 connections answering a request: the requests pipelined behind it, in order. */
  private pipelined = new WeakMap<Socket, (() => void)[]>();
  private perPeer = new Map<string, number>();
  private held = new Map<string, number>();
  private reqNum = 0;
  /** Instances (the first and its aliases) using this server. */
  refs = 0;
  readonly methods: string;

  constructor(
    readonly o: ServerOptions,
    private readonly log: Logger,
  ) {
    this.methods = o.wdir ? 'GET, HEAD, OPTIONS, PUT, POST, DELETE' : 'GET, HEAD, OPTIONS';
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
          },
          (req, res) => this.onRequest(req as unknown as IncomingMessage, res as unknown as ServerResponse),
        )
      : createServer(
          { maxHeaderSize: 16 * 1024, requestTimeout: 30_000, headersTimeout: 10_000 },
          (req, res) => this.onRequest(req, res),
        );
    this.server = server;
    if ('keepAliveTimeout' in server) server.keepAliveTimeout = this.o.timeoutS * 1000;
    else server.setTimeout(this.o.timeoutS * 1000);
    server.on('connection', (s: Socket) => {
      const peer = s.remoteAddress ?? '';
      const n = (this.perPeer.get(peer) ?? 0) + 1;
      if (this.o.maxp > 0 && n > this.o.maxp) {
        s.destroy();
        return;
      }
      this.perPeer.set(peer, n);
      this.sockets.add(s);
      s.on('close', () => {
        this.sockets.delete(s);
        const left = (this.perPeer.get(peer) ?? 1) - 1;
        if (left > 0) this.perPeer.set(peer, left);
        else this.perPeer.delete(peer);
        if (this.sockets.size === 0) this.drained?.();
      });
    });
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
      if (!socket.writable || this.used.has(socket)) return socket.destroy();
      const code =
        err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
      socket.end(
        `HTTP/1.1 ${code} ${code === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
      );
    });
    // What a listen() of the HTTP server would start: its connection tracking (headers and request timeouts,
    // closeIdleConnections). The HTTP server itself never listens: the accept points hand it the sockets.
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

  /** A connection from an accept point: maxc applies here (the HTTP server does not see it otherwise). */
  private accept(server: Server | Http2SecureServer, s: Socket): void {
    if (this.server !== server || this.sockets.size >= this.o.maxc) {
      s.destroy();
      return;
    }
    server.emit('connection', s);
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
    const x: Exchange = { req, res, o: this.o, store: this.store, methods: this.methods, bytes: 0 };
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
    if (method === 'OPTIONS') {
      x.res.writeHead(204, { ...headersFor(x, 'none'), Allow: this.methods });
      x.res.end();
      return;
    }
    if (!(this.o.wdir && (method === 'PUT' || method === 'POST'))) req.resume(); // bodies not wanted
    if (method === 'PUT' || method === 'POST' || method === 'DELETE') {
      if (this.o.wdir) await this.upload(x, target.path);
      else sendSimple(x, 405, 'method not allowed\n', 'error', { Allow: this.methods });
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') {
      sendSimple(x, 405, 'method not allowed\n', 'error', { Allow: this.methods });
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
      const peer = x.req.socket.remoteAddress ?? '';
      const heldNow = this.held.get(peer) ?? 0;
      if (heldNow >= MAX_HELD_PER_CLIENT) return sendSimple(x, 429, 'too many held requests\n', 'error');
      this.held.set(peer, heldNow + 1);
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
        const left = (this.held.get(peer) ?? 1) - 1;
        if (left > 0) this.held.set(peer, left);
        else this.held.delete(peer);
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

  /** PUT / POST store the body under wdir; DELETE removes. */
  private async upload(x: Exchange, path: string): Promise<void> {
    const root = resolve(this.o.wdir!);
    const abs = join(root, path);
    if (!inside(root, abs) || abs === root) return sendSimple(x, 403, 'forbidden\n', 'error');
    await mkdir(root, { recursive: true });
    const real = await realpath(dirname(abs)).catch(() => undefined);
    if (real !== undefined && !inside(await realpath(root), real))
      return sendSimple(x, 403, 'forbidden\n', 'error');
    if (x.req.method === 'DELETE') {
      const existed = await stat(abs).then(
        (s) => s.isFile(),
        () => false,
      );
      if (!existed) return sendSimple(x, 404, 'not found\n', 'error');
      await rm(abs, { force: true });
      return sendSimple(x, 200, 'deleted\n', 'error');
    }
    const len = Number(x.req.headers['content-length'] ?? 0);
    if (len > MAX_UPLOAD) return sendSimple(x, 413, 'too large\n', 'error');
    const existed = await stat(abs).then(
      () => true,
      () => false,
    );
    await mkdir(dirname(abs), { recursive: true });
    let size = 0;
    x.req.on('data', (d: Buffer) => {
      size += d.length;
      if (size > MAX_UPLOAD) x.req.destroy();
    });
    try {
      await pipeline(x.req, createWriteStream(abs));
    } catch {
      await rm(abs, { force: true });
      if (!x.res.destroyed) sendSimple(x, 400, 'upload failed\n', 'error');
      return;
    }
    sendSimple(x, existed ? 200 : 201, existed ? 'updated\n' : 'created\n', 'error');
  }
}
