/**
 * The MP4Box flags graphpac knows (mapped, accepted, or refused with a reason) and the scan of an MP4Box
 * command line into flags, sources and GPAC global options: the vocabulary of the MP4Box front-end
 * (mp4box.ts turns it into a GraphSpec).
 */
import type { GlobalOptionSpec, OptionSpec } from './graph-spec.js';
import { GraphSyntaxError } from './errors.js';
import { parseGraph } from './parse.js';

/** An MP4Box command line graphpac cannot run; the message starts with `MP4Box:`. */
export class Mp4BoxError extends Error {
  override readonly name = 'Mp4BoxError';

  constructor(
    message: string,
    /** The MP4Box flag concerned (without the dash), when there is one. */
    readonly option: string | null = null,
  ) {
    super(`MP4Box: ${message}`);
  }
}

type Kind = 'flag' | 'value';

/** MP4Box's DASH profiles (parse_dash_profile) → the dasher's `profile` values. */
export const PROFILES: Record<string, string> = {
  live: 'live',
  simple: 'live',
  onDemand: 'onDemand',
  main: 'main',
  full: 'full',
  'dashavc264.live': 'dashavc264.live',
  'dashavc264:live': 'dashavc264.live',
  'dashif.ll': 'dashif.ll',
  'dashif:ll': 'dashif.ll',
};
export const UNSUPPORTED_PROFILES = [
  'hbbtv1.5.live',
  'hbbtv1.5:live',
  'dashavc264.onDemand',
  'dashavc264:onDemand',
];

export const BS_SWITCHING = ['inband', 'merge', 'multi', 'no', 'pps', 'single'];

/** Flags graphpac understands (mapped or accepted): name → whether a value follows. */
const KNOWN: Record<string, Kind> = {
  dash: 'value',
  'dash-live': 'value',
  'ddbg-live': 'value',
  'dash-scale': 'value',
  frag: 'value',
  'frag-rt': 'flag',
  'frag-rap': 'flag',
  rap: 'flag',
  subdur: 'value',
  profile: 'value',
  'dash-profile': 'value',
  out: 'value',
  'ast-offset': 'value',
  'time-shift': 'value',
  'mpd-refresh': 'value',
  'mpd-duration': 'value',
  'min-buffer': 'value',
  'segment-name': 'value',
  'segment-ext': 'value',
  'init-segment-ext': 'value',
  'url-template': 'flag',
  'segment-timeline': 'flag',
  'single-segment': 'flag',
  'bs-switching': 'value',
  dynamic: 'flag',
  'last-dynamic': 'flag',
  'run-for': 'value',
  'mpd-title': 'value',
  'base-url': 'value',
  hlsc: 'flag',
  bound: 'flag',
  closest: 'flag',
  'start-date': 'value',
  'no-loop': 'flag',
  'mem-frags': 'flag',
  'no-cache': 'flag',
  logs: 'value',
  quiet: 'flag',
  noprog: 'flag',
};

/** MP4Box DASH flags graphpac refuses, with the reason given in the error. */
const REFUSED: Record<string, { kind: Kind; why: string }> = {
  'single-file': { kind: 'flag', why: 'single-file output is not implemented' },
  'dash-ctx': {
    kind: 'value',
    why: 'graphpac runs one continuous session and cannot store or restore a DASH context',
  },
  'mpd-source': { kind: 'value', why: 'the dasher has no MPD source option' },
  'mpd-info-url': { kind: 'value', why: 'the dasher has no MPD info URL option' },
  cprt: { kind: 'value', why: 'the dasher has no copyright option' },
  'profile-ext': { kind: 'value', why: 'profile extensions are not implemented' },
  'insert-utc': { kind: 'flag', why: 'UTC insertion in segments is not implemented' },
  'cp-location': { kind: 'value', why: 'content protection is not implemented' },
  pssh: { kind: 'value', why: 'content protection is not implemented' },
  'subsegs-per-sidx': { kind: 'value', why: 'sidx boxes are not written (live profiles only)' },
  'frags-per-sidx': { kind: 'value', why: 'sidx boxes are not written (live profiles only)' },
  'daisy-chain': { kind: 'flag', why: 'sidx boxes are not written (live profiles only)' },
  ssix: { kind: 'flag', why: 'ssix boxes are not implemented' },
  'no-frags-default': { kind: 'flag', why: 'the fragment writer has no such option' },
  'single-traf': { kind: 'flag', why: 'the fragment writer has no such option' },
  'tfdt-traf': { kind: 'flag', why: 'the fragment writer has no such option' },
  'moof-sn': { kind: 'value', why: 'the fragment writer has no such option' },
  tfdt: { kind: 'value', why: 'the fragment writer has no such option' },
  'segment-marker': { kind: 'value', why: 'segment marker boxes are not implemented' },
  'sample-groups-traf': { kind: 'flag', why: 'the fragment writer has no such option' },
  'mvex-after-traks': { kind: 'flag', why: 'the fragment writer has no such option' },
  'sdtp-traf': { kind: 'value', why: 'the fragment writer has no such option' },
  'merge-last-seg': { kind: 'flag', why: 'merging the last segment is not implemented' },
  cues: { kind: 'value', why: 'cue-based segmentation is not implemented' },
  'strict-cues': { kind: 'flag', why: 'cue-based segmentation is not implemented' },
  'dash-ts-prog': { kind: 'value', why: 'MPEG-2 TS inputs are not supported' },
  'url-template-sim': { kind: 'flag', why: 'HLS to MPD conversion is not implemented' },
};

