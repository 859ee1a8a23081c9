/**
 * One server per host:port in a session (each in its own thread: server-thread.ts): the first httpout
 * instance on an address creates it with its options; later ones (the dasher's per-representation
 * destinations, a second -o on the same address) are aliases sharing it, their own options ignored.
 * The server closes when the last instance using it is finalized. Likewise one pusher per origin and
 * local folder. Both registries are session-scoped (ctx.session.shared): two sessions in one process
 * share nothing (two `-o http://127.0.0.1:0/…` get a server each).
 */
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GraphError } from '../../src/index.js';
import type { Logger, SessionScope } from '../../src/index.js';
import type { HttpoutArgs, ServerOptions } from './options.js';
import type { Pusher } from './push.js';
import { ServerThread } from './server-thread.js';

interface Entry {
  server: ServerThread;
  ready: Promise<void>;
}

const SERVERS = Symbol('httpout servers by host:port');
const PUSHERS = Symbol('httpout pushers by origin and folder');
/** The registry each server or pusher was entered in (its session's). */
const registryOf = new WeakMap<object, Map<string, unknown>>();

function pem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new GraphError(
      'BAD_OPTION_VALUE',
      `httpout: cannot read the ${what} "${path}": ${(e as Error).message}`,
      { path },
      { cause: e },
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

/** The session's server for host:port, created (and started listening) by the first caller. */
export function acquire(
  session: SessionScope,
  host: string,
  port: number,
  make: () => ServerOptions,
  log: Logger,
): Entry & { created: boolean } {
  const servers = session.shared(SERVERS, () => new Map<string, Entry>());
  const key = `${host}:${port}`;
  let e = servers.get(key);
  const created = !e;
  if (!e) {
    const server = new ServerThread(make(), log);
    e = { server, ready: server.listen() };
    e.ready.catch(() => servers.delete(key));
    servers.set(key, e);
    registryOf.set(server, servers);
  }
  e.server.refs++;
  return { ...e, created };
}

/** One instance is done with its server; the last one closes it. */
export async function release(server: ServerThread): Promise<void> {
  server.refs--;
  if (server.refs > 0) return;
  forget(server);
  await server.close();
}

/** The session's pusher for `key` (origin and local folder), made by the first caller. */
export function acquirePusher(session: SessionScope, key: string, make: () => Pusher): Pusher {
  const pushers = session.shared(PUSHERS, () => new Map<string, Pusher>());
  let p = pushers.get(key);
  if (!p) {
    pushers.set(key, (p = make()));
    registryOf.set(p, pushers);
  }
  p.refs++;
  return p;
}

/** One instance is done; returns true for the last one (the pusher is closed). */
export function releasePusher(p: Pusher): boolean {
  p.refs--;
  if (p.refs > 0) return false;
  forget(p);
  p.close();
  return true;
}

function forget(resource: object): void {
  const registry = registryOf.get(resource);
  if (registry)
    for (const [k, v] of registry) if (v === resource || (v as Entry).server === resource) registry.delete(k);
}
