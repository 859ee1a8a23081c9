/**
 * -runfor on a real-time run: how much media it writes is a wall-clock matter (1.5 s of real time,
 * 1 s segments: more than 1 s and less than 3.5 s of media), so it runs in the quiet serial phase.
 * The flush itself (exit 0, ENDLIST) is tested in test/cli.
 */
import test from 'ava';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, graphpac } from '../dasher/helpers/cli.js';
import { WorkRoot } from '../dasher/helpers/workdir.js';

const work = new WorkRoot('live-cli-runfor');
test.after.always(() => work.cleanup());

test('-runfor=1500 on a real-time run writes about 1.5 s of media', async (t) => {
  const dir = await work.workDir(['source2']);
  const r = await graphpac(
    ['-i', 'source2', 'reframer:rt=on', '-o', 'res/a.m3u8:segdur=1:dmode=dynamic', '-runfor=1500'],
    { cwd: dir, timeoutMs: 20_000 },
  );
  t.is(r.code, 0, describe(r));
  const pl = await readFile(join(dir, 'res/a_1.m3u8'), 'utf8');
  const total = [...pl.matchAll(/#EXTINF:([\d.]+)/g)].reduce((a, m) => a + Number(m[1]), 0);
  t.true(total > 1 && total < 3.5, `media written: ${total} s`);
});
