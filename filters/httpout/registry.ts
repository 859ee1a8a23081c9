/**
 * One server per host:port for the whole process (each in its own thread: server-thread.ts): the first httpout instance on an address creates
 * it with its options; later ones (the dasher's per-representation destinations, a second -o on the
 * same address) are aliases sharing it, their own options ignored. The server closes when the last
 * instance using it is finalized.
 */
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GraphError } from '../../src/index.js';
import type { Logger } from '../../src/index.js';
import type { HttpoutArgs, ServerOptions } from './options.js';
import { ServerThread } from './server-thread.js';

interface Entry {
  server: ServerThread;
  ready: Promise<void>;
}

const servers = new Map<string, Entry>();

function pem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new GraphError(
      'BAD_OPTION_VALUE',
      `httpout: cannot read the ${what} "${path}": ${(e as Error).message}`,
      {
        path,
      },
    );
  }
}

export function serverOptions(args: HttpoutArgs, host: string, port: number): ServerOptions {
  const tls =
    args.cert !== undefined && args.pkey !== undefined
      ? { cert: pem(args.cert, 'certificate (cert)'), key: pem(args.pkey, 'private key (pkey)') }
      : undefined;
  const tempRoot = args.rdirs.length === 0;
  const rdirs = tempRoot
    ? [mkdtempSync(join(tmpdir(), 'graphpac-httpout-'))]
    : args.rdirs.map((d) => resolve(d));
  mkdirSync(rdirs[0]!, { recursive: true });
  return {
    host,
    port,
    rdirs,
    tempRoot,
    ...(args.wdir !== undefined ? { wdir: resolve(args.wdir) } : {}),
    cors: args.cors,
    ...(args.cache_control !== undefined ? { cacheControl: args.cache_control } : {}),
    reqlog: new Set(
      (args.reqlog ?? '')
        .split(',')
        .map((m) => m.trim().toUpperCase())
        .filter(Boolean),
    ),
    maxc: args.maxc,
    maxp: args.maxp,
    timeoutS: Math.max(1, args.timeout),
    cte: args.cte,
    norange: args.norange,
    hdrs: args.hdrs,
    sutc: args.sutc,
    zmax: args.zmax,
    ...(tls ? { tls } : {}),
  };
}

/** The server for host:port, created (and started listening) by the first caller. */
export function acquire(
  host: string,
  port: number,
  make: () => ServerOptions,
  log: Logger,
): Entry & { created: boolean } {
  const key = `${host}:${port}`;
  let e = servers.get(key);
  const created = !e;
  if (!e) {
    const server = new ServerThread(make(), log);
    e = { server, ready: server.listen() };
    e.ready.catch(() => servers.delete(key));
    servers.set(key, e);
  }
  e.server.refs++;
  return { ...e, created };
}

/** One instance is done with its server; the last one closes it. */
export async function release(server: ServerThread): Promise<void> {
  server.refs--;
  if (server.refs > 0) return;
  for (const [k, e] of servers) if (e.server === server) servers.delete(k);
  await server.close();
}
