/**
 * mp4dmx's core (Mp4Demuxer) driven directly, with an in-memory "source" that serves whatever offset the
 * demuxer asks for in blocks of a chosen size: the follow loop, bounded memory, decode-order interleaving,
 * and identical results whatever the block size.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { Mp4Demuxer } from '../../filters/mp4dmx/demuxer.js';
import { repoRoot } from '../helpers/run-cli.js';
import { makeNonInterleaved } from './non-interleaved.js';

interface Out {
  track: number;
  dts: number;
  cts: number;
  duration: number;
  size: number;
  sync: boolean;
  /** Decode time in seconds with the edit delay applied (what interleaving orders by). */
  time: number;
}

interface Run {
  demux: Mp4Demuxer;
  samples: Out[];
  maxHeld: number;
  bytesRead: number;
  seeks: number;
}

function media(name: string): Uint8Array {
  return readFileSync(`${repoRoot}test/media/${name}`);
}

/** Demux `file` serving `block` bytes per read, at the offsets the demuxer asks for. */
/**
 * Demux `file` serving `block` bytes per read, at the offsets the demuxer asks for. With `reuse`, a block
 * is overwritten as soon as the demuxer releases it, as fin reads into it again.
 */
function demuxAll(file: Uint8Array, block: number, knownSize = true, reuse = false): Run {
  const demux = new Mp4Demuxer('mp4dmx', 'clip');
  if (knownSize) demux.fileSize = file.length;
  const samples: Out[] = [];
  let maxHeld = 0;
  let bytesRead = 0;
  let seeks = 0;
  let next = 0;
  for (let guard = 0; guard < 1e6; guard++) {
    const step = demux.step();
    if (step.kind === 'done') return { demux, samples, maxHeld, bytesRead, seeks };
    if (step.kind === 'sample') {
      const { track: t, sample: s } = step;
      samples.push({
        track: t.id,
        dts: s.dts,
        cts: s.cts,
        duration: s.duration,
        size: s.data.length,
        sync: s.sync,
        time: (s.dts + t.delay) / t.timescale,
      });
      demux.consumed(t, s);
      continue;
    }
    if (step.offset !== next) seeks++;
    const data = Uint8Array.from(file.subarray(step.offset, step.offset + block)); // own buffer, as fin sends
    if (step.offset + data.length >= file.length) demux.fileSize = file.length;
    bytesRead += data.length;
    demux.append(data, step.offset, reuse ? { release: () => data.fill(0xaa) } : undefined);
    next = step.offset + data.length;
    maxHeld = Math.max(maxHeld, demux.heldBytes);
  }
  throw new Error('demuxer did not finish');
}

function perTrack(samples: Out[]): Map<number, Omit<Out, 'time'>[]> {
  const m = new Map<number, Omit<Out, 'time'>[]>();
  for (const { time: _time, ...s } of samples) {
    let l = m.get(s.track);
    if (!l) m.set(s.track, (l = []));
    l.push(s);
  }
  return m;
}

const CLIPS = [
  'source1',
  'source2',
  'h264_bframes_moovend.mp4',
  'av_2997_faststart.mp4',
  'av_fragmented.mp4',
  'hevc.mp4',
  'v_2audio.mp4',
];

for (const clip of CLIPS) {
  test(`same samples whatever the block size: ${clip}`, (t) => {
    const file = media(clip);
    const ref = perTrack(demuxAll(file, file.length).samples);
    for (const block of [4096, 65536, 1 << 20]) {
      const run = demuxAll(file, block);
      t.deepEqual(perTrack(run.samples), ref, `block ${block}`);
    }
    // Size learnt only from the last block (standard input, or a source without DownloadSize).
    t.deepEqual(perTrack(demuxAll(file, 65536, false).samples), ref, 'size unknown');
  });

  test(`samples leave in decode-time order across tracks: ${clip}`, (t) => {
    const { samples } = demuxAll(media(clip), 16384);
    for (let i = 1; i < samples.length; i++) {
      if (samples[i]!.time < samples[i - 1]!.time) {
        t.fail(
          `sample ${i} (track ${samples[i]!.track} at ${samples[i]!.time}s) after ${samples[i - 1]!.time}s`,
        );
        return;
      }
    }
    t.pass();
  });
}

test('a block overwritten as soon as it is released changes nothing (fin reuses its blocks)', (t) => {
  for (const clip of ['av_fragmented.mp4', 'av_2997_faststart.mp4', 'h264_bframes_moovend.mp4']) {
    const file = media(clip);
    const ref = perTrack(demuxAll(file, file.length).samples);
    // Small blocks: every moof spans several of them.
    for (const block of [1000, 4096])
      t.deepEqual(perTrack(demuxAll(file, block, true, true).samples), ref, `${clip} ${block}`);
  }
});

