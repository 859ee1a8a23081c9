#!/usr/bin/env node
// `npm pack` / `npm publish`: a clean build of what the package ships (package.json `files`): dist/ is
// removed first, so no stale module from an older build (a renamed or deleted file) is packed.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
rmSync(join(root, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit', cwd: root });
