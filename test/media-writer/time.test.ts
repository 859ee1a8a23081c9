import test from 'ava';
import {
  formatDateTime,
  formatIsoDuration,
  fromSeconds,
  ntpToUnixMs,
  NTP_UNIX_OFFSET_SECONDS,
  parseIsoDuration,
  rescale,
  toMilliseconds,
  toSeconds,
  unixMsToNtp,
} from '../../src/media/time.js';

const RESCALE_CASES: [number, number, number, 'floor' | 'round' | 'ceil' | undefined, number][] = [
  [1024, 48000, 90000, undefined, 1920],
  [25600, 12800, 1000, undefined, 2000],
  [1001, 30000, 1000, undefined, 33], // 33.366…
  [1001, 30000, 1000, 'ceil', 34],
  [1, 2, 1, undefined, 1], // half rounds away from zero
  [-1, 2, 1, undefined, -1],
  [1, 3, 1, 'round', 0],
  [2, 3, 1, 'round', 1],
  [2, 3, 1, 'floor', 0],
  [-2, 3, 1, 'floor', -1],
  [-2, 3, 1, 'ceil', 0],
  [-1024, 48000, 12800, undefined, -273], // -273.06…
  [7, 1, 1, undefined, 7],
];

for (const [value, from, to, rounding, expected] of RESCALE_CASES) {
  test(`rescale(${value}, ${from}, ${to}, ${rounding ?? 'round'}) = ${expected}`, (t) => {
    t.is(rescale(value, from, to, rounding), expected);
  });
}

test('rescale stays exact where value × to passes 2^53 (BigInt path)', (t) => {
  const value = 2 ** 52 + 12345;
  const exact = (BigInt(value) * 48000n) / 90000n;
  t.is(rescale(value, 90000, 48000, 'floor'), Number(exact));
  // 24/7 for 10 years at 10 MHz in a 1/90000 timescale, and back
  const ticks = 10 * 365 * 86400 * 10_000_000;
  const at90k = rescale(ticks, 10_000_000, 90000);
  t.is(at90k, 10 * 365 * 86400 * 90000);
  t.is(rescale(at90k, 90000, 10_000_000), ticks);
});

test('rescale never drifts over many frames (29.97 fps in 1/90000 vs 1/30000)', (t) => {
  for (let frame = 0; frame < 100_000; frame += 997) {
    const t30000 = frame * 1001;
    t.is(rescale(t30000, 30000, 90000), frame * 3003);
  }
});

test('rescale rejects bad inputs', (t) => {
  t.throws(() => rescale(1.5, 1, 1), { instanceOf: RangeError });
  t.throws(() => rescale(1, 0, 1), { instanceOf: RangeError });
  t.throws(() => rescale(1, 1, -5), { instanceOf: RangeError });
});

test('seconds ↔ timescale', (t) => {
  t.is(fromSeconds(0.1, 90000), 9000);
  t.is(fromSeconds(2, 12800), 25600);
  t.is(fromSeconds(0.3, 10), 3); // 2.9999999999999996 snaps to 3, not floor 2
  t.is(fromSeconds(0.3, 10, 'floor'), 3);
  t.is(fromSeconds(1 / 3, 10, 'floor'), 3);
  t.is(fromSeconds(1 / 3, 10, 'ceil'), 4);
  t.is(toSeconds(25600, 12800), 2);
  t.is(toMilliseconds(1001, 30000), 33);
  t.throws(() => fromSeconds(Number.NaN, 1000), { instanceOf: RangeError });
});

const DURATIONS: [number, string, string][] = [
  [2, 'PT0H0M2.000S', 'PT2.000S'],
  [0, 'PT0H0M0.000S', 'PT0.000S'],
  [30, 'PT0H0M30.000S', 'PT30.000S'],
  [10.011, 'PT0H0M10.011S', 'PT10.011S'],
  [3725.5, 'PT1H2M5.500S', 'PT3725.500S'],
  [59.9996, 'PT0H1M0.000S', 'PT60.000S'],
  [90061.25, 'PT25H1M1.250S', 'PT90061.250S'],
];

for (const [seconds, hms, plain] of DURATIONS) {
  test(`ISO-8601 duration of ${seconds} s`, (t) => {
    t.is(formatIsoDuration(seconds), hms);
    t.is(formatIsoDuration(seconds, 'seconds'), plain);
    t.is(parseIsoDuration(hms), Math.round(seconds * 1000) / 1000);
  });
}

test('parseIsoDuration: other forms and errors', (t) => {
  t.is(parseIsoDuration('PT0S'), 0);
  t.is(parseIsoDuration('P1DT1M'), 86460);
  t.is(parseIsoDuration('PT1.5M'), 90);
  t.is(parseIsoDuration('-PT2S'), -2);
  for (const bad of ['P', 'PT', '2S', 'P1Y', 'PT1H2', '']) {
    t.throws(() => parseIsoDuration(bad), { instanceOf: RangeError }, bad);
  }
  t.throws(() => formatIsoDuration(-1), { instanceOf: RangeError });
});

test('xs:dateTime in UTC with milliseconds', (t) => {
  t.is(formatDateTime(0), '1970-01-01T00:00:00.000Z');
  t.is(formatDateTime(Date.UTC(2026, 10, 26, 7, 22, 15, 795)), '2026-11-26T07:22:15.795Z');
  t.is(formatDateTime(1.6), '1970-01-01T00:00:00.002Z');
});

test('NTP timestamps (prft)', (t) => {
  t.is(unixMsToNtp(0), BigInt(NTP_UNIX_OFFSET_SECONDS) << 32n);
  t.is(unixMsToNtp(500) & 0xffffffffn, 0x80000000n);
  const now = Date.UTC(2026, 10, 26, 7, 22, 15, 795);
  t.is(ntpToUnixMs(unixMsToNtp(now)), now);
  t.is(ntpToUnixMs(unixMsToNtp(now + 1)), now + 1);
});
