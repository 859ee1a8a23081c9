/**
 * Accept points under a busy event loop (filters/httpout/accept-points.ts): how many connections one
 * loop iteration accepts is a matter of timing (a client thread opening 150 connections against a loop
 * doing 30 ms of work per iteration), so it runs in the quiet serial phase.
 */
import test from 'ava';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { Worker } from 'node:worker_threads';
import { openAcceptPoints } from '../../filters/httpout/accept-points.js';
import type { AcceptOptions } from '../../filters/httpout/accept-points.js';

const closeAll = (servers: Server[]) =>
  Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));

function options(over: Partial<AcceptOptions> = {}): AcceptOptions {
  return {
    host: '127.0.0.1',
    port: 0,
    backlog: 4096,
    count: 8,
    like: createServer({ allowHalfOpen: true, noDelay: true }),
    onConnection: (s) => s.destroy(),
    onError: () => {},
    debug: () => {},
    ...over,
  };
}

/**
 * A loop iteration that takes 30 ms (a loaded server thread), 150 connections opened at once by another thread:
 * libuv accepts one connection per iteration on a descriptor, so one descriptor would need 150 iterations (4.5 s);
 * 32 descriptors accept up to 32 per iteration.
 */
test('a busy event loop accepts up to COUNT connections per iteration', async (t) => {
  const N = 150;
  const K = 32;
  let iteration = 0;
  const perIteration = new Map<number, number>();
  let accepted = 0;
  let allAt = 0;
  const t0 = performance.now();
  const sockets: Socket[] = [];
  const p = await openAcceptPoints(
    options({
      count: K,
      onConnection: (s) => {
        sockets.push(s);
        perIteration.set(iteration, (perIteration.get(iteration) ?? 0) + 1);
        if (++accepted === N) allAt = performance.now();
      },
    }),
  );
  t.is(p.via, 'helper');
  const client = new Worker(
    `const { connect } = require('node:net');
     const { workerData, parentPort } = require('node:worker_threads');
     const cs = [];
     for (let i = 0; i < workerData.n; i++) { const c = connect(workerData.port, '127.0.0.1'); c.on('error', () => {}); cs.push(c); }
     parentPort.on('message', () => { for (const c of cs) c.destroy(); process.exit(0); });`,
    { eval: true, workerData: { n: N, port: p.port } },
  );
  const started = performance.now();
  // The busy loop: 30 ms of work per iteration until every connection is accepted (or 20 s).
  await new Promise<void>((resolve) => {
    const step = () => {
      iteration++;
      const end = performance.now() + 30;
      while (performance.now() < end);
      if (accepted >= N || performance.now() - started > 20_000) resolve();
      else setImmediate(step);
    };
    setImmediate(step);
  });
  client.postMessage('done');
  await new Promise((r) => client.once('exit', r));
  for (const s of sockets) s.destroy();
  await closeAll(p.servers);
  const most = Math.max(...perIteration.values());
  t.log(
    `${accepted} connections in ${iteration} iterations, ${Math.round(allAt - t0)} ms; at most ${most} in one iteration`,
  );
  t.is(accepted, N);
  // One descriptor accepts 1 per iteration; here a burst must be taken many at a time.
  t.true(most >= 8, `at most ${most} per iteration`);
  t.true(iteration < N / 4, `${iteration} iterations for ${N} connections`);
});
