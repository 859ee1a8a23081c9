/**
 * Link resolution (spec §1.5, §1.6, §3.4): where a new output PID goes.
 *  1. A PID of a dynamically loaded filter goes to the next filter of its chain, else toward the
 *     chain's destination.
 *  2. Otherwise implicit linking over the declared filters, in declaration order: link directives and
 *     SID= restrict a destination to named sources; without them a non-sink is taken only if it is the
 *     first matching one, and a sink only if the PID went to no non-sink.
 *  3. Linking to a destination is direct when caps match, else through the cheapest chain of
 *     registered filters (breadth-first, ≤ maxChain filters; explicit-only filters never inserted),
 *     possibly ending at a filter already loaded for the same destination (one dasher for all PIDs).
 * Every failure says which PID, which filter and which capability did not match.
 */
import type { CapsBundle, VirtualProps } from './caps.js';
import { applyOutput, hasInputCaps, hasOutputCaps, matchInput } from './caps.js';
import type { AnyFilterDescriptor as FilterDescriptor } from './filter-api.js';
import type { FilterNode } from './filter-node.js';
import type { OutputPidImpl } from './pid.js';
import type { PidProps } from './props.js';
import { propToString } from './props.js';

export interface LinkHost {
  readonly nodes: readonly FilterNode[];
  readonly filters: readonly FilterDescriptor[];
  readonly maxChain: number;
  /** Create (not start) a dynamic filter serving `from`'s PIDs toward `target`. */
  createDynamic(desc: FilterDescriptor, from: FilterNode, target: FilterNode): FilterNode;
  /** Instantiate a node created by createDynamic (its chain is set by then). */
  startNode(node: FilterNode): void;
  connect(pid: OutputPidImpl, from: FilterNode, to: FilterNode): void;
}

export interface LinkOutcome {
  linked: boolean;
  /** No destination was even considered (nothing declared downstream). */
  noCandidates: boolean;
  reasons: string[];
}

/** Human summary of a PID for messages: `PID "video1" of mp4dmx (StreamType=Visual CodecID=avc)`. */
export function describePid(pid: OutputPidImpl): string {
  const keys = ['StreamType', 'CodecID', 'Extension', 'MIMEType'];
  const props = keys
    .filter((k) => pid.props[k] !== undefined)
    .map((k) => `${k}=${propToString(pid.props[k])}`)
    .join(' ');
  // The input the stream comes from, so that a stream no chain accepts names its file.
  const from = pid.props.SourcePath ?? pid.props.URL;
  const src = typeof from === 'string' && from ? ` from "${from}"` : '';
  return `PID "${pid.name}" of ${pid.producer}${src} (${props})`;
}

function describeNode(n: FilterNode): string {
  const url = n.args.dst ?? n.args.src;
  return typeof url === 'string' && url ? `${n.name} (${url})` : n.name;
}

/** The declared filter a node works for (itself if declared). */
export function originOf(n: FilterNode, host: LinkHost): FilterNode {
  let cur = n;
  for (let guard = 0; !cur.decl && guard < 100; guard++) {
    const up = cur.inputs[0];
    const prod = up && host.nodes.find((x) => x.name === up.producer);
    if (!prod) break;
    cur = prod;
  }
  return cur;
}

function upstreamOf(n: FilterNode, host: LinkHost, acc = new Set<FilterNode>()): Set<FilterNode> {
  for (const c of n.inputs) {
    const p = host.nodes.find((x) => x.name === c.producer);
    if (p && !acc.has(p)) {
      acc.add(p);
      upstreamOf(p, host, acc);
    }
  }
  return acc;
}

/** Does the PID satisfy a SID fragment (`#video`, `#PIDNAME`, `#Prop=val`, `#Prop=!val`, `#Prop-val`, `#Prop+val`)? */
export function fragmentMatches(
  fragment: string | null,
  pid: { name: string; props: Readonly<PidProps> },
): boolean {
  if (!fragment) return true;
  const types: Record<string, string> = { video: 'Visual', audio: 'Audio', text: 'Text', visual: 'Visual' };
  const t = types[fragment.toLowerCase()];
  if (t) return pid.props.StreamType === t;
  const m = /^([A-Za-z][\w]*)(=!?|[-+])(.*)$/.exec(fragment);
  if (m) {
    const [, key, op, val] = m as unknown as [string, string, string, string];
    const actual = pid.props[key];
    const s = propToString(actual);
    if (op === '=') return actual !== undefined && s === val;
    if (op === '=!') return s !== val;
    const a = Number(s);
    const b = Number(val);
    return actual !== undefined && (op === '-' ? a < b : a > b);
  }
  return pid.name === fragment;
}

