/**
 * Issue 12 item 4: push to an origin that accepts connections but never answers. Two such origins at
 * once: one reads every request and never answers (a hung application), one never reads at all (a
 * hung process: the kernel accepts, then its buffers fill). The push must not stall silently: each
 * request has deadlines (connection, progress of the bytes sent, response: 5 s each), failed attempts
 * are retried within the 10 s budget, memory stays bounded meanwhile, and the run ends with one clear
 * error naming the URL and why, exit 1. The local copy keeps what was produced, playlists in order.
 */
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import type { Server as NetServer, Socket } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, startGraphpac } from '../../dasher/helpers/cli.js';
import { WorkRoot } from '../../dasher/helpers/workdir.js';
import { checkPlaylist } from '../../helpers/llhls-check.js';

const work = new WorkRoot('faults-push-hung');
test.after.always(() => work.cleanup());

async function listen(server: Server | NetServer): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const a = server.address();
  return a && typeof a === 'object' ? a.port : 0;
}

/** VmRSS of a process in MiB (Linux), sampled until stopped: the largest value. */
function rssSampler(pid: number): () => number {
  let max = 0;
  const t = setInterval(() => {
    void readFile(`/proc/${pid}/status`, 'utf8').then(
      (s) => (max = Math.max(max, Number(/VmRSS:\s+(\d+)/.exec(s)?.[1] ?? 0) / 1024)),
      () => undefined,
    );
  }, 250);
  return () => {
    clearInterval(t);
    return max;
  };
}

async function pushInto(t: ExecutionContext, port: number, cwd: string) {
  const run = startGraphpac(
    [
      '-i',
      'source1',
      '-i',
      'source2',
      'reframer:rt=on',
      '-o',
      `http://127.0.0.1:${port}/live.m3u8:gpac:hmode=push:segdur=1:cdur=0.5:profile=live:dmode=dynamic:llhls=br:rdirs=local`,
      '-runfor=60000',
    ],
    { cwd, timeoutMs: 70_000 },
  );
  t.teardown(() => void run.child.kill('SIGKILL'));
  const rss = rssSampler(run.child.pid!);
  const res = await run.done;
  return { res, rssMiB: rss() };
}

test('push to origins that accept but never answer: deadlines, retries, bounded memory, one clear error', async (t) => {
  const [cwdA, cwdB] = await Promise.all([
    work.workDir(['source1', 'source2']),
    work.workDir(['source1', 'source2']),
  ]);
  // A: reads every request, never answers.
  const held: Socket[] = [];
  const silent = createServer((req) => {
    req.resume();
    held.push(req.socket);
  });
  // B: accepts and never reads.
  const deaf = createNetServer({ pauseOnConnect: true }, (s) => held.push(s));
  const [portA, portB] = await Promise.all([listen(silent), listen(deaf)]);
  t.teardown(() => {
    for (const s of held) s.destroy();
    silent.close();
    deaf.close();
  });
  const [a, b] = await Promise.all([pushInto(t, portA, cwdA), pushInto(t, portB, cwdB)]);
  for (const [name, port, r, cwd] of [
    ['never answers', portA, a, cwdA],
    ['never reads', portB, b, cwdB],
  ] as const) {
    t.is(r.res.code, 1, `${name}: ${describe(r.res)}`);
    const lines = r.res.stderr.split('\n').filter((l) => /push to /.test(l));
    t.is(lines.length, 1, `${name}: ${r.res.stderr}`);
    t.notRegex(r.res.stderr, /GraphError|\n\s+at /, `${name}: a stack trace`);
    t.log(`${name}: ${Math.round(r.res.ms)} ms, peak RSS ${r.rssMiB.toFixed(0)} MiB: ${lines[0]}`);
    t.regex(
      lines[0] ?? '',
      new RegExp(
        `^graphpac: httpout: push to http://127\\.0\\.0\\.1:${port}/\\S+ failed: (no response within 5 s|the origin stopped reading the request for 5 s) \\(retried for 10 s\\)`,
      ),
      name,
    );
    // Deadlines + the retry budget: well before -runfor's 60 s (5 s to fail, 10 s of retries, one more 5 s).
    t.true(r.res.ms < 40_000, `${name}: ended after ${Math.round(r.res.ms)} ms`);
    t.true(r.rssMiB > 0 && r.rssMiB < 400, `${name}: peak RSS ${r.rssMiB.toFixed(0)} MiB`);
    // What was produced locally is intact: the playlists written are valid.
    const pl = await readFile(join(cwd, 'local', 'live_1.m3u8'), 'utf8').catch(() => undefined);
    if (pl !== undefined)
      t.deepEqual(
        checkPlaylist(pl).filter((v) => v.rule === 'tag-order'),
        [],
        name,
      );
  }
});
