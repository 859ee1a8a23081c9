/**
 * Live sources with real sockets and pipes on this machine: sockin (UDP unicast and multicast, TCP as
 * client and as server) and pin (standard input, a named pipe it creates) feed m2tsdmx; what comes out
 * is what the same TS file gives read from disk. A source that never sends ends with one clear line after
 * its timeout; srt:// names the ffmpeg bridge.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot, runGraphpac, startGraphpac } from '../helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'graphpac-src-'));
const tsPath = join(dir, 'av.ts');
let ts: Buffer;
let expected: string;

/** inspect's summary lines (packets per PID), the part that must not depend on the source. */
function summaries(stdout: string): string {
  return stdout
    .split('\n')
    .filter((l) => l.includes(' summary: '))
    .map((l) => l.replace(/ \(incomplete\)$/, ''))
    .join('\n');
}

test.before(async () => {
  execFileSync('ffmpeg', [
    '-nostdin',
    '-v',
    'error',
    '-y',
    '-i',
    join(repoRoot, 'test/media/av_2997_faststart.mp4'),
    '-c',
    'copy',
    '-f',
    'mpegts',
    tsPath,
  ]);
  ts = readFileSync(tsPath);
  const r = await runGraphpac(['-i', tsPath, 'inspect']);
  expected = summaries(r.stdout);
});
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

async function freePort(kind: 'udp' | 'tcp'): Promise<number> {
  if (kind === 'tcp') {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as AddressInfo).port;
    await new Promise((r) => s.close(r));
    return port;
  }
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const port = s.address().port;
  s.close();
  return port;
}

/** Send the TS in 1316-byte datagrams (7 packets, as encoders do), a little paced. */
async function sendUdp(port: number, host = '127.0.0.1', multicastIfce?: string): Promise<void> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, r));
  if (multicastIfce) s.setMulticastInterface(multicastIfce);
  for (let i = 0; i < ts.length; i += 1316) {
    await new Promise<void>((r, j) => s.send(ts.subarray(i, i + 1316), port, host, (e) => (e ? j(e) : r())));
    if ((i / 1316) % 20 === 19) await sleep(2);
  }
  s.close();
}

/** Wait until the graphpac child says it is receiving on its socket (its info line). */
async function waitForLine(child: ReturnType<typeof startGraphpac>['child'], re: RegExp): Promise<void> {
  let buf = '';
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no line ${re} in: ${buf}`)), 90_000);
    child.stderr.on('data', (d: Buffer) => {
      buf += d.toString();
      if (re.test(buf)) {
        clearTimeout(t);
        resolve();
      }
    });
  });
}

test.serial('udp:// unicast: the stream ends after timeout without data, as the file demuxes', async (t) => {
  const port = await freePort('udp');
  const g = startGraphpac(['-i', `udp://127.0.0.1:${port}:timeout=1500`, 'inspect', '-logs=sockin@info'], {
    timeoutMs: 60_000,
  });
  await waitForLine(g.child, /listening on udp/);
  await sendUdp(port);
  const r = await g.done;
  t.is(r.code, 0, r.stderr);
  t.is(summaries(r.stdout), expected);
});

test.serial('udp:// multicast joined on ifce', async (t) => {
  const port = await freePort('udp');
  const g = startGraphpac(
    ['-i', `udp://239.255.42.7:${port}:ifce=127.0.0.1:timeout=1500`, 'inspect', '-logs=sockin@info'],
    { timeoutMs: 60_000 },
  );
  await waitForLine(g.child, /listening on udp.*multicast/);
  await sendUdp(port, '239.255.42.7', '127.0.0.1');
  const r = await g.done;
  t.is(r.code, 0, r.stderr);
  t.is(summaries(r.stdout), expected);
});

test.serial('tcp:// listen: a sender connects, writes the stream and leaves', async (t) => {
  const port = await freePort('tcp');
  const g = startGraphpac(['-i', `tcp://127.0.0.1:${port}:listen`, 'inspect', '-logs=sockin@info'], {
    timeoutMs: 60_000,
  });
  await waitForLine(g.child, /waiting for a sender/);
  const c = connect(port, '127.0.0.1');
  await new Promise<void>((r) => c.on('connect', r));
  c.end(ts);
  const r = await g.done;
  t.is(r.code, 0, r.stderr);
  t.is(summaries(r.stdout), expected);
});

test.serial(
  'tcp:// client: connects to a server that sends the stream (started after graphpac)',
  async (t) => {
    const port = await freePort('tcp');
    const g = startGraphpac(['-i', `tcp://127.0.0.1:${port}`, 'inspect'], { timeoutMs: 60_000 });
    await sleep(1000); // refused meanwhile: retried
    const server = createServer((sock) => sock.end(ts));
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    const r = await g.done;
    server.close();
    t.is(r.code, 0, r.stderr);
    t.is(summaries(r.stdout), expected);
  },
);

test.serial('stdin (-) and a named pipe created with mkp', async (t) => {
  const r = await runGraphpac(['-i', '-', 'inspect'], { stdin: ts });
  t.is(r.code, 0, r.stderr);
  t.is(summaries(r.stdout), expected);
  const fifo = join(dir, 'enc.ts');
  const g = startGraphpac(['-i', `pipe://${fifo}:mkp`, 'inspect'], { timeoutMs: 60_000 });
  for (let i = 0; i < 300 && !existsSync(fifo); i++) await sleep(100);
  await writeFile(fifo, ts);
  const p = await g.done;
  t.is(p.code, 0, p.stderr);
  t.is(summaries(p.stdout), expected);
  t.false(existsSync(fifo), 'the pipe it created is removed');
});

test.serial('a source that never sends ends with one line after its timeout', async (t) => {
  const port = await freePort('udp');
  const r = await runGraphpac(['-i', `udp://127.0.0.1:${port}:timeout=1000`, 'inspect']);
  t.is(r.code, 1);
  const lines = r.stderr.split('\n').filter((l) => l.trim());
  t.is(lines.length, 1, r.stderr);
  t.regex(lines[0]!, new RegExp(`udp://127.0.0.1:${port}: no data received in 1000 ms`));
});

test.serial('srt:// and rtmp:// name the ffmpeg bridge', async (t) => {
  for (const url of ['srt://127.0.0.1:9000', 'rtmp://127.0.0.1/live/key']) {
    const r = await runGraphpac(['-i', url, 'inspect']);
    t.is(r.code, 1);
    t.regex(
      r.stderr,
      /bridge it to UDP with ffmpeg: ffmpeg -i ".*" -c copy -f mpegts udp:\/\/127\.0\.0\.1:1234/,
    );
  }
});
