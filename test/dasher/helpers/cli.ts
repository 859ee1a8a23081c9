/** The CLI runner lives in test/helpers/run-cli.ts; re-exported here for the dasher tests. */
export { describe, graphpac, mediaDir, repoRoot, startGraphpac } from '../../helpers/run-cli.js';
export type { CliResult, Running } from '../../helpers/run-cli.js';
