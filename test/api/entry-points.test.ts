/**
 * The package's entry points (package.json `exports`): `graphpac` (plugin and scripting API, no filter
 * imported), `graphpac/testing`, `graphpac/media` (one set of codec parsers), `graphpac/manifest`.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as media from '../../src/media/index.js';
import * as manifest from '../../src/manifest/index.js';
import * as testing from '../../src/testing/index.js';
import * as api from '../../src/index.js';
import { parseAudioSpecificConfig as mp4dmxAudio } from '../../filters/mp4dmx/asc.js';
import { repoRoot } from '../helpers/run-cli.js';

const unhex = (h: string) => Uint8Array.from(h.match(/../g)!.map((b) => parseInt(b, 16)));

test('package.json exports the four entry points, each with its types', (t) => {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    exports: Record<string, { types: string; import: string }>;
  };
  const want = {
    '.': 'src/index',
    './testing': 'src/testing/index',
    './media': 'src/media/index',
    './manifest': 'src/manifest/index',
  };
  for (const [sub, src] of Object.entries(want))
    t.deepEqual(pkg.exports[sub], { types: `./dist/${src}.d.ts`, import: `./dist/${src}.js` }, sub);
});

test('what each entry point offers', (t) => {
  for (const name of ['createSession', 'defineFilter', 'arg', 'GraphError', 'propEquals', 'readGraphFile'])
    t.true(name in api, name);
  t.is(typeof testing.createHarness, 'function');
  t.is(typeof testing.ManualClock, 'function');
  for (const name of [
    'writeInitSegment',
    'writeChunk',
    'writeStyp',
    'parseAudioSpecificConfig',
    'parseAvcC',
    'parseHvcC',
    'trackCodecString',
  ])
    t.is(typeof (media as Record<string, unknown>)[name], 'function', name);
  for (const name of ['writeMpd', 'writeMaster', 'writeVariant'])
    t.is(typeof (manifest as Record<string, unknown>)[name], 'function', name);
});

test('one AudioSpecificConfig parser: what a decoder outputs under SBR and PS', (t) => {
  const cases: { asc: string; what: string; rate: number; channels: number | undefined; core: number }[] = [
    { asc: '1190', what: 'AAC-LC 48 kHz stereo', rate: 48000, channels: 2, core: 2 },
    { asc: '2b118800', what: 'explicit SBR: core 24 kHz, output 48 kHz', rate: 48000, channels: 2, core: 2 },
    { asc: '2b1188', what: 'the same, cut after the core object type', rate: 48000, channels: 2, core: 2 },
    {
      asc: 'eb098800',
      what: 'explicit PS (AOT 29): a mono core outputs stereo',
      rate: 48000,
      channels: 2,
      core: 2,
    },
    {
      asc: '130856e59d4880',
      what: 'backward-compatible SBR + PS (0x2B7, 0x548)',
      rate: 48000,
      channels: 2,
      core: 2,
    },
    {
      asc: '1200',
      what: 'AAC-LC, channels from a program config element',
      rate: 44100,
      channels: undefined,
      core: 2,
    },
  ];
  for (const c of cases) {
    const asc = media.parseAudioSpecificConfig(unhex(c.asc));
    t.is(asc.outputSampleRate, c.rate, c.what);
    t.is(asc.outputChannels, c.channels, c.what);
    // mp4dmx's PID properties come from the same parser.
    t.deepEqual(
      mp4dmxAudio(unhex(c.asc)),
      { objectType: c.core, sampleRate: c.rate, channels: c.channels },
      c.what,
    );
  }
  t.throws(() => media.parseAudioSpecificConfig(unhex('11')), { instanceOf: RangeError }, 'header cut short');
  t.is(mp4dmxAudio(unhex('11')), undefined);
});
