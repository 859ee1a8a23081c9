/**
 * HTTP helpers for the httpout tests: a free port, a raw request that records when each body piece
 * arrived, and an origin server fed by hand through the writer hooks (no engine).
 */
import { request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { createServer } from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OriginServer } from '../../filters/httpout/server.js';
import type { ServerOptions } from '../../filters/httpout/options.js';
import type { Timers } from '../../filters/httpout/timers.js';
import type { Logger } from '../../src/index.js';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = a && typeof a === 'object' ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Arrival of each body piece: ms after the request was sent, and its size. */
  pieces: { t: number; n: number }[];
  ms: number;
}

export function get(
  port: number,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = httpRequest(
      { host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers: opts.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        const pieces: { t: number; n: number }[] = [];
        res.on('data', (d: Buffer) => {
          chunks.push(d);
          pieces.push({ t: performance.now() - t0, n: d.length });
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
            pieces,
            ms: performance.now() - t0,
          }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(opts.timeoutMs ?? 15_000, () => req.destroy(new Error(`timeout on ${path}`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

export const quietLog: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export async function originServer(
  over: Partial<ServerOptions> = {},
  timers?: Timers,
): Promise<{ server: OriginServer; port: number; root: string }> {
  const root = await mkdtemp(join(tmpdir(), 'graphpac-httpout-test-'));
  // Port 0: the system picks one (a "free" port found beforehand may be taken by another test meanwhile).
  const server = new OriginServer(
    {
      host: '127.0.0.1',
      port: 0,
      rdirs: [root],
      tempRoot: true,
      cors: 'auto',
      reqlog: new Set(),
      maxc: 100,
      maxp: 0,
      timeoutS: 5,
      cte: true,
      norange: false,
      hdrs: [],
      sutc: false,
      zmax: 50000,
      ...over,
    },
    quietLog,
    timers,
  );
  await server.listen();
  return { server, port: server.port, root };
}
