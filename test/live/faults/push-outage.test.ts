/**
 * Push mode through an origin outage (issue 12, item 1): segdur=2, cdur=0.5, llhls=br; the receiving
 * origin cuts every upload in progress and drops every connection for 3 s, then is back. Every
 * playlist version it accepted — before, during the catch-up and after — must be valid and follow the
 * one before it, list segments in order, each whole (its parts its own, EXTINF = its parts = the media
 * its stored bytes hold). Before the fix, the acknowledgements came back out of order after the
 * retries and the dasher listed segment 5's parts before segment 4 and split segments in two.
 */
import test from 'ava';
import { join } from 'node:path';
import { describe, graphpac } from '../../dasher/helpers/cli.js';
import { WorkRoot } from '../../dasher/helpers/workdir.js';
import { playlistHistoryProblems } from '../../httpout/output-check.js';
import { checkStoreEqualsLocal, pushSink } from '../../httpout/push-sink.js';
import type { PushSink } from '../../httpout/push-sink.js';

const work = new WorkRoot('httpout-push-outage');
test.after.always(() => work.cleanup());

const OUTAGE_MS = 3000;

test('origin drops every connection for 3 s mid-upload: every playlist version after it in order and whole', async (t) => {
  const cwd = await work.workDir(['source1', 'source2']);
  let down: { from: number; to: number } | undefined;
  let cut: string[] = [];
  // Down from the first segment 3 upload (segments 1 and 2 done: parts of 3 in flight), for 3 s.
  const sink: PushSink = await pushSink({
    drop: (method, path, at) => {
      if (!down && method === 'PUT' && /_dash3\.m4s$/.test(path)) {
        down = { from: at + 700, to: at + 700 + OUTAGE_MS };
        // The outage starts by cutting the uploads in progress (parts of segment 3 on the wire).
        setTimeout(() => (cut = sink.cutInProgress()), 700);
      }
      return down !== undefined && at >= down.from && at < down.to;
    },
  });
  t.teardown(() => sink.close());
  const res = await graphpac(
    [
      '-i',
      'source1',
      '-i',
      'source2',
      'reframer:rt=on',
      '-o',
      `http://127.0.0.1:${sink.port}/live.m3u8:gpac:hmode=push:segdur=2:cdur=0.5:profile=live:dmode=dynamic:llhls=br:rdirs=local`,
      '-runfor=13000',
    ],
    { cwd, timeoutMs: 40_000 },
  );
  t.is(res.code, 0, describe(res));
  t.truthy(down, 'the outage happened');
  const dropped = sink.requests.filter((r) => r.status === -1);
  t.true(dropped.length > 0, 'requests dropped during the outage');
  t.true(
    cut.some((p) => p.endsWith('.m4s')),
    `uploads cut: ${cut.join(' ')}`,
  );
  t.true(
    sink.requests.some(
      (r) => r.start >= down!.to && r.status >= 200 && r.status < 300 && /m3u8$/.test(r.path),
    ),
    'playlists accepted after the outage',
  );
  // Every version of each variant playlist the origin accepted, in the order it accepted them.
  const read = (uri: string) => sink.store.get(`/${uri}`);
  let checked = 0;
  for (const name of ['/live_1.m3u8', '/live_2.m3u8']) {
    const versions = sink.requests
      .filter((r) => r.path === name && r.method === 'PUT' && r.status >= 200 && r.status < 300)
      .sort((a, b) => a.end - b.end)
      .map((r) => r.body.toString());
    t.true(versions.length >= 10, `${name}: ${versions.length} versions`);
    const counted = { segments: 0 };
    const problems = await playlistHistoryProblems(name, versions, read, counted);
    t.deepEqual(problems.slice(0, 20), [], `${problems.length} problems`);
    t.true(counted.segments >= 4, `${name}: ${counted.segments} segments checked`);
    checked += counted.segments;
  }
  t.true(checked >= 8);
  await checkStoreEqualsLocal(t, sink, join(cwd, 'local'));
});
