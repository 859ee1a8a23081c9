/**
 * sockin's descriptor: what link resolution, option parsing, probing and help need; the implementation
 * (index.ts, with its sockets: node:net, node:dgram) is imported when a graph uses sockin.
 */
import { arg, defineLazyFilter } from '../../src/index.js';
import type { LazyFilterDescriptor } from '../../src/index.js';
import { liveFormatArgs } from './live-args.js';

export const BRIDGED = /^(srt|rtmps?|rist):\/\//i;

export const sockinArgs = {
  src: arg.string(undefined, 'udp://HOST:PORT or tcp://HOST:PORT'),
  block_size: arg.uint(0x60000, 'largest packet sent downstream, in bytes', { level: 'advanced' }),
  port: arg.uint(1234, 'port when the URL gives none'),
  ifce: arg.string(
    undefined,
    'interface address to join a multicast group on (default: the system chooses)',
    {
      level: 'advanced',
    },
  ),
  listen: arg.bool(false, 'TCP: wait for a sender to connect instead of connecting'),
  ka: arg.bool(
    false,
    'TCP server: keep listening when the sender leaves (the next one continues the stream)',
    {
      level: 'advanced',
    },
  ),
  maxc: arg.uint(1, 'TCP server: senders accepted at once (graphpac reads one; more are refused)', {
    level: 'advanced',
  }),
  tsprobe: arg.bool(true, 'probe for MPEG-2 TS (raw or RTP) from the first bytes', { level: 'advanced' }),
  ...liveFormatArgs,
  maxbuf: arg.uint(8 << 20, 'bytes held while the graph does not keep up; beyond, TCP pauses and UDP drops', {
    level: 'advanced',
  }),
};

const sockin: LazyFilterDescriptor<typeof sockinArgs> = defineLazyFilter({
  name: 'sockin',
  description:
    'UDP/TCP input: udp:// (unicast, multicast), tcp:// (client or :listen server), MPEG-2 TS probed',
  help: `sockin receives a live stream over the network and exposes it as one File PID; m2tsdmx (or another
demuxer, from the content or from ext/mime) is loaded after it. The graph runs at the pace the data arrives.

  udp://HOST:PORT      receive datagrams on HOST:PORT (127.0.0.1, 0.0.0.0 for every interface), or join the
                       multicast group HOST (224.0.0.0/4, ff00::/8) on the interface ifce
  tcp://HOST:PORT      connect to a TCP server (retried until timeout while it refuses)
  tcp://HOST:PORT:listen   wait for a sender to connect (one at a time; with ka, the next sender after one
                       leaves continues the same stream: an encoder restart)

MPEG-2 TS is recognised from its first byte (0x47), raw or in RTP (payload type 33: the RTP header is
taken off; packets are not reordered). A stream without data for timeout ms ends (an error if nothing
ever came). While the graph cannot keep up, received bytes wait in a queue of maxbuf bytes; beyond it
TCP is paused (the sender is held back) and UDP datagrams are dropped, counted in -stats and reported.

srt:// and rtmp:// are not read directly: bridge them with ffmpeg to UDP (see the error message).

Examples:
  graphpac -i udp://127.0.0.1:1234 -o live/live.m3u8:segdur=2:cdur=0.5:dmode=dynamic:llhls=br
  graphpac -i udp://239.1.1.1:1234:ifce=192.168.1.10 -o http://127.0.0.1:8080/live.m3u8:llhls=br
  graphpac -i tcp://0.0.0.0:1234:listen:ka -o live/live.mpd:segdur=2:dmode=dynamic`,
  args: sockinArgs,
  caps: [{ name: 'stream', out: { StreamType: 'File', Extension: '*', MIMEType: '*' } }],
  probeUrl(url, role) {
    if (role !== 'source') return 'no';
    return /^(udp|tcp):\/\//i.test(url) || BRIDGED.test(url) ? 'supported' : 'no';
  },
  load: () => import('./index.js'),
});

export default sockin;
