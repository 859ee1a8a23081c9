/**
 * Faults of the packager's side while a player follows the live edge (LL-HLS, 2 s segments, 0.5 s
 * parts): its output folder (rdirs) deleted mid-run, and the process stopped (SIGSTOP) for 3 s then
 * continued (SIGCONT). Each run must go on to its -runfor and exit 0; the player is answered
 * throughout (a stopped process answers late, not wrongly); every playlist version it received is
 * valid, in order, and names whole segments (checks.ts).
 */
import test from 'ava';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe } from '../../dasher/helpers/cli.js';
import { WorkRoot } from '../../dasher/helpers/workdir.js';
import { listedFilesProblems } from '../../dasher/helpers/output.js';
import { checkFollowed } from './checks.js';
import { startOrigin } from './origin.js';
import { follow, rawGet } from './raw-client.js';

const work = new WorkRoot('faults-packager');
test.after.always(() => work.cleanup());

async function ready(port: number): Promise<Uint8Array> {
  for (let i = 0; i < 300; i++) {
    const r = await rawGet(port, '/live_1.m3u8', { timeoutMs: 2000 });
    if (r.status === 200) return (await rawGet(port, '/source1_dashinit.mp4')).body;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error('the origin never served its playlist');
}

test('rdirs deleted mid-run: made again with one warning, the live edge served throughout', async (t) => {
  const cwd = await work.workDir(['source1', 'source2']);
  const run = await startOrigin(cwd, 'rdirs=out', ['-runfor=11000']);
  t.teardown(() => void run.child.kill('SIGKILL'));
  const init = await ready(run.port);
  let deletedAt: string | undefined;
  const followed = await follow(run.port, '/live_1.m3u8', {
    onSegmentHead: (uri, nth) => {
      if (nth !== 2 || deletedAt) return;
      deletedAt = uri;
      // As a cleaning job would. Files the run makes meanwhile can make its last rmdir fail (ENOTEMPTY):
      // rm tries again then, so the folder is really gone once (with the error ignored, a run where every
      // rmdir lost that race left the folder in place and saw no warning).
      void rm(join(cwd, 'out'), { recursive: true, force: true, maxRetries: 20, retryDelay: 5 }).catch(
        () => undefined,
      );
    },
  });
  const res = await run.done;
  t.is(res.code, 0, describe(res));
  t.truthy(deletedAt);
  const warnings = res.stderr.split('\n').filter((l) => /was removed during the run: made again/.test(l));
  t.true(warnings.length >= 1 && warnings.length <= 2, res.stderr); // the folder, then maybe a subfolder race
  t.deepEqual(followed.failures, []);
  t.true((await checkFollowed(t, 'live_1 (folder deleted)', followed, init)) >= 3);
  // What was written after the deletion is on disk again, whole: the last playlist's segments from the
  // deletion on exist with the bytes it names.
  const text = await readFile(join(cwd, 'out', 'live_1.m3u8'), 'utf8');
  const after = Number(/(\d+)\.m4s$/.exec(deletedAt!)?.[1] ?? 0) + 1;
  const kept = new Set(await readdir(join(cwd, 'out')));
  const late = text
    .split('\n')
    .filter((l) => /^source1_dash(\d+)\.m4s$/.test(l) && Number(/(\d+)/.exec(l.slice(12))?.[1]) >= after);
  t.true(late.length >= 2, `segments written after the deletion: ${late.join(' ')}`);
  for (const l of late) t.true(kept.has(l), `${l} not on disk`);
  const problems = await listedFilesProblems(join(cwd, 'out'), 'live_1.m3u8', text);
  // What was written before the deletion went with the folder (the init segment, earlier segments and
  // their parts): only those may be missing.
  const before = (p: string) => {
    const n = /source1_dash(\d+)\.m4s does not exist/.exec(p)?.[1];
    return /source1_dashinit\.mp4 does not exist/.test(p) || (n !== undefined && Number(n) < after);
  };
  t.deepEqual(
    problems.filter((p) => !before(p)),
    [],
  );
});

test('packager stopped 3 s (SIGSTOP) then continued: answers come late, never wrong', async (t) => {
  const cwd = await work.workDir(['source1', 'source2']);
  const run = await startOrigin(cwd, 'rdirs=out', ['-runfor=11000']);
  t.teardown(() => void run.child.kill('SIGKILL'));
  const init = await ready(run.port);
  let stopped = false;
  const followed = await follow(run.port, '/live_1.m3u8', {
    onSegmentHead: (_uri, nth) => {
      if (nth !== 2 || stopped) return;
      stopped = true;
      setTimeout(() => {
        run.child.kill('SIGSTOP');
        setTimeout(() => run.child.kill('SIGCONT'), 3000);
      }, 600);
    },
  });
  const res = await run.done;
  t.is(res.code, 0, describe(res));
  t.true(stopped);
  t.deepEqual(followed.failures, []);
  for (const s of followed.segments.filter((x) => x.status === 200))
    t.true(s.terminated || s.headers['transfer-encoding'] !== 'chunked', `${s.path} cut`);
  t.true((await checkFollowed(t, 'live_1 (stopped 3 s)', followed, init, join(cwd, 'out'))) >= 3);
  const text = await readFile(join(cwd, 'out', 'live_1.m3u8'), 'utf8');
  t.deepEqual(await listedFilesProblems(join(cwd, 'out'), 'live_1.m3u8', text), []);
});
