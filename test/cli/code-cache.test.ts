/**
 * The installed command's loader (bin/bundle.cjs): the bundle dist/cli.cjs compiled with the V8 code cache
 * scripts/build.mjs makes beside it. The cache is taken when Node starts as the command starts it; a cache
 * that does not fit (none, another bundle) is set aside and the bundle compiles as usual; the bundle's own
 * `import()` (a plugin) works through the loader. The bundle is ASCII (a one-byte string to read and parse).
 */
import test from 'ava';
import { execFile, spawn } from 'node:child_process';
import { copyFile, open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { mediaDir, repoRoot } from '../helpers/run-cli.js';
import { binFlags as flagsOf, runThroughLoader } from '../helpers/bundle-loader.js';
import { WorkRoot } from '../dasher/helpers/workdir.js';

const exec = promisify(execFile);
const root = new WorkRoot('gp-codecache-');
test.after.always(() => root.cleanup());

const bin = join(repoRoot, 'bin');
const bundle = join(repoRoot, 'dist/cli.cjs');

const binFlags = () => flagsOf(bin);
const load = (file: string, flags: string[], args: string[]) => runThroughLoader(bin, file, flags, args);

test('the build leaves a code cache V8 takes when started as the installed command', async (t) => {
  const r = await load(bundle, binFlags(), ['--version']);
  t.deepEqual(r, { accepted: true, rc: 0, stdout: [r.stdout[0]!] });
  t.regex(r.stdout[0]!, /^graphpac \d+\.\d+\.\d+$/);
});

test('the bundle is ASCII: Node reads it into a one-byte string', async (t) => {
  const text = await readFile(bundle, 'utf8');
  t.true(text.length > 100_000);
  t.is(/[\u0080-\u{10ffff}]/u.exec(text)?.[0], undefined);
});

test('a cache that does not fit is set aside: other V8 flags, another bundle, none', async (t) => {
  const dir = await root.workDir(['source2']);
  // Other flags (plain `node`): rejected, and the run is the same.
  t.like(await load(bundle, [], ['--version']), { accepted: false, rc: 0 });
  // The bundle changed after its cache was made.
  const changed = join(dir, 'cli.cjs');
  await writeFile(changed, (await readFile(bundle, 'utf8')) + '\n// rebuilt\n');
  await copyFile(`${bundle}.v8cache`, `${changed}.v8cache`);
  const args = ['-i', join(dir, 'source2'), '-o', join(dir, 'a/x.mpd:segdur=1')];
  t.like(await load(changed, binFlags(), args), { accepted: false, rc: 0 });
  t.regex(await readFile(join(dir, 'a/x.mpd'), 'utf8'), /<MPD /);
  // No cache at all.
  const bare = join(dir, 'bare.cjs');
  await copyFile(bundle, bare);
  t.like(await load(bare, binFlags(), ['--version']), { accepted: false, rc: 0 });
});

test('a cache made while standard error is a character device (a terminal, /dev/null) is taken', async (t) => {
  // The build's training run (scripts/build.mjs), on a copy of the bundle, its stderr on /dev/null: the CLI
  // then asks whether fd 2 is a terminal. A dynamic import() run before the cache is saved (as node:tty was
  // once loaded there) makes V8 reject the whole cache, silently.
  const dir = await root.workDir(['source2']);
  const copy = join(dir, 'cli.cjs');
  await copyFile(bundle, copy);
  const job = ['-i', join(dir, 'source2'), '-o', join(dir, 'a/x.mpd:segdur=1')];
  const code = `const b = require(${JSON.stringify(join(bin, 'bundle.cjs'))}).loadBundle(${JSON.stringify(copy)});
b.exports.main(${JSON.stringify(job)}).then((rc) => { if (rc) process.exit(rc); b.saveCache(); });`;
  const flags = binFlags();
  const devNull = await open('/dev/null', 'w');
  try {
    await new Promise<void>((resolve, reject) =>
      spawn(process.execPath, [...flags, '-e', code], { stdio: ['ignore', 'ignore', devNull.fd] })
        .on('error', reject)
        .on('exit', (rc) => (rc === 0 ? resolve() : reject(new Error(`training run: exit ${rc}`)))),
    );
  } finally {
    await devNull.close();
  }
  t.like(await load(copy, flags, ['--version']), { accepted: true, rc: 0 });
});

test("the bundle's import() of a plugin works through the loader", async (t) => {
  const dir = await root.workDir(['source2']);
  await writeFile(join(dir, 'bad.mjs'), 'export default { name: "oops" };\n');
  const r = await exec(
    join(bin, 'graphpac.js'),
    ['--plugin', './bad.mjs', '-i', join(mediaDir, 'source2'), 'inspect'],
    {
      cwd: dir,
    },
  ).catch((e: { code: number; stderr: string }) => e);
  t.is((r as { code?: number }).code, 1);
  t.regex(r.stderr, /^graphpac: invalid filter plugin ".*bad\.mjs" \(filter "oops"\): create\(\) is missing/);
});
