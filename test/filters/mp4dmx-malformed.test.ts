/**
 * Malformed sample tables, moov and fragments (issue #12 item 9), each crafted here from a committed clip:
 * the CLI exits 1 with ONE line naming the file and the box path and value, never a JavaScript message;
 * and the valid edge cases (a last box of size 0) are read. (bad-input.test.ts runs such files through
 * a real process; here the CLI's main() runs in this process.)
 */
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMain } from '../fuzz/in-process.js';
import { box, payload, setU32, u32 } from '../fuzz/mp4-boxes.js';
import { repoRoot } from '../helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'graphpac-malformed-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

const clip = (name: string): Uint8Array => new Uint8Array(readFileSync(join(repoRoot, 'test/media', name)));
const faststart = clip('av_2997_faststart.mp4'); // ftyp moov(video trak, audio trak) free mdat
const fragmented = clip('av_fragmented.mp4'); // ftyp moov(mvex) (moof mdat)+ mfra

function craft(name: string, from: Uint8Array, edit: (d: Uint8Array) => void): string {
  const d = Uint8Array.from(from);
  edit(d);
  const p = join(dir, name);
  writeFileSync(p, d);
  return p;
}

const setVersion = (d: Uint8Array, path: string, v: number) => {
  const b = box(d, path);
  d[b.start + b.hdr] = v;
};
const rename = (d: Uint8Array, path: string, type: string) => {
  const b = box(d, path);
  d.set(Buffer.from(type, 'latin1'), b.start + 4);
};

interface Case {
  title: string;
  make: () => string;
  says: RegExp;
}

const STBL1 = 'moov/trak\\[1\\]/mdia/minf/stbl';
const STBL2 = 'moov/trak\\[2\\]/mdia/minf/stbl';

