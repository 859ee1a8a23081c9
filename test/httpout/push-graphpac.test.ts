/**
 * Push mode into a second graphpac acting as the origin: httpout alone, serving folders (GPAC's simple
 * server: `graphpac -o http://HOST:PORT/:wdir=recv:rdirs=recv`, no input) until interrupted, storing
 * PUT / POST under wdir and removing on DELETE. The receiving folder ends with exactly the pushing
 * side's local copy (rdirs): same files, same bytes, purged files gone. Ended with SIGINT: exit 0.
 */
import test from 'ava';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, graphpac, startGraphpac } from '../dasher/helpers/cli.js';
import type { Running } from '../dasher/helpers/cli.js';
import { WorkRoot } from '../dasher/helpers/workdir.js';
import { get } from './helpers.js';

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

/** A serving-only graphpac on a port the system picks (read from its start-up line). */
async function serveOnly(cwd: string, opts: string): Promise<{ run: Running; port: number }> {
  const run = startGraphpac(['-o', `http://127.0.0.1:0/:${opts}`], { cwd, timeoutMs: 30_000 });
  let text = '';
  const port = await new Promise<number>((resolve, reject) => {
    run.child.stderr.on('data', (d: Buffer) => {
      text += d.toString();
      const m = /serving \S+ at http:\/\/127\.0\.0\.1:(\d+)\//.exec(text);
      if (m && m[1] !== '0') resolve(Number(m[1]));
    });
    void run.done.then((r) => reject(new Error(`exited before serving: ${describe(r)}`)));
  });
  return { run, port };
}

test('graphpac -o http://HOST:PORT/:rdirs=DIR alone serves the folder until interrupted (SIGINT: exit 0)', async (t) => {
  const cwd = await work.workDir([]);
  await mkdir(join(cwd, 'site', 'sub'), { recursive: true });
  await writeFile(join(cwd, 'site', 'sub', 'a.txt'), 'hello');
  const { run, port } = await serveOnly(cwd, 'rdirs=site:wdir=site');
  t.teardown(() => void run.child.kill('SIGKILL'));
  // Still serving well after a stuck graph would have been reported.
  await sleep(1500);
  t.is(run.child.exitCode, null);
  const a = await get(port, '/sub/a.txt');
  t.is(a.status, 200);
  t.is(a.body.toString(), 'hello');
  t.is((await get(port, '/sub/b.txt', { method: 'PUT', body: 'put' })).status, 201);
  t.is((await get(port, '/sub/b.txt')).body.toString(), 'put');
  t.is((await get(port, '/missing')).status, 404);
  run.child.kill('SIGINT');
  const res = await run.done;
  t.is(res.code, 0, describe(res));
  t.notRegex(res.stderr, /stuck/);
});

test('push a live run into a second graphpac (server mode, wdir): the receiving folder ends with the local copy', async (t) => {
  const cwd = await work.workDir(['source1', 'source2']);
  const recv = join(cwd, 'recv');
  const { run: receiver, port } = await serveOnly(cwd, 'wdir=recv:rdirs=recv');
  t.teardown(() => stop(receiver));
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
  // The receiver serves what it received: the playlist names segments it has.
  const pl = await get(port, '/live/live_1.m3u8');
  t.is(pl.status, 200);
  t.true(pl.body.equals(await readFile(join(local, 'live_1.m3u8'))));
  for (const u of new Set(pl.body.toString().match(/source1_dash\d+\.m4s/g) ?? []))
    t.true(names.includes(u), `${u} listed but not received`);
  receiver.child.kill('SIGINT');
  t.is((await receiver.done).code, 0);
});
