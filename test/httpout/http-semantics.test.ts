/**
 * HTTP semantics of the origin (RFC 9110 / 9112), one table: byte ranges (suffix of 0, empty files,
 * unknown units, several ranges), If-Range (strong comparison; a date never matches: no Last-Modified),
 * If-None-Match (weak comparison, evaluated before Range), request targets (absolute-form, too long),
 * methods (unknown or not implemented: 501; not allowed without wdir: 405; CONNECT), Host (duplicate or
 * missing: 400). Raw requests on their own connection, so nothing is normalised by a client.
 */
import test from 'ava';
import { writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { originServer } from './helpers.js';

interface Raw {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

function raw(port: number, head: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(head));
    const chunks: Buffer[] = [];
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('error', reject);
    s.setTimeout(5000, () => s.destroy(new Error('timeout')));
    s.on('close', () => {
      const all = Buffer.concat(chunks);
      const end = all.indexOf('\r\n\r\n');
      const lines = all
        .subarray(0, end < 0 ? all.length : end)
        .toString('latin1')
        .split('\r\n');
      const headers: Record<string, string> = {};
      for (const l of lines.slice(1)) {
        const c = l.indexOf(':');
        if (c > 0) headers[l.slice(0, c).toLowerCase()] = l.slice(c + 1).trim();
      }
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(lines[0] ?? '')?.[1] ?? 0),
        headers,
        body: end < 0 ? Buffer.alloc(0) : all.subarray(end + 4),
      });
    });
  });
}

interface Row {
  name: string;
  method?: string;
  target?: string;
  /** Header lines; `Host` is added unless `noHost`. */
  headers?: (etag: string) => string[];
  noHost?: boolean;
  status: number;
  contentRange?: string;
  length?: number;
}

const ROWS: Row[] = [
  {
    name: 'bytes=-0: unsatisfiable',
    headers: () => ['Range: bytes=-0'],
    status: 416,
    contentRange: 'bytes */100',
  },
  {
    name: 'bytes=-5 on an empty file',
    target: '/empty.bin',
    headers: () => ['Range: bytes=-5'],
    status: 416,
    contentRange: 'bytes */0',
  },
  {
    name: 'bytes=0-4 on an empty file',
    target: '/empty.bin',
    headers: () => ['Range: bytes=0-4'],
    status: 416,
    contentRange: 'bytes */0',
  },
  {
    name: 'bytes=100- past the end',
    headers: () => ['Range: bytes=100-'],
    status: 416,
    contentRange: 'bytes */100',
  },
  {
    name: 'bytes=-200: the whole file',
    headers: () => ['Range: bytes=-200'],
    status: 206,
    contentRange: 'bytes 0-99/100',
    length: 100,
  },
  {
    name: 'bytes=90-',
    headers: () => ['Range: bytes=90-'],
    status: 206,
    contentRange: 'bytes 90-99/100',
    length: 10,
  },
  { name: 'unknown range unit: ignored', headers: () => ['Range: items=0-5'], status: 200, length: 100 },
  {
    name: 'several ranges: the whole file',
    headers: () => ['Range: bytes=0-0,5-5'],
    status: 200,
    length: 100,
  },
  {
    name: 'If-Range not matching: the whole file',
    headers: () => ['Range: bytes=0-4', 'If-Range: "other"'],
    status: 200,
    length: 100,
  },
  {
    name: 'If-Range matching: the range',
    headers: (e) => ['Range: bytes=0-4', `If-Range: ${e}`],
    status: 206,
    contentRange: 'bytes 0-4/100',
    length: 5,
  },
  {
    name: 'If-Range weak: never matches',
    headers: (e) => ['Range: bytes=0-4', `If-Range: W/${e}`],
    status: 200,
    length: 100,
  },
  {
    name: 'If-Range date: never matches',
    headers: () => ['Range: bytes=0-4', 'If-Range: Wed, 21 Oct 2015 07:28:00 GMT'],
    status: 200,
    length: 100,
  },
  {
    name: 'If-None-Match weak comparison',
    headers: (e) => [`If-None-Match: W/${e}`],
    status: 304,
    length: 0,
  },
  { name: 'If-None-Match in a list', headers: (e) => [`If-None-Match: "x", ${e}`], status: 304, length: 0 },
  {
    name: 'If-None-Match before Range',
    headers: (e) => [`If-None-Match: ${e}`, 'Range: bytes=0-4'],
    status: 304,
    length: 0,
  },
  { name: 'If-None-Match *', headers: () => ['If-None-Match: *'], status: 304, length: 0 },
  {
    name: 'If-None-Match not matching, with Range',
    headers: () => ['If-None-Match: "nope"', 'Range: bytes=0-4'],
    status: 206,
    length: 5,
  },
  { name: 'absolute-form target', target: 'http://127.0.0.1/f.bin', status: 200, length: 100 },
  {
    name: 'absolute-form target, other authority',
    target: 'http://example.com:81/f.bin?x=1',
    status: 200,
    length: 100,
  },
  { name: 'target too long', target: `/${'a'.repeat(5000)}`, status: 414 },
  { name: 'unknown method', method: 'BREW', target: '/', status: 501 },
  { name: 'method not implemented', method: 'PATCH', status: 501 },
  { name: 'CONNECT', method: 'CONNECT', target: '127.0.0.1:80', status: 501 },
  { name: 'PUT without wdir', method: 'PUT', headers: () => ['Content-Length: 0'], status: 405 },
  { name: 'duplicate Host', headers: () => ['Host: other'], status: 400 },
  { name: 'no Host (HTTP/1.1)', noHost: true, status: 400 },
];

test('HTTP semantics table', async (t) => {
  const { server, port, root } = await originServer();
  t.teardown(() => server.close(200));
  await writeFile(join(root, 'f.bin'), Buffer.alloc(100, 7));
  await writeFile(join(root, 'empty.bin'), Buffer.alloc(0));
  const etag = (await raw(port, `HEAD /f.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)).headers
    .etag!;
  t.regex(etag, /^"[^"]+"$/);
  for (const row of ROWS) {
    const lines = [
      `${row.method ?? 'GET'} ${row.target ?? '/f.bin'} HTTP/1.1`,
      ...(row.noHost ? [] : ['Host: 127.0.0.1']),
      ...(row.headers?.(etag) ?? []),
      'Connection: close',
    ];
    const r = await raw(port, `${lines.join('\r\n')}\r\n\r\n`);
    t.is(r.status, row.status, row.name);
    if (row.contentRange !== undefined) t.is(r.headers['content-range'], row.contentRange, row.name);
    if (row.length !== undefined) t.is(r.body.length, row.length, row.name);
    if (row.status === 501) t.regex(r.headers['content-length'] ?? '', /^\d+$/, row.name);
  }
});
