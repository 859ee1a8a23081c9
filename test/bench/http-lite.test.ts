/**
 * The benchmarks' simulated players' HTTP client (bench/http-lite.ts) treats idle keep-alive connections as
 * browsers do: a server's close racing a request on a reused connection is retried once on a new one
 * (RFC 9112 §9.3.1), a connection idle for nearly the server's `Keep-Alive: timeout` is not reused, and
 * nothing else is retried. Real sockets on 127.0.0.1.
 */
import test from 'ava';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { LiteClient } from '../../bench/http-lite.js';

interface Origin {
  port: number;
  connections: number;
  requests: string[];
  close(): Promise<void>;
}

/** A raw HTTP/1.1 server: `answer(request number on its connection, path, socket)` says what to do. */
async function origin(
  answer: (nth: number, path: string, s: Socket) => 'ok' | 'drop' | 'half',
  keepAlive = 30,
): Promise<Origin> {
  const o = { port: 0, connections: 0, requests: [] as string[] } as Origin;
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    o.connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    let nth = 0;
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString('latin1');
      let end: number;
      while ((end = buf.indexOf('\r\n\r\n')) >= 0) {
        const path = buf.slice(0, end).split(' ')[1] ?? '';
        buf = buf.slice(end + 4);
        o.requests.push(path);
        const what = answer(++nth, path, s);
        const head = `HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\nKeep-Alive: timeout=${keepAlive}\r\n\r\n`;
        if (what === 'ok') s.write(`${head}ok`);
        else if (what === 'half') s.end(`${head}o`);
        else s.destroy();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  o.port = (server.address() as { port: number }).port;
  o.close = () =>
    new Promise((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    });
  return o;
}

test('a request the server drops on a reused connection (its idle close racing it) goes again on a new one', async (t) => {
  // The second request on a connection meets the server closing it.
  const o = await origin((nth) => (nth === 2 ? 'drop' : 'ok'));
  const c = new LiteClient('127.0.0.1', o.port);
  try {
    t.is((await c.get('/a')).body.toString(), 'ok');
    t.is((await c.get('/b')).body.toString(), 'ok');
    t.deepEqual(o.requests, ['/a', '/b', '/b']);
    t.is(o.connections, 2);
  } finally {
    c.close();
    await o.close();
  }
});

test('nothing else is sent again: a first request, a second drop, an answer cut after its first byte', async (t) => {
  const fresh = await origin(() => 'drop');
  const c1 = new LiteClient('127.0.0.1', fresh.port);
  await t.throwsAsync(c1.get('/a'), { message: /^\/a: / });
  t.deepEqual(fresh.requests, ['/a'], 'a new connection that fails is an error');
  c1.close();
  await fresh.close();

  const twice = await origin((_nth, path) => (path === '/b' ? 'drop' : 'ok'));
  const c2 = new LiteClient('127.0.0.1', twice.port);
  await c2.get('/a');
  await t.throwsAsync(c2.get('/b'), { message: /^\/b: / });
  t.deepEqual(twice.requests, ['/a', '/b', '/b'], 'sent again once, on a new connection, then an error');
  c2.close();
  await twice.close();

  const cut = await origin((nth) => (nth === 2 ? 'half' : 'ok'));
  const c3 = new LiteClient('127.0.0.1', cut.port);
  await c3.get('/a');
  await t.throwsAsync(c3.get('/b'), { message: /^\/b: / });
  t.deepEqual(cut.requests, ['/a', '/b'], 'part of the answer came: not resent');
  c3.close();
  await cut.close();
});

test("a connection idle for nearly the server's Keep-Alive timeout is not reused", async (t) => {
  // timeout=1: with the 1 s margin every idle connection is too old to reuse.
  const short = await origin(() => 'ok', 1);
  const c1 = new LiteClient('127.0.0.1', short.port);
  await c1.get('/a');
  await c1.get('/b');
  t.is(short.connections, 2);
  c1.close();
  await short.close();
  // timeout=30: the same connection.
  const long = await origin(() => 'ok', 30);
  const c2 = new LiteClient('127.0.0.1', long.port);
  await c2.get('/a');
  await c2.get('/b');
  t.is(long.connections, 1);
  c2.close();
  await long.close();
});
