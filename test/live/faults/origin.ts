/**
 * A live origin for the fault tests: graphpac's LL-HLS line served by httpout on a port the system
 * picks (port 0: no race for a "free" port on a busy machine), read from its start-up line.
 */
import { startGraphpac } from '../../dasher/helpers/cli.js';
import type { Running } from '../../dasher/helpers/cli.js';

export const LL_LINE = 'segdur=2:cdur=0.5:profile=live:dmode=dynamic:llhls=br';

export interface Origin extends Running {
  port: number;
}

/** `graphpac -i source1 -i source2 reframer:rt=on -o http://127.0.0.1:0/live.m3u8:gpac:LL_LINE:OPTS …`. */
export async function startOrigin(
  cwd: string,
  opts: string,
  extra: string[] = [],
  timeoutMs = 60_000,
): Promise<Origin> {
  const run = startGraphpac(
    [
      '-i',
      'source1',
      '-i',
      'source2',
      'reframer:rt=on',
      '-o',
      `http://127.0.0.1:0/live.m3u8:gpac:${LL_LINE}${opts ? `:${opts}` : ''}`,
      ...extra,
    ],
    { cwd, timeoutMs },
  );
  let text = '';
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (d: Buffer) => {
      text += d.toString();
      const m = /at http:\/\/127\.0\.0\.1:(\d+)\//.exec(text);
      if (m && m[1] !== '0') {
        run.child.stderr.off('data', onData);
        resolve(Number(m[1]));
      }
    };
    run.child.stderr.on('data', onData);
    void run.done.then((r) =>
      reject(new Error(`the origin exited (${r.code}) before serving:\n${r.stderr}`)),
    );
  });
  return { ...run, port };
}
