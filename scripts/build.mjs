#!/usr/bin/env node
// `npm run build`: compiles src/ and filters/ with tsc (dist/src, dist/filters: the public API, the
// `graphpac/…` subpaths and the worker httpout starts), then bundles the command line into one file,
// dist/cli.cjs, which bin/graphpac.js runs.
//
// Why a bundle: started from ~140 separate ES modules, Node spent ~0.12 s of every run resolving, reading
// and linking them (a 1 s clip took 0.42 s, 0.30 s bundled; docs/PERFORMANCE.md). CommonJS, so that what
// a run does not use is not even evaluated: esbuild keeps each lazily imported module (the origin, the TS
// demuxer, the MP4Box front-end…) behind an init function, and their `require('node:…')` of Node's own
// modules inside it, where an ES module bundle would hoist every import to the top.
//
// Then the code cache (dist/cli.cjs.v8cache, read by bin/bundle.cjs): the bundle packages the bundled clips
// once, run as the installed command runs it (the same V8 flags, from bin/graphpac.js's first line), and V8's
// bytecode of every function that job compiled is saved. A run then skips parsing and compiling them.
//
//   node scripts/build.mjs [--outDir DIR]     (default: dist)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const at = process.argv.indexOf('--outDir');
const outDir = resolve(root, at > 0 ? process.argv[at + 1] : 'dist');
const require = createRequire(import.meta.url);

// A type error fails the build, after the bundle is made of what tsc emitted all the same (a work-in-progress
// tree can still be benchmarked).
let typeErrors = false;
try {
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', outDir],
    { stdio: 'inherit', cwd: root },
  );
} catch {
  typeErrors = true;
}

const { build } = await import('esbuild');
const bundle = join(outDir, 'cli.cjs');

/**
 * `import.meta.url` has no value in CommonJS: each module's use of it becomes its own file's URL in the
 * compiled tree (main.js finds package.json from it, httpout its worker, the watch page hls.js).
 */
const keepModuleUrls = {
  name: 'module-urls',
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const rel = relative(dirname(bundle), args.path).split('\\').join('/');
      return {
        contents: text.replaceAll('import.meta.url', `__graphpacModuleUrl(${JSON.stringify(rel)})`),
        loader: 'js',
      };
    });
  },
};

const result = await build({
  entryPoints: [join(outDir, 'src/cli/main.js')],
  outfile: bundle,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // Without comments and indentation the bundle is 0.7 MB instead of 1.1: every run reads, hashes (for its
  // code cache) and holds it, ~8 ms less per run. Names stay: a stack trace reads with its line and column
  // (`node dist/src/cli/run.js …` runs the same command from the separate modules, lines as written).
  minifyWhitespace: true,
  // pino starts pino-pretty in a worker by its package name: both stay ordinary dependencies.
  external: ['pino', 'pino-pretty'],
  // The packages of this checkout, also for an --outDir outside it (the benchmarks build into /tmp).
  nodePaths: [join(root, 'node_modules')],
  banner: {
    js: [
      '// graphpac command line, bundled by scripts/build.mjs from the compiled sources beside it.',
      "const __graphpacModuleUrl = (rel) => require('node:url').pathToFileURL(require('node:path').join(__dirname, rel)).href;",
    ].join('\n'),
  },
  plugins: [keepModuleUrls],
  // httpout's development path (a .ts worker through tsx) uses import.meta.resolve; never taken here.
  logOverride: { 'empty-import-meta': 'silent' },
  logLevel: 'warning',
});
if (typeErrors || result.errors.length || result.warnings.length) process.exit(1);

// ASCII only: Node reads an ASCII file into a one-byte string, which V8 also parses faster; one non-ASCII
// character makes the whole bundle a two-byte string (~6 ms more to read it). esbuild escapes every other
// non-ASCII character (its default charset), so the ones left would be in comments it keeps: written as \u escapes.
const text = readFileSync(bundle, 'utf8');
if (/[\u0080-\u{10ffff}]/u.test(text))
  writeFileSync(
    bundle,
    text.replace(/[\u0080-\u{10ffff}]/gu, (c) => `\\u{${c.codePointAt(0).toString(16)}}`),
  );

/** The V8 flags the installed command starts Node with (its `#!/usr/bin/env -S node …` line). */
function binFlags() {
  const first = readFileSync(join(root, 'bin/graphpac.js'), 'utf8').split('\n', 1)[0];
  const m = /^#!\/usr\/bin\/env -S node((?: --\S+)*)$/.exec(first);
  if (!m) throw new Error(`bin/graphpac.js: unexpected first line ${JSON.stringify(first)}`);
  return m[1].trim().split(/\s+/).filter(Boolean);
}

/** Package the bundled clips with the bundle, then save its code cache. */
function makeCodeCache() {
  const clips = ['test/media/source1', 'test/media/source2'].map((c) => join(root, c));
  if (!clips.every((c) => existsSync(c))) {
    process.stderr.write(
      `build: no code cache (${clips.join(', ')} missing): the command compiles as it runs\n`,
    );
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'graphpac-build-'));
  const job = [
    '-i',
    clips[0],
    '-i',
    clips[1],
    '-o',
    `${join(work, 'live.mpd')}:dual:segdur=2:cdur=0.5:profile=live:dmode=static:llhls=br`,
  ];
  const code = `const b = require(${JSON.stringify(join(root, 'bin/bundle.cjs'))}).loadBundle(${JSON.stringify(bundle)});
b.exports.main(${JSON.stringify(job)}).then((rc) => { if (rc) process.exit(rc); b.saveCache(); });`;
  try {
    execFileSync(process.execPath, [...binFlags(), '-e', code], { stdio: 'inherit', cwd: work });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

makeCodeCache();
