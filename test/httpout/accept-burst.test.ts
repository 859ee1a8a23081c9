/**
 * The origin from a graphpac command line with its accept points (accept-points.ts): port 0 (the URLs printed
 * and the MPD's UTCTiming name the port the system picked), a burst of hundreds of connections opened at once
 * all answered, the server thread below the packager's priority (Linux), HTTPS and HTTP/2 bursts, Ctrl-C with
 * connections open. Loopback only, a bounded number of requests.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { request as httpRequest, Agent } from 'node:http';
import { connect } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { describe, startGraphpac } from '../dasher/helpers/cli.js';
import type { Running } from '../dasher/helpers/cli.js';
import { WorkRoot } from '../dasher/helpers/workdir.js';

const work = new WorkRoot('httpout-accept');
test.after.always(() => work.cleanup());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const LIVE = 'segdur=1:cdur=0.25:profile=live:dmode=dynamic:llhls=br';

/** The port from the start-up line (`serving DIR at http://127.0.0.1:PORT/ - open …`). */
async function servedPort(
  run: Running,
  scheme: string,
  ms = 20_000,
): Promise<{ port: number; line: string }> {
  let err = '';
  run.child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const end = performance.now() + ms;
  const re = new RegExp(`serving .* at ${scheme}://127\\.0\\.0\\.1:(\\d+)/ - open [^"]*`);
  for (;;) {
    const m = re.exec(err);
    if (m) return { port: Number(m[1]), line: m[0] };
    if (performance.now() > end || run.child.exitCode !== null) throw new Error(`no start-up line:\n${err}`);
    await sleep(50);
  }
}

interface Answer {
  status: number;
  ms: number;
  version: string;
  body: string;
}

/** One request on a new connection of its own (the body kept if asked). */
function getOnce(port: number, path: string, tls: boolean, keepBody = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const options = { host: '127.0.0.1', port, path, agent: false as const, rejectUnauthorized: false };
    const req = (tls ? httpsRequest : httpRequest)(options, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => {
        if (keepBody) body += d.toString();
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0, version: res.httpVersion, body }),
      );
    });
    req.setTimeout(20_000, () => req.destroy(new Error(`no answer in 20 s on ${path}`)));
    req.on('error', reject);
    req.end();
  });
}

/** Waits until `path` answers 200. */
async function waitServed(port: number, path: string, tls: boolean, ms = 15_000): Promise<void> {
  const end = performance.now() + ms;
  for (;;) {
    const r = await getOnce(port, path, tls).catch(() => undefined);
    if (r?.status === 200) return;
    if (performance.now() > end) throw new Error(`${path} not served within ${ms} ms`);
    await sleep(100);
  }
}

/** Niceness of each thread of a process (Linux /proc). */
async function threadNiceness(pid: number): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const tid of await readdir(`/proc/${pid}/task`)) {
    const stat = await readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8').catch(() => '');
    // Fields after the command name (in parentheses): state is field 3, nice field 19.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (f.length > 16) out.set(Number(tid), Number(f[16]));
  }
  return out;
}

