/**
 * A player tuning in reads the variant playlist without directives and starts PART-HOLD-BACK behind its
 * end, from the instant it reads it; stock hls.js never catches up afterwards. So a live LL-HLS variant
 * playlist is answered at the live edge: at once when its last part is fresh (≤ 10 % of PART-TARGET old),
 * else when the next part is listed (one PART-TARGET at most). Fed by hand through the hooks.
 */
import test from 'ava';
import { join } from 'node:path';
import type { OriginServer } from '../../filters/httpout/server.js';
import { get, originServer } from './helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function publish(server: OriginServer, root: string, msn: number, part: number, ended = false): void {
  const text = `#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXT-X-PART-INF:PART-TARGET=5\n#STATE:${msn}/${part}\n${ended ? '#EXT-X-ENDLIST\n' : ''}`;
  server.store.hooks().replaced?.(join(root, 'v.m3u8'), Buffer.from(text), {
    HLSVariant: true,
    HLSLastMsn: msn,
    HLSLastPart: part,
    HLSEnded: ended,
    HLSTargetDuration: 10,
  });
}

test('a tuning-in playlist request is answered at the live edge', async (t) => {
  const { server, port, root } = await originServer();
  try {
    // PART-TARGET 5 s: fresh means listed ≤ 500 ms ago; a held answer waits ≤ 5 s. Only lower bounds
    // and contents are checked (a loaded machine answers late, never early).
    publish(server, root, 5, 1);
    const fresh = get(port, '/v.m3u8');
    await sleep(1000);
    publish(server, root, 5, 2);
    t.regex((await fresh).body.toString(), /#STATE:5\/1/, 'fresh part: answered at once');

    await sleep(800); // the last part is now 800 ms old (> 10 % of 5 s)
    const held = get(port, '/v.m3u8');
    await sleep(300);
    publish(server, root, 5, 3);
    const r = await held;
    t.is(r.status, 200);
    t.regex(r.body.toString(), /#STATE:5\/3/, 'the version with the next part');
    t.true(r.ms >= 250, `held until the next part (${Math.round(r.ms)} ms)`);
    t.is(r.headers['block-duration'], undefined, 'not a blocking reload');
    t.is(r.headers['cache-control'], 'public, max-age=5');

    // A new version without a new part (a rendition report changed) does not end the wait.
    await sleep(800);
    const waiting = get(port, '/v.m3u8');
    await sleep(300);
    publish(server, root, 5, 3);
    const stalled = await waiting;
    t.regex(stalled.body.toString(), /#STATE:5\/3/);
    t.true(stalled.ms >= 4900, `no new part: answered after PART-TARGET (${Math.round(stalled.ms)} ms)`);

    // Ended playlists are answered at once.
    publish(server, root, 6, 0, true);
    await sleep(800);
    const ended = get(port, '/v.m3u8');
    const t0 = performance.now();
    await ended;
    t.true(performance.now() - t0 < 4900, 'not held');
  } finally {
    await server.close(200);
  }
});

test("in the stream's first seconds, a tuning-in request waits until PART-HOLD-BACK of media is listed", async (t) => {
  const { server, port, root } = await originServer();
  try {
    const publishParts = (n: number) => {
      const parts = Array.from({ length: n }, (_, i) => `#EXT-X-PART:DURATION=0.5,URI="s1.m4s.${i}"\n`).join(
        '',
      );
      const text = `#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-SERVER-CONTROL:PART-HOLD-BACK=1.5\n#EXT-X-PART-INF:PART-TARGET=0.5\n${parts}`;
      server.store.hooks().replaced?.(join(root, 'v.m3u8'), Buffer.from(text), {
        HLSVariant: true,
        HLSLastMsn: 1,
        HLSLastPart: n - 1,
        HLSEnded: false,
        HLSTargetDuration: 2,
      });
    };
    publishParts(1);
    const held = get(port, '/v.m3u8');
    await sleep(300);
    publishParts(2); // 1 s listed: still under PART-HOLD-BACK
    await sleep(300);
    publishParts(3); // 1.5 s
    const r = await held;
    t.is(r.status, 200);
    t.is((r.body.toString().match(/#EXT-X-PART:/g) ?? []).length, 3, 'answered once 1.5 s is listed');
    t.true(r.ms >= 550, `${Math.round(r.ms)} ms`);
  } finally {
    await server.close(200);
  }
});
