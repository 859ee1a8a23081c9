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
//   node scripts/build.mjs [--outDir DIR]     (default: dist)
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
