/**
 * Runs the command line from the sources or the unbundled build (`node --import tsx src/cli/run.ts …`,
 * `node dist/src/cli/run.js …`). The installed `graphpac` (bin/graphpac.js) runs the same `main()` from
 * the one-file bundle scripts/build.mjs makes of it.
 */
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
