/**
 * `npm run bench`: the demux then the packaging benchmark, each in its own process (so that one's memory
 * and JIT state cannot colour the other's), with the same arguments. Each rewrites its own section of
 * docs/PERFORMANCE.md.
 *
 *   npm run bench -- [--runs 7] [--cli compiled|dist|tsx] [--no-write] [--only demux|package]
 *
 * --runs defaults to 7 here (the anchor's method); --cli goes to both (demux.ts also takes `both`, its
 * default: compiled and tsx; package.ts defaults to compiled).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './lib.js';

const SCRIPTS = { demux: 'bench/demux.ts', package: 'bench/package.ts' } as const;
type Name = keyof typeof SCRIPTS;

const argv = process.argv.slice(2);
const forward: string[] = [];
let only: Name[] = ['demux', 'package'];
for (let i = 0; i < argv.length; i++) {
  const a = argv[i]!;
  if (a === '--only') {
    const v = argv[++i] ?? '';
    if (!(v in SCRIPTS)) throw new Error(`--only demux or --only package, not ${v}`);
    only = [v as Name];
  } else forward.push(a);
}
if (!forward.includes('--runs')) forward.push('--runs', '7');

for (const clip of ['bench/media/av_60s.mp4', 'bench/media/long_av.mp4'])
  if (!existsSync(join(root, clip))) {
    console.error(`${clip} is missing: run bash bench/make-long-clip.sh first`);
    process.exit(1);
  }

const failed: string[] = [];
for (const name of only) {
  const args = ['--import', 'tsx', SCRIPTS[name], ...forward];
  console.log(`\n=== ${name}: node ${args.join(' ')}`);
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) failed.push(`${name} (${r.error?.message ?? r.signal ?? `exit ${r.status}`})`);
}
if (failed.length) {
  console.error(`\nfailed: ${failed.join(', ')}`);
  process.exit(1);
}
