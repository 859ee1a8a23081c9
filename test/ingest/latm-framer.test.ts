/**
 * The LOAS/LATM framer (src/media/ts/latm-framer.ts) on AudioMuxElements written bit by bit here: both
 * audioMuxVersions, several subframes, a config sent once then reused, payloads that start mid-byte,
 * frames cut by PES boundaries, and what it does not read (several programs) reported, not guessed.
 * (test/ingest/m2tsdmx.test.ts checks it against ffmpeg's LATM, sample for sample.)
 */
import test from 'ava';
import { LatmFramer } from '../../src/media/ts/latm-framer.js';

class Bits {
  private out: number[] = [];
  private acc = 0;
  private n = 0;
  put(value: number, bits: number): this {
    for (let i = bits - 1; i >= 0; i--) {
      this.acc = (this.acc << 1) | (Math.floor(value / 2 ** i) & 1);
      if (++this.n === 8) {
        this.out.push(this.acc);
        this.acc = 0;
        this.n = 0;
      }
    }
    return this;
  }
  bytes(data: Uint8Array): this {
    for (const b of data) this.put(b, 8);
    return this;
  }
  /** Padded to a byte. */
  done(): Uint8Array {
    if (this.n) this.put(0, 8 - this.n);
    return Uint8Array.from(this.out);
  }
}

/** AAC-LC, 48 kHz (index 3), stereo: the ASC's 16 bits (with a 3-bit GASpecificConfig of zeros). */
const ASC = Uint8Array.of(0x11, 0x90);

function loas(element: Uint8Array): Uint8Array {
  return Uint8Array.of(0x56, 0xe0 | (element.length >> 8), element.length & 0xff, ...element);
}

/** One AudioMuxElement with a StreamMuxConfig (or not: `same`) and the given payloads. */
function element(
  payloads: Uint8Array[],
  opts: { version?: 0 | 1; same?: boolean; programs?: number } = {},
): Uint8Array {
  const w = new Bits();
  w.put(opts.same ? 1 : 0, 1); // useSameStreamMux
  if (!opts.same) {
    const v = opts.version ?? 0;
    w.put(v, 1); // audioMuxVersion
    if (v) w.put(0, 1); // audioMuxVersionA
    if (v) w.put(0, 2).put(0xff, 8); // taraBufferFullness (LatmGetValue, 1 byte)
    w.put(1, 1); // allStreamsSameTimeFraming
    w.put(payloads.length - 1, 6); // numSubFrames
    w.put(opts.programs ?? 0, 4); // numProgram
    w.put(0, 3); // numLayer
    if (v === 0) w.put(0x1190 >> 3, 13); // the ASC's 13 fields bits (AOT 2, index 3, 2 ch) …
    if (v === 0) w.put(0, 3); // … then GASpecificConfig: frameLengthFlag, dependsOnCoreCoder, extensionFlag
    if (v === 1) w.put(0, 2).put(16, 8).bytes(ASC); // ascLen (LatmGetValue) then the ASC
    w.put(0, 3); // frameLengthType 0
    w.put(0xff, 8); // latmBufferFullness
    w.put(0, 1); // otherDataPresent
    w.put(0, 1); // crcCheckPresent
  }
  for (const p of payloads) {
    let n = p.length;
    while (n >= 255) {
      w.put(255, 8);
      n -= 255;
    }
    w.put(n, 8);
    w.bytes(p);
  }
  return loas(w.done());
}

const frame = (seed: number, n: number) => Uint8Array.from({ length: n }, (_, i) => (seed * 31 + i) & 0xff);

test('audioMuxVersion 0: the config from the stream, each payload copied out, times 1024 samples apart', (t) => {
  const f = new LatmFramer();
  const a = frame(1, 300); // a length of 255 + 45: two MuxSlotLengthBytes
  const b = frame(2, 7);
  const aus = f.add(Uint8Array.of(...element([a]), ...element([b], { same: true })), 90000);
  t.deepEqual(f.config?.record, ASC);
  t.is(f.config?.sampleRate, 48000);
  t.is(f.config?.channels, 2);
  t.deepEqual(
    aus.map((u) => [u.dts, u.duration, u.sap]),
    [
      [48000, 1024, 1],
      [49024, 1024, 1],
    ],
  );
  t.deepEqual(aus[0]!.data, a);
  t.deepEqual(aus[1]!.data, b);
  t.is(f.problem, undefined);
});

test('audioMuxVersion 1 with 3 subframes in one element', (t) => {
  const f = new LatmFramer();
  const ps = [frame(3, 20), frame(4, 21), frame(5, 22)];
  const aus = f.add(element(ps, { version: 1 }), 0);
  t.deepEqual(f.config?.record, ASC);
  t.deepEqual(
    aus.map((u) => u.data),
    ps,
  );
  t.deepEqual(
    aus.map((u) => u.dts),
    [0, 1024, 2048],
  );
});

test('a frame cut by a PES boundary is joined; bytes before a sync are skipped; nothing before the first config', (t) => {
  const f = new LatmFramer();
  // An element that reuses a config nobody sent yet: not decodable, dropped.
  const orphan = element([frame(9, 5)], { same: true });
  const whole = Uint8Array.of(0x00, 0x12, ...orphan, ...element([frame(6, 40)]), ...element([frame(7, 41)]));
  const cut = whole.length - 20;
  const first = f.add(whole.subarray(0, cut), 9000);
  const second = f.add(whole.subarray(cut), undefined);
  t.is(f.bytesSkipped, 2);
  t.deepEqual(
    [...first, ...second].map((u) => [u.dts, u.data.length]),
    [
      [4800, 40],
      [5824, 41],
    ],
  );
});

test('several programs (multi-stream LATM) are not guessed at: frames dropped, the reason kept', (t) => {
  const f = new LatmFramer();
  const aus = f.add(element([frame(8, 10)], { programs: 1 }), 0);
  t.deepEqual(aus, []);
  t.is(f.problem, 'several programs');
  t.is(f.unsupportedFrames, 1);
  t.is(f.config, undefined);
});
