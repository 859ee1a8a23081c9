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

/** A file name from a manifest template. */
export function resolveName(
  tpl: string,
  v: { number?: number; time?: number; repId: string; bandwidth: number; subNumber?: number },
): string {
  return tpl.replace(KEY, (_m, key: string, _w, width: string | undefined) => {
    const val =
      key === 'Number'
        ? v.number
        : key === 'Time'
          ? v.time
          : key === 'Bandwidth'
            ? v.bandwidth
            : key === 'SubNumber'
              ? v.subNumber
              : v.repId;
    const s = String(val ?? '');
    return width ? s.padStart(Number(width), '0') : s;
  });
}
