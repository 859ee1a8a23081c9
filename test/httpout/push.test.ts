/**
 * Push mode (hmode=push): GPAC's push line run unchanged after graphpac against a recording Node
 * origin on 127.0.0.1 (push-sink.ts): chunked PUTs streamed as files are produced, playlists re-sent
 * whole, DELETEs for purged files, POST, cte=false, an origin outage ridden out, an origin that stays
 * down failing the run with one clear error.
 */
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, graphpac } from '../dasher/helpers/cli.js';
import { WorkRoot } from '../dasher/helpers/workdir.js';
import { checkStoreEqualsLocal, pushLine, pushSink, PUSH_LINE, streamedSegments } from './push-sink.js';
import type { PushSink, Recorded } from './push-sink.js';

const work = new WorkRoot('httpout-push');
test.after.always(() => work.cleanup());

const isMedia = (p: string) => /\.(m4s|mp4)$/.test(p);

/** Bytes of `path` the origin had received by sink time `t` (best attempt started before t). */
function receivedBy(sink: PushSink, path: string, t: number): { bytes: number; complete: boolean } {
  let best = { bytes: 0, complete: false };
  for (const r of sink.requests) {
    if (r.path !== path || r.method === 'DELETE' || r.start > t || (r.status >= 300 && r.status !== 0))
      continue;
    const bytes = r.pieces.filter((p) => p.t <= t).reduce((a, p) => a + p.n, 0);
    const complete = r.end > 0 && r.end <= t && r.status >= 200 && r.status < 300;
    if (complete || bytes > best.bytes) best = { bytes: complete ? r.body.length : bytes, complete };
    if (complete) break;
  }
  return best;
}

/**
 * No accepted playlist names bytes the origin did not have: complete segments (and the init
 * segment) accepted before the playlist arrived; parts' byte ranges received (20 ms of slack: the
 * part's bytes and the playlist travel on different connections).
 */
function checkPlaylistsNeverAhead(t: ExecutionContext, sink: PushSink): number {
  let checked = 0;
  for (const pl of sink.requests) {
    if (!/live_\d\.m3u8$/.test(pl.path) || pl.status >= 300 || pl.status === 0) continue;
    const text = pl.body.toString();
    const lines = text.split('\n');
    for (const [i, line] of lines.entries()) {
      const part = /^#EXT-X-PART:.*URI="([^"]+)",BYTERANGE="(\d+)@(\d+)"/.exec(line);
      if (part) {
        const got = receivedBy(sink, `/${part[1]}`, pl.end + 20);
        const need = Number(part[2]) + Number(part[3]);
        if (!got.complete && got.bytes < need)
          t.fail(`${pl.path} #${pl.n} names ${part[1]} up to ${need} but the origin had ${got.bytes}`);
        checked++;
      }
      const full =
        lines[i - 1]?.startsWith('#EXTINF') && !line.startsWith('#') && line.trim()
          ? line.trim()
          : /^#EXT-X-MAP:URI="([^"]+)"/.exec(line)?.[1];
      if (full) {
        if (!receivedBy(sink, `/${full}`, pl.start).complete)
          t.fail(`${pl.path} #${pl.n} names ${full}, not accepted by the origin yet`);
        checked++;
      }
    }
  }
  return checked;
}

const byPath = (sink: PushSink, path: string): Recorded[] => sink.requests.filter((r) => r.path === path);

test('GPAC push line: progressive chunked PUTs, playlists re-sent, DELETEs, same bytes as a file run', async (t) => {
  const cwd = await work.workDir(['source1', 'source2']);
  const sink = await pushSink();
  t.teardown(() => sink.close());
  // The same line to files, at the same time: its segments must equal the pushed ones.
  const [res, file] = await Promise.all([
    graphpac(pushLine(sink.port, ':tsb=2', 8500), { cwd, timeoutMs: 40_000 }),
    graphpac(
      [
        '-i',
        'source1',
        '-i',
        'source2',
        'reframer:rt=on',
        '-o',
        `files/live.m3u8:${PUSH_LINE}:tsb=2`,
        '-runfor=8500',
      ],
      { cwd, timeoutMs: 40_000 },
    ),
  ]);
  t.is(res.code, 0, describe(res));
  t.is(file.code, 0, describe(file));
  const reqs = sink.requests;
  t.true(
    reqs.every((r) => r.method !== 'POST'),
    'PUT by default',
  );
  // Media: chunked uploads, streamed as produced (the parts of a segment arrive ~0.5 s apart).
  const segs = reqs.filter((r) => /_dash\d+\.m4s$/.test(r.path) && r.method === 'PUT');
  t.true(segs.length >= 10, `${segs.length} segment uploads`);
  for (const s of segs) t.is(s.headers['transfer-encoding'], 'chunked', s.path);
  // A sender that buffers whole files would give 0 here. Not every segment: on a loaded machine
  // reframer catches up after a stall and releases parts together (and -runfor cuts the last).
  const { streamed, all } = streamedSegments(sink);
  t.true(streamed.length >= Math.ceil(all.length / 2), `progressive: ${streamed.length} of ${all.length}`);
  // Playlists: whole, Content-Length, re-sent at each change.
  const pl = byPath(sink, '/live_1.m3u8');
  t.true(pl.length >= 10, `${pl.length} PUTs of live_1.m3u8`);
  for (const p of pl) {
    t.is(p.headers['content-length'], String(p.body.length));
    t.is(p.headers['content-type'], 'application/vnd.apple.mpegurl');
  }
  t.true(checkPlaylistsNeverAhead(t, sink) > 50);
  // Purged files: DELETE, after their upload.
  t.true(sink.deleted.length >= 2, `deleted: ${sink.deleted.join(' ')}`);
  for (const d of sink.deleted) {
    const put = byPath(sink, d).find((r) => r.method === 'PUT')!;
    const del = byPath(sink, d).find((r) => r.method === 'DELETE')!;
    t.true(put.end <= del.start);
  }
  // Keep-alive: a few connections carry everything.
  const socks = new Set(reqs.map((r) => r.socket));
  t.true(
    socks.size <= 16 && socks.size * 4 < reqs.length,
    `${socks.size} connections, ${reqs.length} requests`,
  );
  // Byte for byte what fout wrote for the same line (files both still have).
  const files = await readdir(join(cwd, 'files'));
  // The last segment of each run stops where its -runfor cut it: not compared.
  const last = new Map<string, number>();
  for (const n of [...files, ...[...sink.store.keys()].map((k) => k.slice(1))]) {
    const m = /^(.*_dash)(\d+)\.m4s$/.exec(n);
    if (m) last.set(m[1]!, Math.max(last.get(m[1]!) ?? 0, Number(m[2])));
  }
  const cut = (n: string) => {
    const m = /^(.*_dash)(\d+)\.m4s$/.exec(n);
    return m !== null && Number(m[2]) >= (last.get(m[1]!) ?? 0) - 1;
  };
  let same = 0;
  for (const n of files.filter((f) => isMedia(f) && !cut(f))) {
    const pushed = sink.store.get(`/${n}`);
    if (!pushed) continue;
    t.true(pushed.equals(await readFile(join(cwd, 'files', n))), `${n} differs from the file run`);
    same++;
  }
  t.true(same >= 8, `${same} media files compared`);
});

