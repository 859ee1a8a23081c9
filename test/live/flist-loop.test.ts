/**
 * flist in real time: the 4 s clip looped forever through reframer:rt=on into LL-HLS crosses loop
 * points (every 4.02 s) while the playlists stay strictly valid and ffmpeg reads the result; and the
 * main job (`npm start`'s command line) runs until Ctrl-C, then flushes and exits 0 with ENDLIST.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { splitCommandLine } from '../../src/index.js';
import { parsePlaylist } from '../helpers/llhls-check.js';
import { describe, mediaDir, repoRoot, startGraphpac, waitForFile } from '../helpers/run-cli.js';
import { listedFilesProblems, readText, reportCheck, strictCheck } from '../dasher/helpers/output.js';

const run = promisify(execFile);
const VARIANTS = ['live_1.m3u8', 'live_2.m3u8'] as const;

let root: string;
test.before(async () => {
  root = await mkdtemp(join(tmpdir(), 'graphpac-flist-live-'));
});
test.after.always(() => rm(root, { recursive: true, force: true }));

async function readPair(dir: string): Promise<Record<string, string> | undefined> {
  const out: Record<string, string> = {};
  for (const v of VARIANTS) {
    const text = await readText(join(dir, v));
    if (text === undefined) return undefined;
    out[v] = text;
  }
  return out;
}

const mediaSeconds = (text: string) => parsePlaylist(text).segments.reduce((a, s) => a + s.duration, 0);

test.serial(
  'floop=-1 in real time crosses loop points; the live playlists stay strictly valid',
  async (t) => {
    const out = join(root, 'rt');
    const running = startGraphpac(
      [
        `flist:srcs=${join(mediaDir, 'av_2997_faststart.mp4')}:floop=-1`,
        'reframer:rt=on',
        '-o',
        `${out}/live.m3u8:segdur=1:cdur=0.5:profile=live:dmode=dynamic:llhls=br`,
        '-runfor=10000',
      ],
      { timeoutMs: 40_000 },
    );
    let exited = false;
    void running.done.then(() => (exited = true));
    // Snapshots while it runs: the two variants read twice 25 ms apart, kept when both reads agree.
    const problems: string[] = [];
    let snapshots = 0;
    let last = '';
    while (!exited) {
      await sleep(150);
      const a = await readPair(out);
      await sleep(25);
      const b = await readPair(out);
      if (exited || !a || !b || VARIANTS.some((v) => a[v] !== b[v])) continue;
      const key = VARIANTS.map((v) => a[v]).join('\0');
      if (key === last) continue;
      last = key;
      const found: string[] = [];
      try {
        for (const v of VARIANTS) {
          found.push(...(await strictCheck(out, a[v]!)).map((p) => `${v}: ${p}`));
          found.push(...(await listedFilesProblems(out, v, a[v]!)));
        }
      } catch (e) {
        // A manifest's temporary file vanished while the folder was listed: take the next snapshot.
        if ((e as { code?: string }).code === 'ENOENT') continue;
        throw e;
      }
      snapshots++;
      problems.push(...found, ...reportCheck(a));
    }
    const r = await running.done;
    t.is(r.code, 0, describe(r));
    t.true(snapshots >= 5, `${snapshots} snapshots`);
    t.deepEqual(problems, []);
    const final = (await readPair(out))!;
    for (const v of VARIANTS) {
      const text = final[v]!;
      t.true(text.trimEnd().endsWith('#EXT-X-ENDLIST'), `${v} ends with ENDLIST`);
      t.deepEqual(await strictCheck(out, text), [], `${v}: strict check`);
      // Two loop points (4.02 s, 8.05 s) are behind us after ~10 s (tolerant of a busy machine).
      t.true(mediaSeconds(text) > 8.1, `${v}: ${mediaSeconds(text)} s of media`);
    }
    t.deepEqual(reportCheck(final), []);
    const dec = await run('ffmpeg', ['-v', 'error', '-i', join(out, 'live.m3u8'), '-f', 'null', '-']);
    t.is(dec.stderr.trim(), '');
  },
);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

test.serial(
  'the main job (npm start) runs until Ctrl-C, then flushes and exits 0 with ENDLIST',
  async (t) => {
    const pkg = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const line = pkg.scripts.start!;
    const at = line.indexOf('bin/graphpac.js ');
    t.true(at > 0, line);
    // The start line itself, on a free port and writing into a temporary folder.
    const out = join(root, 'main');
    const port = await freePort();
    const args = splitCommandLine(line.slice(at + 'bin/graphpac.js '.length)).map((a) =>
      a.replace('127.0.0.1:8080', `127.0.0.1:${port}`).replace('rdirs=out/live', `rdirs=${out}`),
    );
    t.true(
      args.some((a) => a.startsWith('flist:') && a.includes('floop=-1')),
      args.join(' '),
    );
    t.false(
      args.some((a) => a.includes('linger')),
      'nothing to linger for: it never ends by itself',
    );
    const running = startGraphpac(args, { timeoutMs: 60_000 });
    await waitForFile(join(out, 'live_1.m3u8'), 30_000);
    await sleep(5_000);
    running.child.kill('SIGINT');
    const r = await running.done;
    t.is(r.code, 0, describe(r));
    for (const v of VARIANTS) {
      const text = await readFile(join(out, v), 'utf8');
      t.true(text.trimEnd().endsWith('#EXT-X-ENDLIST'), `${v} ends with ENDLIST`);
      t.deepEqual(await strictCheck(out, text), [], `${v}: strict check`);
    }
    const mpd = await readFile(join(out, 'live.mpd'), 'utf8');
    t.regex(mpd, /type="static"|mediaPresentationDuration/);
  },
);