test('fragment checks see a moof split across blocks that were overwritten once released', async (t) => {
  const { FragmentCheck, moovTracks } = await import('../../filters/mp4dmx/fragment-check.js');
  const file = Uint8Array.from(media('av_fragmented.mp4'));
  // moof[3] at byte 60911 spans the 1000-byte blocks 60000 and 61000; its first trun declares 1e6 samples.
  new DataView(file.buffer).setUint32(60911 + 8 + 16 + 8 + 28 + 20 + 12, 1e6);
  const check = new FragmentCheck(moovTracks(file.subarray(28, 28 + 1212)), () => file.length);
  const feedAll = () => {
    for (let off = 0; off < file.length; off += 1000) {
      const block = Uint8Array.from(file.subarray(off, off + 1000));
      check.feed(block, off);
      block.fill(0xaa); // released: fin reads into it again
    }
  };
  t.throws(feedAll, { message: /moof\[3\] at byte 60911: traf\[1\]\/trun declares 1000000 samples/ });
});

test('moov at the end through 64 KiB blocks: every sample arrives, memory stays at a few blocks', (t) => {
  const file = media('source1'); // 2.2 MB, ftyp free mdat moov
  const run = demuxAll(file, 65536);
  t.is(run.samples.length, 750);
  t.is(
    run.samples.reduce((n, s) => n + s.size, 0),
    2275730,
  );
  t.true(run.seeks >= 2, 'jumps to the moov and back');
  t.true(run.maxHeld < 6 * 65536, `held ${run.maxHeld} bytes at most`);
  t.true(run.bytesRead < file.length * 1.1, `read ${run.bytesRead} of ${file.length} bytes`);
});

test('a non-interleaved file (all video, then each audio track) is read in decode order in bounded memory', (t) => {
  const original = media('v_2audio.mp4');
  const file = makeNonInterleaved(original);
  const ref = perTrack(demuxAll(original, 1 << 20).samples);
  const run = demuxAll(file, 4096);
  t.deepEqual(perTrack(run.samples), ref, 'same samples as the interleaved original');
  for (let i = 1; i < run.samples.length; i++) t.true(run.samples[i]!.time >= run.samples[i - 1]!.time);
  // Reading in decode order jumps between the three regions; mp4box never holds more than a few blocks.
  t.true(run.maxHeld < 8 * 4096, `held ${run.maxHeld} bytes at most`);
  t.true(run.seeks >= 6, `${run.seeks} seeks`);
});

test('track properties: AAC mono from the AudioSpecificConfig, edit list Delay, FPS, language', (t) => {
  const { demux } = demuxAll(media('v_2audio.mp4'), 1 << 20);
  const [v, a1, a2] = demux.tracks.map((x) => x.props);
  t.like(v, {
    StreamType: 'Visual',
    CodecID: 'avc',
    Width: 320,
    Height: 180,
    Timescale: 12800,
    Delay: -1024,
    ID: 1,
  });
  t.deepEqual(v?.FPS, { num: 25, den: 1 });
  t.deepEqual(v?.SAR, { num: 1, den: 1 });
  t.like(a1, {
    StreamType: 'Audio',
    CodecID: 'aac',
    SampleRate: 48000,
    NumChannels: 1,
    Language: 'eng',
    NbFrames: 142,
  });
  t.like(a2, { Language: 'fra' });
  t.deepEqual(a1?.DecoderConfig, Uint8Array.from([0x11, 0x88, 0x56, 0xe5, 0x00]));
  const avcC = v?.DecoderConfig;
  t.true(
    avcC instanceof Uint8Array && avcC[0] === 1 && avcC[1] === 0x64,
    'avcC record (version 1, High profile)',
  );
});

test('track properties: 29.97 fps, stereo AAC 44.1 kHz, fragmented file without NbFrames', (t) => {
  const fast = demuxAll(media('av_2997_faststart.mp4'), 1 << 20).demux.tracks.map((x) => x.props);
  t.deepEqual(fast[0]?.FPS, { num: 30000, den: 1001 });
  t.like(fast[0], { Delay: -2002, Timescale: 30000, NbFrames: 120 });
  t.like(fast[1], { SampleRate: 44100, NumChannels: 2 });
  const frag = demuxAll(media('av_fragmented.mp4'), 1 << 20).demux;
  t.true(frag.isFragmented);
  t.is(frag.tracks[0]?.props.NbFrames, undefined);
  t.is(frag.tracks[0]?.props.Delay, undefined);
  t.deepEqual(frag.tracks[0]?.props.FPS, { num: 25, den: 1 });
  const hevc = demuxAll(media('hevc.mp4'), 1 << 20).demux.tracks[0]?.props;
  t.like(hevc, { CodecID: 'hevc', Width: 320, Height: 180 });
  t.is((hevc?.DecoderConfig as Uint8Array)[0], 1, 'hvcC record, configurationVersion 1');
});
