import test from 'ava';
import { Session } from '../../src/engine/session.js';
import { Registry } from '../../src/engine/registry.js';
import { ManualClock } from '../../src/engine/clock.js';
import { createLogSink, parseLogs } from '../../src/engine/logger.js';
import { arg, defineFilter, GraphError } from '../../src/index.js';
import type { OutputPid } from '../../src/index.js';
import { graph } from '../helpers/spec.js';
import type { GraphSpec } from '../../src/syntax/graph-spec.js';
import { fragmentMatches } from '../../src/engine/linker.js';

/** A file source, a demuxer, a packager (many in, one manifest out), a file sink, a media sink, an explicit-only filter. */
function registry(got: Record<string, string[]>) {
  const r = new Registry();
  r.register(
    defineFilter({
      name: 'ffile',
      description: 'fake file source',
      args: { src: arg.string(undefined, 'path') },
      caps: [{ name: 'file', out: { StreamType: 'File' } }],
      probeUrl: (u) => (u.endsWith('.fk') ? 'supported' : 'no'),
      create(ctx) {
        return {
          process() {
            const pid = ctx.createPid({ StreamType: 'File', Extension: 'fk' }, ctx.args.src);
            pid.send({ data: new Uint8Array(1) });
            pid.setEos();
            return 'eos';
          },
        };
      },
    }),
  );
  r.register(
    defineFilter({
      name: 'fdmx',
      description: 'fake demuxer: one video and one audio PID',
      args: {},
      caps: [
        {
          name: 'fk files',
          in: { StreamType: 'File', Extension: 'fk' },
          out: { StreamType: ['Visual', 'Audio'] },
        },
      ],
      create(ctx) {
        let outs: OutputPid[] = [];
        return {
          process() {
            const inp = ctx.inputs[0]!;
            if (inp.take()) {
              const name = inp.name.replace('.fk', '');
              outs = [
                ctx.createPid({ StreamType: 'Visual', CodecID: 'fv', Timescale: 1000 }, `${name}_video`),
                ctx.createPid({ StreamType: 'Audio', CodecID: 'fa', Timescale: 1000 }, `${name}_audio`),
              ];
              for (const o of outs) o.send({ data: new Uint8Array(1), dts: 0, duration: 10, sap: 1 });
            }
            if (inp.eos) {
              for (const o of outs) o.setEos();
              return 'eos';
            }
            return 'not-ready';
          },
        };
      },
    }),
  );
  r.register(
    defineFilter({
      name: 'fpkg',
      description: 'fake packager',
      args: { segdur: arg.double(1, 'segment duration') },
      caps: [
        {
          name: 'media',
          in: { StreamType: ['Visual', 'Audio'] },
          out: { StreamType: 'File', Extension: ['mpd', 'm3u8'] },
        },
      ],
      maxInputs: Infinity,
      create(ctx) {
        let out: OutputPid | undefined;
        return {
          configurePid(pid) {
            (got[ctx.name] ??= []).push(pid.name);
            got[`${ctx.name}.segdur`] = [String(ctx.args.segdur)];
          },
          process() {
            out ??= ctx.createPid({ StreamType: 'File', Extension: 'mpd' }, 'manifest');
            for (const i of ctx.inputs) i.take();
            if (ctx.inputs.every((i) => i.eos)) {
              out.setEos();
              return 'eos';
            }
            return 'not-ready';
          },
        };
      },
    }),
  );
  const sink = (
    name: string,
    caps: { in: Record<string, string | string[]>; inExcluded?: Record<string, string> },
  ) =>
    defineFilter({
      name,
      description: 'fake sink',
      args: { dst: arg.string(undefined, 'path') },
      caps: [{ name: 'in', ...caps }],
      maxInputs: Infinity,
      probeUrl: (u) => (u.startsWith(`${name}:`) ? 'supported' : 'no'),
      instanceCaps: (a) =>
        name === 'fsinkf'
          ? [{ name: 'file ext', in: { StreamType: 'File', Extension: (a.dst ?? '').split('.').pop()! } }]
          : [{ name: 'in', ...caps }],
      create(ctx) {
        return {
          configurePid(pid) {
            (got[ctx.name] ??= []).push(pid.name);
          },
          process() {
            for (const i of ctx.inputs) i.take();
            return ctx.inputs.every((i) => i.eos) ? 'eos' : 'not-ready';
          },
        };
      },
    });
  r.register(sink('fsinkf', { in: { StreamType: 'File' } }));
  r.register(sink('fmedia', { in: { StreamType: '*' }, inExcluded: { StreamType: 'File' } }));
  r.register(
    defineFilter({
      name: 'fonly',
      description: 'explicit-only converter to .zzz files',
      explicitOnly: true,
      args: {},
      caps: [{ name: 'media', in: { StreamType: 'Visual' }, out: { StreamType: 'File', Extension: 'zzz' } }],
      create: () => ({ process: () => 'eos' as const }),
    }),
  );
  return r;
}

