// The LL-HLS checker (test/helpers/llhls-check.ts): our writers pass it, GPAC's own snapshots show GPAC's
// known bugs, and each rule fires on a minimal bad playlist.

import { readFileSync, readdirSync } from 'node:fs';
import test from 'ava';
import { writeVariant } from '../../src/manifest/index.js';
import type { Presentation } from '../../src/manifest/model.js';
import {
  type Violation,
  checkPartBytes,
  checkPlaylist,
  checkRenditionReports,
  checkSequence,
} from '../helpers/llhls-check.js';
import * as fx from './fixtures.js';

const refDir = (run: string): URL => new URL(`./gpac-ref/${run}/`, import.meta.url);
const rules = (violations: Violation[]): string[] => [...new Set(violations.map((v) => v.rule))].sort();

/** Every snapshot of a GPAC run: name → { time → text }. */
function snapshots(run: string): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const file of readdirSync(refDir(run))) {
    const [name, time] = file.split('@');
    if (!name?.startsWith('live_') || !time) continue;
    const byTime = out.get(name) ?? new Map<string, string>();
    byTime.set(time, readFileSync(new URL(file, refDir(run)), 'utf8'));
    out.set(name, byTime);
  }
  return out;
}

function variants(model: Presentation, set: 'main' | 'IF' = 'main'): Record<string, string> {
  const suffix = set === 'IF' ? '_IF' : '';
  return {
    [`live_1${suffix}.m3u8`]: writeVariant(model, '1', { set }),
    [`live_2${suffix}.m3u8`]: writeVariant(model, '2', { set }),
  };
}

test('our playlists pass every rule, alone and as a set (rendition reports)', (t) => {
  const sets: Record<string, string>[] = [
    variants(fx.ll2sLive()),
    variants(fx.ll2sLive('brsf'), 'IF'),
    variants(fx.sfLive()),
    variants(fx.sfStart()),
    variants(fx.fastStaticDual()),
    { 'live_1.m3u8': writeVariant(fx.longLive(), '1', { blockingReload: true, canSkipUntil: 12 }) },
    { 'live_1.m3u8': writeVariant(fx.longLive(), '1', { canSkipUntil: 12, skip: 'v2' }) },
  ];
  for (const set of sets) {
    for (const [name, text] of Object.entries(set)) t.deepEqual(checkPlaylist(text), [], name);
    t.deepEqual(checkRenditionReports(set), []);
  }
});

test('GPAC llhls_br_ll2s_rt: every snapshot lacks HOLD-BACK and PDT; reports give a count, not an index', (t) => {
  const all = snapshots('llhls_br_ll2s_rt');
  const times = new Set([...all.values()].flatMap((m) => [...m.keys()]));
  let reportBugs = 0;
  for (const time of times) {
    const set: Record<string, string> = {};
    for (const [name, byTime] of all) {
      const text = byTime.get(time);
      if (text === undefined) continue;
      set[name] = text;
      const found = rules(checkPlaylist(text));
      t.true(found.includes('hold-back-missing'), `${name}@${time}`);
      t.true(found.includes('program-date-time-missing'), `${name}@${time}`);
    }
    reportBugs += checkRenditionReports(set).filter((v) => v.rule === 'rendition-report-last-part').length;
  }
  t.true(reportBugs >= 40, `LAST-PART count bug seen ${reportBugs} times`);
  const at7645 = {
    'live_1.m3u8': all.get('live_1.m3u8')?.get('007645ms') ?? '',
    'live_2.m3u8': all.get('live_2.m3u8')?.get('007645ms') ?? '',
  };
  t.deepEqual(
    checkRenditionReports(at7645).map((v) => v.message),
    [
      'live_1.m3u8 → live_2.m3u8: LAST-PART 3 of MSN 4 does not exist (3 parts)',
      'live_2.m3u8 → live_1.m3u8: LAST-PART 3 of MSN 4 does not exist (3 parts)',
    ],
  );
  // The final playlists of a dynamic run have neither ENDLIST nor a hint.
  t.true(
    rules(checkPlaylist(all.get('live_1.m3u8')?.get('030030ms') ?? '')).includes('preload-hint-missing'),
  );
});