const DECIMAL = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)$/;
const INTEGER = /^[+-]?[0-9]+$/;

export interface Flag {
  name: string;
  /** Index in argv of the flag itself. */
  arg: number;
  /** The value (next element, or text after `=`), for value flags. */
  value: string | null;
}

export function opt(name: string, value: string | null, negated = false): OptionSpec {
  return { kind: 'option', name, value, negated };
}

/** Number to option text: `2000 ms` → `2`, exact for the decimal inputs MP4Box lines use. */
export function seconds(value: number, scale: number): string {
  if (scale !== 1000 && Number.isInteger(value)) return `${value}/${scale}`;
  return String(Number((value / scale).toPrecision(12)));
}

export function number(f: Flag, what: string, check: (n: number) => boolean, integer = false): number {
  const text = f.value ?? '';
  const n = Number(text);
  if (!(integer ? INTEGER : DECIMAL).test(text) || !Number.isFinite(n))
    throw new Mp4BoxError(
      `-${f.name}: expected ${integer ? 'an integer' : 'a number'} (${what}), got ${JSON.stringify(text)}`,
      f.name,
    );
  if (!check(n))
    throw new Mp4BoxError(`-${f.name}: ${JSON.stringify(text)} is out of range (${what})`, f.name);
  return n;
}

/** Reads flags and sources in order. */
export function scan(argv: readonly string[]): {
  flags: Flag[];
  sources: { url: string; arg: number }[];
  globals: GlobalOptionSpec[];
} {
  const flags: Flag[] = [];
  const sources: { url: string; arg: number }[] = [];
  const globals: GlobalOptionSpec[] = [];
  for (let i = 0; i < argv.length; i++) {
    const text = argv[i]!;
    if (text.startsWith('--') && text.length > 2) {
      // GPAC global filter options (`--rdirs=outdir`, `--dasher@cdur=0.2`), as gpac reads them.
      let g: GlobalOptionSpec | undefined;
      try {
        g = parseGraph([text]).globals[0];
      } catch (e) {
        if (e instanceof GraphSyntaxError)
          throw new Mp4BoxError(`bad global option ${JSON.stringify(text)}: expected ${e.expected}`);
        throw e;
      }
      if (!g) throw new Mp4BoxError(`bad global option ${JSON.stringify(text)}`);
      globals.push({ ...g, arg: i });
      continue;
    }
    if (!text.startsWith('-') || text === '-') {
      sources.push({ url: text, arg: i });
      continue;
    }
    const eq = text.indexOf('=');
    let name = (eq > 0 ? text.slice(1, eq) : text.slice(1)).replace(/^-/, '');
    const inline = eq > 0 ? text.slice(eq + 1) : null;
    const known = KNOWN[name];
    const refused = REFUSED[name];
    if (!known && !refused)
      throw new Mp4BoxError(`unknown option "${text.slice(0, eq > 0 ? eq : undefined)}"`, name);
    const kind = known ?? refused!.kind;
    const at = i;
    let value: string | null = null;
    // `-dash-live=F D`: `=F` names MP4Box's context file, the duration follows.
    const contextForm = name === 'dash-live' || name === 'ddbg-live';
    if (kind === 'value') {
      if (inline !== null && !contextForm) value = inline;
      else {
        const next = argv[i + 1];
        if (next === undefined) throw new Mp4BoxError(`option "-${name}" needs a value`, name);
        value = next;
        i++;
      }
    } else if (inline !== null) {
      throw new Mp4BoxError(`option "-${name}" takes no value (got "${text}")`, name);
    }
    if (refused) throw new Mp4BoxError(`-${name} is not supported by graphpac: ${refused.why}`, name);
    if (name === 'dash-profile') name = 'profile';
    flags.push({ name, arg: at, value });
    if (contextForm && inline !== null) flags.push({ name: 'dash-live-context', arg: at, value: inline });
  }
  return { flags, sources, globals };
}
