/**
 * The CDN tier: Debian's nginx as a caching proxy in front of a live origin, configured with the recipe of
 * docs/DEPLOY.md (read from that file, so the documented block is the tested one). 120 LL-HLS clients follow
 * the live edge through it for 20 s: 60 on the byte-range playlist (llhls=br: blocking reload for the next
 * part, then that part's byte range), 60 on the part-file playlist (llhls=sf, brsf's _IF set: the part's
 * file). From nginx's own log: every blocking playlist URL and every part reached the origin at most twice,
 * and no client got an error. Then stock hls.js plays the part-file set through the edge.
 */
import test from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { startGraphpac, repoRoot } from '../dasher/helpers/cli.js';
import type { Running } from '../dasher/helpers/cli.js';
import { WorkRoot } from '../dasher/helpers/workdir.js';
import { freePort } from '../httpout/helpers.js';
import { CHROMIUM } from '../helpers/browser.js';
import { parsePlaylist } from '../helpers/llhls-check.js';
import { describeSummary, makeClips, summarize, watchLive } from '../helpers/latency-run.js';

const NGINX = ['/usr/sbin/nginx', 'nginx'].find((n) => spawnSync(n, ['-v']).status === 0);
const root = new WorkRoot('gp-cdn-');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const CLIENTS = 120;
const SECONDS = 20;

/** The nginx block of docs/DEPLOY.md (between its markers). */
async function recipe(): Promise<string> {
  const doc = await readFile(join(repoRoot, 'docs/DEPLOY.md'), 'utf8');
  const m =
    /<!-- tested nginx recipe: start -->\s*```nginx\n([\s\S]*?)```\s*<!-- tested nginx recipe: end -->/.exec(
      doc,
    );
  if (!m) throw new Error('docs/DEPLOY.md has no tested nginx recipe block');
  return m[1]!;
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  endMs: number;
}

function get(url: string, agent: Agent, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: { 'Accept-Encoding': 'identity', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
          endMs: Date.now(),
        }),
      );
    });
    req.setTimeout(15_000, () => req.destroy(new Error(`${url}: no answer in 15 s`)));
    req.on('error', reject);
    req.end();
  });
}

/** One LL-HLS client: tune in, then blocking reload for the next part and GET of every new part. */
async function client(
  edge: string,
  variant: string,
  stop: { now: boolean },
  errors: string[],
  answers: Map<string, number[]>,
): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: 6 });
  const seen = new Set<string>();
  let parts = 0;
  const fail = (what: string) => {
    if (!stop.now) errors.push(what);
  };
  try {
    let url = `${edge}/${variant}`;
    while (!stop.now) {
      const r = await get(url, agent).catch((e: Error) => e);
      if (stop.now) break;
      if (r instanceof Error || r.status !== 200) {
        fail(`${url}: ${r instanceof Error ? r.message : r.status}`);
        await sleep(100);
        continue;
      }
      if (url.includes('_HLS_msn')) (answers.get(url) ?? answers.set(url, []).get(url)!).push(r.endMs);
      const pl = parsePlaylist(r.body.toString());
      const last = pl.segments.at(-1);
      const msn = (last?.msn ?? (pl.mediaSequence ?? 0) - 1) + 1;
      // The parts listed, newest last: fetch those not seen yet (one after the other, as hls.js does).
      const listed = [
        ...pl.segments.slice(-1).flatMap((s) => s.parts.map((p, i) => ({ key: `${s.msn}.${i}`, p }))),
        ...pl.openParts.map((p, i) => ({ key: `${msn}.${i}`, p })),
      ];
      for (const { key, p } of listed) {
        if (seen.has(key) || stop.now) continue;
        seen.add(key);
        if (seen.size === 1) continue; // tune in at the edge: parts from the next one
        const range = p.byteRange
          ? {
              Range: `bytes=${p.byteRange.offset ?? 0}-${(p.byteRange.offset ?? 0) + p.byteRange.length - 1}`,
            }
          : undefined;
        const m = await get(`${edge}/${p.uri}`, agent, range).catch((e: Error) => e);
        if (m instanceof Error || m.status !== (range ? 206 : 200)) {
          fail(`${p.uri} ${range?.Range ?? ''}: ${m instanceof Error ? m.message : m.status}`);
          continue;
        }
        if (p.byteRange && m.body.length !== p.byteRange.length)
          fail(`${p.uri} ${range?.Range}: ${m.body.length} bytes`);
        parts++;
      }
      url = `${edge}/${variant}?_HLS_msn=${msn}&_HLS_part=${pl.openParts.length}`;
    }
  } finally {
    agent.destroy();
  }
  return parts;
}

let origin: Running | undefined;
let nginx: ChildProcess | undefined;
test.after.always(async () => {
  nginx?.kill('SIGTERM'); // our child, by its pid
  origin?.child.kill('SIGTERM');
  await origin?.done;
  await root.cleanup();
});