test('GPAC llhls_sf_rt: the hint names part .1 of a segment that has no part yet', (t) => {
  const all = snapshots('llhls_sf_rt');
  const audio = all.get('live_2.m3u8')?.get('001039ms') ?? '';
  const v = checkPlaylist(audio).filter((x) => x.rule === 'preload-hint-not-next-part');
  t.deepEqual(v, [
    {
      rule: 'preload-hint-not-next-part',
      line: 9,
      message: 'source2_dash1.m4s.1: first part of a segment is .0',
    },
  ]);
  const video = all.get('live_1.m3u8')?.get('001039ms') ?? '';
  t.deepEqual(
    checkRenditionReports({ 'live_1.m3u8': video, 'live_2.m3u8': audio }).map((x) => x.rule),
    ['rendition-report-last-part'],
  );
  t.false(rules(checkPlaylist(video)).includes('preload-hint-not-next-part'), 'video: .1 after .0 is right');
});

test('GPAC snapshots keep MEDIA-SEQUENCE consistent from one version to the next', (t) => {
  for (const run of ['llhls_br_ll2s_rt', 'llhls_sf_rt']) {
    for (const byTime of snapshots(run).values()) {
      const texts = [...byTime.keys()].sort().map((k) => byTime.get(k) ?? '');
      for (let i = 1; i < texts.length; i += 1)
        t.deepEqual(checkSequence(texts[i - 1] ?? '', texts[i] ?? ''), []);
    }
  }
});

const HEAD = '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-VERSION:6\n#EXT-X-MEDIA-SEQUENCE:1\n';
const LL = `${HEAD}#EXT-X-SERVER-CONTROL:HOLD-BACK=6,PART-HOLD-BACK=1.5\n#EXT-X-PART-INF:PART-TARGET=0.5\n#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:00.000Z\n`;
const part = (d: number, uri: string, extra = ''): string =>
  `#EXT-X-PART:DURATION=${d},URI="${uri}"${extra}\n`;

test('rule: part durations within PART-TARGET, ≥ 85 % unless independent or last of the parent', (t) => {
  const text =
    LL +
    part(0.5, 'a.0', ',INDEPENDENT=YES') +
    part(0.3, 'a.1') +
    part(0.51, 'a.2') +
    part(0.2, 'a.3') +
    '#EXTINF:1.51,\na\n' +
    part(0.2, 'b.0', ',INDEPENDENT=YES') +
    part(0.2, 'b.1') +
    '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="b.2"\n';
  t.deepEqual(
    checkPlaylist(text).map((v) => `${v.rule}@${v.line}`),
    ['part-under-85@9', 'part-over-target@10', 'part-under-85@15'],
  );
});

test('rule: hold-backs, skip boundary, EXTINF over TD, version of delta playlists', (t) => {
  const text = `${HEAD}#EXT-X-SERVER-CONTROL:CAN-SKIP-UNTIL=6,HOLD-BACK=4,PART-HOLD-BACK=1\n#EXT-X-PART-INF:PART-TARGET=0.5\n#EXT-X-SKIP:SKIPPED-SEGMENTS=3\n#EXTINF:2.6,\na\n\n#EXT-X-ENDLIST\n`;
  t.deepEqual(rules(checkPlaylist(text)), [
    'can-skip-until-low',
    'extinf-over-target',
    'hold-back-low',
    'part-hold-back-low',
    'skip-version',
  ]);
  t.deepEqual(
    rules(checkPlaylist(`${HEAD}#EXT-X-PART-INF:PART-TARGET=0.5\n#EXTINF:2,\na\n\n#EXT-X-ENDLIST\n`)),
    ['part-hold-back-missing'],
  );
});

test('rule: preload hints must be present while live, absent with ENDLIST, and name the next part', (t) => {
  t.deepEqual(rules(checkPlaylist(`${LL}${part(0.5, 'a.0', ',INDEPENDENT=YES')}`)), ['preload-hint-missing']);
  const ended = `${LL}#EXTINF:2,\na\n#EXT-X-PRELOAD-HINT:TYPE=PART,URI="b.0"\n#EXT-X-ENDLIST\n`;
  t.deepEqual(rules(checkPlaylist(ended)), ['preload-hint-with-endlist']);
  const skipAhead = `${LL}${part(0.5, 'a.0', ',INDEPENDENT=YES')}#EXT-X-PRELOAD-HINT:TYPE=PART,URI="a.2"\n`;
  t.deepEqual(rules(checkPlaylist(skipAhead)), ['preload-hint-not-next-part']);
  const br = (start: number, uri = 'a'): string =>
    `${LL}${part(0.5, 'a', ',BYTERANGE="100@0",INDEPENDENT=YES')}#EXT-X-PRELOAD-HINT:TYPE=PART,URI="${uri}",BYTERANGE-START=${start}\n`;
  t.deepEqual(checkPlaylist(br(100)), []);
  t.deepEqual(rules(checkPlaylist(br(99))), ['preload-hint-not-next-part']);
  t.deepEqual(rules(checkPlaylist(br(0, 'b'))), ['preload-hint-not-next-part']);
  const closed = `${LL}${part(0.5, 'a', ',BYTERANGE="100@0",INDEPENDENT=YES')}#EXTINF:0.5,\na\n#EXT-X-PRELOAD-HINT:TYPE=PART,URI="a",BYTERANGE-START=100\n`;
  t.deepEqual(rules(checkPlaylist(closed)), ['preload-hint-not-next-part']);
});