test('port 0, a burst of 500 new connections at once all answered, server thread niced, Ctrl-C exits', async (t) => {
  const cwd = await work.workDir(['source1', 'source2']);
  const run = startGraphpac(
    [
      '-i',
      'source1',
      '-i',
      'source2',
      'reframer:rt=on',
      '-o',
      `http://127.0.0.1:0/live.mpd:gpac:dual:${LIVE}:maxc=2000:maxp=0:rdirs=outdir`,
      '-runfor=40000',
      '-logs=httpout@debug',
    ],
    { cwd, timeoutMs: 60_000 },
  );
  t.teardown(() => run.child.kill('SIGKILL'));
  const { port, line } = await servedPort(run, 'http');
  t.true(port > 0);
  t.true(line.includes(`open http://127.0.0.1:${port}/live.mpd`), line);
  await waitServed(port, '/live_1.m3u8', false);

  const N = 500;
  const t0 = performance.now();
  const answers = await Promise.all(
    Array.from({ length: N }, () => getOnce(port, '/live_1.m3u8', false).catch((e: Error) => e)),
  );
  const wall = performance.now() - t0;
  const failed = answers.filter((a): a is Error => a instanceof Error);
  t.deepEqual(failed.map((e) => e.message).slice(0, 3), [], `${failed.length} of ${N} requests failed`);
  const ok = answers.filter((a): a is Answer => !(a instanceof Error));
  t.true(
    ok.every((a) => a.status === 200),
    ok.map((a) => a.status).join(' '),
  );
  const ms = ok.map((a) => a.ms).sort((a, b) => a - b);
  t.log(
    `${N} connections at once: all answered in ${Math.round(wall)} ms (median ${Math.round(ms[N >> 1]!)}, max ${Math.round(ms.at(-1)!)} ms)`,
  );

  // The MPD's UTCTiming names the port the system picked (the MPD is written again at the next part once the
  // origin listens: one written before names port 0, but nobody could fetch it then).
  const utc = new RegExp(`UTCTiming[^>]*value="http://127\\.0\\.0\\.1:${port}/time"`);
  let mpd = '';
  for (let i = 0; i < 20 && !utc.test(mpd); i++) {
    if (i) await sleep(100);
    mpd = (await getOnce(port, '/live.mpd', false, true)).body;
  }
  t.regex(mpd, utc);

  if (process.platform === 'linux') {
    const nice = await threadNiceness(run.child.pid!);
    const main = nice.get(run.child.pid!);
    const lowered = [...nice.values()].filter((n) => n === main! + 5);
    t.is(lowered.length, 1, JSON.stringify([...nice]));
  }

  // Ctrl-C with idle keep-alive connections open: a full flush, exit 0, promptly.
  const agent = new Agent({ keepAlive: true });
  await Promise.all(
    Array.from(
      { length: 20 },
      () =>
        new Promise<void>((resolve, reject) =>
          httpRequest({ host: '127.0.0.1', port, path: '/time', agent }, (res) => {
            res.resume();
            res.on('end', () => resolve());
          })
            .on('error', reject)
            .end(),
        ),
    ),
  );
  run.child.kill('SIGINT');
  const res = await run.done;
  agent.destroy();
  t.is(res.code, 0, describe(res));
  t.regex(
    res.stderr,
    new RegExp(`listening on http://127\\.0\\.0\\.1:${port} with 64 accept point\\(s\\) \\(helper`),
  );
  t.regex(await readFile(join(cwd, 'outdir', 'live_1.m3u8'), 'utf8'), /#EXT-X-ENDLIST/);
});

test('HTTPS with accept points: 100 HTTP/2 sessions and 100 HTTPS/1.1 connections at once, then -runfor ends the run', async (t) => {
  const cwd = await work.workDir(['source1']);
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1'].concat([
      '-keyout',
      join(cwd, 'key.pem'),
      '-out',
      join(cwd, 'cert.pem'),
    ]),
    { stdio: 'ignore' },
  );
  const run = startGraphpac(
    [
      '-i',
      'source1',
      'reframer:rt=on',
      '-o',
      `https://127.0.0.1:0/live.m3u8:gpac:${LIVE}:maxc=1000:maxp=0:rdirs=outdir:cert=cert.pem:pkey=key.pem`,
      '-runfor=12000',
    ],
    { cwd, timeoutMs: 60_000 },
  );
  t.teardown(() => run.child.kill('SIGKILL'));
  const { port } = await servedPort(run, 'https');
  await waitServed(port, '/live.m3u8', true);

  const h2 = Array.from(
    { length: 100 },
    () =>
      new Promise<number>((resolve, reject) => {
        const session = connect(`https://127.0.0.1:${port}`, { rejectUnauthorized: false });
        session.on('error', reject);
        const s = session.request({ ':path': '/live.m3u8' });
        let status = 0;
        s.on('response', (h) => (status = Number(h[':status'])));
        s.resume();
        s.on('end', () => {
          session.close();
          resolve(status);
        });
        s.on('error', reject);
      }),
  );
  const h1 = Array.from({ length: 100 }, () => getOnce(port, '/live.m3u8', true));
  const statuses = await Promise.all(h2);
  const h1Answers = await Promise.all(h1);
  t.deepEqual([...new Set(statuses)], [200]);
  t.deepEqual([...new Set(h1Answers.map((a) => `${a.status} HTTP/${a.version}`))], ['200 HTTP/1.1']);
  const res = await run.done;
  t.is(res.code, 0, describe(res));
});
