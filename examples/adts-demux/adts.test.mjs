// The plugin's own tests, on graphpac's single-filter harness (graphpac/testing): ADTS bytes in, AAC
// frames out. Run with `npm test` in this folder (graphpac installed beside it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHarness } from 'graphpac/testing';
import adts from './index.mjs';

/** One ADTS frame (no CRC) of AAC-LC: `payload` bytes after the 7-byte header. */
function frame(payload, { rateIndex = 4, channels = 2 } = {}) {
  const len = 7 + payload;
  const f = new Uint8Array(len).fill(0xa5);
  f.set([0xff, 0xf1, (1 << 6) | (rateIndex << 2) | (channels >> 2)]);
  f.set([((channels & 3) << 6) | (len >> 11), (len >> 3) & 0xff, ((len & 7) << 5) | 0x1f, 0xfc], 3);
  return f;
}

const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

const FILE = { StreamType: 'File', Extension: 'aac', URL: 'sound.aac' };

test('frames split across input packets come out whole, one per packet, timed in samples', async () => {
  const h = await createHarness(adts);
  const input = h.input(FILE);
  const bytes = concat(frame(100), frame(200), frame(50));
  input.push(bytes.subarray(0, 10)); // inside the first header
  input.push(bytes.subarray(10, 250)); // inside the second frame
  input.push(bytes.subarray(250));
  input.end();
  await h.run();
  const out = h.output('audio1');
  assert.equal(out.props.SampleRate, 44100);
  assert.equal(out.props.NumChannels, 2);
  assert.deepEqual([...out.props.DecoderConfig], [0x12, 0x10]); // AAC-LC, 44.1 kHz, stereo
  assert.deepEqual(
    out.packets.map((p) => [p.dts, p.duration, p.data.length]),
    [
      [0, 1024, 100],
      [1024, 1024, 200],
      [2048, 1024, 50],
    ],
  );
  assert.ok(out.ended && h.ended);
  await h.close();
});

test('strict (default): a corrupt byte stops the run, naming the filter and the offset', async () => {
  const h = await createHarness(adts);
  const input = h.input(FILE);
  input.push(concat(frame(20), Uint8Array.of(0, 1, 2, 3, 4, 5, 6, 7), frame(20)));
  await assert.rejects(h.run(), (e) => {
    assert.equal(e.code, 'CORRUPT_INPUT');
    assert.match(e.message, /^adtsdmx: no ADTS frame at byte 27 of "sound\.aac"/);
    assert.deepEqual(e.details, { filter: 'adtsdmx', phase: 'process' });
    return true;
  });
  await h.close();
});

test('strict=no resynchronises on the next header', async () => {
  const h = await createHarness(adts, { args: { strict: false } });
  const input = h.input(FILE);
  input.push(concat(frame(20), Uint8Array.of(0, 1, 2, 3, 4, 5, 6, 7), frame(30)));
  await h.finish();
  assert.deepEqual(
    h.output('audio1').packets.map((p) => p.data.length),
    [20, 30],
  );
});

test('a file ending inside a frame is an error; recognised by content, not only by extension', async () => {
  const h = await createHarness(adts);
  const input = h.input({ StreamType: 'File', MIMEType: 'audio/aac', URL: 'source1' });
  input.push(frame(40).subarray(0, 30));
  input.end();
  await assert.rejects(h.run(), /adtsdmx: "source1" ends inside a frame \(30 bytes left\)/);
  await h.close();
  assert.deepEqual(adts.probeData(concat(frame(10), frame(10))), { mime: 'audio/aac', score: 'supported' });
  assert.equal(adts.probeData(Uint8Array.of(0, 0, 0, 0x20, 0x66, 0x74, 0x79, 0x70)), undefined);
});
