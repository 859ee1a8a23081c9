// Loads the command-line bundle (dist/cli.cjs) as Node loads a CommonJS module, but compiled with V8's code
// cache: dist/cli.cjs.v8cache, which scripts/build.mjs makes by running a packaging job on the bundled clips
// and saving the bytecode of every function that job compiled. Without it Node parses and compiles the
// 0.7 MB bundle, then each function as it is first called, on every run: ~30 ms of a 1 s clip
// (docs/PERFORMANCE.md, start-up). V8 rejects a cache made by another V8 version, with other V8 flags or
// for another source (the bundle rebuilt): the bundle is then compiled as usual, only slower to start.
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const { createRequire, wrap } = require('node:module');
const { dirname } = require('node:path');
const { Script } = require('node:vm');

// On Node 20 a function V8 restores from a code cache has no import() of its own: the bundle's one dynamic
// import (a plugin, src/cli/import-module.ts) borrows this module's.
globalThis[Symbol.for('graphpac.import')] = (specifier) => import(specifier);

/**
 * Evaluate the bundle at `file` and return its exports, with the code cache beside it when V8 accepts it.
 * `cacheAccepted`: whether it did. `saveCache()`: write the cache of what ran so far (the build's job).
 */
function loadBundle(file) {
  const cacheFile = `${file}.v8cache`;
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // No cache (a development build without its training run): compiled as usual.
  }
  const script = new Script(wrap(readFileSync(file, 'utf8')), {
    filename: file,
    cachedData,
  });
  const module = { exports: {}, filename: file, id: file, loaded: false };
  script
    .runInThisContext()
    .call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  module.loaded = true;
  return {
    exports: module.exports,
    cacheAccepted: cachedData !== undefined && !script.cachedDataRejected,
    saveCache: () => writeFileSync(cacheFile, script.createCachedData()),
  };
}

module.exports = { loadBundle };
