/**
 * Small pieces of fin, mp4dmx and inspect tested directly: URL claims, the ISOBMFF content probe, the
 * AudioSpecificConfig reader, the edit-list Delay.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import fin from '../../filters/fin/index.js';
import inspect from '../../filters/inspect/index.js';
import mp4dmx from '../../filters/mp4dmx/index.js';
import { parseAudioSpecificConfig } from '../../filters/mp4dmx/asc.js';
import { probeIsobmff } from '../../filters/mp4dmx/probe.js';
import { editDelay } from '../../filters/mp4dmx/track-props.js';
import type { Trak } from '../../filters/mp4dmx/track-props.js';
import { repoRoot } from '../helpers/run-cli.js';

test('fin claims local paths, file:// URLs and standard input, not other schemes', (t) => {
  const claim = (u: string) => fin.probeUrl?.(u, 'source');
  for (const u of ['source1', 'a/b/video.mp4', '/abs/x', 'file:///tmp/x.mp4', '-', 'stdin'])
    t.is(claim(u), 'supported', u);
  for (const u of ['http://h/x.mp4', 'udp://239.0.0.1:1234']) t.is(claim(u), 'no', u);
  t.is(fin.probeUrl?.('out.mp4', 'sink'), 'no');
});

test('ISOBMFF probe: every committed clip is recognised from its first bytes', (t) => {
  for (const clip of ['source1', 'source2', 'h264_bframes_moovend.mp4', 'av_fragmented.mp4', 'hevc.mp4']) {
    const head = readFileSync(`${repoRoot}test/media/${clip}`).subarray(0, 4096);
    t.deepEqual(mp4dmx.probeData?.(head), { mime: 'video/mp4', score: 'supported' }, clip);
    t.truthy(probeIsobmff(head.subarray(0, 64)), `${clip}: 64 bytes are enough`);
  }
});

function box(type: string, size: number, body = 0): Uint8Array {
  const b = new Uint8Array(8 + body);
  new DataView(b.buffer).setUint32(0, size);
  b.set(new TextEncoder().encode(type), 4);
  return b;
}

test('ISOBMFF probe: rejects text, empty data, other formats and insane box sizes', (t) => {
  const enc = new TextEncoder();
  t.is(probeIsobmff(new Uint8Array(0)), undefined);
  t.is(probeIsobmff(enc.encode('hello, this is not a video\n')), undefined);
  t.is(probeIsobmff(enc.encode('free software is great')), undefined);
  t.is(
    probeIsobmff(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])),
    undefined,
  ); // PNG
  t.is(probeIsobmff(Uint8Array.from([0x47, 0x40, 0x00, 0x10, ...new Array(200).fill(0xff)])), undefined); // MPEG-TS
  t.is(probeIsobmff(box('ftyp', 4)), undefined, 'box smaller than its header');
  t.is(probeIsobmff(box('ftyp', 9000, 8)), undefined, 'ftyp of 9000 bytes');
  t.is(probeIsobmff(box('abcd', 16, 8)), undefined, 'unknown first box');
  t.like(probeIsobmff(box('free', 8)), { score: 'maybe' });
  const styp = new Uint8Array([...box('styp', 16, 8).slice(0, 8), ...enc.encode('msdhmsdh')]);
  t.deepEqual(probeIsobmff(styp), { mime: 'video/iso.segment', score: 'supported' });
});

test('AudioSpecificConfig: AAC-LC mono/stereo, explicit HE-AAC, escape sample rate, short input', (t) => {
  t.deepEqual(parseAudioSpecificConfig(Uint8Array.from([0x11, 0x88])), {
    objectType: 2,
    sampleRate: 48000,
    channels: 1,
  });
  t.deepEqual(parseAudioSpecificConfig(Uint8Array.from([0x12, 0x10])), {
    objectType: 2,
    sampleRate: 44100,
    channels: 2,
  });
  // AOT 5 (SBR), core 24 kHz stereo, extension 48 kHz, core AOT 2.
  t.like(parseAudioSpecificConfig(Uint8Array.from([0x2b, 0x11, 0x88])), { sampleRate: 48000, channels: 2 });
  // Explicit 24-bit frequency (index 15): 0x00bb80 = 48000.
  t.like(parseAudioSpecificConfig(Uint8Array.from([0x17, 0x80, 0x5d, 0xc0, 0x08])), {
    sampleRate: 48000,
    channels: 1,
  });
  t.is(parseAudioSpecificConfig(Uint8Array.from([0x11])), undefined);
});

function fakeTrak(timescale: number, entries: { segment_duration: number; media_time: number }[]): Trak {
  const elst = { entries: entries.map((e) => ({ ...e, media_rate_integer: 1, media_rate_fraction: 0 })) };
  return { edts: { elst }, mdia: { mdhd: { timescale } } } as unknown as Trak;
}

test('edit list to Delay: media_time skips (negative), an initial empty edit delays (positive)', (t) => {
  t.is(editDelay(fakeTrak(12800, []), 1000), 0);
  t.is(editDelay(fakeTrak(12800, [{ segment_duration: 30000, media_time: 1024 }]), 1000), -1024);
  t.is(editDelay(fakeTrak(12800, [{ segment_duration: 30000, media_time: 0 }]), 1000), 0);
  t.is(
    editDelay(
      fakeTrak(48000, [
        { segment_duration: 500, media_time: -1 },
        { segment_duration: 30000, media_time: 1024 },
      ]),
      1000,
    ),
    24000 - 1024,
  );
});

test('inspect refuses raw files and takes any number of streams', (t) => {
  t.deepEqual(inspect.caps[0]?.inExcluded, { StreamType: 'File' });
  t.is(inspect.maxInputs, Number.POSITIVE_INFINITY);
});
