/**
 * The origin over real HTTP on 127.0.0.1, fed by hand through the file writer's hooks (exactly the
 * calls fout's pipeline makes): directives, held requests, chunked delivery part by part, ranges,
 * headers, security and limits. No engine, and the origin's time is a manual clock: held requests
 * and their deadlines are checked by moving it, the order of events by looking, never by timing.
 */
import test from 'ava';
import { appendFile, mkdir, symlink, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { OriginServer } from '../../filters/httpout/server.js';
import type { PacketProps } from '../../src/index.js';
import { get, originServer, quietLog } from './helpers.js';
import type { Reply } from './helpers.js';
import { ManualTimers } from './manual-timers.js';
import { OriginServer as Origin } from '../../filters/httpout/server.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function playlist(msn: number, part: number, extra = ''): string {
  return `#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXT-X-PART-INF:PART-TARGET=0.25\n#STATE:${msn}/${part}\n${extra}#EXT-X-PRELOAD-HINT:TYPE=PART,URI="hinted.m4s.2"\n`;
}

function publish(
  server: OriginServer,
  root: string,
  msn: number,
  part: number,
  more: PacketProps = {},
): void {
  const text = playlist(msn, part);
  server.store.hooks().replaced?.(join(root, 'v.m3u8'), Buffer.from(text), {
    HLSVariant: true,
    HLSLastMsn: msn,
    HLSLastPart: part,
    HLSEnded: false,
    HLSTargetDuration: 1,
    HLSSkipYES: '#EXTM3U\n#DELTA-YES\n',
    HLSSkipV2: '#EXTM3U\n#DELTA-V2\n',
    ...more,
  });
}

async function withServer(
  fn: (s: { server: OriginServer; port: number; root: string; clock: ManualTimers }) => Promise<void>,
  over = {},
): Promise<void> {
  // The origin's time is a manual clock: held requests time out when the test moves it, never by waiting.
  const clock = new ManualTimers();
  const s = await originServer(over, clock);
  try {
    await fn({ ...s, clock });
  } finally {
    await s.server.close(200);
  }
}

/** A GET whose body can be looked at while it arrives. */
function stream(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): { received: () => number; reply: Promise<Reply> } {
  let n = 0;
  const reply = new Promise<Reply>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => {
        chunks.push(d);
        n += d.length;
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
          pieces: [],
          ms: 0,
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
  return { received: () => n, reply };
}

/** Requests held on the origin's clock: its timers but the sweep of idle connections (always one). */
const heldCount = (clock: ManualTimers): number => clock.pending - 1;

/** A request whose completion can be checked without waiting for it. */
function pending<T>(p: Promise<T>): { p: Promise<T>; done: () => boolean } {
  let done = false;
  void p.then(
    () => (done = true),
    () => (done = true),
  );
  return { p, done: () => done };
}

/** Let real I/O happen (a request reach the server, an answer come back), then check. */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (check()) return;
    await sleep(10);
  }
  throw new Error(`never happened: ${what}`);
}

test('playlist: 200 with type, ETag, Age, Cache-Control TD/2; 304 on If-None-Match; gzip; HEAD', async (t) => {
  await withServer(async ({ server, port, root }) => {
    publish(server, root, 5, 1);
    const r = await get(port, '/v.m3u8');
    t.is(r.status, 200);
    t.is(r.headers['content-type'], 'application/vnd.apple.mpegurl');
    t.is(r.headers['cache-control'], 'public, max-age=1');
    t.is(r.headers.age, '0');
    t.truthy(r.headers.etag);
    t.true(r.body.toString().includes('#STATE:5/1'));
    const again = await get(port, '/v.m3u8', { headers: { 'If-None-Match': r.headers.etag! } });
    t.is(again.status, 304);
    t.is(again.body.length, 0);
    const z = await get(port, '/v.m3u8', { headers: { 'Accept-Encoding': 'gzip, br' } });
    t.is(z.headers['content-encoding'], 'gzip');
    t.is(gunzipSync(z.body).toString(), r.body.toString());
    const head = await get(port, '/v.m3u8', { method: 'HEAD' });
    t.is(head.status, 200);
    t.is(head.body.length, 0);
    t.is(head.headers['content-length'], String(r.body.length));
  });
});

test('directives: 400 for part without msn, msn > last + 2, past the advance part limit, malformed', async (t) => {
  await withServer(async ({ server, port, root }) => {
    publish(server, root, 5, 1);
    for (const qs of [
      '_HLS_part=2',
      '_HLS_msn=8',
      '_HLS_msn=7&_HLS_part=10',
      '_HLS_msn=5&_HLS_part=14',
      '_HLS_msn=abc',
      '_HLS_msn=99999999999999999999999',
      '_HLS_msn=-3',
    ]) {
      const r = await get(port, `/v.m3u8?${qs}`);
      t.is(r.status, 400, qs);
    }
    const r = await get(port, '/v.m3u8?_HLS_msn=8');
    t.is(r.headers['cache-control'], 'public, max-age=4'); // blocking error: 4 × TD
  });
});