test('rule: part byte ranges of one parent are contiguous from 0 in one resource', (t) => {
  const text =
    LL +
    part(0.5, 'a', ',BYTERANGE="100@10",INDEPENDENT=YES') +
    part(0.5, 'a', ',BYTERANGE="100@120"') +
    part(0.5, 'b', ',BYTERANGE="100"') +
    '#EXTINF:1.5,\na\n#EXT-X-PRELOAD-HINT:TYPE=PART,URI="c",BYTERANGE-START=0\n';
  t.deepEqual(
    checkPlaylist(text).map((v) => `${v.rule}@${v.line}`),
    ['byterange-gap@8', 'byterange-gap@9', 'byterange-gap@10'],
  );
});

test('rule: tag order (header after segments, PDT after a part, content after ENDLIST, absolute report URI)', (t) => {
  const text =
    LL +
    part(0.5, 'a.0', ',INDEPENDENT=YES') +
    '#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:00.000Z\n#EXTINF:0.5,\na\n#EXT-X-TARGETDURATION:2\n' +
    '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="b.0"\n#EXT-X-RENDITION-REPORT:URI="http://x/y.m3u8",LAST-MSN=1,LAST-PART=-1\n' +
    '#EXTINF:2,\nz\n';
  t.deepEqual(
    checkPlaylist(text).map((v) => `${v.rule}@${v.line}`),
    [
      'tag-order@9',
      'tag-order@12',
      'tag-order@12',
      'tag-order@15',
      'tag-order@16',
      'rendition-report-uri@14',
      'rendition-report-last-part@14',
    ],
  );
});

test('checkSequence: MEDIA-SEQUENCE never decreases and a segment keeps its number', (t) => {
  const a = `${HEAD}#EXTINF:2,\ns1\n#EXTINF:2,\ns2\n`;
  t.deepEqual(checkSequence(a, a.replace('SEQUENCE:1', 'SEQUENCE:2').replace('#EXTINF:2,\ns1\n', '')), []);
  t.deepEqual(rules(checkSequence(a, a.replace('SEQUENCE:1', 'SEQUENCE:0'))), ['media-sequence']);
  t.deepEqual(rules(checkSequence(a, a.replace('SEQUENCE:1', 'SEQUENCE:2'))), ['media-sequence']);
});

/** A fake segment file: one box header of `type` at each offset (size = distance to the next one). */
function fakeFile(size: number, boxes: [offset: number, type: string][]): Uint8Array {
  const data = new Uint8Array(size);
  for (const [offset, type] of boxes) data.set(new TextEncoder().encode(type), offset + 4);
  return data;
}

test('checkPartBytes: each byte range starts on styp/moof and the segment ends with its last part', async (t) => {
  const text = writeVariant(fx.ll2sLive(), '1');
  const seg = (sizes: number[], total = sizes.reduce((a, b) => a + b, 0)): Uint8Array => {
    let off = 0;
    const boxes: [number, string][] = sizes.map((s, k) => {
      const at = off;
      off += s;
      return [at, k === 0 ? 'styp' : 'moof'];
    });
    return fakeFile(total, boxes);
  };
  const files: Record<string, Uint8Array> = {
    'source1_dash1.m4s': seg([29196, 33872, 42811, 37633]),
    'source1_dash2.m4s': seg([43892, 35492, 44597, 36733]),
    'source1_dash3.m4s': seg([43070, 31820, 42767, 32347]),
    'source1_dash4.m4s': seg([45042, 33537, 43993], 130000),
  };
  t.deepEqual(await checkPartBytes(text, (uri) => files[uri]), []);
  files['source1_dash2.m4s'] = seg([43892, 35492, 44597, 36733], 170000);
  files['source1_dash3.m4s'] = seg([43070, 31820, 42766, 32348]);
  const found = await checkPartBytes(text, (uri) => Promise.resolve(files[uri]));
  t.deepEqual(
    found.map((v) => v.rule),
    ['byterange-file-size', 'part-not-on-box'],
  );
  const sf = writeVariant(fx.sfStart(), '1');
  t.deepEqual(
    (await checkPartBytes(sf, () => undefined)).map((v) => v.message),
    ['source1_dash1.m4s.0@0 starts with nothing, not styp/moof/prft'],
  );
});
