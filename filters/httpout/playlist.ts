/**
 * Manifest requests: MPD and playlists from the store (the latest version written), with LL-HLS
 * delivery directives on variant playlists: blocking reload (`_HLS_msn` / `_HLS_part`), delta
 * updates (`_HLS_skip`), 400 / 503 answers, cache lifetimes of the server profile.
 */
import { packetProp } from '../../src/index.js';
import { decide, holdLimitMs, parseDirectives } from './directives.js';
import type { Directives } from './directives.js';
import { sendBuffer, sendSimple, tooManyHeld } from './delivery.js';
import type { Exchange } from './delivery.js';
import { etagOf } from './store.js';
import type { Manifest } from './store.js';
import { mimeOf } from './headers.js';

/** Delta playlists of a manifest version, made once (every player asking for one gets the same bytes). */
const deltas = new WeakMap<Manifest, Map<string, { body: Buffer; etag: string }>>();
function deltaOf(m: Manifest, skip: 'YES' | 'v2'): { body: Buffer; etag: string } | undefined {
  let byKind = deltas.get(m);
  const hit = byKind?.get(skip);
  if (hit) return hit;
  const delta = packetProp(m.props, skip === 'v2' ? 'HLSSkipV2' : 'HLSSkipYES');
  if (delta === undefined) return undefined;
  const body = Buffer.from(delta.endsWith('\n') ? delta : `${delta}\n`);
  const made = { body, etag: etagOf(body) };
  if (!byKind) deltas.set(m, (byKind = new Map()));
  byKind.set(skip, made);
  return made;
}

function respond(x: Exchange, m: Manifest, d: Directives, blocked: boolean, heldMs: number): void {
  const st = m.state;
  let body = m.data;
  let etag = m.etag;
  if (d.skip && st && !st.ended) {
    const delta = deltaOf(m, d.skip);
    if (delta) ({ body, etag } = delta);
  }
  const blocking = blocked && st !== undefined && !st.ended;
  sendBuffer(x, body, {
    type: mimeOf(m.path),
    etag,
    cls: blocking ? 'blocking' : 'live',
    extra: { Age: '0', ...(blocking ? { 'Block-Duration': String(Math.round(heldMs)) } : {}) },
  });
}

/** A playlist whose last part is older than this share of PART-TARGET is not answered at once (see below). */
export const FRESH_SHARE = 0.1;

/**
 * A live LL-HLS variant playlist asked for without directives (a player tuning in): answered when its
 * newest part is fresh. A player starts PART-HOLD-BACK behind the end of the playlist it first reads, from
 * the instant it reads it: a playlist whose last part ended 0.4 s ago puts it 0.4 s further behind for
 * good (hls.js never catches up by default). So if the last part is older than FRESH_SHARE of PART-TARGET,
 * the answer waits for the next part, one PART-TARGET at most, then gives the newest version. And while the
 * playlist lists less than PART-HOLD-BACK of media, it waits until it does (3 × TD at most).
 */
async function answerAtTheEdge(x: Exchange, path: string, first: Manifest, d: Directives): Promise<void> {
  const partMs = (first.state?.partTarget ?? 0) * 1000;
  const age = x.store.timers.now() - first.advancedAt;
  let current = first;
  const onClose = (cb: () => void) => {
    x.res.on('close', cb);
    return () => x.res.off('close', cb);
  };
  if (tooYoung(first)) {
    // Less than PART-HOLD-BACK listed (the stream's first seconds): no start point at the player's target
    // exists yet (hls.js would start at the first part, closer than its target, and run dry): wait for one.
    const r = await x.store.waitFor(
      () => {
        const m = x.store.manifests.get(path);
        return !m || !tooYoung(m) || m.state?.ended === true;
      },
      holdLimitMs(first.state?.targetDuration ?? 1),
      onClose,
    );
    if (r === 'closed') return;
    respond(x, x.store.manifests.get(path) ?? first, d, false, 0);
    return;
  }
  if (age > FRESH_SHARE * partMs) {
    const r = await x.store.waitFor(
      () => {
        const m = x.store.manifests.get(path);
        if (!m) return true;
        current = m;
        return m.advancedAt !== first.advancedAt || m.state?.ended === true;
      },
      partMs,
      onClose,
    );
    if (r === 'closed') return;
    current = x.store.manifests.get(path) ?? current;
  }
  respond(x, current, d, false, 0);
}

function tooYoung(m: Manifest): boolean {
  const st = m.state;
  return st?.partHoldBack !== undefined && st.listed !== undefined && st.listed < st.partHoldBack;
}

/** Answer a request for a manifest known to the store (`path` is its absolute path). */
export async function servePlaylist(x: Exchange, path: string, query: URLSearchParams): Promise<void> {
  const first = x.store.manifests.get(path);
  if (!first) return;
  const isPlaylist = path.endsWith('.m3u8');
  const parsed = isPlaylist ? parseDirectives(query) : {};
  if ('error' in parsed) {
    sendSimple(x, 400, `${parsed.error}\n`, 'live-error');
    return;
  }
  const d: Directives = parsed;
  const st = first.state;
  if (st && d.msn === undefined && !st.ended && st.partTarget) return answerAtTheEdge(x, path, first, d);
  if (!st || d.msn === undefined) {
    respond(x, first, d, false, 0);
    return;
  }
  const dec = decide(st, d);
  if (dec.kind === 'error') {
    sendSimple(x, 400, `${dec.reason}\n`, 'blocking-error');
    return;
  }
  const now = () => x.store.timers.now();
  const t0 = now();
  if (dec.kind === 'now') {
    respond(x, first, d, true, 0);
    return;
  }
  // Held: re-checked at every manifest change, up to 3 × target duration; counted in the client address's
  // held requests (MAX_HELD_PER_CLIENT).
  const release = x.hold();
  if (!release) {
    tooManyHeld(x);
    return;
  }
  let current = first;
  const r = await x.store
    .waitFor(
      () => {
        const m = x.store.manifests.get(path);
        if (!m?.state) return false;
        current = m;
        return decide(m.state, d).kind !== 'wait';
      },
      holdLimitMs(st.targetDuration),
      (cb) => {
        x.res.on('close', cb);
        return () => x.res.off('close', cb);
      },
    )
    .finally(release);
  if (r === 'closed') return;
  if (r === 'ok' && current.state) {
    const again = decide(current.state, d);
    if (again.kind === 'error') sendSimple(x, 400, `${again.reason}\n`, 'blocking-error');
    else respond(x, current, d, true, now() - t0);
    return;
  }
  sendSimple(
    x,
    503,
    `_HLS_msn=${d.msn}${d.part !== undefined ? ` _HLS_part=${d.part}` : ''} not available after ${Math.round(now() - t0)} ms\n`,
    'blocking-error',
  );
}
