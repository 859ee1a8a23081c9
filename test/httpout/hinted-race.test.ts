/**
 * The writer's reports reach the origin's thread as messages, after the bytes may already be on disk (the
 * rdirs copy is written behind). A request for an upcoming LL-DASH segment handled in between found the
 * file on disk with its first chunk only and was answered as a complete file: dash.js got one chunk of a
 * 2 s segment, had a hole in its buffer and stalled (1-1.5 s, seen in the stock-player runs). A hinted or
 * upcoming resource is now held until the origin knows it, then streamed as a file in production.
 * Fed by hand through the hooks, as server.test.ts does: deterministic.
 */
import test from 'ava';
import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { get, originServer } from './helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('an upcoming segment already on disk but not yet reported is held, then streamed whole (not its first chunk as complete)', async (t) => {
  const { server, port, root } = await originServer();
  try {
    const h = server.store.hooks();
    h.replaced?.(join(root, 'live.mpd'), Buffer.from('<MPD/>\n'), { DASHUpcoming: ['seg2.m4s', 'seg3.m4s'] });
    const path = join(root, 'seg2.m4s');
    const chunk = (fill: number) => Buffer.alloc(1000, fill);
    // The disk has the first chunk; the origin's thread has not heard of the file yet.
    await writeFile(path, chunk(1));
    const answer = get(port, '/seg2.m4s');
    await sleep(300);
    h.opened?.(path, 'file');
    h.progress?.(path, 1000, [chunk(1)]);
    h.boundary?.(path, 1000);
    await sleep(300);
    await appendFile(path, chunk(2));
    h.progress?.(path, 2000, [chunk(2)]);
    h.boundary?.(path, 2000);
    h.closed?.(path, 2000);
    const r = await answer;
    t.is(r.status, 200);
    t.is(r.headers['transfer-encoding'], 'chunked', 'streamed as a file in production');
    t.is(r.headers['content-length'], undefined);
    t.is(r.body.length, 2000, 'both chunks, not the first one alone');
    t.true(r.body.subarray(1000).every((b) => b === 2));
    t.true(
      r.pieces[0]!.t >= 250,
      `nothing before the origin knew the file (first bytes at ${r.pieces[0]!.t} ms)`,
    );
    // A resource no longer hinted (the manifest moved on) is looked up on disk at once.
    h.replaced?.(join(root, 'live.mpd'), Buffer.from('<MPD/>\n'), { DASHUpcoming: ['seg4.m4s'] });
    await writeFile(join(root, 'old.m4s'), chunk(3));
    const old = await get(port, '/old.m4s');
    t.is(old.status, 200);
    t.is(old.headers['content-length'], '1000');
  } finally {
    await server.close(200);
  }
});
