/**
 * Push mode into a real nginx (WebDAV PUT/DELETE, test/httpout/nginx.ts) that goes down for 5 s in
 * the middle of a live run: its master is stopped by pid (SIGTERM: uploads in progress cut) and
 * started again on the same port. The run rides it out (retries within RETRY_BUDGET_MS = 10 s) and
 * nginx ends with exactly the local copy (rdirs): same files, same bytes, purged files gone, every
 * segment number uploaded.
 */
import test from 'ava';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, startGraphpac } from '../dasher/helpers/cli.js';
import { waitForFile } from '../helpers/run-cli.js';
import { WorkRoot } from '../dasher/helpers/workdir.js';
import { freePort, get } from './helpers.js';
import { NGINX, parseAccessLog, startNginx } from './nginx.js';

const work = new WorkRoot('httpout-nginx-outage');
test.after.always(() => work.cleanup());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const OUTAGE_MS = 5000;

test('push into nginx stopped for 5 s mid-run and restarted: nginx ends with the local copy, no segment lost', async (t) => {
  if (!NGINX) return t.fail('nginx is not installed: apt-get install -y nginx');
  const cwd = await work.workDir(['source1', 'source2']);
  const port = await freePort();
  const ngx = await startNginx(join(cwd, 'nginx'), port);
  t.teardown(() => ngx.stop());
  const run = startGraphpac(
    [
      '-i',
      'source1',
      '-i',
      'source2',
      'reframer:rt=on',
      '-o',
      `http://127.0.0.1:${port}/live/live.m3u8:gpac:hmode=push:segdur=1:cdur=0.5:profile=live:dmode=dynamic:llhls=br:tsb=2:rdirs=local`,
      '-runfor=9000',
    ],
    { cwd, timeoutMs: 19_000 },
  );
  t.teardown(() => void run.child.kill('SIGKILL'));
  const local = join(cwd, 'local', 'live');
  // Segment 3 in production: the push is well under way. Then the outage.
  await waitForFile(join(local, 'source1_dash3.m4s'), 8000);
  const pid = ngx.pid();
  t.truthy(pid);
  const down = Date.now();
  await ngx.stop();
  await sleep(OUTAGE_MS - (Date.now() - down));
  const refused = await get(port, '/', { timeoutMs: 500 }).then(
    () => false,
    () => true,
  );
  t.true(refused, 'nginx is down');
  await ngx.start();
  const up = Date.now();
  t.not(ngx.pid(), pid, 'a new nginx master');
  const res = await run.done;
  t.is(res.code, 0, describe(res));
  t.true(up - down >= OUTAGE_MS, `down for ${up - down} ms`);

  // nginx holds exactly the local copy: every file still listed, same bytes; purged files gone.
  const names = (await readdir(local)).sort();
  const served = (await readdir(join(ngx.www, 'live'))).sort();
  t.deepEqual(served, names);
  for (const n of names)
    t.true((await readFile(join(ngx.www, 'live', n))).equals(await readFile(join(local, n))), `${n} differs`);

  // Every segment of every representation was uploaded (2xx), numbered without holes, and the
  // purged ones were deleted; some uploads were made after the restart (the catch-up).
  const log = parseAccessLog(await readFile(ngx.accessLog, 'utf8'));
  const ok = (s: number) => s >= 200 && s < 300;
  for (const stem of ['source1_dash', 'source2_dash']) {
    const re = new RegExp(`^/live/${stem}(\\d+)\\.m4s$`);
    const localNums = names
      .map((n) => new RegExp(`^${stem}(\\d+)\\.m4s$`).exec(n)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    t.true(localNums.length >= 2, `${stem}: ${localNums.join(' ')}`);
    t.is(localNums.at(-1)! - localNums[0]! + 1, localNums.length, `${stem}: ${localNums.join(' ')}`);
    const last = localNums.at(-1)!;
    t.true(last >= 8, `${stem}: last segment ${last}`);
    const put = new Set<number>();
    const deleted = new Set<number>();
    for (const r of log) {
      const m = re.exec(r.path);
      if (!m || !ok(r.status)) continue;
      if (r.method === 'PUT') put.add(Number(m[1]));
      if (r.method === 'DELETE') deleted.add(Number(m[1]));
    }
    const missing = [...Array(last).keys()].map((i) => i + 1).filter((n) => !put.has(n));
    t.deepEqual(missing, [], `${stem}: segments never accepted by nginx`);
    const notDeleted = [...Array(localNums[0]! - 1).keys()].map((i) => i + 1).filter((n) => !deleted.has(n));
    t.deepEqual(notDeleted, [], `${stem}: purged segments never deleted`);
  }
  const after = log.filter((r) => r.t >= up - 50);
  t.true(
    after.some((r) => r.method === 'PUT' && /_dash\d+\.m4s$/.test(r.path) && ok(r.status)),
    'segments uploaded after the restart',
  );
  t.true(
    after.some((r) => r.method === 'PUT' && /live_1\.m3u8$/.test(r.path) && ok(r.status)),
    'playlists uploaded after the restart',
  );
  // No playlist reached nginx while it was down (sanity of the outage itself).
  t.false(
    log.some((r) => r.t > down + 200 && r.t < up - 200),
    'requests logged while nginx was down',
  );
  // What nginx serves at the end is playable: the playlist names segments it has.
  const pl = await get(port, '/live/live_1.m3u8');
  t.is(pl.status, 200);
  for (const u of new Set(pl.body.toString().match(/source1_dash\d+\.m4s/g) ?? []))
    t.true(names.includes(u), `${u} listed but not on nginx`);
});
