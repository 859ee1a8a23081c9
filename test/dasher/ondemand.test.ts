/**
 * profile=onDemand (spec §4.2, §4.9): one file per representation, `ftyp moov | sidx | moof mdat…`,
 * addressed by BaseURL + SegmentBase. The MPD's byte ranges are checked against the file's boxes, the
 * sidx against the fragments, and each file decodes like its source (frames, framemd5 / PCM).
 */
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, graphpac, mediaDir } from './helpers/cli.js';
import { checkAgainstSource } from './helpers/decode.js';
import { kids, parseXml } from './helpers/xml.js';
import type { XmlElement } from './helpers/xml.js';
import { listTree, WorkRoot } from './helpers/workdir.js';

const root = new WorkRoot('ondemand');
test.after.always(() => root.cleanup());

interface Box {
  type: string;
  offset: number;
  size: number;
}

/** Top-level boxes of `data` from `from` to `to`. */
function boxes(data: Uint8Array, from = 0, to = data.length): Box[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out: Box[] = [];
  for (let at = from; at + 8 <= to;) {
    let size = view.getUint32(at);
    if (size === 1) size = Number(view.getBigUint64(at + 8));
    const type = String.fromCharCode(...data.subarray(at + 4, at + 8));
    if (size < 8) throw new Error(`box ${type} at ${at}: size ${size}`);
    out.push({ type, offset: at, size });
    at += size;
  }
  return out;
}

interface SidxRef {
  size: number;
  duration: number;
  sap: boolean;
  sapType: number;
}

function parseSidx(
  data: Uint8Array,
  box: Box,
): { timescale: number; ept: number; first: number; refs: SidxRef[] } {
  const v = new DataView(data.buffer, data.byteOffset + box.offset, box.size);
  const version = v.getUint8(8);
  let at = 12 + 4; // reference_ID
  const timescale = v.getUint32(at);
  at += 4;
  const ept = version ? Number(v.getBigUint64(at)) : v.getUint32(at);
  at += version ? 8 : 4;
  const first = version ? Number(v.getBigUint64(at)) : v.getUint32(at);
  at += (version ? 8 : 4) + 2;
  const count = v.getUint16(at);
  at += 2;
  const refs: SidxRef[] = [];
  for (let i = 0; i < count; i++, at += 12) {
    const a = v.getUint32(at);
    const c = v.getUint32(at + 8);
    if (a >>> 31) throw new Error('sidx references another sidx');
    refs.push({
      size: a & 0x7fffffff,
      duration: v.getUint32(at + 4),
      sap: c >>> 31 === 1,
      sapType: (c >>> 28) & 7,
    });
  }
  return { timescale, ept, first, refs };
}

function range(text: string | undefined): [number, number] {
  const m = /^(\d+)-(\d+)$/.exec(text ?? '');
  if (!m) throw new Error(`not a byte range: ${text}`);
  return [Number(m[1]), Number(m[2])];
}

interface Run {
  res: string;
  mpd: XmlElement;
  /** BaseURL texts, in document order (one per Representation). */
  urls: string[];
}

async function run(t: ExecutionContext, opts: string): Promise<Run | undefined> {
  const dir = await root.workDir(['source1', 'source2']);
  const r = await graphpac(['-i', 'source1', '-i', 'source2', '-o', `res/vod.mpd:${opts}`], { cwd: dir });
  t.is(r.code, 0, describe(r));
  if (r.code !== 0) return undefined;
  const res = join(dir, 'res');
  const text = await readFile(join(res, 'vod.mpd'), 'utf8');
  const { root: mpd, errors } = parseXml(text);
  t.deepEqual(errors, [], 'the MPD is well-formed');
  if (!mpd) return undefined;
  return { res, mpd, urls: [...text.matchAll(/<BaseURL>([^<]*)<\/BaseURL>/g)].map((m) => m[1]!) };
}

/**
 * For each Representation: BaseURL names a file whose Initialization range is ftyp+moov, whose
 * indexRange is exactly the sidx, whose sidx references cover the rest of the file, each starting on
 * a moof; returns the files with the number of moofs in each reference.
 */
