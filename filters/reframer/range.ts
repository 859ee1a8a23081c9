/** Times of reframer's xs/xe options: seconds (`10`, `2.5`), fractions (`1001/30000`), `T[HH:]MM:SS[.ms]` or `[HH:]MM:SS[.ms]`. */
import { GraphError } from '../../src/index.js';

export function parseRangeTime(value: string, option: string): number {
  const v = value.trim();
  const frac = /^(\d+)\/(\d+)$/.exec(v);
  if (frac && Number(frac[2]) > 0) return Number(frac[1]) / Number(frac[2]);
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v);
  const hms = /^T?(?:(\d+):)?(\d+):(\d+(?:\.\d+)?)$/.exec(v);
  if (hms) return Number(hms[1] ?? 0) * 3600 + Number(hms[2]) * 60 + Number(hms[3]);
  throw new GraphError(
    'BAD_OPTION_VALUE',
    `reframer: option ${option}=${value}: expected seconds, a fraction or T[HH:]MM:SS[.ms]`,
    { option, value },
  );
}
