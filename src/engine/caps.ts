/**
 * Capabilities as data (spec §3.3). A filter lists bundles; a PID matches an input bundle when every
 * required property matches and no excluded property does. Output caps describe the PIDs a filter
 * produces from an input matching the same bundle, for link resolution.
 */
import type { PidProps, PropValue } from './props.js';
import { propEquals, propToString } from './props.js';

/** One value, or any of several. `'*'` accepts any present value. */
export type CapValue = PropValue | readonly PropValue[];

export interface CapsBundle {
  /** What this bundle is for (shown in link failures). */
  name: string;
  /** Required input properties. */
  in?: Readonly<Record<string, CapValue>>;
  /** Input properties that must NOT have these values. */
  inExcluded?: Readonly<Record<string, CapValue>>;
  /** Properties of the output PIDs (values listed are alternatives); unspecified ones pass through from the input. */
  out?: Readonly<Record<string, CapValue>>;
}

/** A PID description during link resolution: each property has one or several possible values. */
export type VirtualProps = Readonly<Record<string, CapValue | undefined>>;

/** In caps, an array always lists alternatives (list-valued properties are not matched by caps). */
function alternatives(v: CapValue): readonly PropValue[] {
  return Array.isArray(v) ? (v as readonly PropValue[]) : [v as PropValue];
}

function valueMatches(actual: CapValue, wanted: CapValue): boolean {
  const want = alternatives(wanted);
  if (want.length === 1 && want[0] === '*') return true;
  return alternatives(actual).some((a) =>
    want.some((w) =>
      typeof a === 'string' && typeof w === 'string' ? a.toLowerCase() === w.toLowerCase() : propEquals(a, w),
    ),
  );
}

/** Why a PID does not match a bundle, or undefined when it matches. */
export function bundleMismatch(
  props: VirtualProps | Readonly<PidProps>,
  bundle: CapsBundle,
): string | undefined {
  const inCaps = bundle.in ?? {};
  // Spec §3.3: a missing or non-matching Extension may be satisfied by MIMEType and vice versa
  // (content probing sets MIMEType; files such as `source1` have no extension).
  const extOrMime = 'Extension' in inCaps && 'MIMEType' in inCaps;
  let extMimeOk = false;
  if (extOrMime) {
    for (const key of ['Extension', 'MIMEType']) {
      const actual = props[key];
      if (actual !== undefined && valueMatches(actual, inCaps[key]!)) extMimeOk = true;
    }
    if (!extMimeOk) {
      return `Extension=${show(props.Extension)} / MIMEType=${show(props.MIMEType)} is not one of ${show(inCaps.Extension)} / ${show(inCaps.MIMEType)}`;
    }
  }
  for (const [key, wanted] of Object.entries(inCaps)) {
    if (extOrMime && (key === 'Extension' || key === 'MIMEType')) continue;
    const actual = props[key];
    if (actual === undefined) return `${key} is missing (wanted ${show(wanted)})`;
    if (!valueMatches(actual, wanted)) return `${key}=${show(actual)} is not ${show(wanted)}`;
  }
  for (const [key, excluded] of Object.entries(bundle.inExcluded ?? {})) {
    const actual = props[key];
    if (actual === undefined) continue;
    const alts = alternatives(actual);
    if (alts.every((a) => valueMatches(a, excluded))) return `${key}=${show(actual)} is excluded`;
  }
  return undefined;
}

function show(v: CapValue | undefined): string {
  if (v === undefined) return '(none)';
  const alts = alternatives(v);
  return alts.map((a) => propToString(a)).join('|');
}

/** First input bundle of `caps` that `props` matches, with the reasons the others failed. */
export function matchInput(
  props: VirtualProps | Readonly<PidProps>,
  caps: readonly CapsBundle[],
): { bundle: CapsBundle | undefined; reasons: string[] } {
  const reasons: string[] = [];
  for (const b of caps) {
    if (!b.in && !b.inExcluded) continue;
    const why = bundleMismatch(props, b);
    if (why === undefined) return { bundle: b, reasons };
    reasons.push(`${b.name}: ${why}`);
  }
  return { bundle: undefined, reasons };
}

export function hasInputCaps(caps: readonly CapsBundle[]): boolean {
  return caps.some((b) => b.in !== undefined || b.inExcluded !== undefined);
}

export function hasOutputCaps(caps: readonly CapsBundle[]): boolean {
  return caps.some((b) => b.out !== undefined);
}

/** Properties of the PID produced by a filter whose `bundle` accepted `input`. */
export function applyOutput(input: VirtualProps, bundle: CapsBundle): VirtualProps {
  return { ...input, ...(bundle.out ?? {}) };
}