const CASES: Case[] = [
  {
    title: 'stts of version 1 (read as empty before)',
    make: () => craft('stts-v1.mp4', faststart, (d) => setVersion(d, 'trak[2]/mdia/minf/stbl/stts', 1)),
    says: new RegExp(`is corrupt: ${STBL2}/stts has version 1; only version 0 is defined`),
  },
  {
    title: 'stsz of version 1 (a track with no samples before)',
    make: () => craft('stsz-v1.mp4', faststart, (d) => setVersion(d, 'trak[1]/mdia/minf/stbl/stsz', 1)),
    says: new RegExp(`is corrupt: ${STBL1}/stsz has version 1`),
  },
  {
    title: 'ctts of version 2',
    make: () => craft('ctts-v2.mp4', faststart, (d) => setVersion(d, 'ctts', 2)),
    says: new RegExp(`is corrupt: ${STBL1}/ctts has version 2; only version 0 or 1 is defined`),
  },
  {
    title: 'stsc first_chunk not increasing (wrong offsets before)',
    make: () =>
      craft('stsc-back.mp4', faststart, (d) => {
        const at = payload(box(d, 'trak[2]/mdia/minf/stbl/stsc')) + 4; // entries
        setU32(d, at + 12, u32(d, at)); // entry 2 first_chunk = entry 1's
      }),
    says: new RegExp(`is corrupt: ${STBL2}/stsc entry 2 has first_chunk 1, not above the previous entry's 1`),
  },
  {
    title: 'stsz: 4 billion samples of a constant size (walked for minutes before)',
    make: () =>
      craft('stsz-count.mp4', faststart, (d) => {
        const at = payload(box(d, 'trak[2]/mdia/minf/stbl/stsz'));
        setU32(d, at, 1000);
        setU32(d, at + 4, 4e9);
      }),
    says: new RegExp(
      `${STBL2}/stsz declares 4000000000 samples of 1000 bytes, more than the file's \\d+ bytes`,
    ),
  },
  {
    title: 'stz2 declaring 4 billion sizes ("Invalid typed array length" before)',
    make: () =>
      craft('stz2-count.mp4', faststart, (d) => {
        rename(d, 'trak[2]/mdia/minf/stbl/stsz', 'stz2');
        const at = payload(box(d, 'trak[2]/mdia/minf/stbl/stz2'));
        setU32(d, at, 8); // field_size 8
        setU32(d, at + 4, 4e9);
      }),
    says: new RegExp(
      `${STBL2}/stz2 declares 4000000000 entries \\(at least 4000000000 bytes\\) but holds 696 bytes of them`,
    ),
  },
  {
    title: 'a trak without mdhd ("Cannot read properties of undefined (reading \'mdhd\')" before)',
    make: () => craft('no-mdhd.mp4', faststart, (d) => rename(d, 'trak[1]/mdia/mdhd', 'xdhd')),
    says: /is corrupt: moov\/trak\[1\]\/mdia has no mdhd box/,
  },
  {
    title: 'two traks with the same track_ID',
    make: () =>
      craft('same-id.mp4', faststart, (d) => {
        const tkhd = box(d, 'trak[2]/tkhd');
        setU32(d, payload(tkhd) + 8, 1);
      }),
    says: /is corrupt: moov\/trak\[2\]\/tkhd has track_ID 1, already the ID of moov\/trak\[1\]/,
  },
  {
    title: 'fragment: trun declaring 2 billion samples with no per-sample fields (V8 fatal error before)',
    make: () =>
      craft('trun-count.mp4', fragmented, (d) => {
        const at = box(d, 'moof/traf/trun').start + 8;
        setU32(d, at, 0x000001); // flags: data_offset only
        setU32(d, at + 4, 2e9);
      }),
    says: /is corrupt: moof\[1\] at byte 1240: traf\[1\]\/trun declares 2000000000 samples of 3065 bytes, more than the file's 134629 bytes/,
  },
  {
    title: 'fragment: trun declaring more entries than it holds',
    make: () =>
      craft('trun-entries.mp4', fragmented, (d) => setU32(d, box(d, 'moof/traf/trun').start + 12, 1e6)),
    says: /moof\[1\] at byte 1240: traf\[1\]\/trun declares 1000000 samples \(8000000 bytes of entries\) but holds 200 bytes of them/,
  },
  {
    title: 'fragment: traf of a track the moov does not have (TypeError before)',
    make: () => craft('traf-id.mp4', fragmented, (d) => setU32(d, payload(box(d, 'moof/traf/tfhd')), 9)),
    says: /moof\[1\] at byte 1240: traf\[1\]\/tfhd has track_ID 9, which no trak of the moov has \(1, 2\)/,
  },
  // Found by the fuzzer (bench/fuzz.ts): each was a message from deeper code that did not name the file.
  {
    title: 'a video sample entry in a sound track ("dasher: audio codec avc is not supported" before)',
    make: () =>
      craft('soun-avc.mp4', clip('h264_bframes_moovend.mp4'), (d) =>
        d.set(Buffer.from('soun', 'latin1'), payload(box(d, 'mdia/hdlr')) + 4),
      ),
    says: /moov\/trak\/mdia\/hdlr has handler 'soun' but the sample entry avc1 carries avc/,
  },
  {
    title: 'an AAC track with a text handler (a link failure naming no file before)',
    make: () =>
      craft('text-aac.mp4', faststart, (d) =>
        d.set(Buffer.from('text', 'latin1'), payload(box(d, 'trak[2]/mdia/hdlr')) + 4),
      ),
    says: /moov\/trak\[2\]\/mdia\/hdlr has handler 'text' but the sample entry mp4a carries aac/,
  },
  {
    title: 'an esds without its AudioSpecificConfig ("dasher: PID has no decoder configuration" before)',
    make: () => craft('no-asc.mp4', faststart, (d) => (d[box(d, 'esds').start + 42] = 0)), // DSI size
    says: new RegExp(`${STBL2}/stsd/mp4a/esds has no AudioSpecificConfig \\(DecoderSpecificInfo\\)`),
  },
  {
    title: 'avcC of configurationVersion 129 ("dasher: avcC configurationVersion 129 != 1" before)',
    make: () => craft('avcc-v129.mp4', faststart, (d) => (d[box(d, 'avcC').start + 8] = 129)),
    says: new RegExp(`${STBL1}/stsd/avc1/avcC cannot be read: avcC configurationVersion 129 != 1`),
  },
  {
    title: 'hvcC with a NAL unit longer than the record',
    make: () =>
      craft('hvcc-nal.mp4', clip('hevc.mp4'), (d) => {
        const b = box(d, 'hvcC');
        d[b.start + 8 + 23 + 3] = 0xff; // first NAL unit's length, high byte
      }),
    // mp4box.js throws a RangeError reading it: the box it was reading is named.
    says: /box moov\/trak\/mdia\/minf\/stbl\/stsd\/hvc1\/hvcC at byte 511 cannot be parsed: its fields run past its end/,
  },
  {
    title: 'an stsd with no sample entry (a link failure naming no file before)',
    make: () =>
      craft('stsd-empty.mp4', faststart, (d) => {
        const b = box(d, 'trak[1]/mdia/minf/stbl/stsd');
        d.set(Buffer.from('xxxx', 'latin1'), b.start + 16 + 4); // the avc1 entry is renamed: nothing to read
        setU32(d, payload(b), 0);
      }),
    says: new RegExp(`${STBL1}/stsd has no sample entry`),
  },
  {
    title:
      'a pasp that makes the picture 2 billion pixels wide ("dasher: u32: … is not an unsigned 32-bit integer" before)',
    make: () => craft('pasp.mp4', faststart, (d) => setU32(d, box(d, 'pasp').start + 8, 6_488_065)),
    says: new RegExp(
      `${STBL1}/stsd/avc1/pasp: hSpacing 6488065 / vSpacing 1 makes the 320-pixel picture 2076180800 pixels wide`,
    ),
  },
  {
    title: 'fragment: a tfdt past 2^52 ("dasher: u64: … is not an unsigned 53-bit integer" before)',
    make: () =>
      craft('tfdt.mp4', fragmented, (d) => setU32(d, payload(box(d, 'moof[2]/traf[1]/tfdt')), 0xfffffffe)),
    says: /moof\[2\] at byte 28655: traf\[1\]\/tfdt has baseMediaDecodeTime 18446744065119\d+, past 2\^52/,
  },
  {
    title: 'fragmented file: the moov\'s stsz declaring samples it does not hold ("ends at byte NaN" before)',
    make: () =>
      craft('frag-stsz.mp4', fragmented, (d) =>
        setU32(d, payload(box(d, 'trak[1]/mdia/minf/stbl/stsz')) + 4, 8),
      ),
    says: new RegExp(`${STBL1}/stsz declares 8 entries \\(at least 32 bytes\\) but holds 0 bytes of them`),
  },
  {
    title:
      'a dref entry renamed stsz, too short for its count (mp4box.js filled an array from the next bytes: out of memory)',
    make: () =>
      craft('url-stsz.mp4', faststart, (d) => rename(d, 'trak[1]/mdia/minf/dinf/dref/url ', 'stsz')),
    says: /moov\/trak\[1\]\/mdia\/minf\/dinf\/dref\/stsz is 12 bytes: too short for its entry count/,
  },
  {
    title: 'a box renamed trun inside a trak (mp4box.js counted 1.8 billion samples: a hang)',
    make: () =>
      craft('trak-trun.mp4', clip('h264_bframes_moovend.mp4'), (d) => rename(d, 'trak/mdia', 'trun')),
    says: /moov\/trak\/trun declares 1835296868 entries, more than the file's 99061 bytes can describe/,
  },
  {
    title: 'fragment: a version-0 composition offset of 2^31 ("dasher: … does not fit i32" before)',
    make: () =>
      craft('cts-offset.mp4', fragmented, (d) => {
        const trun = box(d, 'moof[3]/traf[1]/trun'); // flags 0xa05: data_offset, first flags, size, cts
        setU32(d, payload(trun) + 12 + 14 * 8 + 4, 2 ** 31); // sample 15's composition offset
      }),
    says: /moof\[3\] at byte 60911: traf\[1\]\/trun: sample 15 has composition time offset 2147483648 \(2\^31 or more\)/,
  },
  {
    title: 'fragment: a traf renamed trun (mp4box.js looped 1.9 billion times: a hang)',
    make: () => craft('moof-trun.mp4', fragmented, (d) => rename(d, 'moof[2]/traf[1]', 'trun')),
    says: /moof\[2\]\/trun declares 1952868452 entries, more than the file's 134629 bytes can describe/,
  },
  {
    title: 'fragment: a moof of size 0 in the middle ("cannot read properties" inside mp4box.js before)',
    make: () => craft('moof-size0.mp4', fragmented, (d) => setU32(d, box(d, 'moof[2]').start, 0)),
    says: /box moof at byte 28655 has size 0 \(to the end of the file\)/,
  },
  {
    title:
      'a box inside the moov with a 64-bit size of 0 (mp4box.js parsed it again and again until memory ran out; fuzz 7:16257)',
    make: () =>
      craft('hdlr-largesize0.mp4', faststart, (d) => {
        const b = box(d, 'trak[1]/mdia/hdlr');
        setU32(d, b.start, 1); // 64-bit size follows: version/flags and pre_defined, both 0
      }),
    says: /is corrupt: moov\/trak\[1\]\/mdia\/hdlr has a 64-bit size of 0, smaller than its own 16-byte header/,
  },
];

