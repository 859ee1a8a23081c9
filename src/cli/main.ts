/**
 * The graphpac command line: `graphpac [gpac] <gpac arguments>`. commander reads only the engine's own
 * leading long options; everything else goes, in order, to the gpac grammar.
 * Exit code 0 on success, 1 on any error, with one line naming the problem (stack only with debug logs).
 */
import { Command } from 'commander';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { parseGraph } from '../syntax/parse.js';
import { translateMp4BoxWithWarnings } from '../syntax/mp4box.js';
import { Session } from '../engine/session.js';
import { createLogSink, parseLogs } from '../engine/logger.js';
import { GraphError } from '../engine/errors.js';
import { readSessionOptions } from '../engine/session-options.js';
import { createRegistry } from '../builtins.js';
import { formatGraph, formatStats } from './graph-print.js';
import { helpText } from './help.js';
import { loadPlugins } from './plugins.js';
import { startProgress } from './progress.js';
import { GraphSession, readGraphFile } from '../api.js';

export async function main(
  argv: string[],
  io: { stdout?: NodeJS.WritableStream; stderr?: NodeJS.WritableStream } = {},
): Promise<number> {
  const out = io.stdout ?? process.stdout;
  const err = io.stderr ?? process.stderr;
  let debug = false;
  try {
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
    const engineOpts = program.opts<{ plugin?: string[]; version?: boolean; graphFile?: string }>();
    let args = program.args;
    if (engineOpts.version) {
      out.write('graphpac 0.1.0\n');
      return 0;
    }
    if (args[0]?.toLowerCase() === 'gpac') args = args.slice(1);
    const mp4box = args[0]?.toLowerCase() === 'mp4box' ? translateMp4BoxWithWarnings(args.slice(1)) : null;
    const registry = await createRegistry();
    await loadPlugins(registry, engineOpts.plugin ?? []);
    if (!args.length && !mp4box && !engineOpts.graphFile) {
      out.write(helpText(registry, null));
      return 0;
    }
    let spec = mp4box ? mp4box.spec : parseGraph(args);
    if (engineOpts.graphFile) {
      // The file's graph, then whatever the command line adds (session options such as -graph).
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
      out.write(helpText(registry, options.help));
      return 0;
    }
    const logCfg = parseLogs(options.logs);
    debug = logCfg.debug;
    const logs = createLogSink(logCfg);
    for (const w of mp4box?.warnings ?? []) logs.root.warn(w);
    const session = new Session({ registry, logs, options: spec.session });
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
      !quiet && err === process.stderr && process.stderr.isTTY
        ? startProgress(session, process.stderr)
        : undefined;
    try {
      await session.run();
    } finally {
      stopProgress?.();
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      if (options.graph) err.write(formatGraph(session) + '\n');
      if (options.stats) err.write(formatStats(session) + '\n');
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

const invokedDirectly = process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (invokedDirectly) {
  process.exitCode = await main(process.argv.slice(2));
}
