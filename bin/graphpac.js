#!/usr/bin/env node
// Entry point of the installed CLI: runs the compiled TypeScript (npm install builds it).
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