for (const c of CASES) {
  test(`malformed input: ${c.title}`, async (t) => {
    const path = c.make();
    // In this process (the CLI's main()): robust on a loaded machine, same code path as a user's run.
    const r = await runMain(['-i', path, 'inspect']);
    t.is(r.code, 1, `stdout: ${r.stdout}\nstderr: ${r.stderr}`);
    const lines = r.stderr.split('\n').filter((l) => l.trim());
    t.is(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
    const line = lines[0] ?? '';
    t.true(line.startsWith(`graphpac: mp4dmx: "${path}" is `), line);
    t.regex(line, c.says);
  });
}

test('absurd timing makes no absurd bitrate: the file is packaged (a 24 Gbit/s btrt overflowed u32 before)', async (t) => {
  // hevc.mp4 with mdhd timescale 2147483647: 4 s of video read as 0.00002 s.
  const path = craft('timescale.mp4', clip('h264_bframes_moovend.mp4'), (d) =>
    setU32(d, payload(box(d, 'mdia/mdhd')) + 8, 2147483647),
  );
  const out = join(dir, 'timescale-out');
  const r = await runMain(['-i', path, '-o', `${out}/live.m3u8:dual:segdur=1`]);
  t.is(r.code, 0, r.stderr);
});

test('a moov of size 0 at the end of the file (to its end, ISO/IEC 14496-12 §4.2) is read', async (t) => {
  const path = craft('moov-size0.mp4', clip('h264_bframes_moovend.mp4'), (d) =>
    setU32(d, box(d, 'moov').start, 0),
  );
  const log = join(dir, 'moov-size0.json');
  const r = await runMain(['-i', path, `inspect:fmt=json:log=${log}`]);
  t.is(r.code, 0, r.stderr);
  const summary = readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { type: string; packets?: number })
    .find((o) => o.type === 'summary');
  t.is(summary?.packets, 100);
});

