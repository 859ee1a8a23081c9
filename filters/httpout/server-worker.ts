/**
 * The origin server's thread: an OriginServer (server.ts) fed by the writer hooks the main thread
 * forwards (thread-protocol.ts). Serving thousands of held requests here never delays the packager's
 * parts on the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Logger } from '../../src/index.js';
import { OriginServer } from './server.js';
import { SERVER_NICENESS, lowerThreadPriority } from './thread-priority.js';
import type { FromServer, ServerInit, ToServer } from './thread-protocol.js';

const port = parentPort!;
const post = (m: FromServer) => port.postMessage(m);
const logAt =
  (level: 'debug' | 'info' | 'warn' | 'error') =>
  (msg: string): void =>
    post({ type: 'log', level, msg });
const log: Logger = {
  debug: logAt('debug'),
  info: logAt('info'),
  warn: logAt('warn'),
  error: logAt('error'),
};

// The packager before the server when the CPUs are saturated (thread-priority.ts).
const prio = lowerThreadPriority(SERVER_NICENESS);
log.debug(
  'failed' in prio
    ? `httpout: the server thread keeps its priority: ${prio.failed}`
    : `httpout: server thread ${prio.tid} at niceness ${prio.nice} (the packager's thread before it)`,
);

const { options } = workerData as ServerInit;
const server = new OriginServer(options, log);
const hooks = server.store.hooks();

let lastClients = -1;
const status = setInterval(() => {
  if (server.clients !== lastClients) post({ type: 'clients', n: (lastClients = server.clients) });
}, 250);
status.unref();

port.on('message', (m: ToServer) => {
  switch (m.type) {
    case 'opened':
      return hooks.opened?.(m.path, m.kind);
    case 'progress':
      return hooks.progress?.(m.path, m.size, m.data ? [m.data] : undefined);
    case 'boundary':
      return void hooks.boundary?.(m.path, m.size);
    case 'closed':
      return hooks.closed?.(m.path, m.size);
    case 'replaced':
      return hooks.replaced?.(m.path, m.data, m.props);
    case 'deleted':
      return hooks.deleted?.(m.path);
    case 'abandoned':
      return hooks.abandoned?.(m.path);
    case 'page':
      server.pages[m.kind] ??= m.path;
      return;
    case 'close':
      clearInterval(status);
      void server.close().then(
        () => {
          post({ type: 'closed' });
          port.close();
        },
        (e: unknown) => {
          log.error(`closing the server: ${(e as Error).message}`);
          post({ type: 'closed' });
          port.close();
        },
      );
      return;
  }
});

server.listen().then(
  () => post({ type: 'listening', port: server.port }),
  (e: unknown) => {
    const err = e as Error & { details?: Record<string, unknown> };
    post({ type: 'listen-error', message: err.message, data: { ...err.details } });
  },
);
