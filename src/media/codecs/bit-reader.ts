/** A big-endian bit reader over a Uint8Array, with the Exp-Golomb codes H.264/H.265 use. */
export class BitReader {
  private pos = 0; // in bits

  constructor(private readonly data: Uint8Array) {}

  /** Bits read so far. */
  get position(): number {
    return this.pos;
  }

  get bitsLeft(): number {
    return this.data.byteLength * 8 - this.pos;
  }

  /** Reads `n` bits (0..32) as an unsigned number. */
  bits(n: number): number {
    if (n < 0 || n > 32) throw new RangeError(`bits(${n}): 0..32 bits at a time`);
    if (n > this.bitsLeft)
      throw new RangeError(`read past the end (${n} bits wanted, ${this.bitsLeft} left)`);
    let v = 0;
    for (let i = 0; i < n; i++) {
      const byte = this.data[this.pos >>> 3] ?? 0;
      v = v * 2 + ((byte >>> (7 - (this.pos & 7))) & 1);
      this.pos++;
    }
    return v;
  }

  flag(): boolean {
    return this.bits(1) === 1;
  }

  skip(n: number): void {
    if (n > this.bitsLeft) throw new RangeError(`skip past the end (${n} bits, ${this.bitsLeft} left)`);
    this.pos += n;
  }

  /** ue(v): unsigned Exp-Golomb. */
  ue(): number {
    let zeros = 0;
    while (!this.flag()) {
      zeros++;
      if (zeros > 31) throw new RangeError('ue(v) longer than 32 bits');
    }
    return zeros === 0 ? 0 : 2 ** zeros - 1 + this.bits(zeros);
  }

  /** se(v): signed Exp-Golomb. */
  se(): number {
    const k = this.ue();
    return k % 2 === 1 ? (k + 1) / 2 : k === 0 ? 0 : -(k / 2);
  }
}

/** Removes emulation-prevention bytes (00 00 03 → 00 00) from a NAL unit: the RBSP. */
export function unescapeRbsp(nal: Uint8Array): Uint8Array {
  const out = new Uint8Array(nal.byteLength);
  let n = 0;
  let zeros = 0;
  for (const b of nal) {
    if (zeros >= 2 && b === 3) {
      zeros = 0;
      continue;
    }
    out[n++] = b;
    zeros = b === 0 ? zeros + 1 : 0;
  }
  return out.subarray(0, n);
}

/** Uppercase hex, zero-padded to `width` digits. */
export function hex(value: number, width = 2): string {
  return value.toString(16).toUpperCase().padStart(width, '0');
}

/** A byte cursor for configuration records; `take` returns views, not copies. */
export class ByteCursor {
  pos = 0;
  constructor(private readonly data: Uint8Array) {}
  u8(): number {
    const v = this.data[this.pos];
    if (v === undefined) throw new RangeError(`truncated record at byte ${this.pos}`);
    this.pos++;
    return v;
  }
  u16(): number {
    return this.u8() * 256 + this.u8();
  }
  take(n: number): Uint8Array {
    if (this.pos + n > this.data.byteLength) throw new RangeError(`truncated record at byte ${this.pos}`);
    const out = this.data.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  get left(): number {
    return this.data.byteLength - this.pos;
  }
}
