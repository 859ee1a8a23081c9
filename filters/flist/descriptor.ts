/**
 * flist's descriptor: what link resolution, option parsing, probing and help need; the implementation
 * (index.ts) is imported when a graph uses flist.
 */
import { arg, defineLazyFilter } from '../../src/index.js';
import type { LazyFilterDescriptor } from '../../src/index.js';

export const PLAYLIST_MIME = 'application/x-gpac-playlist';

/** A playlist as text: comment lines start with #, every other line is made of URL characters. */
function probePlaylist(data: Uint8Array): { mime: string; score: 'maybe' } | undefined {
  if (!data.length || data[0] === 0xef || data[0] === 0xfe || data[0] === 0xff) return undefined;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(data.subarray(0, 4096));
  } catch {
    return undefined;
  }
  let lines = 0;
  const all = text.split(/\r\n|\r|\n/);
  // The last line may be cut by the probe window.
  if (data.length > 4096) all.pop();
  for (const line of all) {
    if (!line || line.startsWith('#')) continue;
    // GPAC's rule: valid URL characters (plus backslash) only.
    if (!/^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;%=\\]+$/.test(line)) return undefined;
    lines++;
  }
  return lines ? { mime: PLAYLIST_MIME, score: 'maybe' } : undefined;
}

export const flistArgs = {
  floop: arg.int(0, 'loop the playlist or list of sources: 0 plays once, N plays N+1 times, -1 forever'),
  srcs: arg.list(
    [],
    'sources to play one after the other (files, folders, patterns; A&&B plays A and B together)',
  ),
  fdur: arg.fraction({ num: 1, den: 25 }, 'duration of the frame of single-frame sources'),
  revert: arg.bool(false, 'play the list of sources (srcs, not a playlist) backwards', {
    level: 'advanced',
  }),
  timescale: arg.uint(0, 'force the output timescale of every PID (0: the timescale of the first source)', {
    level: 'advanced',
  }),
  ka: arg.uint(0, 'keep the playlist alive, refreshing it every ka ms (not supported)', {
    level: 'advanced',
  }),
  timeout: arg.int(-1, 'with ka, end when the playlist was not modified for this many ms (not supported)', {
    level: 'advanced',
  }),
  fsort: arg.enum(
    ['no', 'name', 'size', 'date', 'datex'],
    'no',
    'sort the list of files: no, name, size, date',
  ),
  sigcues: arg.bool(false, 'mark the start of every source with a CueStart property (not supported)', {
    level: 'advanced',
  }),
  fdel: arg.bool(false, 'delete the source files once played (never when looping)', { level: 'advanced' }),
  raw: arg.enum(
    ['av', 'a', 'v', 'no'],
    'no',
    'force decoding of the inputs (graphpac has no decoders: only no)',
  ),
};

const flist: LazyFilterDescriptor<typeof flistArgs> = defineLazyFilter({
  name: 'flist',
  description: 'Sources concatenator: plays a list of sources or a playlist file on one timeline, looping',
  help: `flist plays sources one after the other on one continuous timeline (GPAC's flist).

Source list mode: flist:srcs=f1[,f2] where each entry is a file, a folder (dir, dir/ or dir/*), or a
pattern (dir/*.mp4, dir/*.mp4;*.mov), sorted with fsort. An entry A&&B plays A and B in parallel as one
item (e.g. a video-only and an audio-only file). Playlist mode: -i list.m3u (or .pl; other text files
whose lines are all URLs are recognised by content, as GPAC does): one item per line, sources relative
to the playlist, "A && B" (with spaces) for parallel sources, directive lines
#repeat=N #stop=T #nosync #del #floop=N before an item, ## for comments. The playlist is read again at
every item change (items may be appended while it plays).

At each new item the sources are opened as -i would (fin, mp4dmx) and their PIDs are mapped to the output
PIDs already declared with the same stream type (new ones are declared otherwise; outputs the item lacks
end). The item's smallest first timestamp is placed at the greatest (timestamp + duration) of the
previous item over all its PIDs: audio and video share one offset and stay in sync, at the cost of a
small gap on the shorter stream. An item whose decoder configuration differs changes the output PID's
properties (the dasher refuses that with a clear error). floop: 0 plays once, N plays N+1 times, -1
loops forever (stop with Ctrl-C: the outputs end cleanly).

Not supported: splicing (out/in/keep/mark/sprops), cat/srange/send, start, props, ka/timeout, sigcues,
raw, fsort=datex, filter chains in playlist items; each is reported by name.

Examples:
  graphpac flist:srcs=clip.mp4:floop=-1 reframer:rt=on -o out/live.m3u8:segdur=2:cdur=0.5:dmode=dynamic:llhls=br
  graphpac flist:srcs=a.mp4,b.mp4 -o out/ab.mpd:segdur=2
  graphpac "flist:srcs=source1&&source2:floop=-1" reframer:rt=on -o out/live.m3u8:segdur=2:dmode=dynamic
  graphpac -i list.m3u:floop=2 -o out/list.mpd:segdur=2`,
  maxInputs: Infinity,
  args: flistArgs,
  caps: [
    {
      name: 'playlist file in, media out',
      in: { StreamType: 'File', Extension: ['m3u', 'pl'], MIMEType: PLAYLIST_MIME },
      out: { StreamType: ['Visual', 'Audio', 'Text', 'Metadata', 'Unknown'], CodecID: '*' },
    },
    // The media of the sources it opens itself (connectSource).
    { name: 'media of its sources', in: { StreamType: '*' }, inExcluded: { StreamType: 'File' } },
  ],
  probeData: probePlaylist,
  load: () => import('./index.js'),
});

export default flist;
