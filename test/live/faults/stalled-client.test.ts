/**
 * A client that stops reading must not slow the packager nor grow the origin's memory, and must be
 * dropped. A live LL-HLS origin (GPAC's server line, `timeout=3`) runs while raw TCP clients request
 * the segment in production (chunked) and never read (no 'data' listener: past the socket's own
 * 16 KiB nothing is read from the kernel):
 *  - `one`: only that segment. It fits in the kernel's socket buffers, so the server never sees back
 *    pressure: the response completes and the idle keep-alive connection is closed (`timeout`).
 *  - `bulk`: that segment then, pipelined in the same write, complete segments (megabytes): the
 *    buffers fill, a write waits for 'drain', and after `timeout` s the connection is destroyed
 *    (delivery.ts `drained`).
 * Meanwhile a healthy client follows every part with blocking playlist reloads; each part's lateness
 * is its arrival minus its end by the playlist's PROGRAM-DATE-TIME. The graphpac child's RSS and open
 * files come from /proc/PID; the server's end of the stalled connections from /proc/net/tcp (the
 * clients, not reading, cannot see the close yet).
 */
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { stat } from 'node:fs/promises';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { describe, startGraphpac } from '../../dasher/helpers/cli.js';
import type { CliResult } from '../../dasher/helpers/cli.js';
import { WorkRoot } from '../../dasher/helpers/workdir.js';
import { freePort, get } from '../../httpout/helpers.js';
import { openFds, rssKiB, tcpState } from '../../httpout/proc-net.js';

const work = new WorkRoot('httpout-stalled');
test.after.always(() => work.cleanup());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const TIMEOUT_S = 3;

/** Wall-clock end (ms since the epoch) of the newest part of a playlist, from PROGRAM-DATE-TIME. */
function lastPartEnd(text: string): { msn: number; part: number; end: number } | undefined {
  let pdt = NaN;
  let inSeg = 0;
  let part = -1;
  let msn = Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(text)?.[1] ?? 0);
  let last: { msn: number; part: number; end: number } | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) pdt = Date.parse(line.slice(25));
    else if (line.startsWith('#EXT-X-PART:')) {
      inSeg += Number(/DURATION=([\d.]+)/.exec(line)?.[1] ?? 0);
      part++;
      last = { msn, part, end: pdt + inSeg * 1000 };
    } else if (line && !line.startsWith('#')) {
      msn++;
      inSeg = 0;
      part = -1;
      pdt = NaN;
    }
  }
  return last;
}

interface Stalled {
  name: string;
  socket: Socket;
  localPort: number;
  requests: number;
  sentAt: number;
  /** Samples of the server's end not ESTABLISHED in a row, and when that was first seen. */
  notEstablished: number;
  closedAt?: number;
  serverState?: string;
}

function stalledClient(name: string, port: number, paths: string[]): Promise<Stalled> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.off('error', reject);
      socket.on('error', () => undefined); // reset by the server once dropped
      socket.write(paths.map((p) => `GET ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`).join(''));
      resolve({
        name,
        socket,
        localPort: socket.localPort!,
        requests: paths.length,
        sentAt: Date.now(),
        notEstablished: 0,
      });
    });
    socket.once('error', reject);
  });
}

/** What a stalled client gets once it reads again: bytes, and whether the server had closed. */
function drainClient(s: Stalled, ms: number): Promise<{ bytes: number; ended: boolean }> {
  return new Promise((resolve) => {
    let bytes = 0;
    const done = (ended: boolean) => {
      clearTimeout(t);
      resolve({ bytes, ended });
    };
    const t = setTimeout(() => done(false), ms);
    s.socket.on('data', (d: Buffer) => (bytes += d.length));
    s.socket.once('close', () => done(true));
    s.socket.resume();
  });
}

interface Measured {
  res: CliResult;
  /** The origin's folder (rdirs). */
  out: string;
  stalled: Stalled[];
  /** Lateness of each new part seen by the healthy client (ms after its PROGRAM-DATE-TIME end). */
  lateness: { msn: number; part: number; ms: number; at: number }[];
  stallStart: number;
  rssBefore: number;
  rssPeak: number;
  fdsBefore: number;
  fdsPeak: number;
  trace: string[];
}

