// A minimal line diff (longest common subsequence) for comparing our output with GPAC's reference files.

/** A run of changed lines: `removed` from the reference, `added` in ours, at 1-based reference line `at`. */
export interface Hunk {
  at: number;
  removed: string[];
  added: string[];
}

/** Line hunks turning `before` into `after`. */
export function diffLines(before: string, after: string): Hunk[] {
  const a = before.split('\n');
  const b = after.split('\n');
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i -= 1) {
    for (let j = b.length - 1; j >= 0; j -= 1) {
      const row = lcs[i] ?? [];
      row[j] =
        a[i] === b[j] ? (lcs[i + 1]?.[j + 1] ?? 0) + 1 : Math.max(lcs[i + 1]?.[j] ?? 0, row[j + 1] ?? 0);
    }
  }
  const hunks: Hunk[] = [];
  let current: Hunk | undefined;
  let i = 0;
  let j = 0;
  const flush = (): void => {
    if (current) hunks.push(current);
    current = undefined;
  };
  const open = (): Hunk => (current ??= { at: i + 1, removed: [], added: [] });
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      flush();
      i += 1;
      j += 1;
    } else if (j < b.length && (i >= a.length || (lcs[i]?.[j + 1] ?? 0) >= (lcs[i + 1]?.[j] ?? 0))) {
      open().added.push(b[j] ?? '');
      j += 1;
    } else {
      open().removed.push(a[i] ?? '');
      i += 1;
    }
  }
  flush();
  return hunks;
}
