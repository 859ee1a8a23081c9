/**
 * The graphpac command line: `graphpac [gpac] <gpac arguments>`. commander reads only the engine's own
 * leading long options; everything else goes, in order, to the gpac grammar.
 * Exit code 0 on success, 1 on any error, with one line naming the problem (stack only with debug logs).
 * Start-up: what a run does not use is not loaded (`--version` loads neither the engine nor a filter;
 * the MP4Box front-end, help, JSON graph files, -graph/-stats and the progress display are imported
 * when asked for; filters when a graph uses them: src/builtins.ts).
 */
import { fstatSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GraphError } from '../engine/errors.js';
import type { Registry } from '../engine/registry.js';

/** The version in graphpac's package.json (found upwards from here: src/cli or dist/src/cli). */
function packageVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)), i = 0; i < 5; dir = dirname(dir), i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'graphpac' && pkg.version) return pkg.version;
    } catch {
      // not there: one level up
    }
  }
  return 'unknown';
}

interface EngineOptions {
  plugin?: string[];
  version?: boolean;
  graphFile?: string;
}

/** The engine's own leading long options (commander); the rest of the line, in order, for the grammar. */
async function readEngineOptions(argv: string[]): Promise<{ engineOpts: EngineOptions; args: string[] }> {
  const { Command } = await import('commander');
  const program = new Command('graphpac')
    .option('--plugin <module...>', 'load filter plugins (ESM modules exporting a filter)')
    .option('--version', 'print the version')
    .option('--graph-file <path>', 'run the graph of a JSON graph file (see docs/ARCHITECTURE.md)')
    .argument('[graph...]')
    .allowUnknownOption()
    .passThroughOptions()
    .helpOption(false)
    .exitOverride();
  program.parse(argv, { from: 'user' });
  return { engineOpts: program.opts<EngineOptions>(), args: program.args };
}

/**
 * fd 2 is a terminal. node:tty loads net and streams: it is asked only of a character device. Through
 * require: a dynamic import() run while the build makes the code cache makes V8 reject that cache.
 */
function stderrIsTerminal(): boolean {
  try {
    if (!fstatSync(2).isCharacterDevice()) return false;
  } catch {
    return false;
  }
  return (createRequire(import.meta.url)('node:tty') as typeof import('node:tty')).isatty(2);
}

export async function main(
  argv: string[],
  io: { stdout?: NodeJS.WritableStream; stderr?: NodeJS.WritableStream } = {},
): Promise<number> {
  // process.stdout and process.stderr are made on first use (a pipe's loads net and streams: ~6 ms);
  // a run that prints nothing never makes them.
  const out = { write: (s: string) => (io.stdout ?? process.stdout).write(s) };
  const err = { write: (s: string) => (io.stderr ?? process.stderr).write(s) };
  let debug = false;
  try {
    // commander only for a line that starts with one of the engine's long options (it costs ~20 ms).
    const { engineOpts, args: rest } = argv[0]?.startsWith('--')
      ? await readEngineOptions(argv)
      : { engineOpts: {} as EngineOptions, args: argv };
    let args = rest;
    if (engineOpts.version) {
      out.write(`graphpac ${packageVersion()}\n`);
      return 0;
    }
    if (args[0]?.toLowerCase() === 'gpac') args = args.slice(1);
    const mp4box =
      args[0]?.toLowerCase() === 'mp4box'
        ? (await import('../syntax/mp4box.js')).translateMp4BoxWithWarnings(args.slice(1))
        : null;
    // The filters (built-ins and --plugin modules): not needed for the usage text alone.
    const plugins = engineOpts.plugin ?? [];
    let registry: Registry | undefined;
    const getRegistry = async (): Promise<Registry> => {
      if (!registry) {
        const [{ createRegistry }, { loadPlugins }] = await Promise.all([
          import('../builtins.js'),
          import('./plugins.js'),
        ]);
        const r = await createRegistry();
        await loadPlugins(r, plugins);
        registry = r;
      }
      return registry;
    };
    // A bad plugin is an error whatever else the line says.
    if (plugins.length) await getRegistry();
    const help = async (topic: string | null) => {
      const { helpText, USAGE } = await import('./help.js');
      return topic === null ? USAGE : helpText(await getRegistry(), topic);
    };
    if (!args.length && !mp4box && !engineOpts.graphFile) {
      out.write(await help(null));
      return 0;
    }
    const [{ parseGraph }, { readSessionOptions }] = await Promise.all([
      import('../syntax/parse.js'),
      import('../engine/session-options.js'),
    ]);
    let spec = mp4box ? mp4box.spec : parseGraph(args);
    if (engineOpts.graphFile) {
      // The file's graph, then whatever the command line adds (session options such as -graph).
      const { GraphSession, readGraphFile } = await import('../api.js');
      const g = new GraphSession().loadGraphFile(await readGraphFile(engineOpts.graphFile));
      spec = {
        entries: [...g.spec.entries, ...spec.entries],
        globals: spec.globals,
        session: [...g.spec.session, ...spec.session],
      };
    }
    // One table for every session option (engine/session-options.ts): refused here as by the API.
    const options = readSessionOptions(spec.session);
    if (options.help !== undefined) {
      out.write(await help(options.help));
      return 0;
    }
    const [{ Session }, { createLogSink, parseLogs }] = await Promise.all([
      import('../engine/session.js'),
      import('../engine/logger.js'),
    ]);
    const logCfg = parseLogs(options.logs);
    debug = logCfg.debug;
    const logs = createLogSink(logCfg);
    for (const w of mp4box?.warnings ?? []) logs.root.warn(w);
    const session = new Session({ registry: await getRegistry(), logs, options: spec.session });
    session.load(spec);
    let interrupts = 0;
    const onInt = () => {
      interrupts++;
      if (interrupts > 1) process.exit(1);
      session.stop('flush');
    };
    const onTerm = () => session.stop('abort');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    const quiet = options.quiet;
    const stopProgress =
      !quiet && !io.stderr && stderrIsTerminal()
        ? (await import('./progress.js')).startProgress(session, process.stderr)
        : undefined;
    const print = options.graph || options.stats ? await import('./graph-print.js') : undefined;
    try {
      await session.run();
    } finally {
      stopProgress?.();
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      if (print && options.graph) err.write(print.formatGraph(session) + '\n');
      if (print && options.stats) err.write(print.formatStats(session) + '\n');
      logs.flush();
    }
    return 0;
  } catch (e) {
    const msg = e instanceof GraphError || e instanceof Error ? e.message : String(e);
    err.write(`graphpac: ${msg}\n`);
    if (debug && e instanceof Error && e.stack) err.write(e.stack + '\n');
    return 1;
  }
}
