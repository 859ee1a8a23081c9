/**
 * A lone blocking-reload player in its own process, for bench/origin-load.ts: the time it first sees each
 * part is the part's publication, unaffected by the simulated players' event loop.
 *
 *   node --import tsx bench/probe.ts URL...     (variant playlists of the origin)
 *
 * Prints one JSON line per part first seen, `{ key, at, endMs }` (key `variant:MSN.index`, wall ms), and
 * `{ error }` lines; stops when its stdin closes (or the playlists end).
 */
import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { followBlocking } from './live.js';

export interface ProbeSeen {
  key: string;
  at: number;
  endMs: number;
}

const urls = process.argv.slice(2);
if (!urls.length) throw new Error('usage: node --import tsx bench/probe.ts URL...');
const ac = new AbortController();
process.stdin.on('end', () => ac.abort());
process.stdin.on('close', () => ac.abort());
process.stdin.resume();
const agent = urls[0]?.startsWith('https:')
  ? new HttpsAgent({ keepAlive: true, rejectUnauthorized: false })
  : new Agent({ keepAlive: true });
const seen = new Set<string>();
const say = (x: ProbeSeen | { error: string }): void => {
  process.stdout.write(`${JSON.stringify(x)}\n`);
};
await Promise.all(
  urls.map((url) => {
    const variant = url.slice(url.lastIndexOf('/') + 1);
    return followBlocking(url, {
      signal: ac.signal,
      agent,
      onAnswer: ({ playlist, reply }) => {
        for (const p of playlist.parts) {
          const key = `${variant}:${p.key}`;
          if (seen.has(key)) continue;
          seen.add(key);
          say({ key, at: reply.endMs, endMs: p.endMs });
        }
      },
      onError: (error) => say({ error }),
    });
  }),
);
agent.destroy();
process.exit(0);
