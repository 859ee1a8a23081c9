/**
 * A small HTTP/1.1 keep-alive client for load benchmarks: one request at a time per connection, at most
 * `maxSockets` connections per client (a browser's per-host limit), bodies by Content-Length or chunked,
 * gzip bodies gunzipped. Idle connections are handled as browsers and undici do: one idle for nearly the
 * server's `Keep-Alive: timeout` is not reused (closed, 1 s before), and a request that fails on a reused
 * connection before any byte of its answer came is sent again once on a new one (RFC 9112 §9.3.1: the
 * server may close an idle connection just as a request leaves on it; the request never reached it). Node's `http` client costs more CPU per request than the origin does to answer it,
 * so 1,000 simulated players on it measure the players; this one keeps them cheap. Loopback benchmarks only.
 */
import { connect, type Socket } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { wallMs } from './lib.js';
import type { Reply } from './live.js';

interface Pending {
  path: string;
  headers: Record<string, string>;
  timeoutMs: number;
  resolve(r: Reply): void;
  reject(e: Error): void;
  /** Already sent again once after a reused connection closed under it. */
  retried?: boolean;
}

/** A connection idle this close to the server's keep-alive timeout is not reused (undici's threshold). */
const KEEP_ALIVE_MARGIN_MS = 1000;

const CRLF2 = Buffer.from('\r\n\r\n');

/** One keep-alive connection answering one request at a time. */
class Connection {
  private socket: Socket;
  private buf: Buffer = Buffer.alloc(0);
  private current: (Pending & { sentMs: number; timer: NodeJS.Timeout }) | undefined;
  /** Parsed head of the current response. */
  private head:
    { status: number; headers: IncomingHttpHeaders; length?: number; chunked: boolean } | undefined;
  private body: Buffer[] = [];
  private bodyBytes = 0;
  private wire = 0;
  /** `wire` when the current request was sent (no byte of its answer yet while equal). */
  private wireAtSend = 0;
  closed = false;
  private requests = 0;
  /** When the last answer ended. */
  idleSince = 0;
  /** The server's keep-alive timeout (its `Keep-Alive: timeout=` header), Infinity until it says. */
  keepAliveMs = Infinity;

  constructor(
    host: string,
    port: number,
    localAddress: string | undefined,
    private readonly onIdle: (c: Connection) => void,
    private readonly onGone: (c: Connection) => void,
    /** A request to send again (its connection closed before any byte of the answer). */
    private readonly onRetry: (p: Pending) => void,
  ) {
    this.socket = connect({ host, port, ...(localAddress ? { localAddress } : {}) });
    this.socket.setNoDelay(true);
    this.socket.on('data', (d: Buffer) => this.onData(d));
    const gone = (why: string) => {
      if (this.closed) return;
      this.closed = true;
      const c = this.current;
      // Reused, and nothing of the answer came: the server closed it as the request left (idle timeout).
      if (c && !c.retried && this.requests > 1 && !this.head && this.wire === this.wireAtSend) {
        clearTimeout(c.timer);
        this.current = undefined;
        this.onRetry({ ...c, retried: true });
      } else this.fail(new Error(why));
      this.onGone(this);
    };
    this.socket.on('error', (e) => gone(e.message));

    this.socket.on('close', () => gone('connection closed'));
  }

  get busy(): boolean {
    return this.current !== undefined;
  }

  send(p: Pending, host: string): void {
    const timer = setTimeout(() => {
      const h = this.head;
      const got = h
        ? `status ${h.status}, ${this.bodyBytes} body bytes${h.chunked ? ' (chunked)' : ` of ${h.length}`}`
        : 'nothing';
      const so = this.socket;
      this.fail(
        new Error(
          `no complete answer within ${p.timeoutMs} ms (got ${got}; socket ${so.localAddress}:${so.localPort} ${so.connecting ? 'still connecting' : `connected, ${so.bytesWritten} bytes written, ${so.bytesRead} read`}, ${this.requests} requests on it)`,
        ),
      );
      this.socket.destroy();
    }, p.timeoutMs);
    this.current = { ...p, sentMs: wallMs(), timer };
    this.wireAtSend = this.wire;
    this.requests++;
    let req = `GET ${p.path} HTTP/1.1\r\nHost: ${host}\r\n`;
    for (const [k, v] of Object.entries(p.headers)) req += `${k}: ${v}\r\n`;
    this.socket.write(`${req}\r\n`);
  }

  close(): void {
    this.fail(new Error('client closed'));
    this.closed = true;
    this.socket.destroy();
  }

  private fail(e: Error): void {
    const c = this.current;
    if (!c) return;
    clearTimeout(c.timer);
    this.current = undefined;
    this.head = undefined;
    const range = c.headers.Range ? ` [${c.headers.Range}]` : '';
    c.reject(new Error(`${c.path}${range}: ${e.message}`));
  }

