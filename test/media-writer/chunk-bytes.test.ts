// writeChunkBytes (the packager's one-buffer chunk) is byte for byte writeChunk's header + payload, on
// random inputs covering every layout choice: shared or per-sample durations and flags (first-sample
// flags), composition offsets signed or not, several tracks, prft and emsg before the moof, a prefix,
// sampleDefaults 'none', and a reused (dirty) buffer from `alloc`.
import test from 'ava';
import { writeChunk, writeStyp } from '../../src/media/bmff/chunk.js';
import type { ChunkInput, ChunkSample, SapType } from '../../src/media/bmff/chunk.js';
import { writeChunkBytes } from '../../src/media/bmff/chunk-bytes.js';
import { unixMsToNtp } from '../../src/media/time.js';

/** A small deterministic PRNG (mulberry32), so a failure can be replayed from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomInput(r: () => number): ChunkInput {
  const int = (n: number) => Math.floor(r() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const trunVersion = pick([0, 1] as const);
  const tracks = Array.from({ length: 1 + int(3) }, (_, k) => {
    const n = 1 + int(40);
    const durationMode = pick(['same', 'varies']);
    const sapMode = pick(['all', 'first', 'mixed', 'explicit']);
    const ctoMode = pick(['none', 'some']);
    const samples: ChunkSample[] = Array.from({ length: n }, (_, i) => {
      const sap: SapType =
        sapMode === 'all' ? 1 : sapMode === 'first' ? (i === 0 ? 1 : 0) : pick([0, 1, 2, 3] as const);
      return {
        data: Uint8Array.from({ length: int(300) }, () => int(256)),
        duration: durationMode === 'same' ? 1024 : 500 + int(100),
        sapType: sap,
        ...(ctoMode === 'some'
          ? { compositionOffset: trunVersion === 1 ? int(3000) - 1000 : int(3000) }
          : {}),
        ...(sapMode === 'explicit' && r() < 0.3 ? { flags: int(0xffffffff) } : {}),
      };
    });
    return {
      trackId: 1 + k + int(5) * 10,
      baseMediaDecodeTime: r() < 0.2 ? BigInt(int(1e9)) * 100000n : int(1e12),
      samples,
    };
  });
  // Distinct track ids.
  tracks.forEach((t, k) => (t.trackId = k + 1 + int(3) * 10));
  return {
    sequenceNumber: 1 + int(1e6),
    tracks,
    trunVersion,
    ...(r() < 0.2 ? { sampleDefaults: 'none' as const } : {}),
    ...(r() < 0.3
      ? {
          prft: {
            referenceTrackId: tracks[0]!.trackId,
            ntpTimestamp: unixMsToNtp(1_796_000_000_000 + int(1e6)),
            mediaTime: int(1e9),
          },
        }
      : {}),
    ...(r() < 0.2
      ? {
          emsg: [
            {
              schemeIdUri: 'urn:test',
              value: 'v',
              timescale: 1000,
              presentationTime: int(1e6),
              eventDuration: 0xffffffff,
              id: int(100),
              messageData: Uint8Array.of(1, 2, 3),
            },
          ],
        }
      : {}),
  };
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

test('500 random chunks: writeChunkBytes = prefix + writeChunk header + payload, into dirty buffers', (t) => {
  const styp = writeStyp();
  const dirty = new Uint8Array(1 << 20).fill(0xa5);
  for (let seed = 1; seed <= 500; seed++) {
    const input = randomInput(rng(seed));
    const ref = writeChunk(input);
    const prefix = seed % 2 ? styp : undefined;
    const want = concat([...(prefix ? [prefix] : []), ref.header, ...ref.payload]);
    const got = writeChunkBytes(input, {
      ...(prefix ? { prefix } : {}),
      alloc: (n) => dirty.subarray(0, n),
    });
    if (!Buffer.from(got.bytes).equals(Buffer.from(want))) {
      t.fail(`seed ${seed}: bytes differ`);
      return;
    }
    t.is(got.independent, ref.independent, `seed ${seed}`);
  }
  t.pass();
});

test('out-of-range values are refused as writeChunk refuses them', (t) => {
  const sample: ChunkSample = { data: Uint8Array.of(1), duration: 1, sapType: 1 };
  const bad: ChunkInput[] = [
    { sequenceNumber: 1, tracks: [] },
    { sequenceNumber: -1, tracks: [{ trackId: 1, baseMediaDecodeTime: 0, samples: [sample] }] },
    { sequenceNumber: 1, tracks: [{ trackId: 1, baseMediaDecodeTime: -5, samples: [sample] }] },
    {
      sequenceNumber: 1,
      tracks: [{ trackId: 1, baseMediaDecodeTime: 0, samples: [sample, { ...sample, duration: -3 }] }],
    },
    {
      sequenceNumber: 1,
      trunVersion: 0,
      tracks: [{ trackId: 1, baseMediaDecodeTime: 0, samples: [{ ...sample, compositionOffset: -1 }] }],
    },
  ];
  for (const input of bad) {
    t.throws(() => writeChunk(input), { instanceOf: RangeError });
    t.throws(() => writeChunkBytes(input), { instanceOf: RangeError });
  }
});
