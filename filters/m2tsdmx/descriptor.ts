/**
 * m2tsdmx's descriptor: what link resolution, option parsing, content probing and help need; the
 * demuxer (index.ts, src/media/ts) is imported when a graph uses it.
 */
import { arg, defineLazyFilter } from '../../src/index.js';
import type { LazyFilterDescriptor } from '../../src/index.js';
import { probeTransportStream } from '../../src/media/ts/packet.js';

export const TS_EXTENSIONS = ['ts', 'm2t', 'mts', 'm2ts', 'trp', 'dmb'];
export const TS_MIMES = ['video/mp2t', 'video/mpeg-2', 'video/mpeg', 'audio/mp2t', 'audio/mpeg-2'];

export const m2tsdmxArgs = {
  mappcr: arg.bool(
    true,
    'map timestamps onto one continuous timeline across discontinuities (restarts, splices)',
  ),
  maxgap: arg.double(1, 'forward jump of a decode time (seconds) taken as a discontinuity', {
    level: 'advanced',
  }),
  pwait: arg.double(
    2,
    'stream time (seconds) to wait for every stream of a program to show its configuration before declaring the others',
    { level: 'advanced' },
  ),
};

const m2tsdmx: LazyFilterDescriptor<typeof m2tsdmxArgs> = defineLazyFilter({
  name: 'm2tsdmx',
  logTools: ['container'],
  description: 'MPEG-2 TS demuxer: H.264, H.265 and AAC streams of every program into framed PIDs',
  help: `m2tsdmx reads an MPEG-2 transport stream (188-byte packets; 192-byte .m2ts and 204-byte packets too),
from a file (fin) or a live source (sockin: udp:// tcp://, pin: pipe:// or standard input). It is loaded
after the source when the name ends in .ts/.m2ts/.mts/.m2t/.trp or when the content is a transport stream
(a sync byte every 188 bytes), so extension-less files and streams are recognised.

Programs are read from the PAT and PMTs. H.264 (stream type 0x1B), H.265 (0x24), AAC in ADTS (0x0F) and
AAC in LOAS/LATM (0x11: one program, one layer, variable-length frames, as DVB sends it) streams become PIDs named as GPAC does (P<program><V|A><position>: P1V2, P1A3) with ID = the TS PID,
ServiceID = the program number, Language from the PMT, and DecoderConfig (avcC, hvcC, AudioSpecificConfig)
built from the in-band parameter sets, ADTS headers or LATM StreamMuxConfig. Video samples are length-prefixed NAL units
(access unit delimiters, filler data and parameter sets are taken out); video starts at the first random
access point (IDR, or CRA/BLA in H.265); SAP types: IDR 1, CRA/BLA or an I picture with a recovery point
SEI 3. Other stream types are reported once and skipped.

Every stream of the programs is declared together, once each has shown its configuration; a stream that
sends nothing for pwait seconds of stream time is left out with a warning (a PMT naming a missing PID).

Time: PTS/DTS are unwrapped across the 33-bit wrap (every 26.5 h). With mappcr (default), a discontinuity
(an encoder restart, a splice: a decode time that goes back, or jumps forward by more than maxgap) is
absorbed: what follows continues where the program's media ended, so the output has one continuous
timeline; the first access unit of each stream after it carries the packet property Restart (a live
dasher starts a new Period there). Timescale 90000 for video, the sampling rate for AAC.

Errors never stop a live stream: lost packets (continuity counter errors), corrupt PES packets and
sections, garbage between packets are counted, dropped and reported (warnings, -stats). A file or stream
with no program at all ends with an error.

Examples:
  graphpac -i clip.ts inspect                                    list the streams of a TS file
  graphpac -i udp://127.0.0.1:1234 -o live/live.m3u8:segdur=2:cdur=0.5:dmode=dynamic:llhls=br
  ffmpeg -re -i in.mp4 -c copy -f mpegts - | graphpac -i - -o http://127.0.0.1:8080/live.m3u8:llhls=br`,
  args: m2tsdmxArgs,
  dropsTakenPackets: true,
  caps: [
    {
      name: 'mpeg2-ts',
      in: { StreamType: 'File', Extension: TS_EXTENSIONS, MIMEType: TS_MIMES },
      out: { StreamType: ['Visual', 'Audio'], CodecID: ['avc', 'hevc', 'aac'] },
    },
  ],
  probeData(data) {
    return probeTransportStream(data) ? { mime: 'video/mp2t', score: 'supported' } : undefined;
  },
  load: () => import('./index.js'),
});

export default m2tsdmx;
