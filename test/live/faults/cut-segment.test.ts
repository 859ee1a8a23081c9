/**
 * Issue 12 item 2: a segment cut while a client receives it chunk by chunk must end by closing the
 * connection without the last chunk (RFC 9112 §7.1), never with `0\r\n\r\n` (which says "whole": the
 * client and any cache would keep a short segment as complete). Two causes: SIGTERM, and the disk
 * filling up (a 2 MiB tmpfs mounted by the test and filled while segment 3 is produced; where mounting
 * is not allowed, segment 3's file is a symlink to /dev/full, whose writes fail with ENOSPC).
 * After each, the output is checked: every response that ended with the last chunk holds a whole
 * segment (2 s of media, the bytes of the file), every cut one stops on a part boundary.
 */
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdir, open, readFile, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe } from '../../dasher/helpers/cli.js';
import { WorkRoot } from '../../dasher/helpers/workdir.js';
import { listedFilesProblems } from '../../dasher/helpers/output.js';
import { mediaSeconds } from '../../httpout/output-check.js';
import { startOrigin } from './origin.js';
import { follow, rawGet } from './raw-client.js';
import type { RawResponse } from './raw-client.js';

const work = new WorkRoot('faults-cut');
test.after.always(() => work.cleanup());

function serve(cwd: string, rdir: string) {
  return startOrigin(cwd, `rdirs=${rdir}`, ['-runfor=30000'], 45_000);
}

/** Part boundaries of a segment: where each moof (after the styp) starts, and its end. */
function partEnds(seg: Buffer): number[] {
  const ends: number[] = [];
  let at = 0;
  while (at + 8 <= seg.length) {
    const size = seg.readUInt32BE(at);
    if (size < 8) break;
    const type = seg.toString('latin1', at + 4, at + 8);
    if (type === 'moof' && at > 0) ends.push(at);
    at += size;
  }
  ends.push(seg.length);
  return ends;
}

/**
 * Every segment response: whole and terminated, or cut without the last chunk. Returns the cut ones.
 */
async function checkResponses(
  t: ExecutionContext,
  responses: RawResponse[],
  init: Buffer,
  disk: (uri: string) => Promise<Buffer | undefined>,
): Promise<RawResponse[]> {
  const cut: RawResponse[] = [];
  for (const r of responses) {
    if (r.status !== 200) continue; // a hinted segment never produced (the run ended first)
    // A segment complete before it was asked for comes with Content-Length; one in production, chunked.
    const whole = r.headers['transfer-encoding'] === 'chunked' ? r.terminated : !r.cut;
    if (whole) {
      // Said whole: it must be (2 s of media; the same bytes as the file when the disk has them whole).
      const secs = mediaSeconds(init, r.body);
      t.true(secs !== undefined && Math.abs(secs - 2) < 0.05, `${r.path} ended as whole with ${secs} s`);
      const file = await disk(r.path.slice(1));
      if (file && file.length >= r.body.length) t.true(file.subarray(0, r.body.length).equals(r.body));
    } else {
      t.true(r.cut, `${r.path}: neither terminated nor cut`);
      cut.push(r);
      // Never a byte of an unfinished part: the body stops where a part (moof) starts, or is empty.
      if (r.body.length > 0) {
        const file = await disk(r.path.slice(1));
        const ref = file && file.length >= r.body.length ? file : undefined;
        if (ref) {
          t.true(ref.subarray(0, r.body.length).equals(r.body), `${r.path}: bytes differ from the file`);
          t.true(
            partEnds(ref).includes(r.body.length) || ref.length === r.body.length,
            `${r.path}: cut at byte ${r.body.length}, not a part boundary (${partEnds(ref).join(' ')})`,
          );
        }
      }
    }
  }
  return cut;
}

