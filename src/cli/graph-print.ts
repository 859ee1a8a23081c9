/**
 * `-graph`: the resolved graph as an indented tree, one line per filter with its options that differ
 * from the defaults, each link labelled with the PID and its main properties (spec §11, GPAC's
 * `fin (src=…)` / `-(PID name) mp4dmx` layout).
 */
import type { Session } from '../engine/session.js';
import type { FilterNode } from '../engine/filter-node.js';
import { formatDefault } from '../engine/args.js';
import { propToString } from '../engine/props.js';

function argsText(n: FilterNode): string {
  const parts: string[] = [];
  for (const [k, def] of Object.entries(n.desc.args)) {
    const v = n.args[k];
    const shown = v === undefined ? '' : formatDefault({ ...def, default: v } as typeof def);
    if (shown !== formatDefault(def)) parts.push(`${k}=${shown}`);
  }
  return parts.length ? ` (${parts.join(':')})` : '';
}

function pidText(n: FilterNode, pidName: string): string {
  const pid = n.outputs.find((p) => p.name === pidName);
  if (!pid) return pidName;
  const keys = ['StreamType', 'CodecID', 'Extension'];
  const props = keys
    .filter((k) => pid.props[k] !== undefined)
    .map((k) => `${k}=${propToString(pid.props[k])}`);
  return `PID ${pidName}${props.length ? ` ${props.join(' ')}` : ''}`;
}

export function formatGraph(s: Session): string {
  const lines: string[] = [];
  const seen = new Set<FilterNode>();
  const walk = (n: FilterNode, depth: number, via: string | null) => {
    const prefix = depth === 0 ? '' : `${'-'.repeat(depth)}(${via}) `;
    const again = seen.has(n);
    lines.push(`${prefix}${n.name}${again ? ' (see above)' : argsText(n)}${n.decl ? '' : ' [dynamic]'}`);
    if (again) return;
    seen.add(n);
    for (const pid of n.outputs)
      for (const c of pid.connections) {
        const to = s.node(c.consumer);
        if (to) walk(to, depth + 1, pidText(n, pid.name));
      }
  };
  for (const n of s.nodes) if (n.inputs.length === 0) walk(n, 0, null);
  for (const n of s.nodes) if (!seen.has(n)) walk(n, 0, null);
  return lines.join('\n');
}

/** `-stats`: one line per filter instance. */
export function formatStats(s: Session): string {
  const rows = s
    .stats()
    .map(
      (st) =>
        `${st.filter.padEnd(14)} ${String(st.inputs).padStart(3)} in ${String(st.outputs).padStart(3)} out  ${String(st.packetsSent).padStart(9)} packets ${String(st.bytesSent).padStart(12)} bytes sent  ${String(st.processCalls).padStart(8)} calls ${st.processMs.toFixed(1).padStart(9)} ms`,
    );
  return [
    'filter          PIDs             packets out          bytes out          process()       time',
    ...rows,
  ].join('\n');
}