test('blocking reload: held until the part exists; part overflow = part 0 of the next segment; msn alone', async (t) => {
  await withServer(async ({ server, port, root, clock }) => {
    publish(server, root, 5, 1);
    // The part exists: answered at once (held 0 ms on the origin's clock).
    const now = await get(port, '/v.m3u8?_HLS_msn=5&_HLS_part=1');
    t.is(now.status, 200);
    t.is(now.headers['block-duration'], '0');
    t.is(now.headers['cache-control'], 'public, max-age=6'); // blocking: 6 × TD
    const part2 = pending(get(port, '/v.m3u8?_HLS_msn=5&_HLS_part=2'));
    const overflow = pending(get(port, '/v.m3u8?_HLS_msn=5&_HLS_part=4'));
    const msnOnly = pending(get(port, '/v.m3u8?_HLS_msn=6'));
    await until(() => heldCount(clock) === 3, 'three requests held');
    clock.advance(300);
    await sleep(50);
    t.false(part2.done(), 'held until the part exists');
    publish(server, root, 5, 2);
    const a = await part2.p;
    t.is(a.status, 200);
    t.is(a.headers['block-duration'], '300');
    t.true(a.body.toString().includes('#STATE:5/2'));
    publish(server, root, 5, 3); // the last part of segment 5: part 4 does not exist
    await sleep(50);
    t.false(overflow.done() || msnOnly.done(), 'part 4 of segment 5 = part 0 of segment 6');
    publish(server, root, 6, 0);
    const [b, c] = await Promise.all([overflow.p, msnOnly.p]);
    t.is(b.status, 200);
    t.true(b.body.toString().includes('#STATE:6/0'), b.body.toString());
    t.is(c.status, 200);
    t.true(c.body.toString().includes('#STATE:6/0'));
  });
});

test('blocking reload: 503 after 3 target durations', async (t) => {
  await withServer(async ({ server, port, root, clock }) => {
    publish(server, root, 5, 1);
    const held = pending(get(port, '/v.m3u8?_HLS_msn=6&_HLS_part=3'));
    await until(() => heldCount(clock) === 1, 'the request held');
    clock.advance(2999);
    await sleep(50);
    t.false(held.done(), 'still held at 2,999 ms');
    clock.advance(1);
    const r = await held.p;
    t.is(r.status, 503);
    t.regex(r.body.toString(), /not available after 3000 ms/);
    t.is(r.headers['cache-control'], 'public, max-age=4');
  });
});

test('skip: delta texts; ENDLIST: directives and skip ignored', async (t) => {
  await withServer(async ({ server, port, root }) => {
    publish(server, root, 5, 1);
    t.is((await get(port, '/v.m3u8?_HLS_skip=YES')).body.toString(), '#EXTM3U\n#DELTA-YES\n');
    t.is((await get(port, '/v.m3u8?_HLS_skip=v2')).body.toString(), '#EXTM3U\n#DELTA-V2\n');
    t.is((await get(port, '/v.m3u8?_HLS_msn=5&_HLS_skip=YES')).body.toString(), '#EXTM3U\n#DELTA-YES\n');
    publish(server, root, 5, 1, { HLSEnded: true });
    const r = await get(port, '/v.m3u8?_HLS_msn=99&_HLS_part=50&_HLS_skip=YES');
    t.is(r.status, 200);
    t.is(r.headers['block-duration'], undefined, 'not held');
    t.true(r.body.toString().includes('#STATE:5/1'));
  });
});

