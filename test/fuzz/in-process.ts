/**
 * The graphpac CLI run in this process (`main()` of src/cli/main.ts, what bin/graphpac.js calls) with
 * its output captured: what a user gets, without the cost of starting a process per run. Logs the
 * session writes straight to file descriptor 2 (warnings) are not captured.
 */
import { Writable } from 'node:stream';
import { main } from '../../src/cli/main.js';

export interface MainResult {
  code: number;
  stdout: string;
  stderr: string;
}

function sink(chunks: string[]): Writable {
  return new Writable({
    write(chunk: Buffer | string, _enc, done) {
      chunks.push(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
      done();
    },
  });
}

export async function runMain(args: string[]): Promise<MainResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { stdout: sink(out), stderr: sink(err) });
  return { code, stdout: out.join(''), stderr: err.join('') };
}
