/**
 * HTTPS (cert + pkey): HTTP/2 with HTTP/1.1 fallback. A self-signed certificate made with openssl in
 * a temporary folder; requests over HTTP/2 (`http2.connect`) and HTTPS/1.1: a blocking playlist
 * reload, a segment in production delivered part by part on an HTTP/2 stream, ranges, gzip, CORS.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:http2';
import type { ClientHttp2Session, IncomingHttpHeaders } from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { originServer } from './helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface H2Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  pieces: { t: number; n: number }[];
  ms: number;
}

function h2get(
  session: ClientHttp2Session,
  path: string,
  headers: Record<string, string> = {},
): Promise<H2Reply> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const s = session.request({ ':path': path, ...headers });
    let head: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    const pieces: { t: number; n: number }[] = [];
    s.on('response', (h) => (head = h));
    s.on('data', (d: Buffer) => {
      chunks.push(d);
      pieces.push({ t: performance.now() - t0, n: d.length });
    });
    s.on('end', () =>
      resolve({
        status: Number(head[':status']),
        headers: head,
        body: Buffer.concat(chunks),
        pieces,
        ms: performance.now() - t0,
      }),
    );
    s.on('error', reject);
    s.setTimeout(10_000, () => s.close());
  });
}

function h1get(
  port: number,
  path: string,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer; version: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      { host: '127.0.0.1', port, path, rejectUnauthorized: false, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
            version: res.httpVersion,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

test('HTTPS: HTTP/2 and HTTP/1.1 fallback; blocking reload and a segment in production over h2', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'graphpac-https-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1'].concat([
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ]),
    { stdio: 'ignore' },
  );
  const { server, port, root } = await originServer({
    tls: { cert: await readFile(join(dir, 'cert.pem')), key: await readFile(join(dir, 'key.pem')) },
  });
  t.teardown(() => server.close(200));
  t.is(server.url, `https://127.0.0.1:${port}`);
  const h = server.store.hooks();
  const publish = (msn: number, part: number) =>
    h.replaced?.(
      join(root, 'v.m3u8'),
      Buffer.from(
        `#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXT-X-PART-INF:PART-TARGET=0.25\n#STATE:${msn}/${part}\n`,
      ),
      { HLSVariant: true, HLSLastMsn: msn, HLSLastPart: part, HLSEnded: false, HLSTargetDuration: 1 },
    );
  publish(5, 1);
  const session = connect(`https://127.0.0.1:${port}`, { rejectUnauthorized: false });
  t.teardown(() => session.close());

  // Playlist over h2: headers, gzip, CORS.
  const pl = await h2get(session, '/v.m3u8', { 'accept-encoding': 'gzip', origin: 'https://player.example' });
  t.is(pl.status, 200);
  t.is(pl.headers['content-type'], 'application/vnd.apple.mpegurl');
  t.is(pl.headers['content-encoding'], 'gzip');
  t.is(pl.headers['access-control-allow-origin'], 'https://player.example');
  t.regex(gunzipSync(pl.body).toString(), /#STATE:5\/1/);

  // Blocking reload over h2: held until the part exists.
  const blocked = h2get(session, '/v.m3u8?_HLS_msn=5&_HLS_part=2');
  // A segment in production over an h2 stream, part by part.
  const seg = join(root, 'seg1.m4s');
  await writeFile(seg, Buffer.alloc(1000, 1));
  h.opened?.(seg, 'file');
  h.progress?.(seg, 1000);
  h.boundary?.(seg, 1000);
  const live = h2get(session, '/seg1.m4s');
  const ranged = h2get(session, '/seg1.m4s', { range: 'bytes=1000-' });
  await sleep(300);
  publish(5, 2);
  await appendFile(seg, Buffer.alloc(800, 2));
  h.progress?.(seg, 1800);
  h.boundary?.(seg, 1800);
  await sleep(300);
  await appendFile(seg, Buffer.alloc(200, 3));
  h.progress?.(seg, 2000);
  h.boundary?.(seg, 2000);
  h.closed?.(seg, 2000);
  const b = await blocked;
  t.is(b.status, 200);
  t.true(b.ms >= 250, `held ${b.ms} ms`);
  t.regex(b.body.toString(), /#STATE:5\/2/);
  const l = await live;
  t.is(l.status, 200);
  t.is(l.body.length, 2000);
  t.true(l.pieces.at(-1)!.t >= 500, 'the last part when written');
  const r = await ranged;
  t.is(r.status, 206);
  t.is(r.headers['content-range'], 'bytes 1000-9007199254740991/*');
  t.is(r.body.length, 1000);
  // Complete: a plain range.
  const done = await h2get(session, '/seg1.m4s', { range: 'bytes=1800-' });
  t.is(done.status, 206);
  t.is(done.headers['content-range'], 'bytes 1800-1999/2000');

  // HTTPS/1.1 fallback.
  const one = await h1get(port, '/v.m3u8');
  t.is(one.version, '1.1');
  t.is(one.status, 200);
  t.regex(one.body.toString(), /#STATE:5\/2/);
  const seg1 = await h1get(port, '/seg1.m4s');
  t.is(seg1.status, 200);
  t.is(seg1.body.length, 2000);
});