const logs = () => createLogSink(parseLogs(['all@quiet']), { pretty: false });

async function run(spec: GraphSpec) {
  const got: Record<string, string[]> = {};
  const warnings: string[] = [];
  const s = new Session({ registry: registry(got), clock: new ManualClock(), logs: logs() }).load(spec);
  s.on('warning', (w) => warnings.push(w));
  await s.run();
  return { s, got, warnings, names: s.nodes.map((n) => n.name) };
}

test('-i CLIP sink resolves source → demuxer → sink, both PIDs to the one sink', async (t) => {
  const { names, got } = await run(graph({ kind: 'source', url: 'a.fk' }, { kind: 'sink', url: 'fmedia:x' }));
  t.deepEqual(names, ['ffile', 'fmedia', 'fdmx']);
  t.deepEqual(got.fmedia, ['a_video', 'a_audio']);
});

test('-o x.mpd inserts the packager once for every PID of every source', async (t) => {
  const { names, got } = await run(
    graph(
      { kind: 'source', url: 'a.fk' },
      { kind: 'source', url: 'b.fk' },
      { kind: 'sink', url: 'fsinkf:out/x.mpd', options: { segdur: '4' } },
    ),
  );
  t.deepEqual(
    names.filter((n) => n.startsWith('fpkg')),
    ['fpkg'],
    'one packager',
  );
  t.deepEqual(got.fpkg, ['a_video', 'a_audio', 'b_video', 'b_audio']);
  t.deepEqual(got['fpkg.segdur'], ['4'], 'the packager inherited the sink options (spec §1.7)');
  t.deepEqual(got.fsinkf, ['manifest']);
});

test('an unresolvable output says which PID, which filter and which capability failed', async (t) => {
  const err = await t.throwsAsync(
    run(graph({ kind: 'source', url: 'a.fk' }, { kind: 'sink', url: 'fsinkf:x.zzz' })),
    {
      instanceOf: GraphError,
    },
  );
  t.is(err?.code, 'LINK_FAILED');
  t.regex(err!.message, /^cannot link PID "a.fk" of ffile \(StreamType=File Extension=fk\)/);
  t.regex(err!.message, /Extension=fk is not zzz/);
  t.regex(
    err!.message,
    /no chain of at most 6 filters leads from it to fsinkf \(fsinkf:x\.zzz\) \(which needs StreamType=File Extension=zzz\)/,
  );
});

test('explicit-only filters are used when declared, never inserted', async (t) => {
  const { names } = await run(
    graph(
      { kind: 'source', url: 'a.fk' },
      { kind: 'filter', name: 'fonly' },
      { kind: 'sink', url: 'fmedia:x' },
    ),
  );
  t.true(names.includes('fonly'));
});

