/**
 * Command lines and the exact GraphSpec each must produce (spec §1, §11). Used by parse-table.test.ts
 * (deepEqual per row) and single-parse.test.ts (exactly one grammar parse per row).
 */
import type { GraphSpec } from '../../src/syntax/graph-spec.js';
import { optionRows } from './table-options.js';
import { urlRows } from './table-urls.js';

export interface Row {
  title: string;
  /** A string is split at spaces; an array is used as is. */
  argv: string | string[];
  expected: GraphSpec;
}

export const rows: Row[] = [...urlRows, ...optionRows];