test('segment in production: chunked, part by part as the writer reports them, never an unfinished part', async (t) => {
  await withServer(async ({ server, port, root }) => {
    const h = server.store.hooks();
    const path = join(root, 'seg1.m4s');
    const part = (n: number, fill: number) => Buffer.alloc(n, fill);
    await writeFile(path, part(1000, 1));
    h.opened?.(path, 'file');
    h.progress?.(path, 1000);
    h.boundary?.(path, 1000);
    const whole = stream(port, '/seg1.m4s');
    const ranged = stream(port, '/seg1.m4s', { Range: 'bytes=1000-' });
    const rangedBig = stream(port, '/seg1.m4s', { Range: 'bytes=1000-9007199254740991' });
    // The complete part is sent at once; the ranges wait for the part starting at byte 1000.
    await until(() => whole.received() === 1000, 'part 1 sent');
    // Half a part written: nothing of it may be sent.
    await appendFile(path, part(500, 2));
    h.progress?.(path, 1500);
    await sleep(100);
    t.is(whole.received(), 1000, 'no byte of an unfinished part');
    t.is(ranged.received() + rangedBig.received(), 0);
    await appendFile(path, part(500, 2));
    h.progress?.(path, 2000);
    h.boundary?.(path, 2000);
    await until(() => whole.received() === 2000 && ranged.received() === 1000, 'part 2 sent');
    await appendFile(path, part(700, 3));
    h.progress?.(path, 2700);
    await sleep(100);
    t.is(whole.received(), 2000, 'no byte of an unfinished part');
    h.boundary?.(path, 2700);
    h.closed?.(path, 2700);
    const [w, r, rb] = await Promise.all([whole.reply, ranged.reply, rangedBig.reply]);
    t.is(w.status, 200);
    t.is(w.headers['transfer-encoding'], 'chunked');
    t.is(w.headers['content-type'], 'video/iso.segment');
    t.is(w.body.length, 2700);
    for (const x of [r, rb]) {
      t.is(x.status, 206);
      t.is(x.headers['content-range'], 'bytes 1000-9007199254740991/*');
      t.is(x.body.length, 1700);
      t.true(x.body.subarray(0, 1000).every((b) => b === 2));
    }
    // Complete now: Content-Length, ETag, ranges with known size.
    const done = await get(port, '/seg1.m4s', { headers: { Range: 'bytes=2000-' } });
    t.is(done.status, 206);
    t.is(done.headers['content-range'], 'bytes 2000-2699/2700');
    t.is(done.headers['content-length'], '700');
    const bad = await get(port, '/seg1.m4s', { headers: { Range: 'bytes=5000-' } });
    t.is(bad.status, 416);
  });
});

test('preload-hinted resource: held until it exists (then sent once complete); abandoned: 404 after 3 × TD', async (t) => {
  await withServer(async ({ server, port, root, clock }) => {
    publish(server, root, 5, 1);
    const h = server.store.hooks();
    const held = pending(get(port, '/hinted.m4s.2'));
    await until(() => heldCount(clock) === 1, 'the hinted request held');
    const path = join(root, 'hinted.m4s.2');
    await writeFile(path, Buffer.alloc(300, 7));
    h.opened?.(path, 'part');
    h.progress?.(path, 300);
    await sleep(100);
    t.false(held.done(), 'a part file is sent once complete');
    h.closed?.(path, 300);
    const r = await held.p;
    t.is(r.status, 200);
    t.is(r.body.length, 300);
    t.is((await get(port, '/not-hinted.m4s')).status, 404);
    publish(server, root, 5, 2); // hint still names hinted.m4s.2; a new hint target never comes
    server.store
      .hooks()
      .replaced?.(join(root, 'w.m3u8'), Buffer.from(playlist(1, 0).replace('hinted.m4s.2', 'never.m4s')), {
        HLSVariant: true,
        HLSLastMsn: 1,
        HLSLastPart: 0,
        HLSTargetDuration: 1,
      });
    const waiting = pending(get(port, '/never.m4s'));
    await until(() => heldCount(clock) === 1, 'the never-coming hint held');
    clock.advance(2999);
    await sleep(50);
    t.false(waiting.done());
    clock.advance(1);
    t.is((await waiting.p).status, 404);
  });
});

test('security: 404, 405 without wdir (501 PATCH), traversal raw / encoded / symlink, OPTIONS and CORS, /time', async (t) => {
  await withServer(async ({ port, root }) => {
    await writeFile(join(root, 'a.mp4'), 'data');
    await mkdir(join(root, 'sub'));
    await symlink('/etc', join(root, 'sub', 'etc'));
    t.is((await get(port, '/missing.m4s')).status, 404);
    for (const m of ['PUT', 'POST', 'DELETE', 'PATCH']) {
      const r = await get(port, '/a.mp4', { method: m, body: 'x' });
      // PATCH is implemented nowhere here: 501 (RFC 9110 §9.1); the others need wdir: 405.
      t.is(r.status, m === 'PATCH' ? 501 : 405, m);
      t.is(r.headers.allow, 'GET, HEAD, OPTIONS');
    }
    for (const p of [
      '/../etc/passwd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/sub/..%2f..%2fetc/passwd',
      '/sub/etc/passwd',
      '/%2E%2E/x',
    ])
      t.is((await get(port, p)).status, 403, p);
    t.is((await get(port, '/%zz')).status, 400);
    t.is((await get(port, '/')).status, 403);
    const ok = await get(port, '/a.mp4', { headers: { Origin: 'http://player.example' } });
    t.is(ok.status, 200);
    t.is(ok.headers['content-type'], 'video/mp4');
    t.is(ok.headers['access-control-allow-origin'], 'http://player.example');
    t.true(String(ok.headers['access-control-expose-headers']).includes('Age'));
    const noOrigin = await get(port, '/a.mp4');
    t.is(noOrigin.headers['access-control-allow-origin'], undefined);
    const pre = await get(port, '/a.mp4', {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://p',
        'Access-Control-Request-Method': 'GET',
        'Access-Control-Request-Headers': 'range',
      },
    });
    t.is(pre.status, 204);
    t.is(pre.headers['access-control-allow-headers'], 'range');
    t.true(String(pre.headers['access-control-allow-methods']).includes('GET'));
    const time = await get(port, '/time');
    t.is(time.status, 200);
    t.true(Math.abs(Date.parse(time.body.toString()) - Date.now()) < 2000);
    t.is(time.headers['cache-control'], 'no-store');
  });
});

