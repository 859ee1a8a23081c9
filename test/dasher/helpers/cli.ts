/**
 * Runs the graphpac CLI the way a user does after pasting a GPAC line: `graphpac ARGS` with the
 * current directory set to a work folder holding the clips (GPAC's lines name them `source1 source2`
 * relative to the cwd). test/helpers/run-cli.ts always runs from the repo root, hence this helper.
 * `startGraphpac` returns the child so a test can look at the output folder while the run goes on.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { builtinFilters } from '../../../filters/index.js';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const mediaDir = join(repoRoot, 'test/media');
const cliEntry = join(repoRoot, 'src/cli/main.ts');
// Absolute loader URL: the child runs outside the repo, where a bare `tsx` would not resolve.
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

export interface Running {
  child: ChildProcessByStdio<Writable, Readable, Readable>;
  done: Promise<CliResult>;
}

/** Filters not (yet) listed in filters/index.ts are loaded the public way, with --plugin. */
const OWN_FILTERS: Record<string, string> = {
  fin: 'filters/fin/index.ts',
  mp4dmx: 'filters/mp4dmx/index.ts',
  reframer: 'filters/reframer/index.ts',
  dasher: 'filters/dasher/index.ts',
  fout: 'filters/fout/index.ts',
};

function pluginArgs(): string[] {
  const registered = new Set(builtinFilters.map((f) => f.name));
  return Object.entries(OWN_FILTERS)
    .filter(([name]) => !registered.has(name))
    .flatMap(([, path]) => ['--plugin', join(repoRoot, path)]);
}

export function startGraphpac(args: string[], opts: { cwd: string; timeoutMs?: number }): Running {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', tsxLoader, cliEntry, ...pluginArgs(), ...args], {
    cwd: opts.cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d: Buffer) => err.push(d));
  child.stdin.on('error', () => {});
  child.stdin.end();
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

export function graphpac(args: string[], opts: { cwd: string; timeoutMs?: number }): Promise<CliResult> {
  return startGraphpac(args, opts).done;
}

/** How a failed run reads in an assertion message. */
export function describe(r: CliResult): string {
  return `exit ${r.code}${r.timedOut ? ' (killed: timeout)' : ''} after ${Math.round(r.ms)} ms\n--- stderr ---\n${r.stderr}`;
}
