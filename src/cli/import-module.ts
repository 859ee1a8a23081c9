/**
 * `import()` for the command line's dynamic imports (plugins). The installed command compiles its bundle with
 * V8's code cache (bin/bundle.cjs), and on Node 20 a function restored from that cache has no `import()` of
 * its own ("A dynamic import callback was not specified"): the loader, an ordinary module, lends its own
 * under a registered symbol. Run any other way (tsx, the compiled modules, the API), the language's.
 */
const LOADER_IMPORT = Symbol.for('graphpac.import');

type Importer = (specifier: string) => Promise<unknown>;

export function importModule(specifier: string): Promise<unknown> {
  const lent = (globalThis as { [LOADER_IMPORT]?: Importer })[LOADER_IMPORT];
  return lent ? lent(specifier) : import(specifier);
}
