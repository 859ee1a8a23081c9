/**
 * One session-options table: the CLI, createSession({ options }), .load('…') and JSON graph files accept
 * and refuse the same options the same way; values are parsed once (a bad -runfor is an error, not NaN).
 */
import test from 'ava';
import { Writable } from 'node:stream';
import { arg, createSession, defineFilter, GraphError } from '../../src/index.js';
import type { OutputPid } from '../../src/index.js';
import { ManualClock } from '../../src/engine/clock.js';
import { SESSION_OPTIONS, readSessionOptions } from '../../src/engine/session-options.js';
import { VALUE_OPTIONS } from '../../src/syntax/argv-lexer.js';
import { main } from '../../src/cli/main.js';
import { USAGE } from '../../src/cli/help.js';

/** The CLI in this process: exit code and stderr. */
async function cli(argv: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const sink = (f: (s: string) => void) =>
    new Writable({
      write(chunk: Buffer, _e, cb) {
        f(chunk.toString());
        cb();
      },
    });
  const code = await main(argv, { stdout: sink(() => {}), stderr: sink((s) => (stderr += s)) });
  return { code, stderr };
}

const REFUSED: [string, RegExp][] = [
  ['-bogus-option -i x.mp4 inspect', /^unrecognized option "-bogus-option" \(argument 1\); see graphpac -h$/],
  ['-i x.mp4 inspect -runfor=abc', /^-runfor=abc \(argument 4\): expected a number ≥ 0 \(milliseconds\)$/],
  ['-i x.mp4 inspect -runfor=-5', /^-runfor=-5 \(argument 4\): expected a number ≥ 0/],
  ['-i x.mp4 inspect -max-chain=1.5', /^-max-chain=1\.5 \(argument 4\): expected an integer ≥ 0$/],
  [
    '-i x.mp4 inspect -buffer-units=0',
    /^-buffer-units=0 \(argument 4\): expected an integer ≥ 1 \(packets\)$/,
  ],
  ['-i x.mp4 inspect -logs=all@loud', /^-logs: unknown level "loud" in "all@loud"/],
  ['-i x.mp4 inspect -graph=maybe', /^-graph=maybe \(argument 4\): expected no value, or a boolean/],
];

for (const [line, re] of REFUSED)
  test(`refused the same way by the CLI and the API: ${line}`, async (t) => {
    const e = t.throws(() => createSession().load(line), { instanceOf: GraphError });
    t.regex(e!.message, re);
    t.true(['UNKNOWN_OPTION', 'BAD_OPTION_VALUE'].includes(e!.code), e!.code);
    const r = await cli(line.split(' '));
    t.is(r.code, 1);
    t.is(r.stderr, `graphpac: ${e!.message}\n`);
  });

test('refused through createSession({ options }) and JSON graph files, naming the option', (t) => {
  t.throws(() => createSession({ options: { 'bogus-option': 1 } }), {
    code: 'UNKNOWN_OPTION',
    message: 'unrecognized option "-bogus-option"; see graphpac -h',
  });
  t.throws(() => createSession({ options: { runfor: 'soon' } }), {
    code: 'BAD_OPTION_VALUE',
    message: '-runfor=soon: expected a number ≥ 0 (milliseconds)',
  });
  t.throws(() => createSession({ options: { runfor: null } }), {
    message: /-runfor needs a value: -runfor=MS/,
  });
  const file = { graph: [{ source: 'x.mp4' }, { filter: 'inspect' }] };
  t.throws(() => createSession().loadGraphFile({ ...file, options: { 'max-chain': 'six' } }), {
    code: 'BAD_OPTION_VALUE',
    message: '-max-chain=six: expected an integer ≥ 0',
  });
  t.throws(() => createSession().loadGraphFile({ ...file, options: { nosuch: true } }), {
    code: 'UNKNOWN_OPTION',
  });
  t.notThrows(() =>
    createSession({ options: { runfor: 5000, 'max-chain': 4, graph: true, logs: 'dash@info' } })
      .loadGraphFile({ ...file, options: { stats: null } })
      .load('-runfor 200 -buffer-units=8 -quiet'),
  );
});

test('every option taking a value also parses as "-opt VALUE"; -h lists the table', (t) => {
  for (const d of SESSION_OPTIONS)
    if (d.takes === 'value') t.true((VALUE_OPTIONS as readonly string[]).includes(d.name), d.name);
  for (const d of SESSION_OPTIONS.filter((x) => !x.hidden))
    t.regex(USAGE, new RegExp(`^  -${d.name}\\b.*${d.help.slice(0, 20).replace(/[()]/g, '.')}`, 'm'));
  t.deepEqual(readSessionOptions([{ arg: 0, name: 'runforf', value: '250' }]).runForMs, 250);
});

test('-runfor given to load() ends a run that would never end (manual clock)', async (t) => {
  const live = defineFilter({
    name: 'forever',
    description: 'a 25 fps source that never ends',
    args: { src: arg.string(undefined, 'x') },
    caps: [{ name: 'out', out: { StreamType: 'Visual' } }],
    probeUrl: (u) => (u.startsWith('live://') ? 'supported' : 'no'),
    create(ctx) {
      let pid: OutputPid | undefined;
      let n = 0;
      return {
        process() {
          pid ??= ctx.createPid({ StreamType: 'Visual', CodecID: 'x', Timescale: 1000 });
          pid.send({ data: new Uint8Array(1), dts: n * 40, duration: 40, sap: 1 });
          n++;
          ctx.requestProcess(40);
          return 'not-ready';
        },
      };
    },
  });
  let got = 0;
  const sink = defineFilter({
    name: 'count',
    description: 'counts packets',
    args: {},
    caps: [{ name: 'in', in: { StreamType: 'Visual' } }],
    create(ctx) {
      return {
        process() {
          for (const i of ctx.inputs) while (i.take()) got++;
          return ctx.inputs.every((i) => i.eos) ? 'eos' : 'not-ready';
        },
      };
    },
  });
  const s = createSession({ plugins: [live, sink], clock: new ManualClock(), logs: 'all@quiet' });
  s.load('-i live://a count -runfor=2000');
  await s.run();
  t.true(got >= 49 && got <= 52, `${got} packets in 2 s of 40 ms packets`);
});
