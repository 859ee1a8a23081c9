#!/usr/bin/env node
// Fails (exit 1) when the static import graph of src/ and filters/ has a cycle, printing each one.
// Only imports evaluated at load time count: `import type`/`export type` (erased by TypeScript) and
// dynamic `import()` (evaluated later, once every module is initialised) are not edges. A cycle of
// value imports makes the evaluation order depend on which module is imported first: a filter
// imported before the public API read its exports before they were initialised (issue #10).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const roots = process.argv.slice(2).length ? process.argv.slice(2) : ['src', 'filters'];

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Value imports of one file, resolved to .ts paths (relative specifiers only). */
function valueImports(file) {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, false);
  const out = [];
  for (const st of sf.statements) {
    let spec;
    if (ts.isImportDeclaration(st)) {
      const c = st.importClause;
      const typeOnly =
        c &&
        (c.isTypeOnly ||
          (!c.name &&
            c.namedBindings &&
            ts.isNamedImports(c.namedBindings) &&
            c.namedBindings.elements.length > 0 &&
            c.namedBindings.elements.every((e) => e.isTypeOnly)));
      if (!typeOnly) spec = st.moduleSpecifier;
    } else if (ts.isExportDeclaration(st) && st.moduleSpecifier) {
      const typeOnly =
        st.isTypeOnly ||
        (st.exportClause &&
          ts.isNamedExports(st.exportClause) &&
          st.exportClause.elements.length > 0 &&
          st.exportClause.elements.every((e) => e.isTypeOnly));
      if (!typeOnly) spec = st.moduleSpecifier;
    }
    if (!spec || !ts.isStringLiteral(spec) || !spec.text.startsWith('.')) continue;
    out.push(resolve(dirname(file), spec.text.replace(/\.js$/, '.ts')));
  }
  return out;
}

const files = roots.flatMap((r) => walk(join(root, r)));
const known = new Set(files);
const graph = new Map(files.map((f) => [f, valueImports(f).filter((d) => known.has(d))]));

// Tarjan's strongly connected components: every component of more than one file (or a file importing
// itself) is a cycle.
let index = 0;
const idx = new Map();
const low = new Map();
const stack = [];
const onStack = new Set();
const cycles = [];
function strong(v) {
  idx.set(v, index);
  low.set(v, index++);
  stack.push(v);
  onStack.add(v);
  for (const w of graph.get(v) ?? []) {
    if (!idx.has(w)) {
      strong(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
  }
  if (low.get(v) === idx.get(v)) {
    const comp = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      comp.push(w);
    } while (w !== v);
    if (comp.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(comp);
  }
}
for (const f of files) if (!idx.has(f)) strong(f);

/** One concrete loop through a component, for the message. */
function loopIn(comp) {
  const set = new Set(comp);
  const start = comp[comp.length - 1];
  const prev = new Map([[start, null]]);
  const queue = [start];
  while (queue.length) {
    const v = queue.shift();
    for (const w of graph.get(v) ?? []) {
      if (!set.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let x = v; x !== start; x = prev.get(x)) path.splice(1, 0, x);
        return [...path, start];
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return comp;
}

if (cycles.length) {
  console.error(`import cycles in ${roots.join(', ')} (value imports; see scripts/check-cycles.mjs):`);
  for (const c of cycles) {
    console.error(
      `  ${loopIn(c)
        .map((f) => relative(root, f))
        .join(' → ')}`,
    );
    if (c.length > 2) console.error(`    (${c.length} files in this knot)`);
  }
  process.exit(1);
}
console.log(`no import cycle in ${roots.join(', ')} (${files.length} files)`);
