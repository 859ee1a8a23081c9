/**
 * httpout's descriptor: what link resolution, option parsing and help need, without the server, the
 * pusher and the file writer (index.ts), imported when a graph uses httpout.
 */
import { posix } from 'node:path';
import { defineLazyFilter } from '../../src/index.js';
import type { LazyFilterDescriptor } from '../../src/index.js';
import { httpoutArgs } from './options.js';

const httpout: LazyFilterDescriptor<typeof httpoutArgs> = defineLazyFilter({
  name: 'httpout',
  logTools: ['http', 'network'],
  description: 'HTTP origin: serve produced files while they are written (chunked, LL-HLS directives)',
  help: `httpout is loaded for -o http://HOST:PORT/NAME: it binds HOST:PORT, writes what it receives to the
first folder of rdirs (as fout would) and serves it: segments in production with chunked transfer, part by
part; LL-HLS blocking playlist reload (_HLS_msn, _HLS_part), delta playlists (_HLS_skip), preload-hinted
parts held until they exist; a UTCTiming resource at /time. Without rdirs, files go to a temporary folder
removed at exit. Every -o on the same HOST:PORT shares one server.

Examples:
  graphpac -i source1 -i source2 reframer:rt=on -o http://127.0.0.1:8080/live.m3u8:dual:segdur=2:cdur=0.5:profile=live:dmode=dynamic:llhls=br:rdirs=out
  graphpac -i source1 reframer:rt=on -o http://127.0.0.1:8080/live.mpd:segdur=2:cdur=0.25:asto=1.75:profile=live:dmode=dynamic:rdirs=out`,
  args: httpoutArgs,
  caps: [{ name: 'files', in: { StreamType: 'File' } }],
  instanceCaps(args) {
    let ext: string;
    try {
      ext = posix.extname(new URL(args.dst ?? '').pathname).slice(1);
    } catch {
      ext = '';
    }
    const want: Record<string, string> = { StreamType: 'File' };
    if (ext) want.Extension = ext;
    return [{ name: `files with extension ${ext || '(none)'}`, in: want }];
  },
  probeUrl(url, role) {
    if (role !== 'sink') return 'no';
    return /^https?:\/\//i.test(url) ? 'supported' : 'no';
  },
  maxInputs: 1,
  load: () => import('./index.js'),
});

export default httpout;