test('SIGTERM while a client receives a segment chunk by chunk: the connection closes without the last chunk', async (t) => {
  const cwd = await work.workDir(['source1', 'source2']);
  const run = await serve(cwd, 'out');
  const port = run.port;
  t.teardown(() => void run.child.kill('SIGKILL'));
  await waitServed(port, '/live_1.m3u8');
  const init = (await rawGet(port, '/source1_dashinit.mp4')).body;
  let killedOn: string | undefined;
  const followed = follow(port, '/live_1.m3u8', {
    onSegmentHead: (uri, nth) => {
      // The third segment: 0.6 s into its 2 s (one or two parts sent, more to come).
      if (nth !== 3) return;
      setTimeout(() => {
        killedOn = uri;
        run.child.kill('SIGTERM');
      }, 600);
    },
  });
  const { segments } = await followed;
  const res = await run.done;
  t.truthy(killedOn, describe(res));
  t.false(res.timedOut, describe(res));
  const disk = (uri: string) => readFile(join(cwd, 'out', uri)).catch(() => undefined);
  const cut = await checkResponses(t, segments, init, disk);
  t.true(
    cut.some((r) => r.path === `/${killedOn}`),
    `the segment in production (${killedOn}) ended cut; cut: ${cut.map((r) => r.path).join(' ')}`,
  );
  await checkDisk(t, join(cwd, 'out'));
});

/** The playlists left on disk name only bytes the disk has (the origin writes them behind its media). */
async function checkDisk(t: ExecutionContext, dir: string): Promise<void> {
  for (const name of ['live_1.m3u8', 'live_2.m3u8']) {
    const text = await readFile(join(dir, name), 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    t.deepEqual(await listedFilesProblems(dir, name, text), [], name);
  }
}

/** Mount a tmpfs of `size` at `dir` (root only); false when not allowed. */
function mountTmpfs(dir: string, size: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Fill the file system of `dir` up: write a file until ENOSPC. */
async function fillUp(dir: string): Promise<void> {
  const fh = await open(join(dir, 'filler'), 'w');
  const block = Buffer.alloc(4096, 1);
  try {
    for (;;) await fh.write(block);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    await fh.close().catch(() => undefined);
  }
}

test('disk full while a client receives a segment chunk by chunk: one clear error, the connection closes without the last chunk', async (t) => {
  const cwd = await work.workDir(['source1', 'source2']);
  const out = join(cwd, 'out');
  await mkdir(out);
  const tmpfs = mountTmpfs(out, '2m');
  if (tmpfs) t.teardown(() => void execFileSync('umount', ['-l', out], { stdio: 'ignore' }));
  else await symlink('/dev/full', join(out, 'source1_dash3.m4s'));
  t.log(tmpfs ? 'disk full: a 2 MiB tmpfs filled during segment 3' : 'disk full: segment 3 is /dev/full');
  const run = await serve(cwd, 'out');
  const port = run.port;
  t.teardown(() => void run.child.kill('SIGKILL'));
  await waitServed(port, '/live_1.m3u8');
  const init = (await rawGet(port, '/source1_dashinit.mp4')).body;
  let filledOn: string | undefined;
  const { segments } = await follow(port, '/live_1.m3u8', {
    onSegmentHead: (uri, nth) => {
      if (nth !== 3 || !tmpfs) return;
      filledOn = uri;
      void fillUp(out);
    },
  });
  const res = await run.done;
  t.is(res.code, 1, describe(res));
  const errors = res.stderr.split('\n').filter((l) => /no space left on device/.test(l));
  t.is(errors.length, 1, res.stderr);
  t.regex(errors[0] ?? '', /source\d_dash\d+\.m4s|live_\d\.m3u8|live\.m3u8/);
  // Segments the disk could not hold whole are compared with nothing but their own media.
  const disk = async (uri: string) => {
    const f = await readFile(join(out, uri)).catch(() => undefined);
    return f;
  };
  const cut = await checkResponses(t, segments, init, disk);
  const target = filledOn ?? 'source1_dash3.m4s';
  t.true(
    cut.some((r) => r.path === `/${target}`),
    `the segment in production (${target}) ended cut; cut: ${cut.map((r) => r.path).join(' ')}`,
  );
  if (tmpfs) await rm(join(out, 'filler'), { force: true });
  await checkDisk(t, out);
});

async function waitServed(port: number, path: string): Promise<void> {
  const end = performance.now() + 15_000;
  while (performance.now() < end) {
    const r = await rawGet(port, path, { timeoutMs: 2000 });
    if (r.status === 200) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`${path} not served within 15 s`);
}
