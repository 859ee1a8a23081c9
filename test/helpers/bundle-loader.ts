/**
 * The installed command's loader (bin/bundle.cjs) run in a child Node: the V8 flags the command starts Node
 * with, and a run of the bundle through the loader that reports whether V8 took the bundle's code cache.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { nodeFlags } from '../../bench/lib.js';

const exec = promisify(execFile);

/** The V8 flags of `binDir`/graphpac.js's `#!/usr/bin/env -S node …` line (read as the benchmarks read it). */
export function binFlags(binDir: string): string[] {
  return nodeFlags(join(binDir, 'graphpac.js'));
}

/**
 * Load `bundle` through `binDir`/bundle.cjs in a Node started with `flags` and run the CLI on `args`: whether
 * the code cache was taken, the exit code, and what the CLI printed.
 */
export async function runThroughLoader(binDir: string, bundle: string, flags: string[], args: string[]) {
  const code = `const b = require(${JSON.stringify(join(binDir, 'bundle.cjs'))}).loadBundle(${JSON.stringify(bundle)});
b.exports.main(${JSON.stringify(args)}).then((rc) => console.log(JSON.stringify({ accepted: b.cacheAccepted, rc })));`;
  const r = await exec(process.execPath, [...flags, '-e', code]);
  const lines = r.stdout.trim().split('\n');
  return { ...(JSON.parse(lines.at(-1)!) as { accepted: boolean; rc: number }), stdout: lines.slice(0, -1) };
}
