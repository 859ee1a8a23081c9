/**
 * Value syntax of filter options (spec §1.3, "Value syntax"), used by the engine's typed args schemas.
 *
 * Convention: every parser returns the parsed value or throws a {@link ValueSyntaxError} whose message
 * reads `expected a number, got "abc"`. Callers that need a filter/option context catch it and rethrow.
 */

export class ValueSyntaxError extends Error {
  override readonly name = 'ValueSyntaxError';

  constructor(
    /** What the value should have been, e.g. `a number`. */
    readonly expected: string,
    /** The text that was given. */
    readonly value: string,
  ) {
    super(`expected ${expected}, got ${JSON.stringify(value)}`);
  }
}

/** A rational number; same shape as the engine's `Fraction`. */
export interface Fraction {
  num: number;
  den: number;
}

const DECIMAL = String.raw`[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?`;
const NUMBER = new RegExp(`^(${DECIMAL})(k|K|m|M|g|G|sec|min)?$`);

const MULTIPLIERS: Record<string, number> = {
  k: 1e3,
  K: 1e3,
  m: 1e6,
  M: 1e6,
  g: 1e9,
  G: 1e9,
  sec: 1000,
  min: 60000,
};

/**
 * A number with an optional suffix: `k`/`K` ×1e3, `m`/`M` ×1e6, `g`/`G` ×1e9, `sec` ×1000 and `min`
 * ×60000 (the last two turn seconds/minutes into milliseconds). `+I` and `-I` are ±Infinity.
 * Examples: `2` ⇒ 2, `1.5k` ⇒ 1500, `2sec` ⇒ 2000, `-I` ⇒ -Infinity.
 */
export function parseNumber(text: string): number {
  if (text === '+I') return Infinity;
  if (text === '-I') return -Infinity;
  const m = NUMBER.exec(text);
  if (!m) throw new ValueSyntaxError('a number', text);
  return Number(m[1]) * (m[2] === undefined ? 1 : (MULTIPLIERS[m[2]] ?? 1));
}

/**
 * A fraction: `num/den`, `num-den`, an integer (den 1) or a decimal number (scaled to den 1000000,
 * as GPAC does: `0.5` ⇒ 500000/1000000). The denominator must be positive. No reduction is done.
 */
export function parseFraction(text: string): Fraction {
  const frac = /^([+-]?[0-9]+)[/-]([0-9]+)$/.exec(text);
  if (frac) {
    const den = Number(frac[2]);
    if (den === 0) throw new ValueSyntaxError('a fraction with a non-zero denominator', text);
    return { num: Number(frac[1]), den };
  }
  if (/^[+-]?[0-9]+$/.test(text)) return { num: Number(text), den: 1 };
  if (new RegExp(`^${DECIMAL}$`).test(text)) return { num: Math.round(Number(text) * 1e6), den: 1e6 };
  throw new ValueSyntaxError('a number or fraction (2, 0.5, 1001/30000)', text);
}

/** `yes`, `true`, `1` ⇒ true; `no`, `false`, `0` ⇒ false (case-insensitive). */
export function parseBoolean(text: string): boolean {
  const v = text.toLowerCase();
  if (v === 'yes' || v === 'true' || v === '1') return true;
  if (v === 'no' || v === 'false' || v === '0') return false;
  throw new ValueSyntaxError('a boolean (yes, no, true, false, 1, 0)', text);
}

/**
 * A time, returned in **milliseconds** (possibly fractional): `THH:MM:SS[.frac]`, `HH:MM:SS[.frac]`,
 * `[T]MM:SS[.frac]` (minutes and seconds below 60), or plain seconds `N[.frac]`.
 * Examples: `T10:00:00` ⇒ 36000000, `01:30.5` ⇒ 90500, `2.5` ⇒ 2500.
 */
export function parseTime(text: string): number {
  const clock = /^T?(?:([0-9]+):)?([0-9]{1,2}):([0-9]{1,2}(?:\.[0-9]+)?)$/.exec(text);
  if (clock) {
    const hours = Number(clock[1] ?? 0);
    const minutes = Number(clock[2]);
    const seconds = Number(clock[3]);
    if (minutes < 60 && seconds < 60) return ((hours * 60 + minutes) * 60 + seconds) * 1000;
  } else if (/^(?:[0-9]+\.?[0-9]*|\.[0-9]+)$/.test(text)) {
    return Number(text) * 1000;
  }
  throw new ValueSyntaxError('a time (THH:MM:SS[.ms], MM:SS or seconds)', text);
}

/**
 * A list value split at `,`, where `,,` stands for a literal comma (spec §1.3):
 * `a,b1,,b2,c` ⇒ [`a`, `b1,b2`, `c`]. The empty string is the empty list; other empty items are kept
 * (`a,` ⇒ [`a`, ``]).
 */
export function splitList(value: string): string[] {
  if (value === '') return [];
  const items: string[] = [];
  let current = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c !== ',') {
      current += c;
    } else if (value[i + 1] === ',') {
      current += ',';
      i++;
    } else {
      items.push(current);
      current = '';
    }
  }
  items.push(current);
  return items;
}
