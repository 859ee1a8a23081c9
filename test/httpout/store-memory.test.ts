/**
 * The live edge from memory: when the writer reports every appended byte (as httpout's server thread is
 * fed), the store serves a file in production and recently completed files from memory — identical
 * bytes, no disk read — bounded by RECENT_BYTES, oldest first out; without bytes it reads the disk.
 */
import test from 'ava';
import { appendFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RECENT_BYTES, Store } from '../../filters/httpout/store.js';
import { get, originServer } from './helpers.js';

const fill = (n: number, seed: number) =>
  Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + seed) & 255));

test('a file reported with its bytes is served from memory: whole, by range, in production and complete', async (t) => {
  const { server, port, root } = await originServer();
  t.teardown(() => server.close());
  const h = server.store.hooks();
  const path = join(root, 'seg1.m4s');
  const a = fill(3000, 1);
  const b = fill(2000, 2);
  await writeFile(path, a);
  h.opened?.(path, 'file');
  h.progress?.(path, 3000, [a.subarray(0, 1000), a.subarray(1000)]);
  h.boundary?.(path, 3000);
  const inProduction = get(port, '/seg1.m4s', { headers: { Range: 'bytes=1000-' } });
  await new Promise((r) => setTimeout(r, 100));
  await appendFile(path, b);
  h.progress?.(path, 5000, [b]);
  h.boundary?.(path, 5000);
  h.closed?.(path, 5000);
  const whole = Buffer.concat([a, b]);
  const r1 = await inProduction;
  t.is(r1.status, 206);
  t.deepEqual(r1.body, whole.subarray(1000));
  t.is(server.store.recent.get(path)?.data.length, 5000);
  // The disk copy is gone: what is served now can only come from memory.
  await rm(path);
  const r2 = await get(port, '/seg1.m4s');
  t.is(r2.status, 200);
  t.is(r2.headers['content-length'], '5000');
  t.deepEqual(r2.body, whole);
  const r3 = await get(port, '/seg1.m4s', { headers: { Range: 'bytes=4000-4499' } });
  t.is(r3.status, 206);
  t.is(r3.headers['content-range'], 'bytes 4000-4499/5000');
  t.deepEqual(r3.body, whole.subarray(4000, 4500));
  // Deleted by the writer (purge): forgotten.
  h.deleted?.(path);
  t.false(server.store.recent.has(path));
  t.is((await get(port, '/seg1.m4s')).status, 404);
});

test('without the bytes (or with bytes that do not add up), the file is read from disk', async (t) => {
  const { server, port, root } = await originServer();
  t.teardown(() => server.close());
  const h = server.store.hooks();
  const path = join(root, 'seg2.m4s');
  const a = fill(4000, 3);
  await writeFile(path, a);
  h.opened?.(path, 'file');
  h.progress?.(path, 2000, [a.subarray(0, 2000)]);
  h.progress?.(path, 4000); // no bytes this time
  h.boundary?.(path, 4000);
  h.closed?.(path, 4000);
  t.false(server.store.recent.has(path));
  t.deepEqual((await get(port, '/seg2.m4s')).body, a);
});

test('recent files are bounded by RECENT_BYTES, oldest first out', (t) => {
  const store = new Store();
  const h = store.hooks();
  const size = 4 * 1024 * 1024;
  const n = RECENT_BYTES / size + 4;
  for (let i = 0; i < n; i++) {
    const p = `/x/seg${i}.m4s`;
    h.opened?.(p, 'file');
    h.progress?.(p, size, [Buffer.alloc(size, i)]);
    h.closed?.(p, size);
  }
  const kept = [...store.recent.keys()];
  const bytes = [...store.recent.values()].reduce((a, f) => a + f.data.length, 0);
  t.true(bytes <= RECENT_BYTES, `${bytes} bytes kept`);
  t.is(kept.length, RECENT_BYTES / size);
  t.is(kept[0], `/x/seg${n - RECENT_BYTES / size}.m4s`);
  t.is(kept.at(-1), `/x/seg${n - 1}.m4s`);
  t.is(store.recent.get(`/x/seg${n - 1}.m4s`)?.data[0], (n - 1) & 255);
});