test('post + cte=false: POST with Content-Length; the origin ends with exactly the local copy (rdirs)', async (t) => {
  const cwd = await work.workDir(['source1', 'source2']);
  const sink = await pushSink();
  t.teardown(() => sink.close());
  const res = await graphpac(pushLine(sink.port, ':tsb=4:post:cte=false:rdirs=local', 4500), {
    cwd,
    timeoutMs: 30_000,
  });
  t.is(res.code, 0, describe(res));
  t.true(sink.requests.length > 10);
  for (const r of sink.requests) {
    t.is(r.method, 'POST');
    t.is(r.headers['transfer-encoding'], undefined, r.path);
    t.is(r.headers['content-length'], String(r.body.length), r.path);
  }
  checkPlaylistsNeverAhead(t, sink);
  await checkStoreEqualsLocal(t, sink, join(cwd, 'local'));
});

test('origin answers 503 for 2 s, then recovers: retried from the first byte, nothing lost', async (t) => {
  const cwd = await work.workDir(['source1', 'source2']);
  let refused = 0;
  let first: number | undefined;
  let cut: string[] | undefined;
  let downFrom: number | undefined;
  // From 1.2 s after the first request, once a segment upload is in progress, for 2 s: uploads in
  // progress cut, every request refused.
  const sink: PushSink = await pushSink({
    refuse: (_m, _p, at) => {
      first ??= at;
      const down = downFrom !== undefined && at >= downFrom && at < downFrom + 2000;
      return down ? (refused++, 503) : undefined;
    },
  });
  const timer = setInterval(() => {
    if (first === undefined || downFrom !== undefined || sink.now() - first < 1200) return;
    if (!sink.inProgress().some((p) => p.endsWith('.m4s'))) return;
    downFrom = sink.now();
    cut = sink.cutInProgress();
  }, 5);
  t.teardown(() => clearInterval(timer));
  t.teardown(() => sink.close());
  const res = await graphpac(pushLine(sink.port, ':tsb=4:rdirs=local', 6000), { cwd, timeoutMs: 30_000 });
  t.is(res.code, 0, describe(res));
  t.true(refused >= 5, `${refused} requests refused`);
  const retried = sink.requests.filter((r) => /_dash\d+\.m4s$/.test(r.path) && r.status === 503);
  t.true(retried.length > 0, 'segment uploads were refused and retried');
  // Segment uploads cut mid-body were sent again from their first byte.
  t.true(
    (cut ?? []).some((p) => p.endsWith('.m4s')),
    `cut: ${cut?.join(' ')}`,
  );
  checkPlaylistsNeverAhead(t, sink);
  await checkStoreEqualsLocal(t, sink, join(cwd, 'local'));
  // Every segment made it, numbered without holes.
  const local = await readdir(join(cwd, 'local'));
  const nums = local
    .map((n) => /^source1_dash(\d+)\.m4s$/.exec(n)?.[1])
    .filter(Boolean)
    .map(Number);
  t.true(nums.length >= 5);
  t.is(Math.max(...nums) - Math.min(...nums) + 1, nums.length);
});

test('origin down for good: one clear error naming the URL and the status, exit 1', async (t) => {
  const cwd = await work.workDir(['source1', 'source2']);
  let first: number | undefined;
  const sink = await pushSink({
    refuse: (_m, _p, at) => {
      first ??= at;
      return at - first >= 1000 ? 503 : undefined;
    },
  });
  t.teardown(() => sink.close());
  const res = await graphpac(pushLine(sink.port, ':tsb=4', 30_000), { cwd, timeoutMs: 40_000 });
  t.is(res.code, 1, describe(res));
  const lines = res.stderr.split('\n').filter((l) => /push to /.test(l));
  t.is(lines.length, 1, res.stderr);
  t.regex(
    lines[0]!,
    new RegExp(
      `^graphpac: httpout: push to http://127\\.0\\.0\\.1:${sink.port}/\\S+ failed: HTTP 503 Service Unavailable \\(retried for 10 s\\)$`,
    ),
  );
});
