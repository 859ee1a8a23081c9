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
  const text = `#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-PART-INF:PART-TARGET=2\n#STATE:${msn}/${part}\n${ended ? '#EXT-X-ENDLIST\n' : ''}`;
  server.store.hooks().replaced?.(join(root, 'v.m3u8'), Buffer.from(text), {
    HLSVariant: true,
    HLSLastMsn: msn,
    HLSLastPart: part,
    HLSEnded: ended,
    HLSTargetDuration: 4,
  });
}

test('a tuning-in playlist request is answered at the live edge', async (t) => {
  const { server, port, root } = await originServer();
  try {
    // PART-TARGET 2 s: fresh means listed ≤ 200 ms ago; a held answer waits ≤ 2 s. Only lower bounds
    // and contents are checked (a loaded machine answers late, never early).
    publish(server, root, 5, 1);
    const fresh = get(port, '/v.m3u8');
    await sleep(1000);
    publish(server, root, 5, 2);
    t.regex((await fresh).body.toString(), /#STATE:5\/1/, 'fresh part: answered at once');

    await sleep(400); // the last part is now 400 ms old (> 10 % of 2 s)
    const held = get(port, '/v.m3u8');
    await sleep(300);
    publish(server, root, 5, 3);
    const r = await held;
    t.is(r.status, 200);
    t.regex(r.body.toString(), /#STATE:5\/3/, 'the version with the next part');
    t.true(r.ms >= 250, `held until the next part (${Math.round(r.ms)} ms)`);
    t.is(r.headers['block-duration'], undefined, 'not a blocking reload');
    t.is(r.headers['cache-control'], 'public, max-age=2');

    // A new version without a new part (a rendition report changed) does not end the wait.
    await sleep(400);
    const waiting = get(port, '/v.m3u8');
    await sleep(300);
    publish(server, root, 5, 3);
    const stalled = await waiting;
    t.regex(stalled.body.toString(), /#STATE:5\/3/);
    t.true(stalled.ms >= 1900, `no new part: answered after PART-TARGET (${Math.round(stalled.ms)} ms)`);

    // Ended playlists are answered at once.
    publish(server, root, 6, 0, true);
    await sleep(400);
    const ended = get(port, '/v.m3u8');
    const t0 = performance.now();
    await ended;
    t.true(performance.now() - t0 < 1900, 'not held');
  } finally {
    await server.close(200);
  }
});
