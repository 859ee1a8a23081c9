/**
 * dasher (spec §4–§6): framed audio/video in; CMAF segments and chunks, an MPD and/or HLS playlists
 * (LL-HLS parts with llhls) out. Each input PID becomes a Representation written to its own file
 * destination; manifests go to the destination the dasher was loaded for (and, with dual, to a second
 * one it opens). Live manifests announce a chunk only once the sink acknowledged its last byte.
 */
import { defineFilter } from '../../src/index.js';
import { MANIFEST_EXTENSIONS } from '../../src/manifest/manifest-formats.js';
import { dasherArgs } from './args.js';
import { Dasher } from './dasher.js';

export default defineFilter({
  name: 'dasher',
  logTools: ['dash'],
  description: 'Segment audio/video into CMAF and write DASH (MPD) and HLS / LL-HLS manifests',
  help: `The dasher is loaded by link resolution for -o NAME.mpd or -o NAME.m3u8 and takes the options written
after that URL (segdur, cdur, profile, dmode, llhls, dual…). Segments start at a SAP on the segdur grid;
chunks (LL-HLS parts) on the cdur grid inside each segment. In dynamic mode, playlists change at every
part and list a part only after its last byte is written; without a real-time source (reframer:rt=on)
the input is packaged as fast as possible and manifests are written once at the end (static) or at most
once per second (dynamic).

Examples:
  graphpac -i source1 -i source2 reframer:rt=on -o res/live.m3u8:segdur=2:cdur=0.5:profile=live:dmode=dynamic:llhls=br
  graphpac -i source1 -i source2 -o res/live.mpd:dual:segdur=10:cdur=1:profile=live:llhls=sf
  graphpac -i clip.mp4 -o out/vod.mpd:segdur=4:profile=live`,
  args: dasherArgs,
  maxInputs: Infinity,
  // Packet release: a sample is kept until its chunk is sent; the chunk's payload packets are views of
  // the samples (sent with ref), so the demuxer's read blocks are reused once the sink has written them.
  dropsTakenPackets: true,
  // Framed audio and video (demuxed streams) in; manifest files out (their extension picks the format).
  caps: [
    {
      name: 'audio/video in, manifests out',
      in: { StreamType: ['Visual', 'Audio'] },
      out: { StreamType: 'File', Extension: [...MANIFEST_EXTENSIONS] },
    },
  ],
  create(ctx) {
    const d = new Dasher(ctx);
    return {
      configurePid: (pid, status) => d.configurePid(pid, status),
      processEvent: (event) => d.processEvent(event),
      process: () => d.process(),
    };
  },
});
