/**
 * accept-points.ts: COUNT descriptors of one listening socket from the helper process (port 0 reported, every
 * descriptor accepts, socket options copied, closing them frees the port), bind errors with their code, the
 * plain-listen fallback, and what it is for: a busy event loop accepting many connections per iteration. An origin
 * closed while its accept points are coming frees the port.
 */
import test from 'ava';
import { createServer, connect } from 'node:net';
import type { Server, Socket } from 'node:net';
import { openAcceptPoints } from '../../filters/httpout/accept-points.js';
import type { AcceptOptions } from '../../filters/httpout/accept-points.js';
import { OriginServer } from '../../filters/httpout/server.js';
import { quietLog } from './helpers.js';

const closeAll = (servers: Server[]) =>
  Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));

function options(over: Partial<AcceptOptions> = {}): AcceptOptions & { debugs: string[] } {
  const debugs: string[] = [];
  return {
    host: '127.0.0.1',
    port: 0,
    backlog: 4096,
    count: 8,
    like: createServer({ allowHalfOpen: true, noDelay: true }),
    onConnection: (s) => s.destroy(),
    onError: () => {},
    debug: (m) => debugs.push(m),
    debugs,
    ...over,
  };
}

/** Connects to port, resolves once the server closed the connection. */
function connectAndWaitClose(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = connect(port, '127.0.0.1');
    c.on('error', reject);
    c.on('close', () => resolve());
    c.resume();
  });
}

test('COUNT descriptors of one socket: port 0 reported, each one accepts, socket options copied, closed: port free', async (t) => {
  const accepted: Socket[] = [];
  const o = options({
    count: 8,
    onConnection: (s) => {
      accepted.push(s);
      s.destroy();
    },
  });
  const p = await openAcceptPoints(o);
  t.is(p.via, 'helper', o.debugs.join('\n'));
  t.is(p.servers.length, 8);
  t.true(p.port > 0);
  for (const s of p.servers) {
    t.true(s.listening);
    const a = s.address();
    t.is(a && typeof a === 'object' ? a.port : 0, p.port);
  }
  // Distinct descriptors (one per server), all of the same socket.
  const fds = p.servers.map((s) => (s as unknown as { _handle: { fd: number } })._handle.fd);
  t.is(new Set(fds).size, 8);
  for (let i = 0; i < 20; i++) await connectAndWaitClose(p.port);
  t.is(accepted.length, 20);
  // The sockets get what `like` gives its own (an HTTP server: allowHalfOpen, noDelay).
  t.true(accepted.every((s) => s.allowHalfOpen));
  await closeAll(p.servers);
  // Every descriptor closed, the helper's own too: the port can be bound again.
  const again = createServer();
  await new Promise<void>((resolve, reject) => {
    again.once('error', reject);
    again.listen(p.port, '127.0.0.1', () => resolve());
  });
  await closeAll([again]);
});

test('clients connecting during the hand-over are all served (none left in a descriptor nobody accepts on)', async (t) => {
  // A fixed port, connected to every 2 ms from before the helper binds it until after it is done.
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  const a = probe.address();
  const port = a && typeof a === 'object' ? a.port : 0;
  await new Promise((r) => probe.close(r));
  const outcomes = { served: 0, refused: 0, hung: 0 };
  const pending: Promise<void>[] = [];
  const attempt = () =>
    new Promise<void>((resolve) => {
      const c = connect(port, '127.0.0.1');
      const timer = setTimeout(() => {
        outcomes.hung++;
        c.destroy();
        resolve();
      }, 3000);
      c.on('data', () => {
        clearTimeout(timer);
        outcomes.served++;
        c.destroy();
        resolve();
      });
      c.on('error', () => {
        clearTimeout(timer);
        outcomes.refused++;
        resolve();
      });
    });
  const hammer = setInterval(() => pending.push(attempt()), 2);
  await new Promise((r) => setTimeout(r, 50));
  const p = await openAcceptPoints(options({ port, count: 64, onConnection: (s) => s.end('hello\n') }));
  await new Promise((r) => setTimeout(r, 300));
  clearInterval(hammer);
  await Promise.all(pending);
  await closeAll(p.servers);
  t.log(JSON.stringify(outcomes));
  t.is(p.via, 'helper');
  t.is(outcomes.hung, 0);
  t.true(outcomes.served > 0);
});

test('bind error in the helper: rejected with the code (EADDRINUSE), no fallback', async (t) => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => blocker.close());
  const a = blocker.address();
  const port = a && typeof a === 'object' ? a.port : 0;
  const o = options({ port });
  const e = await t.throwsAsync<NodeJS.ErrnoException>(openAcceptPoints(o));
  t.is(e.code, 'EADDRINUSE');
  t.regex(e.message, /EADDRINUSE/);
  t.deepEqual(o.debugs, []);
});

test('the helper cannot run: one plain listen, with a debug line saying why', async (t) => {
  const o = options({ nodePath: '/nonexistent/node' });
  const p = await openAcceptPoints(o);
  t.teardown(() => closeAll(p.servers));
  t.is(p.via, 'listen');
  t.is(p.servers.length, 1);
  t.true(p.port > 0);
  t.is(o.debugs.length, 1);
  t.regex(o.debugs[0]!, /^one accept point: the accept-points helper failed \(.*ENOENT/);
  await connectAndWaitClose(p.port);
  // Bind errors are still errors there.
  const e = await t.throwsAsync<NodeJS.ErrnoException>(
    openAcceptPoints(options({ nodePath: '/nonexistent/node', port: p.port })),
  );
  t.is(e.code, 'EADDRINUSE');
});

test('count 1: a plain listen, no helper', async (t) => {
  const o = options({ count: 1 });
  const p = await openAcceptPoints(o);
  t.teardown(() => closeAll(p.servers));
  t.is(p.via, 'listen');
  t.is(p.servers.length, 1);
  t.deepEqual(o.debugs, []);
});

test('an origin closed while its accept points are coming does not keep listening', async (t) => {
  const server = new OriginServer(
    {
      host: '127.0.0.1',
      port: 0,
      rdirs: ['/nonexistent'],
      tempRoot: false,
      cors: 'auto',
      reqlog: new Set(),
      maxc: 10,
      maxp: 0,
      timeoutS: 5,
      cte: true,
      norange: false,
      hdrs: [],
      sutc: false,
      zmax: 0,
    },
    quietLog,
  );
  const listening = server.listen();
  await server.close(100);
  await listening;
  const port = server.port;
  t.true(port > 0);
  // Nothing accepts there any more: the port is free.
  const again = createServer();
  await new Promise<void>((resolve, reject) => {
    again.once('error', reject);
    again.listen(port, '127.0.0.1', () => resolve());
  });
  await closeAll([again]);
});
