/**
 * MP4Box DASH lines → the GraphSpec of one continuous session (spec §10): exact translations, the
 * warnings of flags accepted but not honoured, and the errors of flags that cannot be run.
 */
import test from 'ava';
import { Mp4BoxError, translateMp4Box, translateMp4BoxWithWarnings } from '../../src/syntax/mp4box.js';
import type { GraphSpec } from '../../src/syntax/graph-spec.js';
import { filter, global, graph, opt, session, sink, source, toArgv } from '../syntax/helpers.js';

interface Row {
  title: string;
  argv: string | string[];
  expected: GraphSpec;
  warnings?: string[];
}

const rt = (arg: number) => filter(arg, 'reframer', [opt('rt', 'sync')]);

const rows: Row[] = [
  {
    title: 'seed line: -frag-rt -dash-live 10000 -frag 1000 -profile live, llhls=br after -out',
    argv: '-frag-rt -dash-live 10000 -frag 1000 -profile live -out res/live.m3u8:llhls=br source1 source2',
    expected: graph([
      source(9, 'source1'),
      source(10, 'source2'),
      rt(0),
      sink(8, 'res/live.m3u8', [
        opt('segdur', '10'),
        opt('cdur', '1'),
        opt('profile', 'live'),
        opt('dmode', 'dynamic'),
        opt('buf', '1500'),
        opt('llhls', 'br'),
      ]),
    ]),
  },
  {
    title: '-run-for: session runfor (ms) and dmode=dynlast',
    argv: '-dash-live 2000 -frag 500 -profile live -out res/live.m3u8:llhls=br source1 source2 -run-for 3000',
    expected: graph(
      [
        source(8, 'source1'),
        source(9, 'source2'),
        sink(7, 'res/live.m3u8', [
          opt('segdur', '2'),
          opt('cdur', '0.5'),
          opt('profile', 'live'),
          opt('dmode', 'dynlast'),
          opt('buf', '1500'),
          opt('llhls', 'br'),
        ]),
      ],
      [],
      [session(10, 'runfor', '3000')],
    ),
  },
  {
    title: 'static -dash: profile full by default, no dmode; -frag equal to -dash gives no cdur',
    argv: '-dash 4000 -frag 4000 -rap -out out/x.mpd a.mp4',
    expected: graph([
      source(7, 'a.mp4'),
      sink(6, 'out/x.mpd', [opt('segdur', '4'), opt('profile', 'full'), opt('buf', '1500')]),
    ]),
  },
  {
    title: '-frag within 10 ms of -dash gives no cdur; fractional ms',
    argv: '-dash 1001 -frag 995 -out x.mpd a.mp4',
    expected: graph([
      source(6, 'a.mp4'),
      sink(5, 'x.mpd', [opt('segdur', '1.001'), opt('profile', 'full'), opt('buf', '1500')]),
    ]),
  },
  {
    title: 'no -out: MP4Box names the MPD after the first input',
    argv: '-dash 2000 media/a.mp4 b.mp4',
    expected: graph([
      source(2, 'media/a.mp4'),
      source(3, 'b.mp4'),
      sink(2, 'media/a_dash.mpd', [opt('segdur', '2'), opt('profile', 'full'), opt('buf', '1500')]),
    ]),
  },
  {
    title: 'the flag word in any order; -dash-profile alias; -dynamic on -dash',
    argv: 'a.mp4 -dynamic -dash-profile main -dash 3000 -out x.mpd',
    expected: graph([
      source(0, 'a.mp4'),
      sink(7, 'x.mpd', [
        opt('segdur', '3'),
        opt('profile', 'main'),
        opt('dmode', 'dynamic'),
        opt('buf', '1500'),
      ]),
    ]),
  },
  {
    title: '-last-dynamic ⇒ dmode=dynlast; -profile simple ⇒ live; old dashavc264:live syntax',
    argv: '-dash 2000 -last-dynamic -profile dashavc264:live -out x.mpd a',
    expected: graph([
      source(7, 'a'),
      sink(6, 'x.mpd', [
        opt('segdur', '2'),
        opt('profile', 'dashavc264.live'),
        opt('dmode', 'dynlast'),
        opt('buf', '1500'),
      ]),
    ]),
  },
  {
    title: '-ast-offset follows the documentation: -N ms ⇒ asto = +N/1000 s (availabilityTimeOffset)',
    argv: '-dash-live 2000 -frag 200 -ast-offset -1800 -out x.mpd a',
    expected: graph([
      source(8, 'a'),
      sink(7, 'x.mpd', [
        opt('segdur', '2'),
        opt('cdur', '0.2'),
        opt('profile', 'live'),
        opt('dmode', 'dynamic'),
        opt('buf', '1500'),
        opt('asto', '1.8'),
      ]),
    ]),
  },
  {
    title: "-ast-offset 9000 (ms) ⇒ asto=-9 (s), not GPAC's -9000",
    argv: '-dash-live 10000 -ast-offset 9000 -profile live -out res2/live.mpd src',
    expected: graph([
      source(8, 'src'),
      sink(7, 'res2/live.mpd', [
        opt('segdur', '10'),
        opt('profile', 'live'),
        opt('dmode', 'dynamic'),
        opt('buf', '1500'),
        opt('asto', '-9'),
      ]),
    ]),
  },
  {
    title: 'time shift, refresh, min buffer, names, timeline, title, base URLs, hlsc',
    argv: [
      '-dash-live',
      '2000',
      '-time-shift',
      '-1',
      '-mpd-refresh',
      '4',
      '-min-buffer',
      '3000',
      '-segment-name',
      'seg_%s_$Number%05d$',
      '-segment-ext',
      'cmfv',
      '-init-segment-ext',
      'null',
      '-segment-timeline',
      '-url-template',
      '-mpd-title',
      'My live: show',
      '-base-url',
      'http://cdn1/a,b/',
      '-base-url',
      'http://cdn2/',
      '-hlsc',
      '-out',
      'x.mpd',
      'a',
    ],
    expected: graph([
      source(25, 'a'),
      sink(24, 'x.mpd', [
        opt('segdur', '2'),
        opt('profile', 'live'),
        opt('dmode', 'dynamic'),
        opt('buf', '3000'),
        opt('tsb', '-1'),
        opt('refresh', '4'),
        opt('template', 'seg_$File$_$Number%05d$'),
        opt('segext', 'cmfv'),
        opt('initext', 'null'),
        opt('stl'),
        opt('title', 'My live: show'),
        opt('hlsc'),
        opt('base', 'http://cdn1/a,,b/,http://cdn2/'),
      ]),
    ]),
  },
  {
    title: '-mpd-duration without -mpd-refresh ⇒ refresh=-X (no MUP, MPD duration X)',
    argv: '-dash-live 2000 -mpd-duration 60 -out x.mpd a',
    expected: graph([
      source(6, 'a'),
      sink(5, 'x.mpd', [
        opt('segdur', '2'),
        opt('profile', 'live'),
        opt('dmode', 'dynamic'),
        opt('buf', '1500'),
        opt('refresh', '-60'),
      ]),
    ]),
  },
  {
    title: '-dash-scale: durations in 1/S s, written as exact fractions',
    argv: '-dash-scale 30000 -dash 60060 -frag 15015 -out x.mpd a',
    expected: graph([
      source(8, 'a'),
      sink(7, 'x.mpd', [
        opt('segdur', '60060/30000'),
        opt('cdur', '15015/30000'),
        opt('profile', 'full'),
        opt('buf', '1500'),
      ]),
    ]),
  },
  {
    title: '-single-segment ⇒ profile onDemand',
    argv: '-dash 2000 -single-segment -out x.mpd a',
    expected: graph([
      source(5, 'a'),
      sink(4, 'x.mpd', [opt('segdur', '2'), opt('profile', 'onDemand'), opt('buf', '1500')]),
    ]),
  },
  {
    title: '-bound / -closest / -start-date map to sbound / ast (refused by the dasher, by name)',
    argv: '-dash-live 2000 -closest -start-date 2020-01-01T00:00:00Z -out x.mpd a',
    expected: graph([
      source(7, 'a'),
      sink(6, 'x.mpd', [
        opt('segdur', '2'),
        opt('profile', 'live'),
        opt('dmode', 'dynamic'),
        opt('buf', '1500'),
        opt('sbound', 'closest'),
        opt('ast', '2020-01-01T00:00:00Z'),
      ]),
    ]),
  },
  {
    title: 'global --rdirs=outdir --llhls=br after -out; a global dasher option is not derived again',
    argv: '-dash-live 2000 -frag 500 -out live.mpd --rdirs=outdir --llhls=br --dasher@buf=4000 source1',
    expected: graph(
      [
        source(9, 'source1'),
        sink(5, 'live.mpd', [
          opt('segdur', '2'),
          opt('cdur', '0.5'),
          opt('profile', 'live'),
          opt('dmode', 'dynamic'),
        ]),
      ],
      [global(6, 'rdirs', 'outdir'), global(7, 'llhls', 'br'), global(8, 'buf', '4000', 'dasher')],
    ),
  },
  {
    title: '-out http://…:gpac:dual:llhls=br:rdirs=outdir (server form, read as gpac reads -o)',
    argv: '-frag-rt -dash-live 2000 -frag 500 -out http://127.0.0.1:8080/live.mpd:gpac:dual:llhls=br:rdirs=outdir source1 source2',
    expected: graph([
      source(7, 'source1'),
      source(8, 'source2'),
      rt(0),
      sink(6, 'http://127.0.0.1:8080/live.mpd', [
        opt('segdur', '2'),
        opt('cdur', '0.5'),
        opt('profile', 'live'),
        opt('dmode', 'dynamic'),
        opt('buf', '1500'),
        opt('dual'),
        opt('llhls', 'br'),
        opt('rdirs', 'outdir'),
      ]),
    ]),
  },
  {
    title: 'options after -out win: :segdur= and :profile= replace the derived ones',
    argv: '-dash-live 2000 -out live.m3u8:segdur=4:profile=dashif.ll:tsb=12 a',
    expected: graph([
      source(4, 'a'),
      sink(3, 'live.m3u8', [
        opt('dmode', 'dynamic'),
        opt('buf', '1500'),
        opt('segdur', '4'),
        opt('profile', 'dashif.ll'),
        opt('tsb', '12'),
      ]),
    ]),
  },
  {
    title: '-subdur, -no-loop, -rap and -frag-rap without chunks are accepted silently; -logs/-quiet kept',
    argv: '-dash-live 2000 -subdur 2000 -no-loop -rap -frag-rap -logs dash@info -quiet -out x.mpd a',
    expected: graph(
      [
        source(12, 'a'),
        sink(11, 'x.mpd', [
          opt('segdur', '2'),
          opt('profile', 'live'),
          opt('dmode', 'dynamic'),
          opt('buf', '1500'),
        ]),
      ],
      [],
      [session(7, 'logs', 'dash@info'), session(9, 'quiet')],
    ),
  },
  {
    title: 'warnings: -bs-switching inband, -frag-rap with chunks, -dash-live=F context file, -mem-frags',
    argv: '-dash-live=ctx.xml 2000 -frag 500 -frag-rap -bs-switching inband -mem-frags -out x.m3u8 a',
    expected: graph([
      source(10, 'a'),
      sink(9, 'x.m3u8', [
        opt('segdur', '2'),
        opt('cdur', '0.5'),
        opt('profile', 'live'),
        opt('dmode', 'dynamic'),
        opt('buf', '1500'),
      ]),
    ]),
    warnings: [
      'MP4Box: live context file "ctx.xml" not written: graphpac runs one continuous session',
      'MP4Box: -frag-rap ignored: chunks are cut every -frag ms and only the first one of a segment is sure to start with a random access point',
      'MP4Box: -bs-switching inband ignored: graphpac writes one init segment per representation (-bs-switching no)',
      'MP4Box: -mem-frags has no effect in graphpac',
    ],
  },
  {
    title: '-bs-switching no needs no warning',
    argv: '-dash 2000 -bs-switching no -out x.mpd a',
    expected: graph([
      source(6, 'a'),
      sink(5, 'x.mpd', [opt('segdur', '2'), opt('profile', 'full'), opt('buf', '1500')]),
    ]),
  },
];

