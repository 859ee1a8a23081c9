/**
 * One HTTP/2 session per simulated player (what a browser opens to an LL-HLS origin over HTTPS: every request
 * of the player multiplexed on one connection), for bench/players.ts. Loopback benchmarks against a
 * self-signed origin: the certificate is not checked.
 */
import { connect, constants, type ClientHttp2Session } from 'node:http2';
import type { IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { wallMs } from './lib.js';
import type { Reply } from './live.js';

export class H2Client {
  private session: ClientHttp2Session | undefined;

  constructor(
    private readonly origin: string,
    private readonly localAddress?: string,
  ) {}

  private open(): ClientHttp2Session {
    if (this.session && !this.session.closed && !this.session.destroyed) return this.session;
    const s = connect(this.origin, {
      rejectUnauthorized: false,
      ...(this.localAddress ? { localAddress: this.localAddress } : {}),
    });
    s.on('error', () => undefined); // reported by the streams
    this.session = s;
    return s;
  }

  get(path: string, headers: Record<string, string> = {}, timeoutMs = 15000): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const sentMs = wallMs();
      const lower: Record<string, string> = {};
      for (const [k, v] of Object.entries(headers)) lower[k.toLowerCase()] = v;
      const req = this.open().request({ [constants.HTTP2_HEADER_PATH]: path, ...lower });
      let status = 0;
      let head: IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      let n = 0;
      const timer = setTimeout(() => {
        req.close(constants.NGHTTP2_CANCEL);
        reject(new Error(`${path}: no complete answer within ${timeoutMs} ms (got ${status || 'nothing'})`));
      }, timeoutMs);
      req.on('response', (h) => {
        status = Number(h[constants.HTTP2_HEADER_STATUS] ?? 0);
        head = h as IncomingHttpHeaders;
      });
      req.on('data', (d: Buffer) => {
        chunks.push(d);
        n += d.length;
      });
      req.on('end', () => {
        clearTimeout(timer);
        let body = Buffer.concat(chunks, n);
        if (head['content-encoding'] === 'gzip') body = gunzipSync(body);
        resolve({ status, headers: head, body, wireBytes: n, sentMs, endMs: wallMs() });
      });
      req.on('error', (e: Error) => {
        clearTimeout(timer);
        reject(new Error(`${path}: ${e.message}`));
      });
      req.end();
    });
  }

  close(): void {
    this.session?.destroy();
  }
}
