/**
 * Issue 12 item 3: idle connections must not lock players out. With the default budget (maxc=100,
 * maxp=6), 150 silent TCP connections from 30 addresses and 10 slowloris connections (a header line
 * started, one byte a second) are held open — reconnected as soon as the origin closes them, as an
 * attacker would — while two LL-HLS players follow the live edge, each request on a new connection
 * (the hardest case for the budget). The players must be served throughout (every request answered
 * 200, every part and segment in order), the silent connections must be closed at their deadline
 * (FIRST_REQUEST_MS, with `408 Request Timeout`) or earlier to make room, and what the players saw
 * must be valid playlists listing whole segments.
 */
import test from 'ava';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe } from '../../dasher/helpers/cli.js';
import { WorkRoot } from '../../dasher/helpers/workdir.js';
import { FIRST_REQUEST_MS } from '../../../filters/httpout/connections.js';
import { playlistHistoryProblems } from '../../httpout/output-check.js';
import { startOrigin } from './origin.js';
import { follow, rawGet } from './raw-client.js';

const work = new WorkRoot('faults-flood');
test.after.always(() => work.cleanup());

interface Attack {
  /** Lifetimes (ms) of silent connections that ended, and what they received. */
  ended: { ms: number; got: string }[];
  stop(): void;
}

/** `n` connections per address kept open; `slow`: send a header one byte a second. */
function attack(port: number, addresses: string[], n: number, slow: boolean): Attack {
  const ended: Attack['ended'] = [];
  let stopped = false;
  const sockets = new Set<Socket>();
  const open = (addr: string) => {
    if (stopped) return;
    const t0 = performance.now();
    const s = connect({ port, host: '127.0.0.1', localAddress: addr });
    sockets.add(s);
    let got = '';
    let timer: NodeJS.Timeout | undefined;
    s.on('connect', () => {
      if (!slow) return;
      s.write('GET /live_1.m3u8 HTTP/1.1\r\nX-Slow: ');
      timer = setInterval(() => s.write('a'), 1000);
    });
    s.on('data', (d: Buffer) => (got += d.toString('latin1')));
    s.on('error', () => undefined);
    s.on('close', () => {
      clearInterval(timer);
      sockets.delete(s);
      ended.push({ ms: performance.now() - t0, got });
      // Back at once, as an attacker keeping the origin's budget full would be.
      setTimeout(() => open(addr), 20);
    });
  };
  for (const a of addresses) for (let i = 0; i < n; i++) open(a);
  return {
    ended,
    stop() {
      stopped = true;
      for (const s of sockets) s.destroy();
    },
  };
}

test('150 silent connections and a slowloris, reconnecting: LL-HLS players keep being served', async (t) => {
  const cwd = await work.workDir(['source1', 'source2']);
  const run = await startOrigin(cwd, 'rdirs=out', ['-runfor=20000'], 50_000);
  const port = run.port;
  t.teardown(() => void run.child.kill('SIGKILL'));
  for (let i = 0; i < 150; i++) {
    const r = await rawGet(port, '/live_1.m3u8', { timeoutMs: 2000 });
    if (r.status === 200) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  // 20 lone silent connections (one per address) first: the flood's own connections make room before
  // them (it holds more per address), so they live to their deadline.
  const lone = attack(
    port,
    Array.from({ length: 20 }, (_, i) => `127.0.2.${i + 1}`),
    1,
    false,
  );
  await new Promise((res) => setTimeout(res, 300));
  const silentAddrs = Array.from({ length: 30 }, (_, i) => `127.0.0.${10 + i}`);
  const silent = attack(port, silentAddrs, 5, false);
  const slowloris = attack(port, ['127.0.0.50', '127.0.0.51'], 5, true);
  t.teardown(() => {
    lone.stop();
    silent.stop();
    slowloris.stop();
  });
  // The budget is full of idle connections before the players start.
  await new Promise((res) => setTimeout(res, 1500));
  const players = await Promise.all(
    ['/live_1.m3u8', '/live_2.m3u8'].map((p, i) =>
      follow(port, p, { stopAfterMs: 11_000, from: `127.0.1.${i + 1}` }),
    ),
  );
  // 12.5 s of attack: connections nobody needed the room of reached their deadline (FIRST_REQUEST_MS).
  lone.stop();
  silent.stop();
  slowloris.stop();
  const res = await run.done;
  t.is(res.code, 0, describe(res));

  for (const [i, p] of players.entries()) {
    t.deepEqual(p.failures, [], `player ${i + 1}: requests not answered 200`);
    t.true(p.versions.length >= 8, `player ${i + 1}: ${p.versions.length} playlist versions`);
    const got = p.segments.filter((s) => s.status === 200);
    t.true(got.length >= 4, `player ${i + 1}: ${got.length} segments`);
    for (const s of got) t.false(s.cut, `${s.path} cut`);
    const dir = join(cwd, 'out');
    const problems = await playlistHistoryProblems(`player ${i + 1}`, p.versions, (u) =>
      readFile(join(dir, u)).catch(() => undefined),
    );
    t.deepEqual(problems.slice(0, 10), []);
  }
  // The idle connections were closed: at their deadline with a 408 (the lone ones: timeouts really
  // fire, not up to 30 s late), or earlier to make room (the flood's: closed without an answer).
  const first = lone.ended.slice(0, 20);
  t.is(first.length, 20);
  for (const e of first) {
    t.regex(e.got, /^HTTP\/1\.1 408 Request Timeout\r\n/);
    t.true(
      e.ms >= FIRST_REQUEST_MS - 100 && e.ms < FIRST_REQUEST_MS + 3000,
      `a lone connection closed after ${Math.round(e.ms)} ms`,
    );
  }
  const flood = [...silent.ended, ...slowloris.ended];
  t.true(flood.length >= 150, `${flood.length} flood connections closed by the origin`);
  t.false(
    flood.some((e) => e.got && !e.got.startsWith('HTTP/1.1 408 Request Timeout')),
    `answers: ${[...new Set(flood.map((e) => e.got.split('\r\n')[0]))].join(' | ')}`,
  );
});
