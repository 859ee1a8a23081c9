/**
 * The ServiceDescription's latencies follow what a player can fetch: with chunked delivery, the chunk;
 * and when segments are announced after their first chunk is complete (availabilityTimeOffset below
 * segdur − chunk), the announcement delay. Target = floor + 2 units (3 chunks when ATO ≥ segdur − chunk,
 * as PART-HOLD-BACK = 3 × PART-TARGET).
 */
import test from 'ava';
import { deriveServiceDescription } from '../../src/manifest/index.js';

const latency = (segmentDuration: number, chunkDuration: number, availabilityTimeOffset?: number) =>
  deriveServiceDescription({
    segmentDuration,
    chunkDuration,
    chunkedDelivery: true,
    ...(availabilityTimeOffset !== undefined ? { availabilityTimeOffset } : {}),
  }).latency;

test('the seed line (segdur=2, cdur=0.5 at 25 fps: 0.52 s chunks, asto=1.5): 3 chunks, as PART-HOLD-BACK', (t) => {
  t.deepEqual(latency(2, 0.52, 1.5), { target: 1560, min: 520, max: 2080, referenceId: 0 });
});

test('cdur=0.2 with asto=1.5: a segment is announced 0.5 s after its start, later than its first chunk', (t) => {
  t.deepEqual(latency(2, 0.214, 1.5), { target: 928, min: 500, max: 1142, referenceId: 0 });
});

test('cdur=0.2 with asto = segdur − cdur (1.8): 3 chunks of 0.214 s', (t) => {
  t.deepEqual(latency(2, 0.214, 1.8), { target: 642, min: 214, max: 856, referenceId: 0 });
  t.deepEqual(latency(1, 0.214, 0.8), { target: 642, min: 214, max: 856, referenceId: 0 });
});

test('without an ATO: the chunk alone (3 chunks)', (t) => {
  t.deepEqual(latency(2, 0.5), { target: 1500, min: 500, max: 2000, referenceId: 0 });
});
