/**
 * Run the graphpac CLI as a user would, in a child process: `graphpac ARGS` with the current directory
 * set (GPAC's lines name their clips `source1 source2` relative to it), a timeout (a hang fails the test
 * instead of stalling the suite), optional standard input. `startGraphpac` returns the child, so a test
 * can look at the output while the run goes on or signal it.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const mediaDir = join(repoRoot, 'test/media');
const cliEntry = join(repoRoot, 'src/cli/run.ts');
// Absolute loader URL: the child may run outside the repo, where a bare `tsx` would not resolve.
const tsxLoader = import.meta.resolve('tsx');

export interface CliResult {
  /** Exit code (null when killed). */
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Wall time in milliseconds, spawn to exit. */
  ms: number;
}

export interface RunOptions {
  /** Working directory (default: the repository root). */
  cwd?: string;
  /** Kill the process after this many milliseconds (default 60 s). */
  timeoutMs?: number;
  /** Bytes written to the child's standard input (then closed). */
  stdin?: Uint8Array;
  /** Leave standard input open: the caller writes (or pipes) into `child.stdin` and ends it. */
  keepStdin?: boolean;
  /** Environment variables added to (or, set to undefined, removed from) the inherited ones. */
  env?: Record<string, string | undefined>;
}

export interface Running {
  child: ChildProcessByStdio<Writable, Readable, Readable>;
  done: Promise<CliResult>;
}

export function startGraphpac(args: string[], opts: RunOptions = {}): Running {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', tsxLoader, cliEntry, ...args], {
    cwd: opts.cwd ?? repoRoot,
    env: { ...process.env, ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d: Buffer) => err.push(d));
  child.stdin.on('error', () => {}); // the child may exit before reading its input
  if (opts.stdin) child.stdin.end(opts.stdin);
  else if (!opts.keepStdin) child.stdin.end();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, opts.timeoutMs ?? 60_000);
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
        ms: performance.now() - t0,
      });
    });
  });
  return { child, done };
}

export function graphpac(args: string[], opts: RunOptions = {}): Promise<CliResult> {
  return startGraphpac(args, opts).done;
}

/** The same, from the repository root (test clips as `test/media/…`). */
export function runGraphpac(args: string[], opts: Omit<RunOptions, 'cwd'> = {}): Promise<CliResult> {
  return graphpac(args, opts);
}

/** How a failed run reads in an assertion message. */
export function describe(r: CliResult): string {
  return `exit ${r.code}${r.timedOut ? ' (killed: timeout)' : ''} after ${Math.round(r.ms)} ms\n--- stderr ---\n${r.stderr}`;
}

/** Wait until a run has produced `path` (a signal sent before its handlers are set would kill it). */
export async function waitForFile(path: string, timeoutMs = 20_000): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (
      await stat(path).then(
        () => true,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${path} did not appear within ${timeoutMs} ms`);
}
