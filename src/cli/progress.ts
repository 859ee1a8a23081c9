/**
 * Progress on a terminal (stderr), refreshed in place: a bar with percent, speed (× real time) and ETA
 * for a job faster than real time; a one-line status for a live run (media time, segments, parts, how far
 * the written media lags the wall clock, and what other filters report: clients, push queue…).
 * Off when stderr is not a terminal, or with -quiet / -noprog.
 */
import type { Session } from '../engine/session.js';

type Progress = ReturnType<Session['progress']>;

function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/**
 * Figures other filters report, shown after the dasher's (e.g. `clients 3`). Instances of one origin
 * report the same figure: each key is shown once, with its largest value.
 */
function extras(p: Progress): string {
  const merged = new Map<string, number | string>();
  for (const [filter, st] of Object.entries(p.status)) {
    if (filter.startsWith('dasher')) continue;
    for (const [k, v] of Object.entries(st)) {
      if (k === 'mediaSeconds') continue;
      const prev = merged.get(k);
      merged.set(k, typeof v === 'number' && typeof prev === 'number' ? Math.max(prev, v) : v);
    }
  }
  return [...merged].map(([k, v]) => `  ${k} ${v}`).join('');
}

/** One line for the current state; `elapsed` is wall seconds since the start. */
export function progressLine(p: Progress, elapsed: number, width = 30): string {
  const speed = elapsed > 0 ? p.mediaSeconds / elapsed : 0;
  const dasher = Object.entries(p.status).find(([k]) => k.startsWith('dasher'))?.[1] ?? {};
  const counts =
    dasher.segments !== undefined ? `  segments ${dasher.segments}  parts ${dasher.parts ?? 0}` : '';
  const live = elapsed > 1 && speed < 1.5;
  if (live || p.durationSeconds === undefined) {
    const lag = typeof dasher.lagMs === 'number' ? `  lag ${dasher.lagMs} ms` : '';
    return `live ${clock(p.mediaSeconds)}${counts}${lag}${extras(p)}`;
  }
  const frac = Math.min(1, p.durationSeconds > 0 ? p.mediaSeconds / p.durationSeconds : 0);
  const filled = Math.round(frac * width);
  const eta = speed > 0 ? (p.durationSeconds - p.mediaSeconds) / speed : undefined;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}%  ×${speed.toFixed(1)}  ETA ${eta === undefined ? '?' : clock(eta)}${counts}${extras(p)}`;
}

/** Start refreshing the line every `everyMs`; returns a function that stops and clears it. */
export function startProgress(session: Session, out: NodeJS.WriteStream, everyMs = 250): () => void {
  const t0 = performance.now();
  let shown = false;
  const draw = () => {
    const line = progressLine(session.progress(), (performance.now() - t0) / 1000);
    const cols = out.columns || 100;
    out.write(`\r\x1b[2K${line.slice(0, cols - 1)}`);
    shown = true;
  };
  const timer = setInterval(draw, everyMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    if (shown) out.write('\r\x1b[2K');
  };
}