test('limits: held requests per client, huge headers 431, garbage 400, the server survives', async (t) => {
  await withServer(async ({ server, port, root }) => {
    publish(server, root, 5, 1);
    const holds = Array.from({ length: 16 }, () => get(port, '/hinted.m4s.2').catch(() => undefined));
    await sleep(200);
    t.is((await get(port, '/hinted.m4s.2')).status, 429);
    const huge = await get(port, '/v.m3u8', { headers: { 'X-Big': 'a'.repeat(40_000) } }).catch(
      (e: Error) => e,
    );
    t.true(huge instanceof Error || huge.status === 431);
    const raw = await new Promise<string>((resolve) => {
      const s = connect(port, '127.0.0.1', () => s.write('NONSENSE \x01\x02\r\n\r\n'));
      let got = '';
      s.on('data', (d) => (got += d.toString()));
      s.on('close', () => resolve(got));
      s.on('error', () => resolve(got));
    });
    t.regex(raw, /^HTTP\/1\.1 400/);
    t.is((await get(port, '/v.m3u8')).status, 200);
    server.store.shutdown();
    await Promise.all(holds);
  });
});

test('wdir: PUT creates, PUT again updates, DELETE removes; paths confined', async (t) => {
  const { mkdtemp } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const wdir = await mkdtemp(join(tmpdir(), 'graphpac-wdir-'));
  await withServer(
    async ({ port }) => {
      t.is((await get(port, '/up/x.txt', { method: 'PUT', body: 'hello' })).status, 201);
      t.is((await get(port, '/up/x.txt', { method: 'PUT', body: 'hello2' })).status, 200);
      t.is((await get(port, '/up/x.txt', { method: 'DELETE' })).status, 200);
      t.is((await get(port, '/up/x.txt', { method: 'DELETE' })).status, 404);
      t.is((await get(port, '/%2e%2e/x.txt', { method: 'PUT', body: 'no' })).status, 403);
    },
    { wdir },
  );
});

test('port already in use: a clear error', async (t) => {
  const { server, port } = await originServer();
  try {
    const second = new Origin({ ...server.o, port, tempRoot: false }, quietLog);
    const e = await t.throwsAsync(second.listen());
    t.regex(e.message, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: the port is already in use`));
  } finally {
    await server.close(100);
  }
});

test('held requests per client address: blocking playlist reloads and hinted parts share the 16, even with maxp=0', async (t) => {
  await withServer(async ({ server, port, root }) => {
    publish(server, root, 5, 1);
    // 12 blocking reloads (the next part) and 4 hinted parts from 127.0.0.1: 16 held.
    const reloads = Array.from({ length: 12 }, () =>
      get(port, '/v.m3u8?_HLS_msn=5&_HLS_part=2').catch(() => undefined),
    );
    const hints = Array.from({ length: 4 }, () => get(port, '/hinted.m4s.2').catch(() => undefined));
    await sleep(300);
    const over = await get(port, '/v.m3u8?_HLS_msn=5&_HLS_part=2');
    t.is(over.status, 429);
    t.is(over.headers['retry-after'], '1');
    t.is((await get(port, '/hinted.m4s.2')).status, 429);
    // Not held: answered as usual.
    t.is((await get(port, '/v.m3u8')).status, 200);
    t.is((await get(port, '/v.m3u8?_HLS_msn=5&_HLS_part=1')).status, 200);
    // The part comes: the held reloads are answered, and the address may hold again.
    publish(server, root, 5, 2);
    const answered = await Promise.all(reloads);
    t.true(answered.every((r) => r?.status === 200));
    const again = get(port, '/v.m3u8?_HLS_msn=5&_HLS_part=3');
    await sleep(100);
    publish(server, root, 5, 3);
    t.is((await again).status, 200);
    server.store.shutdown();
    await Promise.all(hints);
  });
});