test('a bug inside the demuxer surfaces as itself, not as "corrupt input" (issue #10)', async (t) => {
  const { Mp4Demuxer } = await import('../../filters/mp4dmx/demuxer.js');
  const { GraphError } = await import('../../src/index.js');
  const file = faststart;
  const demux = new Mp4Demuxer('mp4dmx', 'clip');
  demux.fileSize = file.length;
  // A block owner whose release() throws stands for a bug in our own code, hit while demuxing a valid file.
  const buggy = { release: () => (undefined as unknown as { x: number }).x };
  const run = () => {
    for (let guard = 0; guard < 1e5; guard++) {
      const step = demux.step();
      if (step.kind === 'done') return;
      if (step.kind === 'sample') {
        demux.consumed(step.track, step.sample);
        continue;
      }
      demux.append(Uint8Array.from(file.subarray(step.offset, step.offset + 4096)), step.offset, buggy);
    }
  };
  const e = t.throws(run);
  t.true(e instanceof TypeError, String(e));
  t.false(e instanceof GraphError);
});

test('a stream no filter accepts is refused naming its file (a "meta" handler on an audio track; fuzz 7:22455)', async (t) => {
  // As the fuzzer made it: the handler renamed, and the esds's ES descriptor (tag 3) given a size of 1.
  const path = craft('meta-mp4a.mp4', clip('source2'), (d) => {
    d.set(Buffer.from('meta', 'latin1'), payload(box(d, 'trak/mdia/hdlr')) + 4); // after pre_defined
    const tag = payload(box(d, 'trak/mdia/minf/stbl/stsd/mp4a/esds'));
    let last = tag + 1; // the size's last byte (ffmpeg writes it in 4 bytes, 0x80 continuing)
    while (d[last]! & 0x80) last++;
    d[last] = 1;
  });
  const r = await runMain(['-i', path, '-o', join(dir, 'meta-out', 'live.m3u8')]);
  t.is(r.code, 1, r.stderr);
  const lines = r.stderr.split('\n').filter((l) => l.trim());
  t.is(lines.length, 1, r.stderr);
  const line = lines[0] ?? '';
  t.true(
    line.startsWith(`graphpac: cannot link PID "track1" of mp4dmx from "${path}" (StreamType=Metadata`),
    line,
  );
  // Each destination's reason once.
  const reasons = line.split('; ');
  t.is(new Set(reasons).size, reasons.length, line);
});
