/**
 * A long loop as fast as possible (floop=40 of the 4 s clip: 164 s of media, packaged by the dasher
 * into files): every pass opens fresh sources and drops the finished ones, so the session's filter
 * count stays constant and memory stays bounded.
 */
import test from 'ava';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from '../../src/engine/session.js';
import { Registry } from '../../src/engine/registry.js';
import { createLogSink, parseLogs } from '../../src/engine/logger.js';
import { parseGraph } from '../../src/syntax/parse.js';
import { builtinFilters } from '../../filters/index.js';
import { mediaDir } from '../helpers/run-cli.js';

test('floop=40: the filter count does not grow and memory stays bounded', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'graphpac-flist-long-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const registry = new Registry();
  for (const d of builtinFilters) registry.register(d);
  const session = new Session({ registry, logs: createLogSink(parseLogs(['all@error']), { pretty: false }) });
  session.load(
    parseGraph([
      `flist:srcs=${join(mediaDir, 'av_2997_faststart.mp4')}:floop=40`,
      '-o',
      `${dir}/x.mpd:segdur=2`,
    ]),
  );
  let opened = 0;
  let removed = 0;
  session.on('filter', (name) => name.startsWith('fin') && opened++);
  session.on('removed', () => removed++);
  // Samples at each pass: filters in the session, and the heap after a collection when available.
  const counts: number[] = [];
  const heaps: number[] = [];
  const gc = (globalThis as { gc?: () => void }).gc;
  session.on('removed', (name) => {
    if (!name.startsWith('fin')) return;
    counts.push(session.stats().length);
    if (removed % 5 === 0) {
      gc?.();
      heaps.push(process.memoryUsage().heapUsed);
    }
  });
  await session.run();
  t.is(opened, 41, 'one fresh source per pass');
  // fin + mp4dmx per pass, removed once played (the last pass's at the end).
  t.true(removed >= 2 * 40, `removed ${removed}`);
  t.true(counts.length >= 40);
  t.is(new Set(counts).size, 1, `filters in the session at each pass: ${[...new Set(counts)].join(', ')}`);
  // flist, dasher, fout × 3 once the pass's source is gone.
  t.is(counts[0], 5);
  // Memory: the second half of the run does not use more than the first half plus a small margin.
  const half = Math.floor(heaps.length / 2);
  const early = Math.max(...heaps.slice(1, half));
  const late = Math.max(...heaps.slice(half));
  t.true(
    late < early + 16 * 2 ** 20,
    `heap early ${(early / 2 ** 20).toFixed(1)} MiB, late ${(late / 2 ** 20).toFixed(1)} MiB`,
  );
  // The media is all there: 164 s in 2 s segments.
  const segs = (await readdir(dir)).filter((f) => f.endsWith('.m4s'));
  t.true(segs.length >= 2 * 80, `${segs.length} segments`);
});