test('the table has unique titles', (t) => {
  t.is(new Set(rows.map((r) => r.title)).size, rows.length);
});

for (const row of rows) {
  test(`MP4Box: ${row.title}`, (t) => {
    const r = translateMp4BoxWithWarnings(toArgv(row.argv));
    t.deepEqual(r.spec, row.expected);
    t.deepEqual(r.warnings, row.warnings ?? []);
  });
}

test('translateMp4Box returns the spec and hands warnings to the callback', (t) => {
  const seen: string[] = [];
  const spec = translateMp4Box(toArgv('-dash 2000 -no-cache -out x.mpd a'), (w) => seen.push(w));
  t.is(spec.entries.length, 2);
  t.deepEqual(seen, ['MP4Box: -no-cache has no effect in graphpac']);
});

const errors: [string, string | string[], string][] = [
  ['unknown flag', '-dash 2000 -foo -out x.mpd a', 'MP4Box: unknown option "-foo"'],
  ['unknown flag with =', '-dash 2000 -foo=3 a', 'MP4Box: unknown option "-foo"'],
  ['missing value at the end', '-out x.mpd a -dash', 'MP4Box: option "-dash" needs a value'],
  ['missing -out value', '-dash 2000 a -out', 'MP4Box: option "-out" needs a value'],
  ['bad number', '-dash 2s a', 'MP4Box: -dash: expected a number (ms), got "2s"'],
  ['zero duration', '-dash 0 a', 'MP4Box: -dash: "0" is out of range (ms)'],
  ['bad -frag', '-dash 2000 -frag x a', 'MP4Box: -frag: expected a number (ms), got "x"'],
  [
    'integer flag given a decimal',
    '-dash-live 2000 -time-shift 2.5 a',
    'MP4Box: -time-shift: expected an integer (s, -1 keeps everything), got "2.5"',
  ],
  [
    'bad -run-for',
    '-dash-live 2000 -run-for soon a',
    'MP4Box: -run-for: expected an integer (ms), got "soon"',
  ],
  [
    'no DASH flag',
    '-out x.mpd a',
    'MP4Box: graphpac runs MP4Box DASH lines only: give -dash DUR or -dash-live DUR (ms), the sources and -out MANIFEST',
  ],
  [
    'empty line',
    [],
    'MP4Box: graphpac runs MP4Box DASH lines only: give -dash DUR or -dash-live DUR (ms), the sources and -out MANIFEST',
  ],
  ['no input', '-dash 2000 -out x.mpd', 'MP4Box: no input file to dash'],
  [
    'unknown profile',
    '-dash 2000 -profile fast a',
    'MP4Box: -profile: unknown DASH profile "fast" (onDemand, live, main, simple, full, dashavc264.live, dashif.ll)',
  ],
  [
    'unsupported profile',
    '-dash 2000 -profile hbbtv1.5.live a',
    'MP4Box: -profile hbbtv1.5.live is not supported by graphpac',
  ],
  [
    'explicit -profile against :profile= in -out',
    '-dash-live 2000 -profile live -out x.mpd:profile=main a',
    'MP4Box: -profile live conflicts with profile=main given after -out or with --profile',
  ],
  [
    'refused GPAC flag',
    '-dash 2000 -dash-ctx ctx.xml a',
    'MP4Box: -dash-ctx is not supported by graphpac: graphpac runs one continuous session and cannot store or restore a DASH context',
  ],
  [
    'bad -bs-switching value',
    '-dash 2000 -bs-switching maybe a',
    'MP4Box: -bs-switching: expected one of inband|merge|multi|no|pps|single, got "maybe"',
  ],
  [
    'flag given a value',
    '-dash 2000 -frag-rt=yes a',
    'MP4Box: option "-frag-rt" takes no value (got "-frag-rt=yes")',
  ],
  [
    'track selector on an input',
    '-dash 2000 a.mp4#video',
    'MP4Box: input "a.mp4#video": track selectors (#…) and per-input options (:id=, :period=…) are not supported yet; use one file per representation',
  ],
  [
    'bad -out',
    '-dash 2000 -out x.mpd:=3 a',
    'MP4Box: -out "x.mpd:=3", position 6: expected an option name before \'=\'',
  ],
];

for (const [title, argv, message] of errors) {
  test(`MP4Box error: ${title}`, (t) => {
    const e = t.throws(() => translateMp4Box(toArgv(argv)), { instanceOf: Mp4BoxError });
    t.is(e?.message, message);
  });
}
