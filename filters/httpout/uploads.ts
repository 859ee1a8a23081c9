/**
 * Uploads into `wdir` (PUT / POST store a body, DELETE removes a file), confined to wdir after every
 * symlink is resolved. A symlink already in the folder must not let an upload out:
 *  - folders are walked and created one component at a time (mkdir without `recursive`), each checked
 *    with lstat: a real folder, or a symlink whose real path is a folder inside wdir;
 *  - the body goes to a new temporary file in the checked folder, created with O_CREAT | O_EXCL |
 *    O_NOFOLLOW (never an existing file, never through a link), whose real location is verified once
 *    open (same inode at the folder's real path, inside wdir); it is then renamed over the final name —
 *    rename(2) replaces a symlink there instead of writing through it. Readers never see half a file.
 *  - DELETE unlinks the name itself (a symlink, not its target), in a checked folder.
 * What remains is the race a local user with write access to wdir could run between a check and its
 * use (Node has no openat/renameat): an HTTP client alone cannot create symlinks.
 * Answers: 201 created, 200 replaced / deleted, 403 outside wdir, 404 no such file (DELETE), 409 the
 * name or one of its folders is not what it must be (a folder to PUT on, a file in the way), 413 too
 * large, 400 upload cut.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, join, sep } from 'node:path';
import { sendSimple } from './delivery.js';
import type { Exchange } from './delivery.js';

/** Largest upload accepted with wdir. */
export const MAX_UPLOAD = 50 * 1024 * 1024;

export function inside(root: string, p: string): boolean {
  return p === root || p.startsWith(root.endsWith(sep) ? root : root + sep);
}

type Refusal = { status: 403 | 404 | 409; reason: string };

const errno = (e: unknown): string | undefined => (e as NodeJS.ErrnoException).code;

/** The real folder holding `parts`' last name, walked (and created if `create`) from the real wdir. */
async function parentOf(realRoot: string, parts: string[], create: boolean): Promise<string | Refusal> {
  let dir = realRoot;
  for (const name of parts.slice(0, -1)) {
    const p = join(dir, name);
    let st = await lstat(p).catch(() => undefined);
    if (!st) {
      if (!create) return { status: 404, reason: 'not found' };
      try {
        await mkdir(p, { mode: 0o755 });
      } catch (e) {
        if (errno(e) !== 'EEXIST') throw e;
      }
      st = await lstat(p);
    }
    if (st.isSymbolicLink()) {
      const real = await realpath(p).catch(() => undefined);
      if (!real || !inside(realRoot, real)) return { status: 403, reason: 'forbidden' };
      if (!(await stat(real)).isDirectory()) return { status: 409, reason: `${name} is not a folder` };
      dir = real;
    } else if (st.isDirectory()) dir = p;
    else return { status: 409, reason: `${name} is not a folder` };
  }
  // Checked step by step; the whole must still resolve inside (a folder swapped meanwhile).
  const real = await realpath(dir).catch(() => undefined);
  if (!real || !inside(realRoot, real)) return { status: 403, reason: 'forbidden' };
  return real;
}

/** PUT / POST / DELETE of the decoded request path `path` under `wdir`. */
export async function upload(x: Exchange, wdir: string, path: string): Promise<void> {
  const parts = path.split('/').filter((s) => s !== '' && s !== '.');
  if (parts.length === 0 || parts.some((s) => s === '..' || s.includes('\\')))
    return sendSimple(x, 403, 'forbidden\n', 'error');
  await mkdir(wdir, { recursive: true });
  const realRoot = await realpath(wdir);
  const del = x.req.method === 'DELETE';
  const dir = await parentOf(realRoot, parts, !del);
  if (typeof dir !== 'string') return sendSimple(x, dir.status, `${dir.reason}\n`, 'error');
  const name = parts.at(-1)!;
  const final = join(dir, name);
  const before = await lstat(final).catch(() => undefined);
  if (before?.isDirectory()) return sendSimple(x, 409, 'a folder has this name\n', 'error');
  if (del) {
    if (!before) return sendSimple(x, 404, 'not found\n', 'error');
    await unlink(final); // the name itself: a symlink goes, not what it points to
    return sendSimple(x, 200, 'deleted\n', 'error');
  }
  const len = Number(x.req.headers['content-length'] ?? 0);
  if (len > MAX_UPLOAD) return sendSimple(x, 413, 'too large\n', 'error');
  const tmp = join(dir, `.${name}.upload-${randomBytes(6).toString('hex')}`);
  const fh = await open(
    tmp,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    0o644,
  );
  let ok = false;
  try {
    // Where the file really is: the checked folder, still inside wdir.
    const [mine, there] = await Promise.all([
      fh.stat(),
      realpath(dir).then(
        async (real) => (inside(realRoot, real) ? await lstat(join(real, basename(tmp))) : undefined),
        () => undefined,
      ),
    ]);
    if (!there || there.ino !== mine.ino || there.dev !== mine.dev) {
      sendSimple(x, 403, 'forbidden\n', 'error');
      return;
    }
    let size = 0;
    try {
      for await (const chunk of x.req as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > MAX_UPLOAD) {
          x.req.destroy();
          break;
        }
        await fh.write(chunk);
      }
    } catch {
      // the client went away
    }
    if (size > MAX_UPLOAD || !x.req.complete) {
      if (!x.res.destroyed)
        sendSimple(
          x,
          size > MAX_UPLOAD ? 413 : 400,
          size > MAX_UPLOAD ? 'too large\n' : 'upload cut\n',
          'error',
        );
      return;
    }
    await fh.close();
    await rename(tmp, final);
    ok = true;
    sendSimple(x, before ? 200 : 201, before ? 'updated\n' : 'created\n', 'error');
  } finally {
    if (!ok) {
      await fh.close().catch(() => undefined);
      await unlink(tmp).catch(() => undefined); // our own new file (O_EXCL)
    }
  }
}
