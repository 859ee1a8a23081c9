/**
 * A push origin for the tests: a Node HTTP server on 127.0.0.1 that records every request (method,
 * path, headers, body pieces with their arrival time, status) and keeps the last accepted body of
 * every path. `refuse` may answer a request with an error status at once, `drop` cut its connection
 * without an answer (an origin outage; such requests are recorded with status -1). With
 * `tls` (PEM cert + key) it is an HTTPS/1.1 origin; failed TLS handshakes are counted.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';

export interface Recorded {
  n: number;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** ms after the sink started. */
  start: number;
  end: number;
  pieces: { t: number; n: number }[];
  body: Buffer;
  status: number;
  socket: number;
}

export interface PushSink {
  port: number;
  requests: Recorded[];
  /** Last accepted body per path. */
  store: Map<string, Buffer>;
  deleted: string[];
  /** Cut the connections of the uploads in progress (an origin restart); returns their paths. */
  cutInProgress(): string[];
  /** Paths of the uploads in progress (body being received). */
  inProgress(): string[];
  /** The sink's clock: ms since it started (the times in `requests`). */
  now(): number;
  /** HTTPS: handshakes that failed (the client refused the certificate…), with their reasons. */
  tlsErrors: string[];
  close(): Promise<void>;
}

export async function pushSink(
  opts: {
    refuse?: (method: string, path: string, t: number) => number | undefined;
    /** Cut the connection of this request at once, without an answer (an origin going down). */
    drop?: (method: string, path: string, t: number) => boolean;
    tls?: { cert: Buffer | string; key: Buffer | string };
  } = {},
): Promise<PushSink> {
  const t0 = performance.now();
  const now = () => performance.now() - t0;
  const requests: Recorded[] = [];
  const store = new Map<string, Buffer>();
  const deleted: string[] = [];
  const sockets = new Map<Socket, number>();
  const active = new Map<Recorded, Socket>();
  const tlsErrors: string[] = [];
  let n = 0;
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? '';
    const path = decodeURIComponent((req.url ?? '').split('?')[0]!);
    const rec: Recorded = {
      n: ++n,
      method,
      path,
      headers: req.headers,
      start: now(),
      end: 0,
      pieces: [],
      body: Buffer.alloc(0),
      status: 0,
      socket: sockets.get(req.socket) ?? -1,
    };
    requests.push(rec);
    active.set(rec, req.socket);
    res.on('close', () => active.delete(rec));
    if (opts.drop?.(method, path, rec.start)) {
      rec.status = -1;
      rec.end = now();
      req.socket.destroy();
      return;
    }
    const refused = opts.refuse?.(method, path, rec.start);
    if (refused) {
      rec.status = refused;
      rec.end = now();
      res.writeHead(refused, { 'Content-Length': 0 });
      res.end();
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => {
      chunks.push(d);
      rec.pieces.push({ t: now(), n: d.length });
    });
    req.on('end', () => {
      rec.body = Buffer.concat(chunks);
      rec.end = now();
      if (method === 'DELETE') {
        rec.status = store.delete(path) ? 200 : 404;
        if (rec.status === 200) deleted.push(path);
      } else {
        rec.status = store.has(path) ? 200 : 201;
        store.set(path, rec.body);
      }
      res.writeHead(rec.status, { 'Content-Length': 0 });
      res.end();
    });
  };
  const server: Server = opts.tls ? createHttpsServer(opts.tls, handler) : createServer(handler);
  let sockNum = 0;
  // Requests see the TLS socket, not the TCP one under it.
  server.on(opts.tls ? 'secureConnection' : 'connection', (s: Socket) => sockets.set(s, ++sockNum));
  server.on('tlsClientError', (e: Error) => tlsErrors.push(e.message));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  const port = a && typeof a === 'object' ? a.port : 0;
  return {
    port,
    requests,
    store,
    deleted,
    tlsErrors,
    now,
    inProgress: () =>
      [...active.keys()].filter((r) => r.method !== 'DELETE' && r.end === 0).map((r) => r.path),
    cutInProgress: () => {
      const cut = [...active].filter(([r]) => r.method !== 'DELETE');
      for (const [, s] of cut) s.destroy();
      return cut.map(([r]) => r.path);
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** The live options of GPAC's push line, as the push tests run it. */
export const PUSH_LINE = 'segdur=1:cdur=0.5:profile=live:dmode=dynamic:llhls=br';

/** GPAC's push line after `graphpac`, to an origin on 127.0.0.1:`port` (http or https). */
export function pushLine(
  port: number,
  opts: string,
  runforMs: number,
  o: { scheme?: 'http' | 'https'; extra?: string[] } = {},
): string[] {
  return [
    '-i',
    'source1',
    '-i',
    'source2',
    'reframer:rt=on',
    '-o',
    `${o.scheme ?? 'http'}://127.0.0.1:${port}/live.m3u8:gpac:hmode=push:${PUSH_LINE}${opts}`,
    `-runfor=${runforMs}`,
    ...(o.extra ?? []),
  ];
}

/**
 * Segment uploads that were streamed while produced: the origin accepted a playlist listing one of the
 * segment's parts before the segment's own upload ended (a sender buffering whole files could not). A
 * causal check, not a timing one: it holds on a loaded machine, where parts may be released in bursts.
 */
export function streamedSegments(sink: PushSink): { streamed: Recorded[]; all: Recorded[] } {
  const all = sink.requests.filter(
    (r) => /_dash\d+\.m4s$/.test(r.path) && r.method !== 'DELETE' && r.status >= 200 && r.status < 300,
  );
  const playlists = sink.requests.filter(
    (r) => /\.m3u8$/.test(r.path) && r.status >= 200 && r.status < 300 && r.end > 0,
  );
  const streamed = all.filter((seg) => {
    const part = `#EXT-X-PART:`;
    const name = `URI="${seg.path.slice(1)}"`;
    return playlists.some(
      (p) =>
        p.end < seg.end &&
        p.body
          .toString()
          .split('\n')
          .some((l) => l.startsWith(part) && l.includes(name)),
    );
  });
  return { streamed, all };
}

/** The origin ends with exactly the local copy (rdirs): same files, same bytes. */
export async function checkStoreEqualsLocal(
  t: ExecutionContext,
  sink: PushSink,
  local: string,
): Promise<void> {
  const names = (await readdir(local)).sort();
  t.deepEqual([...sink.store.keys()].map((p) => p.slice(1)).sort(), names);
  for (const n of names) {
    const disk = await readFile(join(local, n));
    t.true(sink.store.get(`/${n}`)?.equals(disk), `${n}: pushed bytes differ from the local copy`);
  }
}
