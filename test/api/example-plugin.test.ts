/**
 * The example plugin's own tests (examples/adts-demux/adts.test.mjs, on graphpac/testing) pass when it
 * is installed the way a plugin author's project is: its own folder, graphpac as a dependency.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { cp, mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../helpers/run-cli.js';
import { WorkRoot } from '../dasher/helpers/workdir.js';

const run = promisify(execFile);
const root = new WorkRoot('gp-example-plugin-');
test.after.always(() => root.cleanup());

test('the example plugin passes its own harness tests, installed beside graphpac', async (t) => {
  const dir = await root.workDir([]);
  const plugin = join(dir, 'adts-demux');
  await cp(join(repoRoot, 'examples/adts-demux'), plugin, { recursive: true });
  await mkdir(join(plugin, 'node_modules'), { recursive: true });
  await symlink(repoRoot, join(plugin, 'node_modules', 'graphpac'));
  const r = await run(process.execPath, ['--test', '--test-reporter=tap', 'adts.test.mjs'], {
    cwd: plugin,
  }).catch((e: { stdout?: string; stderr?: string }) => ({ stdout: e.stdout ?? '', stderr: e.stderr ?? '' }));
  t.regex(r.stdout, /^# pass 4$/m, r.stdout + r.stderr);
  t.regex(r.stdout, /^# fail 0$/m);
});
