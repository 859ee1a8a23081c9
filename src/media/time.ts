/**
 * Timing math for media timestamps: exact integer rescaling between timescales (no float drift; BigInt
 * only when an intermediate product would pass 2^53), seconds ↔ timescale, ISO-8601 durations as GPAC
 * prints them, `xs:dateTime` in UTC with milliseconds, and NTP timestamps (for prft).
 */

export type Rounding = 'floor' | 'round' | 'ceil';

/** floor/round/ceil of n/d for integers, exactly; `round` rounds halves away from zero. */
function divide(n: bigint, d: bigint, rounding: Rounding): bigint {
  let q = n / d; // truncates toward zero
  const r = n - q * d;
  if (r === 0n) return q;
  const negative = n < 0n !== d < 0n;
  if (rounding === 'floor') {
    if (negative) q -= 1n;
  } else if (rounding === 'ceil') {
    if (!negative) q += 1n;
  } else {
    const twice = (r < 0n ? -r : r) * 2n;
    const ad = d < 0n ? -d : d;
    if (twice >= ad) q += negative ? -1n : 1n;
  }
  return q;
}

function checkTimescale(ts: number, what: string): void {
  if (!Number.isSafeInteger(ts) || ts <= 0) throw new RangeError(`${what}: ${ts} is not a positive integer`);
}

/**
 * `value` ticks of 1/`from` s expressed in ticks of 1/`to` s, exactly: value·to/from rounded as asked
 * (default: to nearest, halves away from zero). Uses plain numbers when value·to stays below 2^53,
 * BigInt otherwise.
 */
export function rescale(value: number, from: number, to: number, rounding: Rounding = 'round'): number {
  if (!Number.isSafeInteger(value)) throw new RangeError(`rescale: ${value} is not a safe integer`);
  checkTimescale(from, 'rescale from');
  checkTimescale(to, 'rescale to');
  if (from === to) return value;
  const product = value * to;
  if (Number.isSafeInteger(product)) {
    const r = product % from; // exact for integers (fmod), with the sign of product
    const q = (product - r) / from; // an exact multiple of from: exact quotient
    if (r === 0) return q;
    if (rounding === 'floor') return r < 0 ? q - 1 : q;
    if (rounding === 'ceil') return r > 0 ? q + 1 : q;
    return Math.abs(r) * 2 >= from ? q + Math.sign(r) : q;
  }
  const out = divide(BigInt(value) * BigInt(to), BigInt(from), rounding);
  const n = Number(out);
  if (!Number.isSafeInteger(n)) throw new RangeError(`rescale: result ${out} is not a safe integer`);
  return n;
}

/** Ticks → seconds (a float, for display and manifests; keep ticks for arithmetic). */
export function toSeconds(value: number, timescale: number): number {
  checkTimescale(timescale, 'timescale');
  return value / timescale;
}

/** Seconds → ticks of 1/`timescale` s. Decimal inputs like 0.1 are rounded as asked (default nearest). */
export function fromSeconds(seconds: number, timescale: number, rounding: Rounding = 'round'): number {
  checkTimescale(timescale, 'timescale');
  if (!Number.isFinite(seconds)) throw new RangeError(`fromSeconds: ${seconds} is not finite`);
  const ticks = seconds * timescale;
  // Snap float noise (2.0000000000000004) before rounding toward a direction.
  const nearest = Math.round(ticks);
  if (Math.abs(ticks - nearest) < 1e-9 * Math.max(1, Math.abs(ticks))) return nearest;
  if (rounding === 'floor') return Math.floor(ticks);
  if (rounding === 'ceil') return Math.ceil(ticks);
  return nearest;
}

/** Exact ticks → whole milliseconds (rounded). */
export function toMilliseconds(value: number, timescale: number, rounding: Rounding = 'round'): number {
  return rescale(value, timescale, 1000, rounding);
}

/**
 * ISO-8601 duration the way GPAC prints it in MPDs: always hours and minutes, seconds with 3 decimals
 * (`PT0H0M2.000S`, `PT1H2M5.500S`). `style: 'seconds'` gives GPAC's `minBufferTime` form (`PT2.000S`).
 * The value is rounded to the millisecond first.
 */
export function formatIsoDuration(seconds: number, style: 'hms' | 'seconds' = 'hms'): string {
  if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError(`duration: ${seconds} is not ≥ 0`);
  const ms = Math.round(seconds * 1000);
  const frac = (n: number): string => `${Math.floor(n / 1000)}.${String(n % 1000).padStart(3, '0')}`;
  if (style === 'seconds') return `PT${frac(ms)}S`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  return `PT${h}H${m}M${frac(ms % 60_000)}S`;
}

/**
 * Parses an ISO-8601 duration of the xs:duration kind used in manifests (`PnYnMnDTnHnMnS`; years and
 * months are not accepted, being of no fixed length) into seconds.
 */
export function parseIsoDuration(text: string): number {
  const m =
    /^(-)?P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(
      text,
    );
  if (!m || text.endsWith('T') || text === 'P' || text === '-P') {
    throw new RangeError(`"${text}" is not an ISO-8601 duration (PnDTnHnMnS)`);
  }
  const [, sign, d, h, min, s] = m;
  const total = Number(d ?? 0) * 86400 + Number(h ?? 0) * 3600 + Number(min ?? 0) * 60 + Number(s ?? 0);
  return sign ? -total : total;
}

/** `xs:dateTime` in UTC with milliseconds, e.g. `2026-11-26T07:22:15.795Z` (from ms since the epoch). */
export function formatDateTime(unixMs: number): string {
  if (!Number.isFinite(unixMs)) throw new RangeError(`dateTime: ${unixMs} is not finite`);
  return new Date(Math.round(unixMs)).toISOString();
}

/** Seconds between 1900-01-01 (NTP epoch) and 1970-01-01 (Unix epoch). */
export const NTP_UNIX_OFFSET_SECONDS = 2_208_988_800;

/** Unix time in ms → 64-bit NTP timestamp (32.32 fixed-point seconds since 1900). */
export function unixMsToNtp(unixMs: number): bigint {
  if (!Number.isFinite(unixMs) || unixMs < -NTP_UNIX_OFFSET_SECONDS * 1000) {
    throw new RangeError(`ntp: ${unixMs} is out of range`);
  }
  const ms = Math.round(unixMs);
  const secs = BigInt(Math.floor(ms / 1000)) + BigInt(NTP_UNIX_OFFSET_SECONDS);
  const fracMs = BigInt(ms - Math.floor(ms / 1000) * 1000);
  const fraction = (fracMs << 32n) / 1000n;
  return (secs << 32n) | fraction;
}

/** 64-bit NTP timestamp → Unix time in ms (rounded to the nearest ms). */
export function ntpToUnixMs(ntp: bigint): number {
  const secs = Number(ntp >> 32n) - NTP_UNIX_OFFSET_SECONDS;
  const fraction = ntp & 0xffffffffn;
  const ms = Number((fraction * 1000n + (1n << 31n)) >> 32n);
  return secs * 1000 + ms;
}
