/**
 * `-h`, `-h filters`, `-h FILTER`, `-h FILTER.OPT`: generated from the registry and args schemas, the
 * same source as docs/filters/*.md.
 */
import type { Registry } from '../engine/registry.js';
import { GraphError } from '../engine/errors.js';
import { filterHelpText, optionLine } from './filter-format.js';
import { sessionOptionsHelp } from '../engine/session-options.js';

export const USAGE = `Usage: graphpac [gpac] [options] [-i SOURCE] [FILTER[:opts]] [-o DEST[:opts]] ...
       graphpac MP4Box ...   (MP4Box DASH command lines)

Runs a filter graph written in GPAC's command-line language, e.g.
  graphpac -i source1 -i source2 reframer:rt=on -o res/live.m3u8:segdur=10:cdur=1:profile=live:dmode=dynamic:llhls=br
  graphpac -i clip.mp4 inspect:deep

Graph:
  -i URL, -src URL     add a source            -o URL, -dst URL   add a destination
  --opt=val            global filter option     --FILTER@opt=val   global option for one filter class
Session options:
${sessionOptionsHelp()}
Engine options (before the graph): --plugin MODULE (load a filter plugin), --graph-file FILE.json, --version
`;

export function helpText(registry: Registry, topic: string | null): string {
  if (topic === null) return USAGE;
  if (topic === 'filters') {
    const list = registry.list();
    const w = Math.max(...list.map((d) => d.name.length));
    return ['Filters:', ...list.map((d) => `  ${d.name.padEnd(w)}  ${d.description}`)].join('\n') + '\n';
  }
  const [name, opt] = topic.split('.', 2) as [string, string | undefined];
  const desc = registry.get(name);
  if (!desc) throw new GraphError('UNKNOWN_FILTER', `-h: unknown filter "${name}"; see graphpac -h filters`);
  if (opt !== undefined) {
    const d = desc.args[opt];
    if (!d)
      throw new GraphError(
        'UNKNOWN_OPTION',
        `-h: filter ${name} has no option "${opt}"; see graphpac -h ${name}`,
      );
    return optionLine(opt, d) + '\n';
  }
  return filterHelpText(desc);
}
