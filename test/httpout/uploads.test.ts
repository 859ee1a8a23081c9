/**
 * Uploads into wdir stay inside it after every symlink is resolved (issue 12 item 5): a symlinked
 * folder leading outside cannot be written through nor have folders created under it, a symlink to a
 * file outside is replaced (its target untouched), DELETE removes a link and not its target, a folder
 * cannot be PUT over (409), a file in the way of a folder is 409, links that stay inside still work.
 */
import test from 'ava';
import { mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile, lstat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { get, originServer } from './helpers.js';

async function setup() {
  const base = await mkdtemp(join(tmpdir(), 'graphpac-uploads-'));
  const wdir = join(base, 'wdir');
  const outside = join(base, 'outside');
  await mkdir(wdir);
  await mkdir(outside);
  await writeFile(join(outside, 'target.txt'), 'precious');
  await mkdir(join(wdir, 'real'));
  await symlink(outside, join(wdir, 'esc'));
  await symlink(join(outside, 'target.txt'), join(wdir, 'lnk'));
  await symlink(join(wdir, 'real'), join(wdir, 'inlink'));
  await symlink(join(base, 'nowhere'), join(wdir, 'dangling'));
  await mkdir(join(wdir, 'adir'));
  await writeFile(join(wdir, 'afile'), 'x');
  const s = await originServer({ wdir });
  return { ...s, base, wdir, outside };
}

test('wdir uploads cannot escape through symlinks; folders and files in the way are 409', async (t) => {
  const { server, port, base, wdir, outside } = await setup();
  t.teardown(async () => {
    await server.close(200);
    await rm(base, { recursive: true, force: true });
  });
  const put = async (path: string, body = 'data') => (await get(port, path, { method: 'PUT', body })).status;
  const del = async (path: string) => (await get(port, path, { method: 'DELETE' })).status;

  // Through a symlinked folder leading outside: refused, nothing created there.
  t.is(await put('/esc/new/x.txt'), 403);
  t.is(await put('/esc/x.txt'), 403);
  t.is(await put('/esc/target.txt'), 403);
  t.deepEqual((await readdir(outside)).sort(), ['target.txt']);
  t.is(await readFile(join(outside, 'target.txt'), 'utf8'), 'precious');
  t.is(await put('/dangling/x.txt'), 403);
  // A symlink to a file outside: replaced by the upload, its target untouched.
  t.is(await put('/lnk', 'replaced'), 200);
  t.is(await readFile(join(outside, 'target.txt'), 'utf8'), 'precious');
  t.false((await lstat(join(wdir, 'lnk'))).isSymbolicLink());
  t.is(await readFile(join(wdir, 'lnk'), 'utf8'), 'replaced');
  // DELETE of a link removes the link, never its target; through a folder leading outside: refused.
  await symlink(join(outside, 'target.txt'), join(wdir, 'lnk2'));
  t.is(await del('/lnk2'), 200);
  t.is(await readFile(join(outside, 'target.txt'), 'utf8'), 'precious');
  t.is(await del('/esc/target.txt'), 403);
  t.is(await readFile(join(outside, 'target.txt'), 'utf8'), 'precious');
  // A folder cannot be PUT over; a file in the way of a folder; DELETE of a folder.
  t.is(await put('/adir'), 409);
  t.is(await put('/afile/x.txt'), 409);
  t.is(await del('/adir'), 409);
  t.true((await lstat(join(wdir, 'adir'))).isDirectory());
  // A link that stays inside wdir still works: the file lands in the real folder.
  t.is(await put('/inlink/y.txt', 'inside'), 201);
  t.is(await readFile(join(wdir, 'real', 'y.txt'), 'utf8'), 'inside');
  t.is(await readlink(join(wdir, 'inlink')), join(wdir, 'real'));
  // New folders are created one by one, inside.
  t.is(await put('/a/b/c/z.txt', 'deep'), 201);
  t.is(await readFile(join(wdir, 'a', 'b', 'c', 'z.txt'), 'utf8'), 'deep');
  // Too large by Content-Length: 413 before anything is written.
  const big = await get(port, '/big.bin', {
    method: 'PUT',
    headers: { 'Content-Length': String(60 << 20) },
  }).catch(() => undefined);
  t.is(big?.status, 413);
  // No temporary upload file left anywhere.
  const left: string[] = [];
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      if (e.name.includes('.upload-')) left.push(join(d, e.name));
      if (e.isDirectory()) await walk(join(d, e.name));
    }
  };
  await walk(wdir);
  t.deepEqual(left, []);
});
