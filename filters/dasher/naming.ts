/**
 * Segment naming (spec §4.4): GPAC's templates. The default is `$File$_dash$FS$$Number$`, giving
 * `source1_dashinit.mp4` and `source1_dash1.m4s`. `$File$`, `$FS$` and PID-property keys are resolved
 * once per representation; `$Number$`, `$Time$`, `$RepresentationID$`, `$Bandwidth$` (with `%0Nd`)
 * stay in the manifest template and are resolved per file.
 */
import { GraphError } from '../../src/index.js';

export interface NamingInput {
  template: string | undefined;
  segext: string | undefined;
  initext: string | undefined;
  /** Source file base name, without extension. */
  file: string;
  /** `_trackN` when the source holds several tracks, else empty. */
  fs: string;
  repId: string;
  bandwidth: number;
  /**
   * One file per representation (sseg/sfile, profile=onDemand): the default template is GPAC's
   * `$File$$FS$_dash`, and the file is the init name (`source1_dashinit.mp4`).
   */
  single?: boolean;
}

export interface RepNames {
  /** Manifest template for media segments (`source1_dash$Number$.m4s`). */
  media: string;
  /** Init segment name (`source1_dashinit.mp4`); with `single`, the representation's one file. */
  init: string;
}

const KEY = /\$(Number|Time|RepresentationID|Bandwidth|SubNumber)(%0(\d+)d)?\$/g;

function ext(e: string | undefined, def: string): string {
  if (e === undefined) return `.${def}`;
  return e === 'null' || e === '' ? '' : `.${e}`;
}

export function repNames(n: NamingInput): RepNames {
  let tpl = n.template ?? (n.single ? '$File$$FS$_dash' : '$File$_dash$FS$$Number$');
  tpl = tpl.replace(/%s/g, '$File$');
  tpl = tpl.replace(/\$File\$/g, n.file).replace(/\$FS\$/g, n.fs);
  let initName: string | undefined;
  // $Init=NAME$: text used only for the init name; $XInit=NAME$: the whole init name.
  tpl = tpl.replace(/\$XInit=([^$]*)\$/g, (_, name: string) => {
    initName = name;
    return '';
  });
  let initWord = 'init';
  tpl = tpl.replace(/\$Init=([^$]*)\$/g, (_, w: string) => {
    initWord = w;
    return '';
  });
  tpl = tpl.replace(/\$Segment=([^$]*)\$/g, '$1');
  if (!/\$(Number|Time)(%0\d+d)?\$/.test(tpl)) tpl += '$Number$';
  const unknown = /\$([A-Za-z]+)[^$]*\$/.exec(tpl.replace(KEY, ''));
  if (unknown)
    throw new GraphError('BAD_OPTION_VALUE', `dasher: template ${n.template}: unknown key $${unknown[1]}$`);
  const media = tpl + ext(n.segext, 'm4s');
  const init =
    initName ??
    resolveName(tpl.replace(/\$(Number|Time)(%0\d+d)?\$/g, initWord), {
      repId: n.repId,
      bandwidth: n.bandwidth,
    }) + ext(n.initext, 'mp4');
  return { media, init };
}

type NameValues = { number?: number; time?: number; repId: string; bandwidth: number; subNumber?: number };
type NameKey = 'Number' | 'Time' | 'RepresentationID' | 'Bandwidth' | 'SubNumber';

/** A template split once into literal text and keys (a segment's name is made several times per segment). */
interface CompiledName {
  /** literals[0] key[0] literals[1] key[1] … literals[n]. */
  literals: string[];
  keys: { key: NameKey; width: number }[];
}

const compiled = new Map<string, CompiledName>();

function compile(tpl: string): CompiledName {
  let c = compiled.get(tpl);
  if (c) return c;
  c = { literals: [], keys: [] };
  let at = 0;
  for (const m of tpl.matchAll(KEY)) {
    c.literals.push(tpl.slice(at, m.index));
    c.keys.push({ key: m[1] as NameKey, width: m[3] ? Number(m[3]) : 0 });
    at = m.index + m[0].length;
  }
  c.literals.push(tpl.slice(at));
  // Templates come from a run's options: a handful per run.
  if (compiled.size < 256) compiled.set(tpl, c);
  return c;
}

function keyValue(key: NameKey, v: NameValues): number | string | undefined {
  switch (key) {
    case 'Number':
      return v.number;
    case 'Time':
      return v.time;
    case 'Bandwidth':
      return v.bandwidth;
    case 'SubNumber':
      return v.subNumber;
    default:
      return v.repId;
  }
}

/** A file name from a manifest template. */
export function resolveName(tpl: string, v: NameValues): string {
  const c = compile(tpl);
  let out = c.literals[0]!;
  for (let i = 0; i < c.keys.length; i++) {
    const { key, width } = c.keys[i]!;
    const s = String(keyValue(key, v) ?? '');
    out += (width ? s.padStart(width, '0') : s) + c.literals[i + 1]!;
  }
  return out;
}
