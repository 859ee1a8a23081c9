/**
 * The MP4Box front-end (spec §10): `graphpac MP4Box <MP4Box DASH flags> sources…` → GraphSpec.
 *
 * MP4Box drives GPAC's dasher in batches (a `state` context file, `subdur` slices, sleeping until the
 * next generation time, looping the input). graphpac runs the same line as ONE continuous filter
 * session, as `gpac -i … [reframer] -o MANIFEST:<dasher options>` would:
 *
 * - each positional argument is a source (`-i`), in order;
 * - `-frag-rt` adds one `reframer:rt=sync` declared after the sources. MP4Box loads one rt=sync
 *   reframer per source; with rt=sync a single reframer releases every stream against one clock,
 *   which is what N reframers started together do, and implicit linking routes every source's
 *   streams through it (the gpac-syntax seed lines use one reframer too);
 * - the MP4Box flags become dasher options on the sink, then the options written after the `-out`
 *   name are appended verbatim (so they win: the dasher reads options left to right); an option
 *   the user also sets with `:opt=` in `-out` or `--opt=` is not derived at all;
 * - `-run-for T` becomes the session option `runfor` (ms) and, in live mode, `dmode=dynlast`: at the
 *   runfor flush (or end of input, or SIGINT) the manifests turn static (`#EXT-X-ENDLIST`).
 *
 * Every MP4Box DASH flag is either mapped, accepted with a documented reason (docs/COMPATIBILITY.md,
 * "MP4Box front-end"), reported as a warning, or refused with an error naming it. Unknown flags are
 * errors: `MP4Box: unknown option "-foo"`.
 */
import type { GraphSpec, OptionSpec, SessionOptionSpec, SinkEntry, SourceEntry } from './graph-spec.js';
import { GraphSyntaxError } from './errors.js';
import { parseGraph } from './parse.js';
import {
  BS_SWITCHING,
  Mp4BoxError,
  PROFILES,
  UNSUPPORTED_PROFILES,
  number,
  opt,
  scan,
  seconds,
} from './mp4box-flags.js';
import type { Flag } from './mp4box-flags.js';

export { Mp4BoxError } from './mp4box-flags.js';

export interface Mp4BoxTranslation {
  spec: GraphSpec;
  /** Flags accepted but not (fully) honoured, one line each, for the CLI to log as warnings. */
  warnings: string[];
}

/**
 * Translates an MP4Box DASH command line (without the `MP4Box` word) into the GraphSpec of one
 * continuous session; warnings (flags accepted but not honoured) are returned alongside.
 */
