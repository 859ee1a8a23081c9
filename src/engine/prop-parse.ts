/** Typing of `#Prop=value` assignments written on the command line. */
import type { PropValue } from './props.js';

/** Numbers become numbers, `a/b` fractions, `true`/`false` booleans; anything else stays a string. */
export function parsePropValue(raw: string | null): PropValue {
  if (raw === null) return true;
  if (/^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  const f = /^(-?\d+)\/(\d+)$/.exec(raw);
  if (f) return { num: Number(f[1]), den: Number(f[2]) };
  if (raw === 'true' || raw === 'false') return raw === 'true';
  return raw;
}
