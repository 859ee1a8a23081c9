// Number, duration and date formatting shared by the MPD and HLS writers. Everything here is exact and
// deterministic: no locale, no wall clock.

/**
 * C's `printf("%g")` (precision 6 by default), exactly: the double's exact decimal expansion is rounded
 * half-to-even to `precision` significant digits, then printed in fixed or exponential notation with trailing
 * zeros removed. GPAC prints EXTINF, part durations and ATO this way (`10`, `9.984`, `10.0053`, `1e-05`).
 */
export function formatG(value: number, precision = 6): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value < 0 ? '-inf' : 'inf';
  const p = Math.max(1, Math.floor(precision));
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const sign = value < 0 ? '-' : '';
  const { digits, exp10 } = exactDecimal(Math.abs(value));
  let exponent = digits.length - 1 + exp10;
  let kept: string;
  if (digits.length <= p) {
    kept = digits.padEnd(p, '0');
  } else {
    kept = digits.slice(0, p);
    const rest = digits.slice(p);
    const first = rest.charCodeAt(0) - 48;
    const tail = /[1-9]/.test(rest.slice(1));
    const lastOdd = (kept.charCodeAt(p - 1) - 48) % 2 === 1;
    if (first > 5 || (first === 5 && (tail || lastOdd))) {
      const bumped = (BigInt(kept) + 1n).toString();
      if (bumped.length > p) {
        kept = bumped.slice(0, p);
        exponent += 1;
      } else {
        kept = bumped;
      }
    }
  }
  if (exponent < -4 || exponent >= p) {
    const mantissa = stripZeros(`${kept[0] ?? '0'}.${kept.slice(1)}`);
    const e = Math.abs(exponent).toString().padStart(2, '0');
    return `${sign}${mantissa}e${exponent < 0 ? '-' : '+'}${e}`;
  }
  let fixed: string;
  if (exponent >= 0) fixed = `${kept.slice(0, exponent + 1)}.${kept.slice(exponent + 1)}`;
  else fixed = `0.${'0'.repeat(-exponent - 1)}${kept}`;
  return sign + stripZeros(fixed);
}

/**
 * A number as the manifests print it: `formatG`'s digits where %g prints plain decimals, and never the
 * exponent form, which RFC 8216's decimal-floating-point (EXTINF, HOLD-BACK…) and xs:decimal do not
 * allow: a value %g would print as `4.1943e+06` is printed whole, to the millisecond (`4194304.021`),
 * a tiny one in full (`0.00001`).
 */
export function formatDecimal(value: number, precision = 6): string {
  const g = formatG(value, precision);
  if (!Number.isFinite(value) || !/e/.test(g)) return g;
  if (Math.abs(value) >= 1) return stripZeros((Math.round(value * 1000) / 1000).toFixed(3));
  const [mantissa = '0', exp = '0'] = g.split('e');
  const sign = mantissa.startsWith('-') ? '-' : '';
  const digits = mantissa.replace(/^-/, '').replace('.', '');
  return `${sign}0.${'0'.repeat(-Number(exp) - 1)}${digits}`;
}

function stripZeros(s: string): string {
  if (!s.includes('.')) return s;
  return s.replace(/0+$/, '').replace(/\.$/, '');
}

/** The exact value of a finite positive double as `digits × 10^exp10` (digits without leading zeros). */
function exactDecimal(x: number): { digits: string; exp10: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e2: number;
  if (biased === 0) {
    e2 = -1074;
  } else {
    mantissa |= 1n << 52n;
    e2 = biased - 1075;
  }
  if (e2 >= 0) return { digits: (mantissa << BigInt(e2)).toString(), exp10: 0 };
  return { digits: (mantissa * 5n ** BigInt(-e2)).toString(), exp10: e2 };
}

/** Rounds seconds to the millisecond (the precision of every MPD duration GPAC writes). */
export function roundMs(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

/** Rounds seconds up to the next millisecond (GPAC's PART-TARGET: `0.512`, `1.003`), ignoring float noise. */
export function ceilMs(seconds: number): number {
  return Math.ceil(seconds * 1000 - 1e-6) / 1000;
}

/** `PT0H0M30.000S`: GPAC's xs:duration with hours and minutes always present, milliseconds precision. */
export function isoDuration(seconds: number): string {
  const totalMs = Math.max(0, Math.round(seconds * 1000));
  const h = Math.floor(totalMs / 3_600_000);
  const m = Math.floor((totalMs % 3_600_000) / 60_000);
  const ms = totalMs % 60_000;
  return `PT${h}H${m}M${Math.floor(ms / 1000)}.${(ms % 1000).toString().padStart(3, '0')}S`;
}

/** `PT10.000S`: the short form GPAC uses for `minBufferTime` (seconds only). */
export function isoDurationSeconds(seconds: number): string {
  const totalMs = Math.max(0, Math.round(seconds * 1000));
  return `PT${Math.floor(totalMs / 1000)}.${(totalMs % 1000).toString().padStart(3, '0')}S`;
}

/** `2026-11-26T07:23:56.021Z` from milliseconds since the Unix epoch (UTC). */
export function isoDate(epochMs: number): string {
  return new Date(Math.round(epochMs)).toISOString();
}

/** Escapes text for XML attribute values and element content. */
export function xmlEscape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => XML_ENTITIES[c] ?? c);
}

const XML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** `25` or `30000/1001` (DASH FrameRateType). */
export function formatFrameRate(rate: { num: number; den: number }): string {
  return rate.den > 1 ? `${rate.num}/${rate.den}` : `${rate.num}`;
}

/** `25.000`, `29.970`: HLS FRAME-RATE, "rounded to three decimal places" (RFC 8216bis §4.4.6.2). */
export function formatHlsFrameRate(rate: { num: number; den: number }): string {
  return (Math.round((rate.num / rate.den) * 1000) / 1000).toFixed(3);
}
