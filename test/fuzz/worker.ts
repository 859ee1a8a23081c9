/**
 * A fuzz worker: a child process (forked by pool.ts) that runs cases one after the other, each the way a
 * user runs graphpac (the CLI's main() on a file written to a temporary folder, packaging to files), and
 * reports each outcome. The parent watches it for hangs, memory and death, and starts a fresh worker
 * after any case that did not end cleanly.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { caseArgs, makeCase } from './cases.js';
import type { Outcome } from './classify.js';
import { judgeError } from './classify.js';
import { runMain } from './in-process.js';
import { checkManifests, decodeFile, decodePlaylists } from './output-check.js';

export interface CaseRequest {
  type: 'case';
  seed: number;
  index: number;
  /** Decode the output with ffprobe (a sample of the successes, to stay fast). */
  decode: boolean;
  /** Keep the case's folder (replay). */
  keep?: boolean;
}

export interface CaseReply {
  type: 'result';
  seed: number;
  index: number;
  outcome: Outcome;
  why?: string;
  /** The error line (clean errors and leaks) or the output problem. */
  message?: string;
  /** Decoded with ffprobe: 'output' (it decodes), 'input-too' (neither decodes), undefined (not tried). */
  decoded?: 'output' | 'input-too';
  ms: number;
  /** Resident memory after the case, once garbage is collected (MB). */
  rssMb: number;
  /** Peak resident memory of the process so far (MB). */
  maxRssMb: number;
  dir?: string;
}

const base = join(tmpdir(), `graphpac-fuzz-${process.pid}`);
mkdirSync(base, { recursive: true });

function send(m: CaseReply | { type: 'ready' } | { type: 'decoding' }): void {
  process.send!(m);
}

let current: CaseRequest | undefined;
const died = (e: unknown) => {
  // An exception nothing caught: the process is not in a state to go on.
  if (current)
    send({
      type: 'result',
      seed: current.seed,
      index: current.index,
      outcome: 'crash',
      why: 'uncaught exception',
      message: String(e instanceof Error ? (e.stack ?? e.message) : e)
        .split('\n')
        .slice(0, 4)
        .join(' | '),
      ms: 0,
      rssMb: 0,
      maxRssMb: 0,
    });
  process.exit(70);
};
process.on('uncaughtException', died);
process.on('unhandledRejection', died);

/** The watchdog's own test (test/fuzz/pool.test.ts): a worker that misbehaves on request. */
async function selfTest(what: string): Promise<void> {
  if (what === 'busy') for (;;);
  if (what === 'idle') await new Promise(() => {});
  if (what === 'crash') process.abort();
  if (what === 'memory') {
    const hold: Uint8Array[] = [];
    for (;;) hold.push(new Uint8Array(64 << 20).fill(1));
  }
  if (what === 'throw') {
    setTimeout(() => {
      throw new Error('an exception nothing catches');
    }, 0);
    await new Promise(() => {});
  }
}

async function runCase(req: CaseRequest): Promise<CaseReply> {
  const t0 = performance.now();
  const test = process.env.FUZZ_SELFTEST;
  if (test) await selfTest(test);
  const c = makeCase(req.seed, req.index);
  const dir = join(base, `case${req.index}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'out'), { recursive: true });
  const file = join(dir, c.fileName);
  writeFileSync(file, c.bytes);
  const out = join(dir, 'out');
  const r = await runMain(caseArgs(c, file, out));
  let outcome: Outcome = 'success';
  let why: string | undefined;
  let message: string | undefined;
  let decoded: CaseReply['decoded'];
  if (r.code !== 0) {
    ({ outcome, why } = judgeError(r.stderr, file));
    message = r.stderr.trim().split('\n').slice(0, 3).join(' | ');
  } else if (c.mode !== 'inspect') {
    const problems = await checkManifests(out, { hls: 'live.m3u8', mpd: 'live.mpd' });
    if (problems.length) {
      outcome = 'bad-output';
      message = problems.map((p) => `${p.file} ${p.what}`).join('; ');
    } else if (req.decode) {
      send({ type: 'decoding' }); // the parent's watchdog: ffprobe works, this process waits
      const results = await decodePlaylists(out, 'live.m3u8', dir);
      const bad = results.find(
        (x) => x.decoded.failed || !x.decoded.frames.length || x.decoded.frames.some((n) => !(n > 0)),
      );
      if (!bad) {
        decoded = 'output';
      } else {
        // Garbage in, garbage out: an output that does not decode is only ours if the input does.
        const input = await decodeFile(file);
        if (input.failed || !input.frames.length || input.frames.some((n) => !(n > 0))) {
          decoded = 'input-too';
        } else {
          outcome = 'bad-output';
          message = `${bad.playlist} does not decode (frames ${bad.decoded.frames.join(',') || 'none'}; ${bad.decoded.error.split('\n')[0] ?? ''}) while the input does (frames ${input.frames.join(',')})`;
        }
      }
    }
  }
  if (!req.keep) rmSync(dir, { recursive: true, force: true });
  (globalThis as { gc?: () => void }).gc?.();
  return {
    type: 'result',
    seed: req.seed,
    index: req.index,
    outcome,
    ...(why ? { why } : {}),
    ...(message ? { message } : {}),
    ...(decoded ? { decoded } : {}),
    ms: Math.round(performance.now() - t0),
    rssMb: Math.round(process.memoryUsage().rss / 2 ** 20),
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    ...(req.keep ? { dir } : {}),
  };
}

process.on('message', (m: CaseRequest | { type: 'exit' }) => {
  if (m.type === 'exit') {
    rmSync(base, { recursive: true, force: true });
    process.exit(0);
  }
  current = m;
  void runCase(m).then((reply) => {
    current = undefined;
    send(reply);
  }, died);
});
process.on('exit', () => rmSync(base, { recursive: true, force: true }));
process.on('disconnect', () => process.exit(0)); // the parent is gone
send({ type: 'ready' });
