/**
 * The seed LL-HLS graph of GPAC's guide, built through the library API instead of a command line:
 *   graphpac -i source1 -i source2 reframer:rt=on -o res/live.m3u8:segdur=10:cdur=1:profile=live:dmode=dynamic:llhls=br
 *
 *   node --import tsx examples/llhls-graph.ts [OUT_DIR] [--fast] [--runfor MS]
 * --fast leaves the reframer out (packages as fast as possible); OUT_DIR defaults to res/.
 */
import { createSession } from '../src/index.js';

const args = process.argv.slice(2);
const fast = args.includes('--fast');
const runfor = args.includes('--runfor') ? Number(args[args.indexOf('--runfor') + 1]) : undefined;
const out = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--runfor') ?? 'res';
const media = new URL('../test/media/', import.meta.url).pathname;

const session = createSession({ ...(runfor !== undefined ? { options: { runfor } } : {}) });
session.addSource(`${media}source1`);
session.addSource(`${media}source2`);
if (!fast) session.addFilter('reframer', { rt: 'on' });
session.addSink(`${out}/live.m3u8`, { segdur: 10, cdur: 1, profile: 'live', dmode: 'dynamic', llhls: 'br' });
session.on('warning', (m) => console.warn(`warning: ${m}`));
session.on('link', (pid, from, to) => console.log(`${from} -(${pid})-> ${to}`));
await session.run();
console.log(`done: ${out}/live.m3u8`);
