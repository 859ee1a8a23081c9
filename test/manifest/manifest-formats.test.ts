// The manifest-format table (src/manifest/manifest-formats.ts): what each entry declares, and a
// publication made by iterating the table equals the golden files the writers make one by one.

import { readFileSync } from 'node:fs';
import test from 'ava';
import { MANIFEST_EXTENSIONS, MANIFEST_FORMATS, mainFormatOf } from '../../src/manifest/manifest-formats.js';
import type { ManifestFile, ManifestWriteOptions } from '../../src/manifest/manifest-formats.js';
import type { Presentation } from '../../src/manifest/model.js';
import { playlistName } from '../../src/manifest/index.js';
import * as fx from './fixtures.js';

const golden = (path: string): string => readFileSync(new URL(`./golden/${path}`, import.meta.url), 'utf8');

/** Every file of every applicable format, as a publisher iterating the table writes them. */
function publish(model: Presentation, names: Record<string, string>, o: ManifestWriteOptions = {}) {
  const files: (ManifestFile & { format: string })[] = [];
  for (const f of MANIFEST_FORMATS) {
    const name = names[f.extension];
    if (name === undefined || !f.applies(model)) continue;
    for (const file of f.write(model, name, o)) files.push({ ...file, format: f.id });
  }
  return files;
}

test('entries: ids, extensions, MIME types; the destination picks a main format by extension', (t) => {
  t.deepEqual(
    MANIFEST_FORMATS.map((f) => [f.id, f.extension, f.mimeType, f.main]),
    [
      ['mpd', 'mpd', 'application/dash+xml', true],
      ['hls-master', 'm3u8', 'application/vnd.apple.mpegurl', true],
      ['hls-variant', 'm3u8', 'application/vnd.apple.mpegurl', false],
      ['hls-master-if', 'm3u8', 'application/vnd.apple.mpegurl', false],
      ['hls-variant-if', 'm3u8', 'application/vnd.apple.mpegurl', false],
    ],
  );
  t.deepEqual(MANIFEST_EXTENSIONS, ['mpd', 'm3u8']);
  t.is(mainFormatOf('res/live.mpd')?.id, 'mpd');
  t.is(mainFormatOf('LIVE.M3U8')?.id, 'hls-master');
  t.is(mainFormatOf('live.m4s'), undefined);
  // dual: each main format names its companion.
  t.is(mainFormatOf('x.mpd')?.dualWith, 'm3u8');
  t.is(mainFormatOf('x.m3u8')?.dualWith, 'mpd');
});

test('the table writes fast_static_dual_mpd: the MPD, the master, both variants (the golden files)', (t) => {
  const files = publish(fx.fastStaticDual(), { mpd: 'live.mpd', m3u8: 'live.m3u8' });
  t.deepEqual(
    files.map((f) => [f.format, f.name]),
    [
      ['mpd', 'live.mpd'],
      ['hls-master', 'live.m3u8'],
      ['hls-variant', 'live_1.m3u8'],
      ['hls-variant', 'live_2.m3u8'],
    ],
  );
  for (const f of files) t.is(f.text, golden(`fast_static_dual_mpd/${f.name}`), f.name);
  // Origin metadata of a static variant: it has ended (no blocking reload).
  t.like(files[2]!.meta, { HLSVariant: true, HLSEnded: true });
  t.deepEqual(files[0]!.meta, {});
});

test('the _IF set exists with brsf only; variants carry where they stand and, with CAN-SKIP, their deltas', (t) => {
  const br = publish(fx.ll2sLive('br'), { m3u8: 'live.m3u8' }, { canSkipUntil: 12 });
  t.false(br.some((f) => f.format.endsWith('-if')));
  const brsf = publish(fx.ll2sLive('brsf'), { m3u8: 'live.m3u8' });
  t.deepEqual(
    brsf.map((f) => f.name),
    ['live.m3u8', 'live_1.m3u8', 'live_2.m3u8', 'live_IF.m3u8', 'live_1_IF.m3u8', 'live_2_IF.m3u8'],
  );
  t.is(playlistName('live_1.m3u8', 'IF'), 'live_1_IF.m3u8');
  const plain = publish(fx.ll2sLive('br'), { m3u8: 'live.m3u8' });
  t.is(plain.find((f) => f.name === 'live_1.m3u8')?.text, golden('ll2s_br_7645ms/live_1.m3u8'));
  const v = br.find((f) => f.name === 'live_1.m3u8')!;
  t.true(v.text.includes('CAN-SKIP-UNTIL='));
  t.is(typeof v.meta.HLSLastMsn, 'number');
  t.is(v.meta.HLSEnded, false);
  t.true(v.meta.HLSSkipYES?.startsWith('#EXTM3U'));
  t.true(v.meta.HLSSkipV2?.startsWith('#EXTM3U'));
});

test('the MPD tells an origin the upcoming segments', (t) => {
  const [mpd] = publish(fx.serverDualAsto(), { mpd: 'live.mpd' }, { upcoming: ['a.m4s', 'b.m4s'] });
  t.is(mpd!.text, golden('server_dual_br_4093ms/live.mpd'));
  t.deepEqual(mpd!.meta.DASHUpcoming, ['a.m4s', 'b.m4s']);
});
