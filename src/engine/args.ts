/**
 * Typed args schema (ARCHITECTURE §2): one declaration per option drives parsing, validation,
 * `-h FILTER` output and the generated docs. Values arrive as strings from the command line
 * (or typed values from the library API) and are converted here.
 */
import type { Fraction } from './props.js';
import { parseBoolean, parseFraction, parseNumber, splitList } from '../syntax/values.js';
import { GraphError } from './errors.js';

export type ArgLevel = 'basic' | 'advanced' | 'expert';

interface ArgBase<T> {
  /** One-line description (first sentence is used in tables). */
  doc: string;
  default: T;
  level?: ArgLevel;
  /** Accepted by the filter but not shown in help (GPAC's hidden options such as dasher's `cdur`). */
  hidden?: boolean;
  /** Value may change while the filter runs. */
  updatable?: boolean;
}

export interface BoolArg extends ArgBase<boolean> {
  type: 'bool';
}
export interface NumberArg extends ArgBase<number> {
  type: 'int' | 'uint' | 'double';
  min?: number;
  max?: number;
}
export interface FractionArg extends ArgBase<Fraction> {
  type: 'fraction';
}
export interface StringArg extends ArgBase<string | undefined> {
  type: 'string';
}
export interface EnumArg<V extends string = string> extends ArgBase<V> {
  type: 'enum';
  values: readonly V[];
}
export interface ListArg extends ArgBase<readonly string[]> {
  type: 'list';
}

export type ArgDef = BoolArg | NumberArg | FractionArg | StringArg | EnumArg | ListArg;
export type ArgsSchema = Record<string, ArgDef>;

/** The typed values a filter receives for its schema. */
export type ArgsOf<S extends ArgsSchema> = { readonly [K in keyof S]: S[K]['default'] };

type Extra = Partial<Pick<ArgBase<unknown>, 'level' | 'hidden' | 'updatable'>>;

/** Constructors for schema entries: `args: { segdur: arg.fraction({num: 0, den: 1}, 'target segment duration') }`. */
export const arg = {
  bool: (def: boolean, doc: string, extra: Extra = {}): BoolArg => ({
    type: 'bool',
    default: def,
    doc,
    ...extra,
  }),
  int: (def: number, doc: string, extra: Extra & { min?: number; max?: number } = {}): NumberArg => ({
    type: 'int',
    default: def,
    doc,
    ...extra,
  }),
  uint: (def: number, doc: string, extra: Extra & { max?: number } = {}): NumberArg => ({
    type: 'uint',
    default: def,
    doc,
    min: 0,
    ...extra,
  }),
  double: (def: number, doc: string, extra: Extra & { min?: number; max?: number } = {}): NumberArg => ({
    type: 'double',
    default: def,
    doc,
    ...extra,
  }),
  fraction: (def: Fraction, doc: string, extra: Extra = {}): FractionArg => ({
    type: 'fraction',
    default: def,
    doc,
    ...extra,
  }),
  string: (def: string | undefined, doc: string, extra: Extra = {}): StringArg => ({
    type: 'string',
    default: def,
    doc,
    ...extra,
  }),
  enum: <const V extends string>(
    values: readonly V[],
    def: NoInfer<V>,
    doc: string,
    extra: Extra = {},
  ): EnumArg<V> => ({
    type: 'enum',
    values,
    default: def,
    doc,
    ...extra,
  }),
  list: (def: readonly string[], doc: string, extra: Extra = {}): ListArg => ({
    type: 'list',
    default: def,
    doc,
    ...extra,
  }),
};

export type ArgValue = boolean | number | Fraction | string | readonly string[] | undefined;

/**
 * Convert one raw command-line value for `def`. `raw === null` is the bare form (`:opt`), meaning true for
 * booleans; `negated` is `:!opt`. Throws a GraphError naming the filter, option and value.
 */
export function convertArg(
  filter: string,
  name: string,
  def: ArgDef,
  raw: string | null,
  negated = false,
): ArgValue {
  const bad = (expected: string) =>
    new GraphError('BAD_OPTION_VALUE', `${filter}: option ${name}=${raw ?? ''}: expected ${expected}`, {
      filter,
      option: name,
      value: raw,
    });
  switch (def.type) {
    case 'bool': {
      const v = raw === null || raw === '' ? true : safe(() => parseBoolean(raw));
      if (v === undefined) throw bad('a boolean (yes, no, true, false, 1, 0)');
      return negated ? !v : v;
    }
    case 'int':
    case 'uint':
    case 'double': {
      if (raw === null) throw bad('a number');
      const n = safe(() => parseNumber(raw));
      if (n === undefined || Number.isNaN(n)) throw bad('a number');
      if (def.type !== 'double' && Number.isFinite(n) && !Number.isInteger(n)) throw bad('an integer');
      if (def.min !== undefined && n < def.min) throw bad(`a number >= ${def.min}`);
      if (def.max !== undefined && n > def.max) throw bad(`a number <= ${def.max}`);
      return n;
    }
    case 'fraction': {
      if (raw === null) throw bad('a number or fraction (e.g. 2, 0.5, 1001/30000)');
      const f = safe(() => parseFraction(raw));
      if (f === undefined) throw bad('a number or fraction (e.g. 2, 0.5, 1001/30000)');
      return f;
    }
    case 'string':
      return raw ?? '';
    case 'enum': {
      const v = raw ?? '';
      if (!def.values.includes(v)) throw bad(`one of ${def.values.join(', ')}`);
      return v;
    }
    case 'list':
      return raw === null || raw === '' ? [] : splitList(raw);
  }
}

function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

/** Human form of a default value for help and docs. */
export function formatDefault(def: ArgDef): string {
  const v = def.default;
  if (v === undefined) return '';
  if (typeof v === 'object' && v !== null && 'num' in v)
    return v.den === 1 ? String(v.num) : `${v.num}/${v.den}`;
  if (Array.isArray(v)) return v.join(',');
  return String(v);
}

export function typeName(def: ArgDef): string {
  switch (def.type) {
    case 'bool':
      return 'bool';
    case 'int':
      return 'int';
    case 'uint':
      return 'uint';
    case 'double':
      return 'dbl';
    case 'fraction':
      return 'frac';
    case 'string':
      return 'str';
    case 'enum':
      return 'enum';
    case 'list':
      return 'strl';
  }
}