/** Breadth-first search for the cheapest chain of registered filters from `props` to one of `targets`. */
function findChain(
  props: VirtualProps,
  targets: readonly FilterNode[],
  host: LinkHost,
): { chain: FilterDescriptor[]; target: FilterNode } | undefined {
  type State = { props: VirtualProps; chain: FilterDescriptor[] };
  let frontier: State[] = [{ props, chain: [] }];
  const candidates = host.filters.filter(
    (d) => !d.explicitOnly && hasInputCaps(d.caps) && hasOutputCaps(d.caps),
  );
  for (let depth = 0; depth < host.maxChain && frontier.length; depth++) {
    const next: State[] = [];
    for (const st of frontier) {
      for (const d of [...candidates].sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0))) {
        if (st.chain.includes(d)) continue;
        const { bundle } = matchInput(st.props, d.caps);
        if (!bundle?.out) continue;
        const out = applyOutput(st.props, bundle);
        const chain = [...st.chain, d];
        for (const t of targets) if (matchInput(out, t.inputCaps).bundle) return { chain, target: t };
        next.push({ props: out, chain });
      }
    }
    frontier = next;
  }
  return undefined;
}

/** Try to link `pid` to `dest`: directly, to a filter already loaded toward it, or through a new chain. */
function linkToward(
  pid: OutputPidImpl,
  from: FilterNode,
  dest: FilterNode,
  host: LinkHost,
  reasons: string[],
): boolean {
  // Filters already loaded toward dest, from the same connected source (or none) only.
  const helpers = host.nodes.filter(
    (n) => n.chain?.target === dest && n !== from && n.hasRoom && n.group === from.group,
  );
  if (dest.hasRoom) {
    const { bundle, reasons: why } = matchInput(pid.props, dest.inputCaps);
    if (bundle) {
      host.connect(pid, from, dest);
      return true;
    }
    reasons.push(`${describeNode(dest)} does not accept it directly: ${why.join('; ') || 'no input caps'}`);
  }
  for (const h of helpers) {
    if (matchInput(pid.props, h.inputCaps).bundle) {
      host.connect(pid, from, h);
      return true;
    }
  }
  const targets = [...(dest.hasRoom ? [dest] : []), ...helpers];
  if (!targets.length) {
    reasons.push(`${describeNode(dest)} already has all the inputs it takes (${dest.maxInputs})`);
    return false;
  }
  const found = findChain(pid.props as VirtualProps, targets, host);
  if (!found) {
    reasons.push(
      `no chain of at most ${host.maxChain} filters leads from it to ${describeNode(dest)} (which needs ${capsText(dest.inputCaps)})`,
    );
    return false;
  }
  let prev = from;
  let first: FilterNode | undefined;
  const created: FilterNode[] = [];
  for (const d of found.chain) {
    const n = host.createDynamic(d, from, dest);
    created.push(n);
    if (!first) first = n;
    else prev.chain = { next: n, target: dest };
    prev = n;
  }
  prev.chain = { next: found.target, target: dest };
  for (const n of created) host.startNode(n);
  host.connect(pid, from, first!);
  return true;
}

function capsText(caps: readonly CapsBundle[]): string {
  const b = caps.find((x) => x.in);
  if (!b?.in) return 'nothing';
  return Object.entries(b.in)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('|') : propToString(v as never)}`)
    .join(' ');
}

/** Resolve one new PID of `from`. */
export function resolvePid(pid: OutputPidImpl, from: FilterNode, host: LinkHost): LinkOutcome {
  const reasons: string[] = [];
  if (from.chain) {
    const { next, target } = from.chain;
    if (next.hasRoom && matchInput(pid.props, next.inputCaps).bundle) {
      host.connect(pid, from, next);
      return { linked: true, noCandidates: false, reasons };
    }
    if (linkToward(pid, from, target, host, reasons)) return { linked: true, noCandidates: false, reasons };
  }
  // A source a filter opened with connectSource(): its PIDs go to that filter, nowhere else.
  if (from.group) {
    if (!from.chain && linkToward(pid, from, from.group.owner, host, reasons))
      return { linked: true, noCandidates: false, reasons };
    reasons.push(
      `it comes from "${from.group.url}", opened by ${from.group.owner.name}, and can only go there`,
    );
    return { linked: false, noCandidates: false, reasons };
  }
  const origin = originOf(from, host);
  if (!origin.decl) return { linked: false, noCandidates: !from.chain, reasons };
  const upstream = upstreamOf(from, host);
  const candidates = host.nodes.filter(
    (n) =>
      n.decl &&
      n !== from &&
      !upstream.has(n) &&
      n.decl.kind !== 'source' &&
      n.decl.subSession === origin.decl!.subSession &&
      (n.decl.sources.length > 0 || n.decl.index > origin.decl!.index),
  );
  let toNonSink = false;
  let linked = false;
  let considered = false;
  for (const dest of candidates) {
    const sel = dest.decl!.sources;
    if (sel.length) {
      const ok = sel.some(
        (s) =>
          (s.node === origin ||
            s.node === from ||
            (s.id !== '' && (s.id === origin.id || s.id === from.id))) &&
          fragmentMatches(s.fragment, pid),
      );
      if (!ok) continue;
      considered = true;
      if (linkToward(pid, from, dest, host, reasons)) linked = true;
      continue;
    }
    if (toNonSink) continue;
    considered = true;
    if (linkToward(pid, from, dest, host, reasons)) {
      linked = true;
      if (!dest.isSink) toNonSink = true;
    }
  }
  return { linked, noCandidates: !considered && !from.chain, reasons };
}
