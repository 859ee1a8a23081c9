/**
 * The published package as a user gets it: `npm pack` (its prepack builds dist/) from a copy of the
 * repository, then `npm install ./graphpac-<version>.tgz` in an empty project (dependencies from the
 * npm registry or cache). There: `npx graphpac -h` and `--version`, a CLI run packaging a clip, and a
 * TypeScript file importing the four entry points, type-checked by tsc against the installed
 * declarations (a wrong use must fail) and run.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { cp, mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { mediaDir, repoRoot } from '../helpers/run-cli.js';
import { binFlags, runThroughLoader } from '../helpers/bundle-loader.js';
import { WorkRoot } from '../dasher/helpers/workdir.js';

const exec = promisify(execFile);

const root = new WorkRoot('gp-package-');
test.after.always(() => root.cleanup());

const npm = (args: string[], cwd: string) =>
  exec('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd,
    maxBuffer: 16 << 20,
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });

/** What `npm pack` reads: the package's sources, not its dist/ (prepack builds it). */
const PACKED_FROM = [
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'README.md',
  'LICENSE',
  'bin',
  'src',
  'filters',
  'docs/filters',
  'docs/PLUGINS.md',
  'scripts/prepack.mjs',
  'scripts/build.mjs',
  // The bundled clips: the build packages them once to make the bundle's code cache.
  'test/media/source1',
  'test/media/source2',
];

const FAILING_PLUGIN = `
import { arg, defineFilter, GraphError } from 'graphpac';
export default defineFilter({
  name: 'failer',
  description: 'a source that refuses every URL',
  args: { src: arg.string(undefined, 'url') },
  caps: [{ name: 'out', out: { StreamType: 'Visual' } }],
  probeUrl: (u) => (u.startsWith('fail://') ? 'supported' : 'no'),
  create(ctx) {
    throw new GraphError('FILE_NOT_FOUND', 'no such feed: ' + ctx.args.src);
  },
});
`;

const CONSUMER = `
import { arg, createSession, defineFilter, GraphError } from 'graphpac';
import type { OutputPid, PidProps } from 'graphpac';
import { createHarness } from 'graphpac/testing';
import { parseAudioSpecificConfig } from 'graphpac/media';
import { writeMpd } from 'graphpac/manifest';

const doubler = defineFilter({
  name: 'doubler',
  description: 'sends every packet twice',
  args: { times: arg.uint(2, 'copies') },
  caps: [{ name: 'v', in: { StreamType: 'Visual' }, out: { StreamType: 'Visual' } }],
  create(ctx) {
    const times: number = ctx.args.times;
    let out: OutputPid | undefined;
    return {
      process() {
        const input = ctx.inputs[0]!;
        out ??= ctx.createPid(input.props as PidProps, 'copies');
        for (let p = input.take(); p; p = input.take()) for (let i = 0; i < times; i++) out.send(p);
        if (input.eos) out.setEos();
        return input.eos ? 'eos' : 'not-ready';
      },
    };
  },
});

const h = await createHarness(doubler, { args: { times: 3 } });
const input = h.input({ StreamType: 'Visual', CodecID: 'x', Timescale: 1000 });
input.push({ data: new Uint8Array(4), dts: 0, sap: 1 });
await h.finish();

const s = createSession({ logs: 'all@quiet' });
s.load(${JSON.stringify(`-i ${mediaDir}/source2 -o api/x.mpd:segdur=1`)});
await s.run();

let refused = '';
try {
  createSession().load('-bogus-option');
} catch (e) {
  if (e instanceof GraphError) refused = e.code;
}
console.log(JSON.stringify({
  copies: h.output('copies').packets.length,
  rate: parseAudioSpecificConfig(Uint8Array.of(0x2b, 0x11, 0x88, 0x00)).outputSampleRate,
  writeMpd: typeof writeMpd,
  refused,
}));
`;

/** Uses the API wrongly: the installed declarations must make tsc refuse it. */
const MISUSE = `
import { arg, defineFilter } from 'graphpac';
export const f = defineFilter({
  name: 'bad',
  description: 'x',
  args: { n: arg.uint(1, 'n') },
  caps: [],
  create(ctx) {
    const s: string = ctx.args.n;
    return { process: () => (s ? 'eos' : 'ok') };
  },
});
`;

