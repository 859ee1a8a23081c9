#!/usr/bin/env -S node --max-semi-space-size=4
// Entry point of the installed CLI: runs the compiled TypeScript (npm install builds it).
// --max-semi-space-size=4: V8 grows its young generation to 2 × 16 MiB over a long run, so a 600 s
// job peaked ~10 MiB above a 60 s one though neither holds more data; at 4 MiB peak memory is the same
// whatever the input's length, for about the same speed (docs/PERFORMANCE.md, demux section).
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
