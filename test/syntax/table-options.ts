/** Table rows: options, link directives, globals, session options, help and whole command lines. */
import type { Row } from './table.js';
import { filter, global, graph, link, neg, opt, prop, session, sink, source } from './helpers.js';

export const optionRows: Row[] = [
  // --- Options inside a declaration (spec §1.3) ----------------------------------------------------------
  {
    title: 'f::a=foo:b=bar',
    argv: 'f::a=foo:b=bar',
    expected: graph([filter(0, 'f', [opt('a', 'foo:b=bar')])]),
  },
  {
    title: 'f:a=foo::b=bar:c::d=fun',
    argv: 'f:a=foo::b=bar:c::d=fun',
    expected: graph([filter(0, 'f', [opt('a', 'foo'), opt('b', 'bar:c'), opt('d', 'fun')])]),
  },
  {
    title: 'booleans, negation and enum shorthand',
    argv: 'dasher:!sfile:!stl=false:dynamic:mha',
    expected: graph([filter(0, 'dasher', [neg('sfile'), neg('stl', 'false'), opt('dynamic'), opt('mha')])]),
  },
  {
    title: 'time value is not split',
    argv: 'reframer:xs=T10:00:00:rt=on',
    expected: graph([filter(0, 'reframer', [opt('xs', 'T10:00:00'), opt('rt', 'on')])]),
  },
  {
    title: 'list of times with fractions',
    argv: 'reframer:xs=T00:00:10.5,T00:01:00:xe=T00:00:20',
    expected: graph([filter(0, 'reframer', [opt('xs', 'T00:00:10.5,T00:01:00'), opt('xe', 'T00:00:20')])]),
  },
  {
    title: 'short time T5:00',
    argv: 'f:t=T5:00:x=1',
    expected: graph([filter(0, 'f', [opt('t', 'T5:00'), opt('x', '1')])]),
  },
  {
    title: ':gpac: ends a value',
    argv: 'f:a=1:b:gpac:c=2',
    expected: graph([filter(0, 'f', [opt('a', '1:b'), opt('c', '2')])]),
  },
  {
    title: 'bare gpac marker is dropped',
    argv: 'f:gpac:x=1',
    expected: graph([filter(0, 'f', [opt('x', '1')])]),
  },
  {
    title: 'src= option of a filter follows the source URL rules',
    argv: 'fin:src=http://h:8080/a.mp4:gpac:FID=x',
    expected: graph([filter(0, 'fin', [opt('src', 'http://h:8080/a.mp4')], { id: 'x' })]),
  },
  {
    title: 'dst= option of a filter follows the sink URL rules',
    argv: 'httpout:dst=http://127.0.0.1:8080/x/:rdirs=outdir',
    expected: graph([filter(0, 'httpout', [opt('dst', 'http://127.0.0.1:8080/x/'), opt('rdirs', 'outdir')])]),
  },
  {
    title: 'property whose value is a URL',
    argv: '-i a.mp4:#BUrl=http://cdn/x/:#Lang=en',
    expected: graph([source(1, 'a.mp4', [prop('BUrl', 'http://cdn/x/'), prop('Lang', 'en')])]),
  },
  {
    title: 'properties with and without value',
    argv: 'f:#ServiceID=2:#Bitrate',
    expected: graph([filter(0, 'f', [prop('ServiceID', '2'), prop('Bitrate')])]),
  },
  {
    title: 'FID / SID lists with fragments',
    argv: '-i a.mp4:FID=A -i b.mp4:FID=B mux:SID=A#video,B#audio:FID=M -o out.mp4:SID=M',
    expected: graph([
      source(1, 'a.mp4', [], { id: 'A' }),
      source(3, 'b.mp4', [], { id: 'B' }),
      filter(4, 'mux', [], {
        id: 'M',
        sources: [
          { id: 'A', fragment: 'video' },
          { id: 'B', fragment: 'audio' },
        ],
      }),
      sink(6, 'out.mp4', [], { sources: [{ id: 'M', fragment: null }] }),
    ]),
  },
  {
    title: 'SID with an empty source name (any source)',
    argv: 'f:SID=#PID=2,x',
    expected: graph([
      filter(0, 'f', [], {
        sources: [
          { id: '', fragment: 'PID=2' },
          { id: 'x', fragment: null },
        ],
      }),
    ]),
  },
  {
    title: 'gfloc / gfopt markers are kept in order',
    argv: 'f:gfloc:a=1:gfopt:b=2',
    expected: graph([filter(0, 'f', [opt('gfloc'), opt('a', '1'), opt('gfopt'), opt('b', '2')])]),
  },
  {
    title: 'XML value',
    argv: ['f:desc=<Role value="main"/>:x=1'],
    expected: graph([filter(0, 'f', [opt('desc', '<Role value="main"/>'), opt('x', '1')])]),
  },
  {
    title: 'XML value with colons inside',
    argv: ['f:desc=<Role schemeIdUri="urn:mpeg:dash:role:2011" value="main"/>:x=1'],
    expected: graph([
      filter(0, 'f', [
        opt('desc', '<Role schemeIdUri="urn:mpeg:dash:role:2011" value="main"/>'),
        opt('x', '1'),
      ]),
    ]),
  },
  {
    title: 'empty pieces are ignored',
    argv: 'f:a=1:::b=2',
    expected: graph([filter(0, 'f', [opt('a', '1'), opt('b', '2')])]),
  },
  {
    title: 'trailing colon',
    argv: 'f:a=1:',
    expected: graph([filter(0, 'f', [opt('a', '1')])]),
  },
  {
    title: 'an escaped value runs to the next :: or the end, colons included',
    argv: 'f::a=1:',
    expected: graph([filter(0, 'f', [opt('a', '1:')])]),
  },
  {
    title: '= inside a value',
    argv: 'f:a=b=c',
    expected: graph([filter(0, 'f', [opt('a', 'b=c')])]),
  },
  {
    title: 'Windows script path as filter name',
    argv: ['C:\\filters\\my.js:opt=1'],
    expected: graph([filter(0, 'C:\\filters\\my.js', [opt('opt', '1')])]),
  },
  {
    title: 'bare filter name',
    argv: 'inspect',
    expected: graph([filter(0, 'inspect')]),
  },

  // --- Link directives (spec §1.5) ------------------------------------------------------------------------
  {
    title: '@N and @@N#frag',
    argv: '-i a.mp4 -i b.mp4 @1 f @@0#video g',
    expected: graph([
      source(1, 'a.mp4'),
      source(3, 'b.mp4'),
      filter(5, 'f', [], { links: [link('previous', 1)] }),
      filter(7, 'g', [], { links: [link('first', 0, 'video')] }),
    ]),
  },
  {
    title: 'directives accumulate across session options',
    argv: '@ @#audio @2#PID=1 -graph f',
    expected: graph(
      [
        filter(4, 'f', [], {
          links: [link('previous', 0), link('previous', 0, 'audio'), link('previous', 2, 'PID=1')],
        }),
      ],
      [],
      [session(3, 'graph')],
    ),
  },
  {
    title: '@@ applies to a sink',
    argv: '@@ -o out.mpd',
    expected: graph([sink(2, 'out.mpd', [], { links: [link('first', 0)] })]),
  },
  {
    title: '@@N#frag with a multi-digit index',
    argv: 'a b c d e f g h i j k @@10#audio1 m',
    expected: graph([
      ...['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k'].map((n, i) => filter(i, n)),
      filter(12, 'm', [], { links: [link('first', 10, 'audio1')] }),
    ]),
  },

  // --- Globals (spec §1.4) -----------------------------------------------------------------------------
  {
    title: 'globals with filter prefix',
    argv: '-i a.mp4 -o live.mpd --dasher@segdur=2 --mp4mx:cdur=0.2 --foo',
    expected: graph(
      [source(1, 'a.mp4'), sink(3, 'live.mpd')],
      [global(4, 'segdur', '2', 'dasher'), global(5, 'cdur', '0.2', 'mp4mx'), global(6, 'foo')],
    ),
  },
  {
    title: '-+ meta option and a value with a colon',
    argv: '-+ffopt=x --opt=a:b --empty=',
    expected: graph([], [global(0, 'ffopt', 'x'), global(1, 'opt', 'a:b'), global(2, 'empty', '')]),
  },
  {
    title: 'local option and global option both kept',
    argv: '-i a.mp4 -o a/live.mpd:segdur=5 --segdur=10',
    expected: graph(
      [source(1, 'a.mp4'), sink(3, 'a/live.mpd', [opt('segdur', '5')])],
      [global(4, 'segdur', '10')],
    ),
  },

  // --- Session options (spec §11) ------------------------------------------------------------------------
  {
    title: 'both value forms',
    argv: '-logs all@debug -threads=2 -graph -stats',
    expected: graph(
      [],
      [],
      [session(0, 'logs', 'all@debug'), session(2, 'threads', '2'), session(3, 'graph'), session(4, 'stats')],
    ),
  },
  {
    title: 'logs with tools, -lf, -runfor, -max-chain',
    argv: '-logs=dash@info:http@debug -lf log.txt -runfor 5000 -max-chain=4',
    expected: graph(
      [],
      [],
      [
        session(0, 'logs', 'dash@info:http@debug'),
        session(1, 'lf', 'log.txt'),
        session(3, 'runfor', '5000'),
        session(5, 'max-chain', '4'),
      ],
    ),
  },
  {
    title: '-cfg, -p and buffers',
    argv: '-cfg core:threads=2 -p 0 -buffer-gen 1000 -buffer-units=10 -buffer-dec 2000',
    expected: graph(
      [],
      [],
      [
        session(0, 'cfg', 'core:threads=2'),
        session(2, 'p', '0'),
        session(4, 'buffer-gen', '1000'),
        session(6, 'buffer-units', '10'),
        session(7, 'buffer-dec', '2000'),
      ],
    ),
  },
  {
    title: '-seps is parsed (alternative separators are not supported)',
    argv: '-seps :=#,!@ -runforf 100 -runforx=200',
    expected: graph(
      [],
      [],
      [session(0, 'seps', ':=#,!@'), session(2, 'runforf', '100'), session(4, 'runforx', '200')],
    ),
  },
  {
    title: 'value of a value-taking option is taken verbatim even if it starts with -',
    argv: '-logs -i',
    expected: graph([], [], [session(0, 'logs', '-i')]),
  },
  {
    title: '-i takes the next element whatever it is (as GPAC does)',
    argv: '-i -o out.mpd',
    expected: graph([source(1, '-o'), filter(2, 'out.mpd')]),
  },
  {
    title: 'boolean session options do not take the next element',
    argv: '-noprog -graph=yes -graph src.mp4',
    expected: graph(
      [filter(3, 'src.mp4')],
      [],
      [session(0, 'noprog'), session(1, 'graph', 'yes'), session(2, 'graph')],
    ),
  },

  // --- Help (spec §11) ---------------------------------------------------------------------------------
  {
    title: '-h FILTER',
    argv: '-h dasher',
    expected: graph([], [], [session(0, 'h', 'dasher')]),
  },
  {
    title: '-hx FILTER.OPT',
    argv: '-hx dasher.segdur',
    expected: graph([], [], [session(0, 'hx', 'dasher.segdur')]),
  },
  {
    title: '-ha without topic before an option',
    argv: '-ha -logs=x',
    expected: graph([], [], [session(0, 'ha', null), session(1, 'logs', 'x')]),
  },
  {
    title: '-hh alone',
    argv: '-hh',
    expected: graph([], [], [session(0, 'hh', null)]),
  },
  {
    title: '-h filters then a source',
    argv: '-h filters -i x',
    expected: graph([source(3, 'x')], [], [session(0, 'h', 'filters')]),
  },

  // --- -xopt and whole command lines -----------------------------------------------------------------------
  {
    title: '-xopt: everything after is ignored',
    argv: '-i a.mp4 -o b.mpd -xopt -foo bar @ :baz',
    expected: graph([source(1, 'a.mp4'), sink(3, 'b.mpd')], [], [session(4, 'xopt')]),
  },
  {
    title: 'sub-sessions: two source → sink pairs',
    argv: '-i a.mp4 -o x.mpd -i b.mp4 -o y.mpd',
    expected: graph([source(1, 'a.mp4'), sink(3, 'x.mpd'), source(5, 'b.mp4'), sink(7, 'y.mpd')]),
  },
  {
    title: 'empty command line',
    argv: [],
    expected: graph([]),
  },
  {
    title: 'everything together',
    argv: '-logs dash@info -i source1:FID=src reframer:rt=on:SID=src @0 -o res/live.mpd:segdur=2:!mha:#Role=main --cdur=0.5 -graph',
    expected: graph(
      [
        source(3, 'source1', [], { id: 'src' }),
        filter(4, 'reframer', [opt('rt', 'on')], { sources: [{ id: 'src', fragment: null }] }),
        sink(7, 'res/live.mpd', [opt('segdur', '2'), neg('mha'), prop('Role', 'main')], {
          links: [link('previous', 0)],
        }),
      ],
      [global(8, 'cdur', '0.5')],
      [session(0, 'logs', 'dash@info'), session(9, 'graph')],
    ),
  },
];
