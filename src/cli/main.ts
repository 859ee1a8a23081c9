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
import type { SessionOptionSpec } from '../syntax/graph-spec.js';
import { Session } from '../engine/session.js';
import { createLogSink, parseLogs } from '../engine/logger.js';
import { GraphError } from '../engine/errors.js';
import { createRegistry } from '../builtins.js';
import { formatGraph, formatStats } from './graph-print.js';
import { helpText } from './help.js';
import { loadPlugins } from './plugins.js';
import { startProgress } from './progress.js';
import { GraphSession, readGraphFile } from '../api.js';

/** Session options the CLI understands (value: whether it takes a value). */
const SESSION_OPTIONS: Record<string, 'flag' | 'value' | 'optional'> = {
  graph: 'flag',
  stats: 'flag',
  logs: 'value',
  runfor: 'value',
  runforf: 'value',
  runforx: 'value',
  quiet: 'flag',
  noprog: 'flag',
  'max-chain': 'value',
  'buffer-gen': 'value',
  'buffer-units': 'value',
  h: 'optional',
  ha: 'optional',
  hx: 'optional',
  hh: 'optional',
  threads: 'value',
  ltf: 'flag',
  k: 'flag',
  // Extra trusted CAs for https:// (httpout push), as GPAC's downloader.
  'ca-bundle': 'value',
};

function sessionValue(opts: readonly SessionOptionSpec[], name: string): string | null | undefined {
  const o = opts.find((x) => x.name === name);
  return o ? o.value : undefined;
}

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
    for (const o of spec.session) {
      if (!(o.name in SESSION_OPTIONS))
        throw new GraphError(
          'UNKNOWN_OPTION',
          `unrecognized option "-${o.name}" (argument ${o.arg + 1}); see graphpac -h`,
          {
            option: o.name,
          },
        );
    }
    const help = spec.session.find((o) => ['h', 'ha', 'hx', 'hh'].includes(o.name));
    if (help) {
      out.write(helpText(registry, help.value));
      return 0;
    }
    const logValues = spec.session.filter((o) => o.name === 'logs').map((o) => o.value ?? '');
    const logCfg = parseLogs(logValues);
    debug = logCfg.debug;
    const logs = createLogSink(logCfg);
    for (const w of mp4box?.warnings ?? []) logs.root.warn(w);
    const num = (name: string): number | undefined => {
      const v = sessionValue(spec.session, name);
      if (v === undefined) return undefined;
      const n = Number(v);
      if (v === null || !Number.isFinite(n) || n < 0)
        throw new GraphError('BAD_OPTION_VALUE', `-${name}=${v ?? ''}: expected a non-negative number`, {
          option: name,
        });
      return n;
    };
    const runfor = num('runfor') ?? num('runforf') ?? num('runforx');
    const bufferGen = num('buffer-gen');
    const bufferUnits = num('buffer-units');
    const session = new Session({
      registry,
      logs,
      maxChain: num('max-chain'),
      queueLimits: {
        ...(bufferGen !== undefined ? { maxDurationUs: Math.max(1, bufferGen) } : {}),
        ...(bufferUnits !== undefined ? { maxPackets: Math.max(1, bufferUnits) } : {}),
      },
      options: {
        ...Object.fromEntries(spec.session.map((o) => [o.name, o.value])),
        ...(runfor !== undefined ? { runfor: String(runfor) } : {}),
      },
    });
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
    const quiet = ['quiet', 'noprog'].some((o) => sessionValue(spec.session, o) !== undefined);
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
      if (sessionValue(spec.session, 'graph') !== undefined) err.write(formatGraph(session) + '\n');
      if (sessionValue(spec.session, 'stats') !== undefined) err.write(formatStats(session) + '\n');
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
