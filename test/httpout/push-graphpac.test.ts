/**
 * Push mode into a second graphpac acting as the origin: httpout in server mode with `wdir` (PUT /
 * POST / DELETE stored under wdir). graphpac has no input-less server (`graphpac -o http://…:wdir=…`
 * alone stops at once: "the graph is stuck: no filter can make progress: httpout [in: none; out:
 * none]", exit 1), so the receiver packages a small clip of its own into another folder and stays up
 * with `linger`; it is stopped by its pid at the end. The receiving folder ends with exactly the
 * pushing side's local copy (rdirs): same files, same bytes, purged files gone.
 */
import test from 'ava';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, graphpac, startGraphpac } from '../dasher/helpers/cli.js';
import type { Running } from '../dasher/helpers/cli.js';
import { WorkRoot } from '../dasher/helpers/workdir.js';
import { freePort, get } from './helpers.js';

const work = new WorkRoot('httpout-push-graphpac');
test.after.always(() => work.cleanup());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Stop a child by its pid: SIGTERM, SIGKILL if it is still there after 3 s. */
async function stop(run: Running): Promise<void> {
  if (run.child.exitCode !== null || run.child.signalCode !== null) return;
  run.child.kill('SIGTERM');
  const t = setTimeout(() => run.child.kill('SIGKILL'), 3000);
  await run.done;
  clearTimeout(t);
}

test('graphpac with no input cannot serve: the graph is stuck at once (no input-less server mode)', async (t) => {
  const cwd = await work.workDir([]);
  const port = await freePort();
  const res = await graphpac(['-o', `http://127.0.0.1:${port}/:wdir=recv:rdirs=recv`], {
    cwd,
    timeoutMs: 15_000,
  });
  t.is(res.code, 1, describe(res));
  t.regex(res.stderr, /the graph is stuck: no filter can make progress: httpout/);
});

test('push a live run into a second graphpac (server mode, wdir): the receiving folder ends with the local copy', async (t) => {
  const cwd = await work.workDir(['source1', 'source2']);
  const port = await freePort();
  const recv = join(cwd, 'recv');
  const receiver = startGraphpac(
    [
      '-i',
      'source2',
      '-o',
      `http://127.0.0.1:${port}/own/own.mpd:segdur=1:wdir=recv:rdirs=own,recv:linger=30`,
    ],
    { cwd, timeoutMs: 19_000 },
  );
  t.teardown(() => stop(receiver));
  for (let i = 0; ; i++) {
    const r = await get(port, '/time', { timeoutMs: 500 }).catch(() => undefined);
    if (r?.status === 200) break;
    if (i > 80 || receiver.child.exitCode !== null) {
      await stop(receiver);
      return t.fail(`the receiver did not start\n${describe(await receiver.done)}`);
    }
    await sleep(100);
  }
  const res = await graphpac(
    [
      '-i',
      'source1',
      '-i',
      'source2',
      'reframer:rt=on',
      '-o',
      `http://127.0.0.1:${port}/live/live.m3u8:gpac:hmode=push:segdur=1:cdur=0.5:profile=live:dmode=dynamic:llhls=br:tsb=2:rdirs=local`,
      '-runfor=8000',
    ],
    { cwd, timeoutMs: 17_000 },
  );
  t.is(res.code, 0, describe(res));
  t.is(receiver.child.exitCode, null, 'the receiver is still serving');
  // The receiving folder holds exactly the local copy.
  const local = join(cwd, 'local', 'live');
  const names = (await readdir(local)).sort();
  t.deepEqual((await readdir(join(recv, 'live'))).sort(), names);
  for (const n of names)
    t.true((await readFile(join(recv, 'live', n))).equals(await readFile(join(local, n))), `${n} differs`);
  // Purged segments were deleted there too; the ones kept are numbered without holes.
  const nums = names
    .map((n) => /^source1_dash(\d+)\.m4s$/.exec(n)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number);
  t.true(Math.min(...nums) > 1, `kept: ${nums.join(' ')} (tsb=2 purges the first ones)`);
  t.true(Math.max(...nums) >= 6, `kept: ${nums.join(' ')}`);
  t.is(Math.max(...nums) - Math.min(...nums) + 1, nums.length);
  // The receiver serves what it received (second rdir): the playlist names segments it has.
  const pl = await get(port, '/live/live_1.m3u8');
  t.is(pl.status, 200);
  t.true(pl.body.equals(await readFile(join(local, 'live_1.m3u8'))));
  for (const u of new Set(pl.body.toString().match(/source1_dash\d+\.m4s/g) ?? []))
    t.true(names.includes(u), `${u} listed but not received`);
  await stop(receiver);
  const r = await receiver.done;
  t.regex(r.stderr, new RegExp(`serving \\S+ at http://127\\.0\\.0\\.1:${port}/`));
});
