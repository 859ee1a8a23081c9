/** Table rows: GPAC's LL-HLS guide and the URL heuristics (spec §1.3). */
import type { Row } from './table.js';
import { filter, global, graph, opt, prop, sink, source } from './helpers.js';

const dashOpts = [opt('segdur', '10'), opt('cdur', '1'), opt('profile', 'live'), opt('dmode', 'dynamic')];
const twoSourcesRt = [source(1, 'source1'), source(3, 'source2'), filter(4, 'reframer', [opt('rt', 'on')])];

export const urlRows: Row[] = [
  // --- GPAC's LL-HLS guide -------------------------------------------------------------------------------
  {
    title: 'LL-HLS guide: local m3u8, llhls=br',
    argv: '-i source1 -i source2 reframer:rt=on -o res/live.m3u8:segdur=10:cdur=1:profile=live:dmode=dynamic:llhls=br',
    expected: graph([...twoSourcesRt, sink(6, 'res/live.m3u8', [...dashOpts, opt('llhls', 'br')])]),
  },
  {
    title: 'LL-HLS guide: http server with :gpac:',
    argv: '-i source1 -i source2 reframer:rt=on -o http://localhost:8080/live.mpd:gpac:segdur=10:cdur=1:profile=live:dmode=dynamic:rdirs=outdir:llhls=br',
    expected: graph([
      ...twoSourcesRt,
      sink(6, 'http://localhost:8080/live.mpd', [...dashOpts, opt('rdirs', 'outdir'), opt('llhls', 'br')]),
    ]),
  },
  {
    title: 'LL-HLS guide: options as globals',
    argv: '-o http://localhost:8080/live.mpd --segdur=10 --profile=live --dmode=dynamic --rdirs=outdir --llhls=br',
    expected: graph(
      [sink(1, 'http://localhost:8080/live.mpd')],
      [
        global(2, 'segdur', '10'),
        global(3, 'profile', 'live'),
        global(4, 'dmode', 'dynamic'),
        global(5, 'rdirs', 'outdir'),
        global(6, 'llhls', 'br'),
      ],
    ),
  },
  {
    title: 'LL-HLS guide: push to origin, dual',
    argv: '-o http://ORIG_SERVER_IP_PORT/live.mpd:gpac:dual:segdur=10:cdur=1:profile=live:dmode=dynamic:hmode=push:llhls=br:asto=9:rdirs=outdir',
    expected: graph([
      sink(1, 'http://ORIG_SERVER_IP_PORT/live.mpd', [
        opt('dual'),
        ...dashOpts,
        opt('hmode', 'push'),
        opt('llhls', 'br'),
        opt('asto', '9'),
        opt('rdirs', 'outdir'),
      ]),
    ]),
  },
  {
    title: 'LL-HLS guide: llhls=sf',
    argv: '-i source1 -i source2 reframer:rt=on -o res/live.m3u8:segdur=10:cdur=1:profile=live:dmode=dynamic:llhls=sf',
    expected: graph([...twoSourcesRt, sink(6, 'res/live.m3u8', [...dashOpts, opt('llhls', 'sf')])]),
  },
  {
    title: 'LL-HLS guide: llhls=sf served over http',
    argv: '-i source1 -i source2 reframer:rt=on -o http://localhost:8080/live.m3u8:gpac:segdur=10:cdur=1:profile=live:dmode=dynamic:rdirs=outdir:llhls=sf',
    expected: graph([
      ...twoSourcesRt,
      sink(6, 'http://localhost:8080/live.m3u8', [...dashOpts, opt('rdirs', 'outdir'), opt('llhls', 'sf')]),
    ]),
  },
  {
    title: 'LL-HLS guide: dual DASH + HLS output',
    argv: '-i source1 -i source2 reframer:rt=on -o res/live.mpd:dual:segdur=10:cdur=1:profile=live:dmode=dynamic:llhls=br',
    expected: graph([
      ...twoSourcesRt,
      sink(6, 'res/live.mpd', [opt('dual'), ...dashOpts, opt('llhls', 'br')]),
    ]),
  },
  {
    title: 'LL-HLS guide: llhls=brsf',
    argv: '-i source1 -i source2 reframer:rt=on -o res/live.m3u8:segdur=10:cdur=1:profile=live:dmode=dynamic:llhls=brsf',
    expected: graph([...twoSourcesRt, sink(6, 'res/live.m3u8', [...dashOpts, opt('llhls', 'brsf')])]),
  },

  // --- URL heuristics (spec §1.3) ----------------------------------------------------------------------
  {
    title: 'http sink without :gpac: keeps the port',
    argv: '-o http://127.0.0.1:8080/live.mpd:segdur=2',
    expected: graph([sink(1, 'http://127.0.0.1:8080/live.mpd', [opt('segdur', '2')])]),
  },
  {
    title: 'IPv6 host',
    argv: '-o http://[::1]:8080/x.m3u8',
    expected: graph([sink(1, 'http://[::1]:8080/x.m3u8')]),
  },
  {
    title: 'IPv6 host with options',
    argv: '-o http://[::1]:8080/x.m3u8:segdur=2:llhls=br',
    expected: graph([sink(1, 'http://[::1]:8080/x.m3u8', [opt('segdur', '2'), opt('llhls', 'br')])]),
  },
  {
    title: 'udp: port after host',
    argv: '-o udp://239.0.0.1:1234',
    expected: graph([sink(1, 'udp://239.0.0.1:1234')]),
  },
  {
    title: 'udp: port then options',
    argv: '-o udp://239.0.0.1:1234:ttl=2',
    expected: graph([sink(1, 'udp://239.0.0.1:1234', [opt('ttl', '2')])]),
  },
  {
    title: 'udp: host:port/ then options',
    argv: '-o udp://239.0.0.1:1234/:ttl=2',
    expected: graph([sink(1, 'udp://239.0.0.1:1234/', [opt('ttl', '2')])]),
  },
  {
    title: 'pipe: first colon after :// ends the URL',
    argv: '-o pipe://mypipe:mkp',
    expected: graph([sink(1, 'pipe://mypipe', [opt('mkp')])]),
  },
  {
    title: 'http: :gfopt: ends the URL and stays an option',
    argv: '-o http://h/a/b.mpd:gfopt:segdur=2',
    expected: graph([sink(1, 'http://h/a/b.mpd', [opt('gfopt'), opt('segdur', '2')])]),
  },
  {
    title: 'http: :: ends the URL',
    argv: '-o http://h/x.mpd::segdur=2:cdur=1',
    expected: graph([sink(1, 'http://h/x.mpd', [opt('segdur', '2'), opt('cdur', '1')])]),
  },
  {
    title: 'http: a colon in the path needs :gpac:',
    argv: '-o http://h/dir:x/live.mpd:gpac:segdur=2',
    expected: graph([sink(1, 'http://h/dir:x/live.mpd', [opt('segdur', '2')])]),
  },
  {
    title: 'http: no path, the whole element is the URL',
    argv: '-o http://h:8080',
    expected: graph([sink(1, 'http://h:8080')]),
  },
  {
    title: 'remote source with :gpac:',
    argv: '-i http://h/a.mp4:gpac:#Lang=en',
    expected: graph([source(1, 'http://h/a.mp4', [prop('Lang', 'en')])]),
  },
  {
    title: 'remote source without :gpac: keeps its options in the URL (GPAC "Non-escaped argument pattern")',
    argv: '-i http://h/a.mp4:opt=1',
    expected: graph([source(1, 'http://h/a.mp4:opt=1')]),
  },
  {
    title: 'Windows drive letter with backslashes',
    argv: ['-i', 'C:\\media\\a.mp4:FID=in'],
    expected: graph([source(1, 'C:\\media\\a.mp4', [], { id: 'in' })]),
  },
  {
    title: 'Windows drive letter with slashes',
    argv: '-o C:/out/live.mpd:segdur=2',
    expected: graph([sink(1, 'C:/out/live.mpd', [opt('segdur', '2')])]),
  },
  {
    title: 'local path with a colon before the extension (#1942 heuristic)',
    argv: '-i dir:name.mp4:FID=1',
    expected: graph([source(1, 'dir:name.mp4', [], { id: '1' })]),
  },
  {
    title: 'local path then :gpac:',
    argv: '-o out.mpd:gpac:segdur=2',
    expected: graph([sink(1, 'out.mpd', [opt('segdur', '2')])]),
  },
  {
    title: 'local path: :: after the URL escapes the first option',
    argv: '-o out.mpd::title=a:b:c',
    expected: graph([sink(1, 'out.mpd', [opt('title', 'a:b:c')])]),
  },
  {
    title: 'src= single-token source',
    argv: 'src=source1.mp4:#Lang=fr',
    expected: graph([source(0, 'source1.mp4', [prop('Lang', 'fr')])]),
  },
  {
    title: 'dst= single-token sink',
    argv: 'dst=live.mpd:segdur=4',
    expected: graph([sink(0, 'live.mpd', [opt('segdur', '4')])]),
  },
  {
    title: '-src / -dst',
    argv: '-src a.mp4 -dst b.mpd',
    expected: graph([source(1, 'a.mp4'), sink(3, 'b.mpd')]),
  },
  {
    title: 'URL with a space',
    argv: ['-o', 'my file.mpd:segdur=2'],
    expected: graph([sink(1, 'my file.mpd', [opt('segdur', '2')])]),
  },
  {
    title: 'option value with spaces',
    argv: ['-o', 'out.mpd:title=a b c'],
    expected: graph([sink(1, 'out.mpd', [opt('title', 'a b c')])]),
  },
];
