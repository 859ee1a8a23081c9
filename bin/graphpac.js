#!/usr/bin/env -S node --max-semi-space-size=1 --heap-growing-percent=25
// Entry point of the installed CLI: the command line bundled into one file by scripts/build.mjs (npm
// install and npm pack build it; a bundle starts ~0.12 s faster than the separate modules).
// --max-semi-space-size=1: V8 grows its young generation to 2 × 16 MiB over a long run, so a 600 s
// job peaked ~10 MiB above a 60 s one though neither holds more data. At 4 MiB a 60 s job still ended
// before its young generation had grown (2 × 2 MiB) and a long one peaked 4 MiB higher; at 1 MiB jobs of
// every length peak 6–7 MiB lower than at 4, and run as fast or faster: fewer pages touched, and each
// first touch of a page costs ~15 µs here (docs/PERFORMANCE.md, package section).
// --heap-growing-percent=25: after each full collection V8 lets the old generation grow up to 4 × the live
// set before the next when allocation is fast; a job's live set is ~10 MiB, but the packets that outlive
// two scavenges pile up to ~40 MiB of garbage, so G1 on a 3,600 s file peaked at 115–118 MiB against 73 MiB on
// 60 s. At 1.25 × the same job peaks at 91 MiB, for ~5 % more CPU (docs/PERFORMANCE.md, package section).
// CommonJS (bin/package.json): an ES module entry point costs Node's ES module loader, ~7 ms a run.
'use strict';
const { join } = require('node:path');
const { loadBundle } = require('./bundle.cjs');

const { main } = loadBundle(join(__dirname, '../dist/cli.cjs')).exports;
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
