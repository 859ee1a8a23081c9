/**
 * The watch page an origin serves (`/watch`): plays the stream with hls.js (LL-HLS) or dash.js (LL-DASH),
 * both served from the installed npm packages (no outside CDN), and shows live figures: latency to the
 * live edge, buffer, bitrate, parts / segments received. `window.graphpacStats` exposes the same figures
 * to tests.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** Files of the players, by the path the page loads them from. */
export function playerAssets(): Record<string, string> {
  const hls = require.resolve('hls.js/dist/hls.min.js');
  // dashjs exports no package.json; its `require` entry is the UMD build the page needs.
  const dash = require.resolve('dashjs');
  return {
    '/_graphpac/hls.min.js': hls,
    '/_graphpac/dash.all.min.js': join(dirname(dash), 'dash.all.min.js'),
  };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface WatchPageOptions {
  /** HLS master playlist path on this origin (e.g. `/live.m3u8`), if any. */
  hls?: string;
  /** MPD path on this origin, if any. */
  dash?: string;
  title?: string;
}

export function watchPage(o: WatchPageOptions): string {
  const title = escapeHtml(o.title ?? 'graphpac live');
  const cfg = JSON.stringify({ hls: o.hls ?? null, dash: o.dash ?? null });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font: 15px/1.4 system-ui, sans-serif; margin: 0; background: #111; color: #eee; }
  header { display: flex; gap: 1em; align-items: center; padding: .6em 1em; background: #222; }
  header h1 { font-size: 1.1em; margin: 0 1em 0 0; }
  button { font: inherit; padding: .3em .9em; border: 1px solid #555; background: #333; color: #eee; border-radius: 4px; cursor: pointer; }
  button.on { background: #2a6; border-color: #2a6; }
  main { display: grid; grid-template-columns: minmax(0, 3fr) minmax(14em, 1fr); gap: 1em; padding: 1em; }
  video { width: 100%; background: #000; }
  dl { display: grid; grid-template-columns: auto 1fr; gap: .3em 1em; margin: 0; }
  dt { color: #999; } dd { margin: 0; font-variant-numeric: tabular-nums; }
  #latency { font-size: 2.2em; font-weight: 600; color: #4d9; }
  #err { color: #f77; }
  #preset { color: #bbb; font-size: .9em; } #preset code { color: #eee; }
</style>
</head>
<body>
<header>
  <h1>${title}</h1>
  <button id="b-hls">LL-HLS (hls.js)</button>
  <button id="b-dash">LL-DASH (dash.js)</button>
  <button id="b-stock" title="the players exactly as a site embeds them, no option at all">stock players</button>
  <span id="src"></span>
</header>
<main>
  <video id="v" muted autoplay playsinline controls></video>
  <section>
    <div id="latency">–</div><div>seconds behind live</div>
    <dl>
      <dt>player</dt><dd id="player">–</dd>
      <dt>target</dt><dd id="target">–</dd>
      <dt>buffer</dt><dd id="buffer">–</dd>
      <dt>bitrate</dt><dd id="bitrate">–</dd>
      <dt>segments</dt><dd id="segments">0</dd>
      <dt>parts</dt><dd id="parts">0</dd>
      <dt>stalls</dt><dd id="stalls">0</dd>
      <dt>position</dt><dd id="pos">–</dd>
    </dl>
    <p id="err"></p>
    <p id="preset"></p>
  </section>
</main>
<script src="/_graphpac/hls.min.js"></script>
<script src="/_graphpac/dash.all.min.js"></script>
<script>
(() => {
  const cfg = ${cfg};
  const q = new URLSearchParams(location.search);
  // ?hls=/other.m3u8 or ?dash=/other.mpd plays another manifest of this origin (e.g. the _IF set).
  if (q.get('hls')) cfg.hls = q.get('hls');
  if (q.get('dash')) cfg.dash = q.get('dash');
  const v = document.getElementById('v');
  const $ = (id) => document.getElementById(id);
  // ?config=stock: the players exactly as a site embeds them, with no option at all (what the stock-player
  // latency tests measure); otherwise tuned for low latency. ?debug=1: the players' debug logs (console).
  const stock = q.get('config') === 'stock';
  const debug = q.get('debug') === '1';
  const t0 = performance.now();
  const stats = (window.graphpacStats = {
    epoch: Date.now(), player: null, config: stock ? 'stock' : 'tuned', latency: null, wallLatency: null, buffer: 0, bitrate: 0,
    segments: 0, parts: 0, stalls: 0, errors: [], startup: null, stallLog: [], samples: [], tuneIn: null,
  });
  // Debug logs are kept in the page with their exact time (a console message reaches a test late).
  stats.log = [];
  if (debug)
    for (const k of ['log', 'debug', 'info', 'warn', 'error'])
      console[k] = (...a) => { if (stats.log.length < 50000) stats.log.push([(performance.now() - t0) / 1000, a.map(String).join(' ')]); };
  let player = null, kind = null;
  function stop() {
    if (player && player.destroy) player.destroy();
    if (player && player.reset) player.reset();
    player = null;
  }
  function fail(msg) { stats.errors.push(msg); $('err').textContent = msg; }
  function startHls() {
    if (!cfg.hls) return fail('no HLS playlist on this origin');
    if (!window.Hls || !Hls.isSupported()) return fail('hls.js: Media Source Extensions not supported');
    // Tuned: low-latency mode, and catch up (up to 1.5× speed) when behind the target latency.
    const conf = stock ? {} : { lowLatencyMode: true, backBufferLength: 30, maxLiveSyncPlaybackRate: 1.5 };
    if (debug) conf.debug = true;
    const h = new Hls(conf);
    // Where hls.js chose to start, and how far behind live that was when it chose (its first fragment
    // request): the rest of its latency is its own start-up (it never catches up unless configured to).
    // hls.js dates the first playlist from when this page saw its first byte (a CPU-starved page sees it late).
    let firstByte = null;
    // (hls.js requests its first fragment while it dispatches LEVEL_LOADED, before this listener runs.)
    h.on(Hls.Events.LEVEL_LOADED, (_e, d) => {
      if (firstByte === null && d.stats) firstByte = { url: d.details.url, epoch: performance.timeOrigin + d.stats.loading.first };
      if (stats.tuneIn && !stats.tuneIn.playlist) stats.tuneIn.playlist = firstByte;
    });
    h.on(Hls.Events.FRAG_LOADING, (_e, d) => {
      if (stats.tuneIn || d.frag.type !== 'main') return;
      const pos = h.startPosition, det = h.latestLevelDetails;
      // The segment holding the position, or the one before (the live edge's is in production).
      const f = det && det.fragments.concat(det.fragmentHint ? [det.fragmentHint] : []).filter((x) => x.programDateTime && x.start <= pos).pop();
      stats.tuneIn = { at: (performance.now() - t0) / 1000, position: pos, behind: f ? (Date.now() - f.programDateTime) / 1000 - (pos - f.start) : null, holdBack: det ? det.partHoldBack || det.holdBack : null, playlist: firstByte };
    });
    h.on(Hls.Events.FRAG_LOADED, (_e, d) => { if (d.frag.type !== 'main') return; if (d.part) stats.parts++; else stats.segments++; });
    h.on(Hls.Events.FRAG_BUFFERED, (_e, d) => { if (d.stats && d.frag.type === 'main') stats.bitrate = Math.round((d.stats.total * 8) / (d.frag.duration || 1)); });
    h.on(Hls.Events.ERROR, (_e, d) => { if (d.fatal) fail('hls.js: ' + d.type + ' ' + d.details); });
    h.loadSource(cfg.hls); h.attachMedia(v);
    player = h; kind = 'hls';
  }
  function startDash() {
    if (!cfg.dash) return fail('no MPD on this origin');
    const p = dashjs.MediaPlayer().create();
    // Tuned: the MPD's target (its ServiceDescription), catching up faster than the MPD's ±4 % (±10 % speed).
    if (!stock) p.updateSettings({ streaming: { liveCatchup: { enabled: true, playbackRate: { min: -0.1, max: 0.1 } } } });
    if (debug) p.updateSettings({ debug: { logLevel: dashjs.Debug.LOG_LEVEL_DEBUG } });
    p.on(dashjs.MediaPlayer.events.FRAGMENT_LOADING_COMPLETED, (e) => { if (e.request && e.request.mediaType === 'video') stats.segments++; });
    p.on(dashjs.MediaPlayer.events.ERROR, (e) => fail('dash.js: ' + JSON.stringify(e.error || e)));
    p.initialize(v, cfg.dash, true);
    player = p; kind = 'dash';
  }
  function choose(k) {
    stop(); stats.segments = stats.parts = stats.stalls = 0; stats.errors = []; $('err').textContent = '';
    stats.player = k; $('player').textContent = (k === 'hls' ? 'hls.js ' + (window.Hls ? Hls.version : '') : 'dash.js ' + (window.dashjs ? dashjs.Version || '' : '')) + (stock ? ' (stock)' : '');
    $('b-hls').classList.toggle('on', k === 'hls'); $('b-dash').classList.toggle('on', k === 'dash');
    $('src').textContent = k === 'hls' ? cfg.hls : cfg.dash;
    q.set('player', k); history.replaceState(null, '', '?' + q);
    (k === 'hls' ? startHls : startDash)();
  }
  /** Seconds between now and the wall-clock instant the frame on screen was live (capture to display). */
  function wallLatency() {
    if (kind === 'hls' && player && player.playingDate) return (Date.now() - player.playingDate.getTime()) / 1000;
    if (kind === 'dash' && player && player.timeAsUTC && v.currentTime > 0) {
      const u = player.timeAsUTC();
      if (u > 0) return Date.now() / 1000 - u;
    }
    return null;
  }
  v.addEventListener('waiting', () => { if (v.currentTime > 0) stats.stalls++; });
  // The media element's own events, timed (what a start-up or a stall looked like from the element).
  stats.events = [];
  for (const e of ['loadedmetadata', 'loadeddata', 'canplay', 'canplaythrough', 'play', 'playing', 'waiting', 'seeking', 'seeked', 'ratechange'])
    v.addEventListener(e, () => { if (stats.events.length < 500) stats.events.push([(performance.now() - t0) / 1000, e, v.currentTime, v.readyState]); });
  $('b-hls').onclick = () => choose('hls');
  $('b-dash').onclick = () => choose('dash');
  $('b-stock').classList.toggle('on', stock);
  $('b-stock').onclick = () => { q.set('config', stock ? 'tuned' : 'stock'); location.search = '?' + q; };
  /** The player's own latency target: PART-HOLD-BACK (hls.js), the MPD's ServiceDescription (dash.js). */
  function target() {
    if (kind === 'hls' && player && typeof player.targetLatency === 'number') return player.targetLatency;
    if (kind === 'dash' && player && player.getTargetLiveDelay) { const d = player.getTargetLiveDelay(); return d > 0 ? d : null; }
    return null;
  }
  // Stalls measured from the position itself (100 ms grain): the clock runs, playback does not.
  // Start-up: the position first moves (a seek to the start position alone is not playing).
  let lastPos = 0, stalledAt = null, startPos = null;
  setInterval(() => {
    const now = (performance.now() - t0) / 1000;
    const pos = v.currentTime;
    if (stats.startup === null && pos > 0 && !v.paused && !v.seeking) {
      if (startPos === null) startPos = pos;
      else if (pos > startPos + 0.02) stats.startup = now;
    }
    if (stats.startup !== null && !v.paused && !v.ended) {
      if (pos <= lastPos + 1e-3) stalledAt ??= now;
      else if (stalledAt !== null) { stats.stallLog.push([stalledAt, now - stalledAt]); stalledAt = null; }
    }
    stats.stalledFor = stalledAt === null ? 0 : now - stalledAt;
    lastPos = pos;
  }, 100);
  setInterval(() => {
    let lat = null;
    if (kind === 'hls' && player && typeof player.latency === 'number') lat = player.latency;
    if (kind === 'dash' && player && player.getCurrentLiveLatency) lat = player.getCurrentLiveLatency();
    const wall = wallLatency();
    const b = v.buffered.length ? v.buffered.end(v.buffered.length - 1) - v.currentTime : 0;
    stats.latency = lat; stats.wallLatency = wall; stats.buffer = b; stats.position = v.currentTime;
    if (stats.startup !== null && stats.samples.length < 4800)
      stats.samples.push([(performance.now() - t0) / 1000, v.currentTime, wall, lat, b, v.playbackRate]);
    $('latency').textContent = wall === null || isNaN(wall) ? '–' : wall.toFixed(2);
    $('buffer').textContent = b.toFixed(2) + ' s';
    $('bitrate').textContent = stats.bitrate ? (stats.bitrate / 1000).toFixed(0) + ' kb/s' : '–';
    $('segments').textContent = stats.segments; $('parts').textContent = stats.parts; $('stalls').textContent = stats.stalls;
    $('pos').textContent = v.currentTime.toFixed(2) + ' s';
    const tg = target();
    $('target').textContent = tg ? tg.toFixed(2) + ' s' : '–';
    // The sub-second preset (docs/LATENCY.md), offered when this stream's target is above 1 s.
    $('preset').innerHTML = tg && tg > 1
      ? 'Under a second: package with <code>cdur=0.2:asto=SEGDUR−0.2</code> (e.g. <code>segdur=2:cdur=0.2:asto=1.8</code>) and a GOP of 0.4–1 s; see docs/LATENCY.md.'
      : tg ? 'Sub-second settings (cdur=0.2).' : '';
  }, 250);
  const want = q.get('player');
  choose(want === 'dash' || (!cfg.hls && cfg.dash) ? 'dash' : 'hls');
})();
</script>
</body>
</html>
`;
}