test('npm pack, then npm install of the tarball: the CLI and typed imports work', async (t) => {
  t.timeout(400_000);
  const t0 = Date.now();
  const lap = (what: string) => t.log(`${what}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const work = await root.workDir([]);
  // 1. Pack from a copy of the sources (the repository's own dist/ stays untouched).
  const src = join(work, 'graphpac');
  for (const p of PACKED_FROM) await cp(join(repoRoot, p), join(src, p), { recursive: true });
  await symlink(join(repoRoot, 'node_modules'), join(src, 'node_modules'));
  const packed = JSON.parse((await npm(['pack', '--json', '--pack-destination', work], src)).stdout) as {
    filename: string;
    size: number;
    files: { path: string }[];
  }[];
  const tgz = join(work, packed[0]!.filename);
  const files = packed[0]!.files.map((f) => f.path);
  t.true(files.includes('dist/src/index.js') && files.includes('dist/src/index.d.ts'));
  t.true(files.includes('dist/src/testing/index.d.ts') && files.includes('bin/graphpac.js'));
  t.true(files.includes('LICENSE') && files.includes('docs/filters/dasher.md'));
  t.true(
    files.includes('dist/cli.cjs.v8cache') && files.includes('bin/bundle.cjs'),
    'the code cache and its loader',
  );
  t.false(
    files.some((f) => /^(test|bench|examples)\/|\.map$|^src\/.*\.ts$/.test(f)),
    'no tests, benches, sources or maps',
  );
  lap('packed');
  t.log(`${packed[0]!.filename}: ${(packed[0]!.size / 1024).toFixed(0)} KiB, ${files.length} files`);

  // 2. Install it in an empty project.
  const app = join(work, 'app');
  await mkdir(app);
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  await npm(['install', '--prefer-offline', tgz], app);
  lap('installed');

  // 3. The CLI.
  const npx = (args: string[]) => exec(join(app, 'node_modules/.bin/graphpac'), args, { cwd: app });
  t.regex((await npx(['-h'])).stdout, /^Usage: graphpac/);
  t.regex((await npx(['--version'])).stdout, /^graphpac \d+\.\d+\.\d+/);
  // The shipped code cache is accepted by this Node, started as the command starts it.
  const installed = join(app, 'node_modules/graphpac');
  const installedBin = join(installed, 'bin');
  const viaLoader = await runThroughLoader(
    installedBin,
    join(installed, 'dist/cli.cjs'),
    binFlags(installedBin),
    ['--version'],
  );
  t.like(viaLoader, { accepted: true, rc: 0 });
  await npx(['-i', join(mediaDir, 'source2'), '-o', 'cli/x.mpd:segdur=1']);
  t.regex(await readFile(join(app, 'cli/x.mpd'), 'utf8'), /<MPD /);
  t.true((await readdir(join(app, 'cli'))).some((f) => f.endsWith('.m4s')));
  // A plugin's GraphError (from the installed API, not the CLI's bundle) is still known as one: its code and
  // message come through as they are, not as a foreign exception.
  await writeFile(join(app, 'failing.mjs'), FAILING_PLUGIN);
  const failed = await npx(['--plugin', './failing.mjs', '-i', 'fail://x', 'inspect']).catch(
    (e: { code: number; stderr: string }) => e,
  );
  t.is((failed as { code?: number }).code, 1);
  t.regex(failed.stderr, /^graphpac: failer: no such feed: fail:\/\/x\n$/);

  lap('CLI checked');
  // 4. Typed imports, checked by tsc against the installed .d.ts files, then run.
  const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
  const tsconfig = (include: string, outDir: string) => ({
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      outDir,
      skipLibCheck: true,
      types: ['node'],
      typeRoots: [join(repoRoot, 'node_modules/@types')],
    },
    include: [include],
  });
  await writeFile(join(app, 'consumer.ts'), CONSUMER);
  await writeFile(join(app, 'tsconfig.json'), JSON.stringify(tsconfig('consumer.ts', 'build')));
  await exec(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: app });
  const out = await exec(process.execPath, ['build/consumer.js'], { cwd: app });
  t.deepEqual(JSON.parse(out.stdout.trim()), {
    copies: 3,
    rate: 48000,
    writeMpd: 'function',
    refused: 'UNKNOWN_OPTION',
  });
  t.true((await stat(join(app, 'api/x.mpd'))).size > 0);
  lap('typed imports compiled and run');
  await writeFile(join(app, 'misuse.ts'), MISUSE);
  await writeFile(join(app, 'tsconfig.misuse.json'), JSON.stringify(tsconfig('misuse.ts', 'build-misuse')));
  const bad = await exec(process.execPath, [tsc, '-p', 'tsconfig.misuse.json'], { cwd: app }).then(
    () => '',
    (e: { stdout: string }) => e.stdout,
  );
  t.regex(bad, /misuse\.ts\(\d+,\d+\): error TS2322: Type 'number' is not assignable to type 'string'/);
});
