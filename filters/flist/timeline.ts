/**
 * flist's continuous timeline: the offset where the next item starts, kept as an exact fraction of a
 * second (BigInt), so an endless loop neither drifts between streams nor loses precision.
 */

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y) [x, y] = [y, x % y];
  return x || 1n;
}

/** An exact non-negative time: num / den seconds. */
export class Time {
  constructor(
    readonly num: bigint = 0n,
    readonly den: bigint = 1n,
  ) {}

  static of(value: number, timescale: number): Time {
    return new Time(BigInt(Math.round(value)), BigInt(timescale)).reduce();
  }

  private reduce(): Time {
    const g = gcd(this.num, this.den);
    return g === 1n ? this : new Time(this.num / g, this.den / g);
  }

  add(o: Time): Time {
    return new Time(this.num * o.den + o.num * this.den, this.den * o.den).reduce();
  }

  less(o: Time): boolean {
    return this.num * o.den < o.num * this.den;
  }

  /** In `timescale` units, rounded down (a stream never starts before the offset). */
  floorIn(timescale: number): number {
    const t = BigInt(timescale);
    const q = (this.num * t) / this.den;
    return Number(this.num * t < 0n && q * this.den !== this.num * t ? q - 1n : q);
  }

  /** In `timescale` units, rounded to the nearest. */
  roundIn(timescale: number): number {
    const t = BigInt(timescale) * 2n;
    return Number(((this.num * t) / this.den + (this.num >= 0n ? 1n : -1n)) / 2n);
  }

  seconds(): number {
    return Number(this.num) / Number(this.den);
  }
}

/** `value` from one timescale into another (exact when they are equal). */
export function rescale(value: number, from: number, to: number): number {
  return from === to ? value : Math.round((value * to) / from);
}
