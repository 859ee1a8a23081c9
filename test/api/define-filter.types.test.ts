/**
 * Type tests for defineFilter: `npm test` type-checks this file (tsc --noEmit); each @ts-expect-error
 * line must be an error, so a change that loosens the typed args schema breaks the build.
 */
import test from 'ava';
import { arg, defineFilter } from '../../src/index.js';
import type { FilterImpl } from '../../src/index.js';

const f = defineFilter({
  name: 'typed',
  description: 'type test',
  args: {
    mode: arg.enum(['fast', 'slow'], 'fast', 'an enum'),
    count: arg.uint(3, 'a number'),
    name: arg.string(undefined, 'an optional string'),
    on: arg.bool(false, 'a boolean'),
    ratio: arg.fraction({ num: 1, den: 2 }, 'a fraction'),
    tags: arg.list([], 'a list'),
  },
  caps: [{ name: 'audio', in: { StreamType: 'Audio' }, out: {} }],
  create(ctx) {
    const mode: 'fast' | 'slow' = ctx.args.mode;
    const count: number = ctx.args.count;
    const name: string | undefined = ctx.args.name;
    const on: boolean = ctx.args.on;
    const half: number = ctx.args.ratio.num / ctx.args.ratio.den;
    const tags: readonly string[] = ctx.args.tags;
    // @ts-expect-error an enum value is one of its literals, not any string
    const wrong: 'medium' = ctx.args.mode;
    // @ts-expect-error args are read-only
    ctx.args.count = 4;
    // @ts-expect-error unknown options do not exist on the typed args
    void ctx.args.nope;
    void [mode, count, name, on, half, tags, wrong];
    const bad: FilterImpl = {
      // @ts-expect-error process() answers 'ok' | 'not-ready' | 'eos'
      process: () => 'done',
    };
    void bad;
    return { process: () => 'eos' };
  },
});

// @ts-expect-error the enum default must be one of its values
arg.enum(['a', 'b'], 'c', 'bad default');

test('defineFilter keeps the descriptor and stamps the API version', (t) => {
  t.is(f.name, 'typed');
  t.is(f.apiVersion, 1);
  t.is(f.args.mode.default, 'fast');
});
