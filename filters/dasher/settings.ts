/**
 * What the dasher derives from its options and destination (spec §4.2, §4.3): profiles, manifest
 * kinds and names, durations. Bad values get one clear error naming the option and the value.
 */
import { GraphError } from '../../src/index.js';
import type { ArgsOf } from '../../src/index.js';
import type { dasherArgs } from './args.js';
import { MANIFEST_EXTENSIONS, MANIFEST_FORMATS, mainFormatOf } from '../../src/manifest/manifest-formats.js';

export type DasherArgs = ArgsOf<typeof dasherArgs>;

export interface Settings {
  segdur: number;
  /** 0: one chunk per segment. */
  cdur: number;
  dynamic: boolean;
  dmode: DasherArgs['dmode'];
  profile: DasherArgs['profile'];
  profiles: string;
  llhls: DasherArgs['llhls'];
  /** Prefix of every output URL (the manifest's folder, with a trailing `/`, or ''). */
  base: string;
  /**
   * The main manifest of each format written, by extension (src/manifest/manifest-formats.ts): `mpd`
   * the MPD, `m3u8` the HLS master playlist. The destination's first, then its companion (dual, mname).
   */
  names: Readonly<Record<string, string>>;
  /** Extension of the manifest that goes to the destination the dasher was loaded for. */
  primary: string;
  tsb: number;
  minBufferTime: number;
  targetDuration: number;
  /** Option ast (epoch ms), checked against the live start by the dasher. */
  forcedAst: number | undefined;
  args: DasherArgs;
}

const PROFILES: Record<string, string> = {
  auto: 'urn:mpeg:dash:profile:full:2011',
  full: 'urn:mpeg:dash:profile:full:2011',
  live: 'urn:mpeg:dash:profile:isoff-live:2011',
  main: 'urn:mpeg:dash:profile:isoff-main:2011',
  onDemand: 'urn:mpeg:dash:profile:isoff-on-demand:2011',
  'dashavc264.live': 'urn:mpeg:dash:profile:isoff-live:2011,http://dashif.org/guidelines/dash264',
  'dashif.ll': 'urn:mpeg:dash:profile:isoff-live:2011,http://www.dashif.org/guidelines/low-latency-live-v5',
};

function seconds(f: { num: number; den: number }): number {
  return f.den === 0 ? 0 : f.num / f.den;
}

function bad(option: string, value: string, expected: string): GraphError {
  return new GraphError('BAD_OPTION_VALUE', `dasher: option ${option}=${value}: ${expected}`, {
    option,
    value,
  });
}

function splitName(url: string): { base: string; name: string } {
  const slash = url.lastIndexOf('/');
  const start = url.includes('://') ? Math.max(slash, url.indexOf('://') + 2) : slash;
  return { base: url.slice(0, start + 1), name: url.slice(start + 1) };
}

function swapExt(name: string, ext: string): string {
  const dot = name.lastIndexOf('.');
  return (dot > 0 ? name.slice(0, dot) : name) + ext;
}

export function deriveSettings(args: DasherArgs, destination: string | undefined): Settings {
  // Unset is GPAC's 0/0 (1 s); an explicit value must be positive (GPAC silently takes 1 s: we say so).
  const segdurSet = args.segdur.den !== 0;
  const segdur = segdurSet ? seconds(args.segdur) : 1;
  if (segdurSet && !(segdur > 0))
    throw bad(
      'segdur',
      // As written: `-2`, or a fraction such as `-1001/500`.
      args.segdur.den === 1 ? String(args.segdur.num) : `${args.segdur.num}/${args.segdur.den}`,
      'the segment duration must be > 0 seconds',
    );
  const cdurRaw = seconds(args.cdur);
  if (cdurRaw > segdur + 1e-9)
    throw bad('cdur', String(cdurRaw), `the chunk duration must not exceed segdur (${segdur})`);
  const cdur = cdurRaw > 0 && cdurRaw < segdur - 1e-9 ? cdurRaw : 0;
  let forcedAst: number | undefined;
  if (args.ast !== undefined) {
    forcedAst = Date.parse(args.ast);
    if (Number.isNaN(forcedAst))
      throw bad('ast', args.ast, 'expected an xs:dateTime such as 2026-11-26T08:00:00Z');
  }
  if (!destination)
    throw new GraphError(
      'LINK_FAILED',
      'dasher: no destination to write the manifest to (add -o NAME.mpd or -o NAME.m3u8)',
    );
  const { base, name } = splitName(destination);
  const main = mainFormatOf(name);
  if (!main)
    throw bad(
      'dst',
      destination,
      `the manifest must be a ${MANIFEST_EXTENSIONS.map((e) => `.${e}`).join(' or ')} file`,
    );
  const names: Record<string, string> = { [main.extension]: name };
  const alt = args.mname ?? (args.dual && main.dualWith ? swapExt(name, `.${main.dualWith}`) : undefined);
  if (alt !== undefined) {
    // A companion name of no known extension is an MPD (as graphpac always did).
    const companion = mainFormatOf(alt) ?? MANIFEST_FORMATS[0]!;
    names[companion.extension] ??= alt;
  }
  const dynamic = args.dmode !== 'static';
  let profiles = PROFILES[args.profile] ?? PROFILES.full!;
  if (args.cmaf !== 'no') profiles += ',urn:mpeg:dash:profile:cmaf:2019';
  const minBufferTime = args.buf < 0 ? (segdur * -args.buf) / 100 : args.buf / 1000;
  return {
    segdur,
    cdur,
    dynamic,
    dmode: args.dmode,
    profile: args.profile,
    profiles,
    llhls: args.llhls,
    base,
    names,
    primary: main.extension,
    tsb: args.tsb,
    minBufferTime,
    targetDuration: Math.max(1, Math.ceil(segdur - 1e-9)),
    forcedAst,
    args,
  };
}