/** A live origin for `runforMs`, the stalled clients connected once segment 2 is listed. */
async function stallRun(
  t: ExecutionContext,
  runforMs: number,
  clients: (hint: string, complete: string[]) => { name: string; paths: string[] }[],
): Promise<Measured> {
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
      `http://127.0.0.1:${port}/live.m3u8:gpac:segdur=1:cdur=0.5:profile=live:dmode=dynamic:llhls=br:rdirs=out:timeout=${TIMEOUT_S}:maxp=0:reqlog=GET`,
      `-runfor=${runforMs}`,
    ],
    { cwd, timeoutMs: 19_000 },
  );
  t.teardown(() => void run.child.kill('SIGKILL'));
  const pid = run.child.pid!;
  const stalled: Stalled[] = [];
  t.teardown(() => stalled.forEach((s) => s.socket.destroy()));

  // RSS and open files of the origin, the kernel's view of the stalled connections, every 100 ms.
  const rss: { t: number; kib: number; fds: number }[] = [];
  const trace: string[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const kib = await rssKiB(pid);
      const fds = await openFds(pid);
      if (kib === undefined || fds === undefined) break;
      rss.push({ t: Date.now(), kib, fds });
      for (const s of stalled) {
        if (s.closedAt) continue;
        const st = (await tcpState(port, s.localPort)) ?? 'gone';
        trace.push(`${Date.now() - s.sentAt} ms ${s.name}: server end ${st}`);
        s.notEstablished = st === 'ESTABLISHED' ? 0 : s.notEstablished + 1;
        if (s.notEstablished === 1) s.serverState = st;
        // Two samples in a row: the close is for real.
        if (s.notEstablished === 2) s.closedAt = Date.now() - 100;
      }
      await sleep(100);
    }
  })();

  // The playlist lists segment 2: the healthy client starts following parts.
  let text = '';
  for (let i = 0; ; i++) {
    const r = await get(port, '/live_1.m3u8', { timeoutMs: 2000 }).catch(() => undefined);
    text = r?.status === 200 ? r.body.toString() : '';
    if (/source1_dash2\.m4s\n/.test(text)) break;
    if (i > 100) throw new Error(`no playlist\n${describe(await run.done)}`);
    await sleep(100);
  }
  const lateness: Measured['lateness'] = [];
  let following = true;
  const follower = (async () => {
    let last = lastPartEnd(text)!;
    while (following && !text.includes('#EXT-X-ENDLIST')) {
      const r = await get(port, `/live_1.m3u8?_HLS_msn=${last.msn}&_HLS_part=${last.part + 1}`, {
        timeoutMs: 5000,
      }).catch(() => undefined);
      if (!r || r.status !== 200) break;
      const now = Date.now();
      text = r.body.toString();
      const p = lastPartEnd(text);
      if (!p) break;
      if (p.msn !== last.msn || p.part !== last.part)
        lateness.push({ msn: p.msn, part: p.part, ms: now - p.end, at: now });
      last = p;
    }
  })();

  // The stalled clients: the segment in production first.
  // The segment in production once its first part is listed (it is then on disk: a GET at the very
  // start of a segment races the writer's open, see the report on httpout's preload-hint race).
  await sleep(1000);
  let hint: string | undefined;
  for (let i = 0; !hint; i++) {
    hint = /#EXT-X-PRELOAD-HINT:TYPE=PART,URI="(source1_dash\d+\.m4s)",BYTERANGE-START=[1-9]/.exec(text)?.[1];
    if (i > 40) throw new Error(`no preload hint inside a segment in\n${text}`);
    if (!hint) await sleep(50);
  }
  const complete = [...text.matchAll(/^(source1_dash\d+\.m4s)$/gm)].map((m) => `/${m[1]}`);
  const stallStart = Date.now();
  const before = rss.at(-1)!;
  for (const c of clients(`/${hint}`, complete)) stalled.push(await stalledClient(c.name, port, c.paths));

  const res = await run.done;
  following = false;
  sampling = false;
  await follower;
  await sampler;
  const afterStall = rss.filter((r) => r.t >= stallStart);
  return {
    res,
    out: join(cwd, 'out'),
    stalled,
    lateness,
    stallStart,
    rssBefore: before.kib,
    rssPeak: Math.max(...afterStall.map((r) => r.kib)),
    fdsBefore: before.fds,
    fdsPeak: Math.max(...afterStall.map((r) => r.fds)),
    trace,
  };
}

