/**
 * The pusher's deadlines and retry budget under the session clock (a manual clock here): an origin
 * that reads requests and never answers. Each attempt fails once its response is RESPONSE_MS late,
 * is retried (real backoff sleeps of 100, 200 ms), and after the budget of failures in a row the
 * push fails with one error naming the URL and why. No wall-clock wait for the 5 s deadlines.
 */
import test from 'ava';
import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pusher } from '../../filters/httpout/push.js';
import { quietLog } from './helpers.js';

const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));

test('an origin that never answers: deadline, retries within the budget, then one clear error', async (t) => {
  const held: Socket[] = [];
  const received: string[] = [];
  const server = createServer((req) => {
    received.push(`${req.method} ${req.url}`);
    req.resume();
    held.push(req.socket);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  const root = await mkdtemp(join(tmpdir(), 'gp-push-deadline-'));
  t.teardown(async () => {
    for (const s of held) s.destroy();
    server.close();
    await rm(root, { recursive: true, force: true });
  });
  const clock = { t: 1000, now: () => clock.t };
  const pusher = new Pusher(
    { origin: `http://127.0.0.1:${port}`, root, method: 'PUT', cte: true, hdrs: [], clock },
    quietLog,
  );
  t.teardown(() => pusher.close());
  const work: Promise<unknown>[] = [];
  const hooks = pusher.hooks((p) => work.push(p));
  const file = join(root, 'seg1.m4s');
  hooks.opened?.(file, 'file');
  hooks.progress?.(file, 4, [new Uint8Array([1, 2, 3, 4])]);
  hooks.closed?.(file, 4);
  const failed = pusher.drain().then(
    () => undefined,
    (e: Error) => e.message,
  );
  // Attempt n: sent whole, then no answer. Before its deadline nothing happens; after it, a retry.
  for (let n = 1; n <= 3; n++) {
    while (received.length < n) await tick();
    await tick(50); // the request's 'finish'
    clock.t += 4_900;
    pusher.checkDeadlines();
    await tick(50);
    t.is(received.length, n, `attempt ${n} still waiting before its deadline`);
    clock.t += 200;
    pusher.checkDeadlines();
  }
  // 3 attempts of 5.1 s of (virtual) failures: past the 10 s budget.
  const message = await failed;
  t.is(
    message,
    `httpout: push to http://127.0.0.1:${port}/seg1.m4s failed: no response within 5 s (retried for 10 s)`,
  );
  t.deepEqual(received, ['PUT /seg1.m4s', 'PUT /seg1.m4s', 'PUT /seg1.m4s']);
});