test('nginx with the DEPLOY.md recipe collapses 120 LL-HLS clients (br and sf): each blocking URL and part reaches the origin at most twice; hls.js plays through it', async (t) => {
  if (!NGINX) return t.fail('nginx is not installed: apt-get install -y nginx');
  if (!existsSync(CHROMIUM)) return t.fail(`Chromium is needed at ${CHROMIUM}`);
  const dir = await root.workDir([]);
  await makeClips(join(dir, 'v.mp4'), join(dir, 'a.mp4'), { seconds: 90, gopFrames: 25 });
  const [originPort, edgePort] = [await freePort(), await freePort()];
  origin = startGraphpac(
    [
      '-i',
      'v.mp4',
      '-i',
      'a.mp4',
      'reframer:rt=on',
      '-o',
      `http://127.0.0.1:${originPort}/live.mpd:gpac:dual:segdur=2:cdur=0.5:profile=live:dmode=dynamic:llhls=brsf:asto=1.5:rdirs=out:maxp=0:maxc=1000`,
    ],
    { cwd: dir, timeoutMs: 170_000 },
  );
  const prefix = join(dir, 'nginx');
  await mkdir(join(prefix, 'cache'), { recursive: true });
  const conf = `worker_processes 1;
worker_rlimit_nofile 8192;
daemon off;
pid ${join(prefix, 'nginx.pid')};
error_log ${join(prefix, 'error.log')};
${process.getuid?.() === 0 ? 'user root root;' : ''}
events { worker_connections 4096; }
http {
  log_format cdn '$msec "$request" $status $upstream_cache_status "$upstream_status" "$http_range"';
  access_log ${join(prefix, 'access.log')} cdn;
${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((k) => `  ${k}_temp_path ${join(prefix, k)};`).join('\n')}
${(await recipe())
  .replaceAll('ORIGIN', `127.0.0.1:${originPort}`)
  .replaceAll('EDGE_PORT', `127.0.0.1:${edgePort}`)
  .replaceAll('CACHE_DIR', join(prefix, 'cache'))}
}
`;
  await writeFile(join(prefix, 'nginx.conf'), conf);
  nginx = spawn(NGINX, ['-p', prefix, '-c', join(prefix, 'nginx.conf')], { stdio: 'ignore' });
  const edge = `http://127.0.0.1:${edgePort}`;
  const probe = new Agent({ keepAlive: false });
  for (let i = 0; ; i++) {
    const r = await get(`${edge}/live_1_IF.m3u8`, probe).catch(() => undefined);
    if (r?.status === 200 && parsePlaylist(r.body.toString()).segments.length) break;
    if (i > 300) return t.fail('no playlist through the edge within 30 s');
    await sleep(100);
  }

  const stop = { now: false };
  const errors: string[] = [];
  const answers = new Map<string, number[]>();
  const variants = ['live_1.m3u8', 'live_1_IF.m3u8'];
  const runs = Array.from({ length: CLIENTS }, (_, i) =>
    client(edge, variants[i % 2]!, stop, errors, answers),
  );
  await sleep(SECONDS * 1000);
  stop.now = true;
  const parts = (await Promise.all(runs)).reduce((a, b) => a + b, 0);
  t.deepEqual(errors.slice(0, 10), [], `${errors.length} client errors`);

  // nginx's log: the requests it passed to the origin, by URL (+ Range).
  await sleep(500);
  const log = await readFile(join(prefix, 'access.log'), 'utf8');
  const upstream = new Map<string, number>();
  let clientRequests = 0;
  for (const line of log.split('\n')) {
    const m = /^[\d.]+ "GET (\S+) [^"]*" (\d+) (\S+) "([^"]*)" "([^"]*)"$/.exec(line);
    if (!m) continue;
    clientRequests++;
    const [, url, , , upStatus, range] = m;
    if (upStatus === '-') continue;
    const key = `${url}${range && range !== '-' ? ` [${range}]` : ''}`;
    upstream.set(key, (upstream.get(key) ?? 0) + 1);
  }
  const blocking = [...upstream].filter(([k]) => k.includes('_HLS_msn='));
  const partFiles = [...upstream].filter(([k]) => /\.m4s\.\d+$/.test(k));
  const ranges = [...upstream].filter(([k]) => /\.m4s \[bytes=\d+-\d+\]$/.test(k));
  t.log(
    `${CLIENTS} clients, ${SECONDS} s: ${clientRequests} requests at the edge, ${[...upstream.values()].reduce((a, b) => a + b, 0)} to the origin; ${parts} parts fetched; ${blocking.length} blocking URLs, ${partFiles.length} part files, ${ranges.length} byte ranges reached the origin`,
  );
  t.true(blocking.length >= 2 * 2 * (SECONDS - 2), `blocking URLs seen: ${blocking.length}`);
  t.true(
    partFiles.length >= 2 * (SECONDS - 2) && ranges.length >= 2 * (SECONDS - 2),
    'parts of both kinds seen',
  );
  t.true(parts >= CLIENTS * (SECONDS - 4), `parts fetched by the clients: ${parts}`);
  const over = [...blocking, ...partFiles, ...ranges].filter(([, n]) => n > 2);
  t.deepEqual(over, [], 'reached the origin more than twice');
  // What the cache lock costs (nginx re-checks it every 500 ms): spread of one update's answers.
  const spreads = [...answers.values()]
    .filter((ts) => ts.length >= CLIENTS / 4)
    .map((ts) => Math.max(...ts) - Math.min(...ts))
    .sort((a, b) => a - b);
  if (spreads.length)
    t.log(
      `blocking reload answers of one update through the edge, last − first: median ${spreads[spreads.length >> 1]} ms, max ${spreads.at(-1)} ms (${spreads.length} updates)`,
    );

  // Stock hls.js through the edge (the part-file set).
  const r = await watchLive({ base: edge, player: 'hls', seconds: 15, query: 'hls=/live_IF.m3u8' });
  const s = summarize(r);
  t.log(`hls.js (stock) through nginx: ${describeSummary(s)}`);
  t.deepEqual(r.errors, [], 'no player error');
  t.not(s.startup, null, 'playback started');
  const first = r.samples.find((x) => x[0] >= (s.startup ?? 0));
  const last = r.samples.at(-1);
  t.true(
    first !== undefined && last !== undefined && last[1] - first[1] > 0.7 * (last[0] - first[0]),
    'playback advances',
  );
});
