/**
 * GPAC's server lines run unchanged after `graphpac` (127.0.0.1, a free port, short real-time runs):
 * the dual MPD + LL-HLS origin answering while it produces, and the startup errors.
 */
import test from 'ava';
import { createServer } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, graphpac, startGraphpac } from '../dasher/helpers/cli.js';
import { WorkRoot } from '../dasher/helpers/workdir.js';
import { freePort, get } from './helpers.js';

const work = new WorkRoot('httpout');
test.after.always(() => work.cleanup());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(port: number, path: string, ms: number): Promise<string> {
  const end = performance.now() + ms;
  for (;;) {
    const r = await get(port, path).catch(() => undefined);
    if (r?.status === 200) return r.body.toString();
    if (performance.now() > end) throw new Error(`${path} not served within ${ms} ms`);
    await sleep(100);
  }
}

test('dual MPD + LL-HLS origin (GPAC server_dual_br line): blocking reload, chunked segment, ranges, /time', async (t) => {
  const cwd = await work.workDir(['source1', 'source2']);
  const port = await freePort();
  const run = startGraphpac(
    [
      '-i',
      'source1',
      '-i',
      'source2',
      'reframer:rt=on',
      '-o',
      `http://127.0.0.1:${port}/live.mpd:gpac:dual:segdur=1:cdur=0.25:profile=live:dmode=dynamic:llhls=br:asto=0.75:rdirs=outdir:reqlog=*`,
      '-runfor=4500',
    ],
    { cwd, timeoutMs: 30_000 },
  );
  const text = await waitFor(port, '/live_1.m3u8', 20_000);
  t.regex(text, /CAN-BLOCK-RELOAD=YES/);
  t.regex(text, /CAN-SKIP-UNTIL=/);
  const last = [...text.matchAll(/URI="source1_dash(\d+)\.m4s"/g)].map((m) => Number(m[1])).at(-1)!;
  // msn alone for the next segment: held until its first part is listed.
  const next = get(port, `/live_1.m3u8?_HLS_msn=${last + 1}`);
  const bad = await get(port, '/live_1.m3u8?_HLS_part=1');
  t.is(bad.status, 400);
  t.is((await get(port, `/live_1.m3u8?_HLS_msn=${last + 3}`)).status, 400);
  const n = await next;
  t.is(n.status, 200);
  t.true(n.body.toString().includes(`source1_dash${last + 1}.m4s`));
  // The segment in production, whole: chunks arrive as parts are produced. Its first part was just listed
  // (the blocking reload above), so three parts (750 ms) are still to come; a hint taken from an earlier
  // playlist could name the segment's last part, finished before the request.
  const hint = /#EXT-X-PRELOAD-HINT:TYPE=PART,URI="(source1_dash\d+\.m4s)",BYTERANGE-START=(\d+)/.exec(
    n.body.toString(),
  )!;
  t.truthy(hint);
  t.is(hint[1], `source1_dash${last + 1}.m4s`);
  const seg = get(port, `/${hint[1]}`);
  const ranged = get(port, `/${hint[1]}`, { headers: { Range: `bytes=${hint[2]}-` } });
  const mpd = await get(port, '/live.mpd', { headers: { 'Accept-Encoding': 'gzip' } });
  t.is(mpd.status, 200);
  t.is(mpd.headers['content-type'], 'application/dash+xml');
  t.is(mpd.headers['content-encoding'], 'gzip');
  const time = await get(port, '/time');
  t.true(Math.abs(Date.parse(time.body.toString()) - Date.now()) < 2000);
  const s = await seg;
  t.is(s.status, 200);
  t.is(s.headers['transfer-encoding'], 'chunked');
  t.true(s.pieces.length >= 2, `${s.pieces.length} pieces`);
  // Part by part as produced (the exact order of bytes and parts: server.test.ts, on a manual clock).
  const r = await ranged;
  t.is(r.status, 206);
  t.regex(String(r.headers['content-range']), new RegExp(`^bytes ${hint[2]}-9007199254740991/\\*$`));
  t.true(r.body.length > 0);
  const res = await run.done;
  t.is(res.code, 0, describe(res));
  t.regex(res.stderr, new RegExp(`open http://127\\.0\\.0\\.1:${port}/live\\.mpd`));
  t.regex(res.stderr, /REQ#\d+ .*GET \/live_1\.m3u8/);
  // What was served is what is on disk.
  const disk = await readFile(join(cwd, 'outdir', hint[1]!));
  t.true(disk.equals(s.body));
  t.true(disk.subarray(Number(hint[2])).equals(r.body));
});

test('MPD-only GPAC line (server_br) runs and writes the files; port in use: one clear line, exit 1', async (t) => {
  const cwd = await work.workDir(['source1', 'source2']);
  const port = await freePort();
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', () => r()));
  try {
    const res = await graphpac(
      [
        '-i',
        'source1',
        'reframer:rt=on',
        '-o',
        `http://127.0.0.1:${port}/live.mpd:gpac:segdur=1:cdur=0.25:profile=live:dmode=dynamic:rdirs=outdir:llhls=br`,
        '-runfor=1000',
      ],
      { cwd, timeoutMs: 20_000 },
    );
    t.is(res.code, 1);
    t.regex(res.stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: the port is already in use`));
    t.is(res.stderr.match(/cannot listen/g)?.length, 1, res.stderr);
  } finally {
    blocker.close();
  }
  const ok = await graphpac(
    [
      '-i',
      'source1',
      '-i',
      'source2',
      '-o',
      `http://127.0.0.1:${port}/live.mpd:gpac:segdur=1:cdur=0.25:profile=live:dmode=dynamic:rdirs=outdir:llhls=br`,
    ],
    { cwd, timeoutMs: 20_000 },
  );
  t.is(ok.code, 0, describe(ok));
  const mpd = await readFile(join(cwd, 'outdir', 'live.mpd'), 'utf8');
  t.regex(mpd, /<MPD/);
  await t.notThrowsAsync(readFile(join(cwd, 'outdir', 'source1_dash1.m4s')));
});
