/**
 * LL-DASH players compute segment availability from the clock and asto, and may ask for the next segment a
 * little before its first chunk exists. The dasher names each representation's next segments to the origin
 * (MPD packet prop DASHUpcoming) and the origin holds such a request until the segment is in production,
 * instead of answering 404; a segment far ahead is still 404 at once.
 */
import test from 'ava';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, startGraphpac } from '../dasher/helpers/cli.js';
import { WorkRoot } from '../dasher/helpers/workdir.js';
import { freePort, get } from './helpers.js';

const work = new WorkRoot('httpout-upcoming');
test.after.always(() => work.cleanup());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('an early request for the next LL-DASH segment is held until it is produced; one far ahead is 404', async (t) => {
  const cwd = await work.workDir(['source1']);
  const port = await freePort();
  const run = startGraphpac(
    [
      '-i',
      'source1',
      'reframer:rt=on',
      '-o',
      `http://127.0.0.1:${port}/live.mpd:segdur=1:cdur=0.25:asto=0.75:profile=live:dmode=dynamic:rdirs=out`,
      '-runfor=7000',
    ],
    { cwd, timeoutMs: 40_000 },
  );
  // The highest segment number on disk is the one in production (its first chunk written).
  const current = async (): Promise<number> => {
    const names = await readdir(join(cwd, 'out')).catch(() => [] as string[]);
    return Math.max(0, ...names.map((n) => Number(/^source1_dash(\d+)\.m4s$/.exec(n)?.[1] ?? 0)));
  };
  // Listening first (on a loaded machine the accept points may come after the first segments).
  for (
    let i = 0;
    !(await get(port, '/time', { timeoutMs: 1000 }).then(
      (r) => r.status === 200,
      () => false,
    ));
    i++
  ) {
    if (i > 300) t.fail('not listening within 30 s');
    await sleep(100);
  }
  for (let i = 0; (await current()) < 2; i++) {
    if (i > 200) t.fail('no second segment within 10 s');
    await sleep(50);
  }
  // Just after segment n started: n + 1 does not exist yet for about a segment.
  const n = await current();
  const t0 = performance.now();
  const [next, far] = await Promise.all([
    get(port, `/source1_dash${n + 1}.m4s`, { timeoutMs: 10_000 }),
    get(port, `/source1_dash${n + 10}.m4s`, { timeoutMs: 10_000 }),
  ]);
  const res = await run.done;
  t.is(res.code, 0, describe(res));
  t.is(far.status, 404);
  // Not held: the immediate 404 is not cacheable; a held one that timed out would carry max-age.
  t.is(far.headers['cache-control'], 'no-cache', 'the far-ahead segment was not held');
  t.is(next.status, 200, next.body.toString());
  // Held, then the whole segment (chunked while produced): it starts with styp and has a moof.
  t.true(
    performance.now() - t0 >= next.ms && next.ms >= 100,
    `next answered after ${Math.round(next.ms)} ms`,
  );
  t.is(next.body.subarray(4, 8).toString(), 'styp');
  t.true(next.body.includes(Buffer.from('moof')));
});
