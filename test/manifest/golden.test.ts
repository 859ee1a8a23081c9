// Golden tests: hand-built models (fixtures.ts) mirroring GPAC's reference runs must produce exactly the
// committed expected files. The expected files were made from GPAC's own outputs (gpac-ref/) with only the
// deliberate corrections applied by hand (see gpac-diff.test.ts and docs/MANIFESTS.md).

import { readFileSync } from 'node:fs';
import test from 'ava';
import { writeMaster, writeMpd, writeVariant } from '../../src/manifest/index.js';
import * as fx from './fixtures.js';

const golden = (path: string): string => readFileSync(new URL(`./golden/${path}`, import.meta.url), 'utf8');

test('fast_static_dual_mpd: static MPD', (t) => {
  t.is(writeMpd(fx.fastStaticDual()), golden('fast_static_dual_mpd/live.mpd'));
});

test('fast_static_dual_mpd: master playlist', (t) => {
  t.is(writeMaster(fx.fastStaticDual()), golden('fast_static_dual_mpd/live.m3u8'));
});

test('fast_static_dual_mpd: static variants (no parts, ENDLIST)', (t) => {
  const model = fx.fastStaticDual();
  t.is(writeVariant(model, '1'), golden('fast_static_dual_mpd/live_1.m3u8'));
  t.is(writeVariant(model, '2'), golden('fast_static_dual_mpd/live_2.m3u8'));
});

test('server_dual_br: dynamic MPD with availabilityTimeOffset and availabilityTimeComplete=false', (t) => {
  t.is(writeMpd(fx.serverDualAsto()), golden('server_dual_br_4093ms/live.mpd'));
});

test('llhls_br_ll2s_rt at 7.6 s: LL-HLS byte-range variants', (t) => {
  const model = fx.ll2sLive();
  t.is(writeVariant(model, '1'), golden('ll2s_br_7645ms/live_1.m3u8'));
  t.is(writeVariant(model, '2'), golden('ll2s_br_7645ms/live_2.m3u8'));
});

test('llhls_sf_rt at 12 s: part files, hint on the next part, 0-based rendition report', (t) => {
  const model = fx.sfLive();
  t.is(writeVariant(model, '1'), golden('sf_12069ms/live_1.m3u8'));
  t.is(writeVariant(model, '2'), golden('sf_12069ms/live_2.m3u8'));
});

test('llhls_sf_rt at 1 s: a live segment without parts hints part .0', (t) => {
  const model = fx.sfStart();
  t.is(writeVariant(model, '1'), golden('sf_1039ms/live_1.m3u8'));
  t.is(writeVariant(model, '2'), golden('sf_1039ms/live_2.m3u8'));
});

test('brsf: the main set uses byte ranges, the _IF set part files', (t) => {
  const model = fx.ll2sLive('brsf');
  t.is(writeVariant(model, '1'), golden('ll2s_br_7645ms/live_1.m3u8'));
  t.is(writeVariant(model, '2'), golden('ll2s_br_7645ms/live_2.m3u8'));
  t.is(writeMaster(model), golden('fast_static_dual_mpd/live.m3u8'));
  t.is(writeMaster(model, { set: 'IF' }), golden('ll2s_brsf_7645ms/live_IF.m3u8'));
  t.is(writeVariant(model, '1', { set: 'IF' }), golden('ll2s_brsf_7645ms/live_1_IF.m3u8'));
  t.is(writeVariant(model, '2', { set: 'IF' }), golden('ll2s_brsf_7645ms/live_2_IF.m3u8'));
});

test('LL-DASH MPD: timelines, ATO/ATC, ServiceDescription, UTCTiming, ProducerReferenceTime, escaping', (t) => {
  t.is(writeMpd(fx.llDash()), golden('ll_dash/live.mpd'));
});

test('delta update: full playlist and _HLS_skip=YES', (t) => {
  const model = fx.longLive();
  const caps = { blockingReload: true, canSkipUntil: 12 };
  t.is(writeVariant(model, '1', caps), golden('delta/full.m3u8'));
  t.is(writeVariant(model, '1', { ...caps, skip: 'YES' }), golden('delta/skip_yes.m3u8'));
});

test('onDemand MPD: BaseURL + SegmentBase (indexRange, Initialization range), subsegment alignment', (t) => {
  t.is(writeMpd(fx.onDemand()), golden('on_demand/vod.mpd'));
});

test('SegmentBase: timescale and presentationTimeOffset first, no Initialization child when absent', (t) => {
  const model = fx.onDemand();
  const rep = model.periods[0]!.adaptationSets[0]!.representations[0]!;
  rep.segmentBase = { timescale: 12800, presentationTimeOffset: 1024, indexRange: { offset: 10, length: 5 } };
  t.true(
    writeMpd(model).includes(
      '\n    <SegmentBase timescale="12800" presentationTimeOffset="1024" indexRange="10-14"/>\n',
    ),
  );
});

test('models are plain JSON: a serialised and reparsed model writes the same files', (t) => {
  for (const make of [fx.fastStaticDual, fx.llDash, fx.sfLive, fx.longLive]) {
    const model = make();
    const copy = JSON.parse(JSON.stringify(model)) as typeof model;
    t.is(writeMpd(copy), writeMpd(model));
    t.is(writeMaster(copy), writeMaster(model));
    t.is(writeVariant(copy, '1'), writeVariant(model, '1'));
  }
});
