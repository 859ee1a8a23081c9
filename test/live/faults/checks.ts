/**
 * The checks every fault test ends with: what a player following the live edge received (fault-tests'
 * `follow`) is valid — every playlist version passes llhls-check and follows the one before, lists
 * its segments in order, and every segment it names whole holds what the playlist says (EXTINF = the
 * media in its bytes, parts its own). The bytes checked are those the player received (whole answers
 * only), or the origin's folder for segments the player did not fetch.
 */
import type { ExecutionContext } from 'ava';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { playlistHistoryProblems } from '../../httpout/output-check.js';
import type { RawResponse } from './raw-client.js';

export async function checkFollowed(
  t: ExecutionContext,
  name: string,
  followed: { versions: string[]; segments: RawResponse[] },
  init: Uint8Array,
  dir?: string,
): Promise<number> {
  const received = new Map<string, Uint8Array>();
  for (const s of followed.segments) {
    const whole = s.status === 200 && (s.headers['transfer-encoding'] === 'chunked' ? s.terminated : !s.cut);
    if (whole) received.set(s.path.slice(1), s.body);
  }
  const initUri = /#EXT-X-MAP:URI="([^"]+)"/.exec(followed.versions[0] ?? '')?.[1];
  const read = async (uri: string): Promise<Uint8Array | undefined> => {
    if (uri === initUri) return init;
    return received.get(uri) ?? (dir ? await readFile(join(dir, uri)).catch(() => undefined) : undefined);
  };
  const counted = { segments: 0 };
  const problems = await playlistHistoryProblems(name, followed.versions, read, counted);
  if (problems.length)
    for (const s of followed.segments)
      t.log(
        `${s.path}: ${s.status} ${s.headers['transfer-encoding'] ?? `length ${s.headers['content-length']}`}, ${s.body.length} bytes${s.terminated ? ', terminated' : ''}${s.cut ? ', cut' : ''}${s.error ? `, ${s.error}` : ''}`,
      );
  t.deepEqual(problems.slice(0, 10), [], `${name}: ${problems.length} problems`);
  return counted.segments;
}
