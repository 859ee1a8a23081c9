/**
 * Run the graphpac CLI as a user would: `node --import tsx src/cli/main.ts ARGS` from the repo root,
 * in a child process, with a timeout (a hang fails the test instead of stalling the suite).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { builtinFilters } from '../../filters/index.js';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface CliResult {
  /** Exit code (null when killed). */
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Wall time in milliseconds. */
  ms: number;
}

export interface RunOptions {
  /** Kill the process after this many milliseconds (default 60 s). */
  timeoutMs?: number;
  /** Bytes written to the child's standard input (then closed). */
  stdin?: Uint8Array;
}

/**
 * Filters of this suite not yet listed in filters/index.ts are loaded with --plugin, so the tests run
 * the same before and after the lead registers them (the plugin route is the public one anyway).
 */
const OWN_FILTERS: Record<string, string> = {
  fin: './filters/fin/index.ts',
  mp4dmx: './filters/mp4dmx/index.ts',
  inspect: './filters/inspect/index.ts',
};

function pluginArgs(): string[] {
  const registered = new Set(builtinFilters.map((f) => f.name));
  return Object.entries(OWN_FILTERS)
    .filter(([name]) => !registered.has(name))
    .flatMap(([, path]) => ['--plugin', path]);
}

export function runGraphpac(args: string[], opts: RunOptions = {}): Promise<CliResult> {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...pluginArgs(), ...args], {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d: Buffer) => err.push(d));
  child.stdin.on('error', () => {}); // the child may exit before reading its input
  if (opts.stdin) child.stdin.end(opts.stdin);
  else child.stdin.end();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, opts.timeoutMs ?? 60_000);
  return new Promise((resolve, reject) => {
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
}