async function checkFiles(
  t: ExecutionContext,
  { res, mpd, urls }: Run,
): Promise<{ file: string; audio: boolean; moofsPerRef: number[] }[]> {
  t.is(mpd.attrs.type, 'static');
  t.is(mpd.attrs.profiles, 'urn:mpeg:dash:profile:isoff-on-demand:2011');
  const out: { file: string; audio: boolean; moofsPerRef: number[] }[] = [];
  let n = 0;
  for (const period of kids(mpd, 'Period'))
    for (const set of kids(period, 'AdaptationSet')) {
      t.is(kids(set, 'SegmentTemplate').length, 0, 'no SegmentTemplate');
      t.is(set.attrs.subsegmentAlignment, 'true');
      t.is(set.attrs.subsegmentStartsWithSAP, '1');
      for (const rep of kids(set, 'Representation')) {
        const label = `rep ${rep.attrs.id}`;
        t.is(kids(rep, 'BaseURL').length, 1, `${label}: one BaseURL`);
        const file = urls[n++] ?? '';
        const base = kids(rep, 'SegmentBase')[0];
        if (!base) {
          t.fail(`${label}: no SegmentBase`);
          continue;
        }
        t.is(base.attrs.indexRangeExact, 'true');
        const data = new Uint8Array(await readFile(join(res, file)));
        const top = boxes(data);
        const [i0, i1] = range(kids(base, 'Initialization')[0]?.attrs.range);
        t.deepEqual(
          top.slice(0, 2).map((b) => b.type),
          ['ftyp', 'moov'],
          `${label}: the file starts with ftyp, moov`,
        );
        const moov = top[1]!;
        t.deepEqual([i0, i1], [0, moov.offset + moov.size - 1], `${label}: Initialization range = ftyp+moov`);
        const [x0, x1] = range(base.attrs.indexRange);
        const sidx = top[2]!;
        t.is(sidx.type, 'sidx', `${label}: the sidx follows the moov`);
        t.deepEqual(
          [x0, x1],
          [sidx.offset, sidx.offset + sidx.size - 1],
          `${label}: indexRange = the sidx box`,
        );
        t.is(top.filter((b) => b.type === 'sidx').length, 1, `${label}: one sidx`);
        const index = parseSidx(data, sidx);
        const mediaStart = sidx.offset + sidx.size + index.first;
        t.is(
          index.refs.reduce((a, r) => a + r.size, 0),
          data.length - mediaStart,
          `${label}: the sidx references sum to the file size after the sidx`,
        );
        t.true(index.refs.length > 1, `${label}: several subsegments`);
        const moofsPerRef: number[] = [];
        let at = mediaStart;
        for (const [k, r] of index.refs.entries()) {
          const inside = boxes(data, at, at + r.size);
          t.is(inside[0]?.type, 'moof', `${label}: reference ${k} starts on a moof`);
          t.is(
            inside.reduce((a, b) => a + b.size, 0),
            r.size,
            `${label}: reference ${k} ends on a box boundary`,
          );
          t.true(r.sap && r.sapType === 1, `${label}: reference ${k} starts with a SAP`);
          moofsPerRef.push(inside.filter((b) => b.type === 'moof').length);
          at += r.size;
        }
        // The references' durations add up to the stream (30 s clips).
        const seconds = index.refs.reduce((a, r) => a + r.duration, 0) / index.timescale;
        t.true(Math.abs(seconds - 30) < 0.1, `${label}: sidx covers ${seconds} s`);
        out.push({ file, audio: set.attrs.mimeType === 'audio/mp4', moofsPerRef });
      }
    }
  return out;
}

test.serial('segdur=2: two single files + the MPD; ranges, sidx and decoding are right', async (t) => {
  const r = await run(t, 'segdur=2:profile=onDemand');
  if (!r) return;
  const files = [...(await listTree(r.res)).keys()].sort();
  t.deepEqual(
    files,
    ['source1_dashinit.mp4', 'source2_dashinit.mp4', 'vod.mpd'],
    'exactly two files + the MPD',
  );
  const reps = await checkFiles(t, r);
  t.deepEqual(
    reps.map((x) => x.file),
    ['source1_dashinit.mp4', 'source2_dashinit.mp4'],
  );
  for (const rep of reps) {
    t.true(
      rep.moofsPerRef.every((n) => n === 1),
      `${rep.file}: one fragment per segment`,
    );
    t.true(rep.moofsPerRef.length >= 14 && rep.moofsPerRef.length <= 16, `${rep.file}: ~15 segments`);
    await checkAgainstSource(
      t,
      rep.file,
      join(r.res, rep.file),
      join(mediaDir, rep.audio ? 'source2' : 'source1'),
      rep.audio ? 'audio' : 'video',
    );
  }
});

test.serial('cdur=0.5: the sidx references segments, their chunks inside them', async (t) => {
  const r = await run(t, 'segdur=2:cdur=0.5:profile=onDemand');
  if (!r) return;
  const reps = await checkFiles(t, r);
  t.is(reps.length, 2);
  for (const rep of reps) {
    t.true(
      rep.moofsPerRef.slice(0, -1).every((n) => n >= 3),
      `${rep.file}: several chunks per segment (${rep.moofsPerRef.join(',')})`,
    );
    await checkAgainstSource(
      t,
      rep.file,
      join(r.res, rep.file),
      join(mediaDir, rep.audio ? 'source2' : 'source1'),
      rep.audio ? 'audio' : 'video',
    );
  }
});

test('dynamic or HLS on-demand output is refused, naming the option', async (t) => {
  const dir = await root.workDir(['source1']);
  for (const [out, re] of [
    [
      'res/vod.mpd:segdur=2:profile=onDemand:dmode=dynamic',
      /option profile=onDemand: .*static only: not with dmode=dynamic/,
    ],
    ['res/vod.m3u8:segdur=2:profile=onDemand', /option profile=onDemand: HLS output .* not supported yet/],
  ] as const) {
    const r = await graphpac(['-i', 'source1', '-o', out], { cwd: dir });
    t.is(r.code, 1, describe(r));
    t.regex(r.stderr, re);
  }
});
