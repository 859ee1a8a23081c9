/**
 * The dasher's chunk buffers (filters/dasher/chunk-pool.ts): reused once released, a larger free buffer
 * serving a smaller chunk, and at most 4 free buffers whatever sizes a long run meets.
 */
import test from 'ava';
import { ChunkPool } from '../../filters/dasher/chunk-pool.js';

test('a released buffer is reused for a chunk of its size class or the one below; a view has the size asked', (t) => {
  const pool = new ChunkPool();
  const a = pool.get(200_000);
  t.is(a.bytes.byteLength, 200_000);
  t.is(a.bytes.buffer.byteLength, 256 * 1024);
  a.release();
  const b = pool.get(70_000);
  t.is(b.bytes.buffer, a.bytes.buffer, 'the free 256 KiB buffer serves a 70 kB chunk (128 KiB class)');
  t.is(b.bytes.byteLength, 70_000);
  b.release();
  const c = pool.get(20_000);
  t.not(c.bytes.buffer, a.bytes.buffer, 'but not a 20 kB one (64 KiB class): no 4× waste');
  t.deepEqual([pool.allocated, pool.reused], [2, 1]);
});

test('free buffers stay bounded whatever sizes come by (a long run does not keep one set per size)', (t) => {
  const pool = new ChunkPool();
  // Sizes of every class, released out of order, many times over.
  for (let round = 0; round < 50; round++) {
    const held = [30_000, 100_000, 300_000, 600_000, 1_200_000, 2_500_000, 64_000].map((n) =>
      pool.get(n + round),
    );
    for (const h of held.reverse()) h.release();
  }
  // 7 size classes seen, 4 buffers kept: the last given back (1 MiB, 512, 128 and 64 KiB).
  t.is(pool.freeBytes, (1024 + 512 + 128 + 64) * 1024);
  // The same sizes again and again: allocated once, then reused.
  const before = pool.allocated;
  for (let i = 0; i < 100; i++) pool.get(90_000 + i).release();
  t.is(pool.allocated, before);
});

test('a buffer transferred away (detached) is not taken back', (t) => {
  const pool = new ChunkPool();
  const a = pool.get(1000);
  const buf = a.bytes.buffer as ArrayBuffer;
  structuredClone(buf, { transfer: [buf] });
  a.release();
  t.is(pool.freeBytes, 0);
});