test('link directive @1 restricts a filter to the named source; the other source has no destination', async (t) => {
  const { got, warnings } = await run(
    graph(
      { kind: 'source', url: 'a.fk' },
      { kind: 'source', url: 'b.fk' },
      { kind: 'sink', url: 'fmedia:x', links: [{ from: 'previous', index: 1, fragment: null }] },
    ),
  );
  t.deepEqual(got.fmedia, ['a_video', 'a_audio']);
  t.true(
    warnings.some((w) => /PID "b.fk" of ffile#2 .* has no destination/.test(w)),
    warnings.join('\n'),
  );
});

test('link directive with a fragment selects PIDs: @@0#audio', async (t) => {
  const { got } = await run(
    graph(
      { kind: 'source', url: 'a.fk' },
      { kind: 'filter', name: 'fdmx', id: 'D' },
      { kind: 'sink', url: 'fmedia:x', links: [{ from: 'first', index: 1, fragment: 'audio' }] },
    ),
  );
  t.deepEqual(got.fmedia, ['a_audio']);
});

test('SID= with a fragment', async (t) => {
  const { got } = await run(
    graph(
      { kind: 'source', url: 'a.fk' },
      { kind: 'filter', name: 'fdmx', id: 'D' },
      { kind: 'sink', url: 'fmedia:x', links: [] },
    ),
  );
  t.deepEqual(got.fmedia, ['a_video', 'a_audio']);
  const r2 = await run({
    ...graph(
      { kind: 'source', url: 'a.fk' },
      { kind: 'filter', name: 'fdmx', id: 'D' },
      { kind: 'filter', name: 'fpkg', sources: [{ id: 'D', fragment: 'video' }] },
    ),
  });
  t.deepEqual(r2.got.fpkg, ['a_video']);
});

test('a link directive naming nothing is an error', async (t) => {
  const err = await t.throwsAsync(
    run(graph({ kind: 'sink', url: 'fmedia:x', links: [{ from: 'previous', index: 3, fragment: null }] })),
    {
      instanceOf: GraphError,
    },
  );
  t.is(err?.code, 'BAD_LINK_DIRECTIVE');
  t.regex(err!.message, /link directive @3 before "fmedia" \(argument 1\) names no declared filter/);
});

test('unknown filters and bad option values are named', async (t) => {
  const e1 = await t.throwsAsync(run(graph({ kind: 'filter', name: 'fpgk' })), { instanceOf: GraphError });
  t.regex(e1!.message, /unknown filter "fpgk" \(argument 1\); did you mean fpkg\?/);
  const e2 = await t.throwsAsync(run(graph({ kind: 'filter', name: 'fpkg', options: { segdur: 'abc' } })), {
    instanceOf: GraphError,
  });
  t.is(e2!.message, 'fpkg: option segdur=abc: expected a number');
});

test('sub-sessions: a source declared after a sink links only to what follows it', async (t) => {
  const { got } = await run(
    graph(
      { kind: 'source', url: 'a.fk' },
      { kind: 'sink', url: 'fmedia:x' },
      { kind: 'source', url: 'b.fk' },
      { kind: 'sink', url: 'fmedia:y' },
    ),
  );
  t.deepEqual(got.fmedia, ['a_video', 'a_audio']);
  t.deepEqual(got['fmedia#2'], ['b_video', 'b_audio']);
});

test('fragments: stream types, names, properties and comparisons', (t) => {
  const pid = { name: 'v1', props: { StreamType: 'Visual' as const, Width: 640, CodecID: 'avc' } };
  t.true(fragmentMatches('video', pid));
  t.false(fragmentMatches('audio', pid));
  t.true(fragmentMatches('v1', pid));
  t.true(fragmentMatches('CodecID=avc', pid));
  t.false(fragmentMatches('CodecID=!avc', pid));
  t.true(fragmentMatches('Width+600', pid));
  t.false(fragmentMatches('Width-600', pid));
});