export function translateMp4BoxWithWarnings(argv: readonly string[]): Mp4BoxTranslation {
  const { flags, sources, globals } = scan(argv);
  const warnings: string[] = [];
  const last = (name: string): Flag | undefined => flags.filter((f) => f.name === name).at(-1);
  const has = (name: string): boolean => flags.some((f) => f.name === name);

  const live = last('dash-live') ?? last('ddbg-live');
  const dash = last('dash');
  const durFlag = live ?? dash;
  if (!durFlag)
    throw new Mp4BoxError(
      'graphpac runs MP4Box DASH lines only: give -dash DUR or -dash-live DUR (ms), the sources and -out MANIFEST',
    );
  if (!sources.length) throw new Mp4BoxError('no input file to dash');
  const scaleFlag = last('dash-scale');
  const scale = scaleFlag ? number(scaleFlag, 'units per second', (n) => n > 0, true) : 1000;
  const unit = scale === 1000 ? 'ms' : `1/${scale} s`;

  // Validate every value first, in argv order, so the first bad one is reported.
  for (const f of flags) {
    switch (f.name) {
      case 'dash':
      case 'dash-live':
      case 'ddbg-live':
      case 'frag':
      case 'subdur':
        number(f, `${unit}`, (n) => n > 0);
        break;
      case 'min-buffer':
        number(f, 'ms', (n) => n >= 0, true);
        break;
      case 'run-for':
        number(f, 'ms', (n) => n > 0, true);
        break;
      case 'time-shift':
        number(f, 's, -1 keeps everything', () => true, true);
        break;
      case 'ast-offset':
        number(f, 'ms', () => true, true);
        break;
      case 'mpd-refresh':
      case 'mpd-duration':
        number(f, 's', (n) => n >= 0);
        break;
    }
  }

  const segdur = number(durFlag, `segment duration in ${unit}`, (n) => n > 0);

  // The output: `-out NAME[:opts]` read as gpac reads `-o` (so `:gpac:` and URL rules are the same).
  const outFlag = last('out');
  const outText = outFlag?.value ?? defaultOutput(sources[0]!.url);
  let sink: SinkEntry;
  try {
    const parsed = parseGraph(['-o', outText]).entries[0];
    if (parsed?.kind !== 'sink')
      throw new Mp4BoxError(`-out ${JSON.stringify(outText)}: not an output name`, 'out');
    sink = parsed;
  } catch (e) {
    if (e instanceof GraphSyntaxError)
      throw new Mp4BoxError(
        `-out ${JSON.stringify(outText)}, position ${e.position}: expected ${e.expected}`,
        'out',
      );
    throw e;
  }
  const userOpts = sink.options.filter((o): o is OptionSpec => o.kind === 'option');
  const userSet = new Set([
    ...userOpts.map((o) => o.name),
    ...globals.filter((g) => g.filter === null || g.filter === 'dasher').map((g) => g.name),
  ]);

  const derived: OptionSpec[] = [];
  const add = (name: string, value: string | null) => {
    if (!userSet.has(name)) derived.push(opt(name, value));
  };

  // Segment and chunk durations.
  add('segdur', seconds(segdur, scale));
  const fragFlag = last('frag');
  let chunked = false;
  if (fragFlag) {
    const frag = number(fragFlag, unit, (n) => n > 0);
    if (Math.abs(frag - segdur) / scale > 0.01) {
      add('cdur', seconds(frag, scale));
      chunked = true;
    }
  }

  // Profile: MP4Box's default is full (static) / live (dynamic); an explicit one in -out / --profile wins.
  const profileFlag = last('profile');
  const dynamic = live !== undefined || has('dynamic') || has('last-dynamic');
  let profile = dynamic ? 'live' : 'full';
  if (profileFlag) {
    const p = profileFlag.value ?? '';
    if (UNSUPPORTED_PROFILES.includes(p))
      throw new Mp4BoxError(`-profile ${p} is not supported by graphpac`, 'profile');
    const mapped = PROFILES[p];
    if (!mapped)
      throw new Mp4BoxError(
        `-profile: unknown DASH profile ${JSON.stringify(p)} (onDemand, live, main, simple, full, dashavc264.live, dashif.ll)`,
        'profile',
      );
    profile = mapped;
  }
  if (has('single-segment')) profile = 'onDemand';
  if (userSet.has('profile') && profileFlag) {
    const user =
      userOpts.find((o) => o.name === 'profile')?.value ?? globals.find((g) => g.name === 'profile')?.value;
    if (user !== profile)
      throw new Mp4BoxError(
        `-profile ${profileFlag.value ?? ''} conflicts with profile=${user ?? ''} given after -out or with --profile`,
        'profile',
      );
  }
  add('profile', profile);

  // Manifest type.
  const runFor = last('run-for');
  if (dynamic) {
    const lastDynamic = has('last-dynamic') || runFor !== undefined;
    add('dmode', lastDynamic ? 'dynlast' : 'dynamic');
  }

  // MP4Box's documented default minBufferTime (1500 ms), or -min-buffer.
  const minBuffer = last('min-buffer');
  add('buf', minBuffer ? String(Number(minBuffer.value)) : '1500');

  for (const f of flags) {
    const v = f.value ?? '';
    switch (f.name) {
      case 'ast-offset':
        // Documented: N > 0 moves availabilityStartTime N ms earlier, N < 0 is an availabilityTimeOffset
        // of |N| ms. The dasher's asto is in seconds with the same sign convention reversed.
        add('asto', seconds(-Number(v), 1000));
        break;
      case 'time-shift':
        add('tsb', String(Number(v)));
        break;
      case 'mpd-refresh':
        add('refresh', String(Number(v)));
        break;
      case 'mpd-duration':
        if (!has('mpd-refresh') && Number(v) > 0) add('refresh', String(-Number(v)));
        break;
      case 'segment-name':
        add('template', v.replaceAll('%s', '$File$'));
        break;
      case 'segment-ext':
        add('segext', v);
        break;
      case 'init-segment-ext':
        add('initext', v);
        break;
      case 'segment-timeline':
        add('stl', null);
        break;
      case 'mpd-title':
        add('title', v);
        break;
      case 'hlsc':
        add('hlsc', null);
        break;
      case 'bound':
        add('sbound', 'in');
        break;
      case 'closest':
        add('sbound', 'closest');
        break;
      case 'start-date':
        add('ast', v);
        break;
      case 'bs-switching':
        if (!BS_SWITCHING.includes(v))
          throw new Mp4BoxError(
            `-bs-switching: expected one of ${BS_SWITCHING.join('|')}, got ${JSON.stringify(v)}`,
            'bs-switching',
          );
        if (v !== 'no')
          warnings.push(
            `MP4Box: -bs-switching ${v} ignored: graphpac writes one init segment per representation (-bs-switching no)`,
          );
        break;
      case 'frag-rap':
        if (chunked)
          warnings.push(
            'MP4Box: -frag-rap ignored: chunks are cut every -frag ms and only the first one of a segment is sure to start with a random access point',
          );
        break;
      case 'dash-live-context':
        warnings.push(
          `MP4Box: live context file ${JSON.stringify(v)} not written: graphpac runs one continuous session`,
        );
        break;
      case 'mem-frags':
      case 'no-cache':
        warnings.push(`MP4Box: -${f.name} has no effect in graphpac`);
        break;
    }
  }
  const baseUrls = flags
    .filter((f) => f.name === 'base-url')
    .map((f) => (f.value ?? '').replaceAll(',', ',,'));
  if (baseUrls.length) add('base', baseUrls.join(','));

  const entries: GraphSpec['entries'] = sources.map((s): SourceEntry => {
    checkSource(s.url);
    return { kind: 'source', arg: s.arg, url: s.url, options: [], id: null, sources: [], links: [] };
  });
  const rt = last('frag-rt');
  if (rt)
    entries.push({
      kind: 'filter',
      arg: rt.arg,
      name: 'reframer',
      options: [opt('rt', 'sync')],
      id: null,
      sources: [],
      links: [],
    });
  entries.push({
    ...sink,
    arg: outFlag ? outFlag.arg + 1 : sources[0]!.arg,
    options: [...derived, ...sink.options],
  });

  const session: SessionOptionSpec[] = [];
  for (const f of flags) {
    if (f.name === 'logs' || f.name === 'quiet' || f.name === 'noprog')
      session.push({ arg: f.arg, name: f.name, value: f.value });
  }
  if (runFor) session.push({ arg: runFor.arg, name: 'runfor', value: String(Number(runFor.value)) });
  return { spec: { entries, globals, session }, warnings };
}

/** {@link translateMp4BoxWithWarnings} returning the GraphSpec only; warnings go to `warn` if given. */
export function translateMp4Box(argv: readonly string[], warn?: (message: string) => void): GraphSpec {
  const r = translateMp4BoxWithWarnings(argv);
  if (warn) r.warnings.forEach((w) => warn(w));
  return r.spec;
}

/** MP4Box's default manifest name: the first input without its extension, plus `_dash.mpd`. */
function defaultOutput(src: string): string {
  const slash = src.lastIndexOf('/');
  const dot = src.lastIndexOf('.');
  return `${dot > slash + 1 ? src.slice(0, dot) : src}_dash.mpd`;
}

/** Track selectors (`#video`, `#trackID=N`) and per-input options (`:id=`, `:period=`…) are refused. */
function checkSource(url: string): void {
  const path = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '');
  if (path.includes('#') || path.includes(':'))
    throw new Mp4BoxError(
      `input ${JSON.stringify(url)}: track selectors (#…) and per-input options (:id=, :period=…) are not supported yet; use one file per representation`,
    );
}
