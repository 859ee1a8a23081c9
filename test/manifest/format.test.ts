import test from 'ava';
import {
  ceilMs,
  formatFrameRate,
  formatDecimal,
  formatG,
  formatHlsFrameRate,
  isoDate,
  isoDuration,
  isoDurationSeconds,
  roundMs,
  xmlEscape,
} from '../../src/manifest/format.js';

test('formatG matches C printf %g on the durations GPAC prints', (t) => {
  // Expected strings come from C's printf("%g") (checked with Python's '%g', which wraps it).
  const cases: [number, string][] = [
    [10, '10'],
    [2, '2'],
    [479232 / 48000, '9.984'],
    [480256 / 48000, '10.0053'],
    [480512 / 48000, '10.0107'],
    [22528 / 48000, '0.469333'],
    [48128 / 48000, '1.00267'],
    [47104 / 48000, '0.981333'],
    [96256 / 48000, '2.00533'],
    [6656 / 12800, '0.52'],
    [6144 / 12800, '0.48'],
    [3 * 0.52, '1.56'],
    [0.1 + 0.2, '0.3'],
    [1.5, '1.5'],
    [9, '9'],
    [100000, '100000'],
    [999999.5, '1e+06'],
    [1e6, '1e+06'],
    [1234567, '1.23457e+06'],
    [0.0001, '0.0001'],
    [0.00012345678, '0.000123457'],
    [1e-5, '1e-05'],
    [0.000099999995, '0.0001'],
    [99.99995, '99.9999'],
    [-2.5, '-2.5'],
    [0, '0'],
  ];
  for (const [value, expected] of cases) t.is(formatG(value), expected, `formatG(${value})`);
});

test('formatG rounds exact ties half to even, like glibc', (t) => {
  t.is(formatG(1234565), '1.23456e+06');
  t.is(formatG(1234575), '1.23458e+06');
  t.is(formatG(0.5, 1), '0.5');
  t.is(formatG(2.5, 1), '2');
  t.is(formatG(3.5, 1), '4');
  t.is(formatG(25, 3), '25');
  t.is(formatG(29.97, 3), '30');
});

test('formatG handles non-finite values and precision', (t) => {
  t.is(formatG(Number.NaN), 'nan');
  t.is(formatG(Number.POSITIVE_INFINITY), 'inf');
  t.is(formatG(Number.NEGATIVE_INFINITY), '-inf');
  t.is(formatG(-0), '-0');
  t.is(formatG(Math.PI, 10), '3.141592654');
  t.is(formatG(5e-324), '4.94066e-324');
});

test('MPD durations use GPAC forms', (t) => {
  t.is(isoDuration(30), 'PT0H0M30.000S');
  t.is(isoDuration(10.011), 'PT0H0M10.011S');
  t.is(isoDuration(3725.5), 'PT1H2M5.500S');
  t.is(isoDuration(0), 'PT0H0M0.000S');
  t.is(isoDurationSeconds(10), 'PT10.000S');
  t.is(isoDurationSeconds(1.5), 'PT1.500S');
});

test('dates are ISO 8601 UTC with milliseconds', (t) => {
  t.is(isoDate(Date.UTC(2026, 10, 26, 7, 23, 56, 21)), '2026-11-26T07:23:56.021Z');
  t.is(isoDate(Date.UTC(2026, 10, 26, 7, 25, 3) + 989.333), '2026-11-26T07:25:03.989Z');
});

test('millisecond rounding helpers ignore float noise', (t) => {
  t.is(ceilMs(1.00267), 1.003);
  t.is(ceilMs(0.52), 0.52);
  t.is(ceilMs(0.512), 0.512);
  t.is(ceilMs(6656 / 12800), 0.52);
  t.is(roundMs(3 * 0.52), 1.56);
});

test('XML escaping covers text and attribute specials', (t) => {
  t.is(xmlEscape(`a&b<c>"d"'e'`), 'a&amp;b&lt;c&gt;&quot;d&quot;&apos;e&apos;');
});

test('frame rates: DASH fraction and HLS three decimals', (t) => {
  t.is(formatFrameRate({ num: 25, den: 1 }), '25');
  t.is(formatFrameRate({ num: 30000, den: 1001 }), '30000/1001');
  t.is(formatHlsFrameRate({ num: 25, den: 1 }), '25.000');
  t.is(formatHlsFrameRate({ num: 30000, den: 1001 }), '29.970');
  t.is(formatHlsFrameRate({ num: 60000, den: 1001 }), '59.940');
  t.is(formatHlsFrameRate({ num: 24000, den: 1001 }), '23.976');
});

test('formatDecimal never prints the exponent form (RFC 8216 decimal-floating-point)', (t) => {
  t.is(formatDecimal(10.0053), '10.0053');
  t.is(formatDecimal(4194304), '4194304');
  t.is(formatDecimal(4194304.0213), '4194304.021');
  t.is(formatDecimal(23537400.5), '23537400.5');
  t.is(formatDecimal(1e-5), '0.00001');
  t.is(formatDecimal(1.234567e-5), '0.0000123457');
  t.is(formatDecimal(-1e-5), '-0.00001');
  t.is(formatDecimal(0), '0');
});
