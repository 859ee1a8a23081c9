/**
 * Push mode against a real origin: nginx (Debian package `nginx`) with its WebDAV module
 * (`dav_methods PUT DELETE; create_full_put_path on;`), started on a free loopback port with its own
 * configuration and prefix in a temporary folder, stopped at the end. nginx accepts chunked PUT
 * bodies (it buffers them and writes the file when the body is complete); its DAV module has no POST.
 */
import test from 'ava';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, graphpac } from '../dasher/helpers/cli.js';
import { WorkRoot } from '../dasher/helpers/workdir.js';
import { freePort, get } from './helpers.js';
import { NGINX, startNginx } from './nginx.js';

const work = new WorkRoot('httpout-nginx');
test.after.always(() => work.cleanup());

test('GPAC push line against nginx (WebDAV PUT/DELETE): nginx ends with exactly the local copy', async (t) => {
  if (!NGINX) return t.fail('nginx is not installed: apt-get install -y nginx');
  const cwd = await work.workDir(['source1', 'source2']);
  const port = await freePort();
  const ngx = await startNginx(join(cwd, 'nginx'), port);
  t.teardown(() => ngx.stop());
  const res = await graphpac(
    [
      '-i',
      'source1',
      '-i',
      'source2',
      'reframer:rt=on',
      '-o',
      `http://127.0.0.1:${port}/live/live.m3u8:gpac:hmode=push:segdur=1:cdur=0.5:profile=live:dmode=dynamic:llhls=br:tsb=2:rdirs=local`,
      '-runfor=8500',
    ],
    { cwd, timeoutMs: 40_000 },
  );
  t.is(res.code, 0, describe(res));
  const local = join(cwd, 'local', 'live');
  const names = (await readdir(local)).sort();
  t.deepEqual((await readdir(join(ngx.www, 'live'))).sort(), names);
  for (const n of names)
    t.true((await readFile(join(ngx.www, 'live', n))).equals(await readFile(join(local, n))), `${n} differs`);
  const log = await readFile(join(cwd, 'nginx', 'access.log'), 'utf8');
  t.regex(log, /"PUT \/live\/source1_dash1\.m4s HTTP\/1\.1" 201/);
  t.regex(log, /"PUT \/live\/live_1\.m3u8 HTTP\/1\.1" 204/);
  t.regex(log, /"DELETE \/live\/source1_dash1\.m4s HTTP\/1\.1" 204/);
  t.false(names.includes('source1_dash1.m4s'));
  // What nginx serves is playable: the playlist names segments it has.
  const pl = await get(port, '/live/live_1.m3u8');
  t.is(pl.status, 200);
  for (const u of new Set(pl.body.toString().match(/source1_dash\d+\.m4s/g) ?? []))
    t.true(names.includes(u), `${u} listed but not on nginx`);
});