test.serial(
  'a client that stops reading is dropped after `timeout`; parts stay on time, memory bounded',
  async (t) => {
    let bulkPaths: string[] = [];
    const m = await stallRun(t, 11_000, (hint, complete) => {
      const bulk = [hint];
      // 60 pipelined requests (more than the loopback socket buffers take), below MAX_PIPELINED (64):
      // the server queues them and answers them in order until the client stalls.
      while (bulk.length < 60) bulk.push(...complete);
      return [
        { name: 'one', paths: [hint] },
        { name: 'bulk', paths: (bulkPaths = bulk.slice(0, 60)) },
      ];
    });
    t.is(m.res.code, 0, describe(m.res));
    const base = Math.min(...m.lateness.map((l) => l.ms));
    const worst = m.lateness.reduce((a, l) => (l.ms > a.ms ? l : a));
    const during = m.lateness.filter((l) => l.at >= m.stallStart);
    const finals = await Promise.all(m.stalled.map((s) => drainClient(s, 2000)));
    t.log(
      `parts followed: ${m.lateness.length} (${during.length} with stalled clients), lateness ${base}..${worst.ms} ms`,
    );
    t.log(
      `RSS ${m.rssBefore} KiB before the stall, peak ${m.rssPeak} KiB; open files ${m.fdsBefore}, peak ${m.fdsPeak}`,
    );
    for (const [i, s] of m.stalled.entries())
      t.log(
        `${s.name} (${s.requests} requests): server end ${s.serverState ?? 'ESTABLISHED'} after ${s.closedAt ? s.closedAt - s.sentAt : '-'} ms; read afterwards: ${finals[i]!.bytes} bytes, ${finals[i]!.ended ? 'closed' : 'still open'}`,
      );

    // The packager kept its pace: every part listed within 300 ms of the best one.
    t.true(during.length >= 12, `${during.length} parts followed while stalled clients were connected`);
    t.true(worst.ms - base <= 300, `part ${worst.msn}.${worst.part} ${worst.ms - base} ms late`);
    // Memory and open files bounded.
    t.true(m.rssPeak - m.rssBefore < 40 * 1024, `RSS grew by ${m.rssPeak - m.rssBefore} KiB`);
    // Pipelined requests wait for the one being answered: no file or block held for each of them.
    t.true(m.fdsPeak - m.fdsBefore < 20, `${m.fdsPeak - m.fdsBefore} more open files`);
    // Both connections closed by the server: bulk `timeout` s after its writes stalled (the segment in
    // production ends ≤ 1 s after the request), one as an idle keep-alive connection (Node's
    // keep-alive timer: `timeout` + 1 s after its response completed).
    const [one, bulk] = m.stalled;
    const closeMs = (s: Stalled | undefined) => (s?.closedAt ? s.closedAt - s.sentAt : Infinity);
    t.true(closeMs(bulk) >= TIMEOUT_S * 1000, `bulk closed after ${closeMs(bulk)} ms\n${m.trace.join('\n')}`);
    t.true(
      closeMs(bulk) <= (TIMEOUT_S + 2) * 1000,
      `bulk closed after ${closeMs(bulk)} ms\n${m.trace.join('\n')}`,
    );
    t.true(
      closeMs(one) <= (TIMEOUT_S + 3) * 1000,
      `one closed after ${closeMs(one)} ms\n${m.trace.join('\n')}`,
    );
    // What they read afterwards ends with the server's close; bulk got a fraction of what it asked.
    t.true(finals[0]!.ended && finals[0]!.bytes > 10_000, `one: ${JSON.stringify(finals[0])}`);
    let asked = 0;
    for (const p of bulkPaths) asked += (await stat(join(m.out, p))).size;
    t.true(finals[1]!.ended, `bulk: ${JSON.stringify(finals[1])}`);
    t.true(finals[1]!.bytes < asked, `bulk read ${finals[1]!.bytes} bytes of the ${asked} asked`);
    t.regex(m.res.stderr, /REQ#\d+ GET done: reply 200 \(aborted\)/);
  },
);

/*
 * HTTP/1.1 pipelining behind a stalled response: requests wait, in order, for the response before them
 * (nothing is read or opened for them); a client with more than MAX_PIPELINED waiting is dropped at
 * once. (Before this, each pipelined request held a 64 KiB block and an open file for `timeout` s:
 * 1000 pipelined GETs in one write gave +90 MB RSS and +1000 open files.)
 */
test.serial(
  'a client pipelining 1,000 requests behind a stalled response is dropped at once; memory and files bounded',
  async (t) => {
    const m = await stallRun(t, 8000, (hint, complete) => {
      const bulk = [hint];
      while (bulk.length < 1000) bulk.push(...complete);
      return [{ name: 'pipelined', paths: bulk.slice(0, 1000) }];
    });
    t.log(
      `RSS ${m.rssBefore} KiB before, peak ${m.rssPeak} KiB (+${m.rssPeak - m.rssBefore}); open files ${m.fdsBefore}, peak ${m.fdsPeak}`,
    );
    t.is(m.res.code, 0, describe(m.res));
    t.true(m.rssPeak - m.rssBefore < 40 * 1024, `RSS grew by ${m.rssPeak - m.rssBefore} KiB`);
    t.true(m.fdsPeak - m.fdsBefore < 20, `${m.fdsPeak - m.fdsBefore} more open files`);
    const [p] = m.stalled;
    const closed = p?.closedAt ? p.closedAt - p.sentAt : Infinity;
    t.true(closed < 3000, `the pipelining client was closed after ${closed} ms\n${m.trace.join('\n')}`);
  },
);