  private onData(d: Buffer): void {
    this.wire += d.length;
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    for (;;) {
      if (!this.current) {
        this.buf = Buffer.alloc(0);
        return;
      }
      if (!this.head) {
        const end = this.buf.indexOf(CRLF2);
        if (end < 0) return;
        const lines = this.buf.subarray(0, end).toString('latin1').split('\r\n');
        this.buf = this.buf.subarray(end + 4);
        const status = Number(lines[0]?.split(' ')[1] ?? 0);
        const headers: IncomingHttpHeaders = {};
        for (const l of lines.slice(1)) {
          const i = l.indexOf(':');
          if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
        }
        const te = String(headers['transfer-encoding'] ?? '');
        const cl = headers['content-length'];
        this.head = {
          status,
          headers,
          chunked: /chunked/i.test(te),
          ...(cl !== undefined ? { length: Number(cl) } : {}),
        };
        this.body = [];
        this.bodyBytes = 0;
      }
      if (!this.readBody()) return;
    }
  }

  /** Consumes body bytes from `buf`; true once the response is complete (and delivered). */
  private readBody(): boolean {
    const h = this.head!;
    if (h.chunked) {
      for (;;) {
        const eol = this.buf.indexOf('\r\n');
        if (eol < 0) return false;
        const size = parseInt(this.buf.subarray(0, eol).toString('latin1'), 16);
        if (!Number.isFinite(size)) {
          this.fail(new Error('bad chunk size'));
          this.socket.destroy();
          return false;
        }
        if (size === 0) {
          // Last chunk: no trailers expected, just the final CRLF.
          if (this.buf.length < eol + 4) return false;
          this.buf = this.buf.subarray(eol + 4);
          this.finish();
          return true;
        }
        if (this.buf.length < eol + 2 + size + 2) return false;
        this.body.push(this.buf.subarray(eol + 2, eol + 2 + size));
        this.bodyBytes += size;
        this.buf = this.buf.subarray(eol + 2 + size + 2);
      }
    }
    const want = h.length ?? 0;
    const take = Math.min(want - this.bodyBytes, this.buf.length);
    if (take > 0) {
      this.body.push(this.buf.subarray(0, take));
      this.bodyBytes += take;
      this.buf = this.buf.subarray(take);
    }
    if (this.bodyBytes < want) return false;
    this.finish();
    return true;
  }

  private finish(): void {
    const c = this.current!;
    const h = this.head!;
    clearTimeout(c.timer);
    this.current = undefined;
    this.head = undefined;
    let body = Buffer.concat(this.body, this.bodyBytes);
    if (h.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
    const ka = /timeout=(\d+)/i.exec(String(h.headers['keep-alive'] ?? ''));
    if (ka) this.keepAliveMs = Number(ka[1]) * 1000;
    this.idleSince = wallMs();
    const wireBytes = this.wire;
    this.wire = this.buf.length;
    c.resolve({ status: h.status, headers: h.headers, body, wireBytes, sentMs: c.sentMs, endMs: wallMs() });
    this.onIdle(this);
  }
}

/** A client of one origin: a bounded pool of keep-alive connections from one source address. */
export class LiteClient {
  private readonly idle: Connection[] = [];
  private readonly all = new Set<Connection>();
  private readonly queue: Pending[] = [];
  private readonly hostHeader: string;
  /** Requests sent again after their reused connection closed before any byte of the answer. */
  resent = 0;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly localAddress?: string,
    private readonly maxSockets = 6,
  ) {
    this.hostHeader = `${host}:${port}`;
  }

  get(path: string, headers: Record<string, string> = {}, timeoutMs = 15000): Promise<Reply> {
    return new Promise((resolve, reject) => {
      this.queue.push({ path, headers, timeoutMs, resolve, reject });
      this.pump();
    });
  }

  close(): void {
    for (const c of this.all) c.close();
    this.all.clear();
    this.idle.length = 0;
    for (const p of this.queue.splice(0)) p.reject(new Error(`${p.path}: client closed`));
  }

  private pump(): void {
    while (this.queue.length) {
      let c = this.idle.pop();
      if (c && wallMs() - c.idleSince >= c.keepAliveMs - KEEP_ALIVE_MARGIN_MS) {
        // About to be closed by the server: not reused.
        this.all.delete(c);
        c.close();
        continue;
      }
      if (!c) {
        if (this.all.size >= this.maxSockets) return;
        c = new Connection(
          this.host,
          this.port,
          this.localAddress,
          (x) => {
            this.idle.push(x);
            this.pump();
          },
          (x) => {
            this.all.delete(x);
            const i = this.idle.indexOf(x);
            if (i >= 0) this.idle.splice(i, 1);
            this.pump();
          },
          (p) => {
            this.resent++;
            this.queue.unshift(p);
          },
        );
        this.all.add(c);
      }
      if (c.closed || c.busy) continue;
      c.send(this.queue.shift()!, this.hostHeader);
    }
  }
}
