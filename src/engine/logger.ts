/**
 * Logging on pino, with GPAC's `-logs=tool[:tool]@level[:…]` syntax (spec §11): a tool names the
 * filters whose descriptor lists it in `logTools` (`dash` → dasher, `container` → the demuxers, fin,
 * fout…), or a filter by its name; `all@level` sets the base. Nothing here knows any filter.
 * Pretty output on a terminal, JSON lines otherwise. Logs go to stderr.
 */
import { createRequire } from 'node:module';
import type pino from 'pino';
import type { Logger } from './filter-api.js';

const LEVELS = ['quiet', 'error', 'warning', 'info', 'debug'] as const;
type GpacLevel = (typeof LEVELS)[number];
const PINO_LEVEL: Record<GpacLevel, pino.Level | 'silent'> = {
  quiet: 'silent',
  error: 'error',
  warning: 'warn',
  info: 'info',
  debug: 'debug',
};

/** GPAC's log tools (`-logs=TOOL@LEVEL`); a filter lists those it logs under in `logTools`. */
export const LOG_TOOLS = [
  'core',
  'filter',
  'sched',
  'container',
  'dash',
  'http',
  'network',
  'media',
  'mmio',
  'codec',
] as const;

export interface LogConfig {
  base: GpacLevel;
  /** `TOOL@LEVEL` or `FILTER@LEVEL` settings, in order (the last one matching a filter wins). */
  rules: { target: string; level: GpacLevel }[];
  /** Whether a `debug` level was asked anywhere (then errors print their stack). */
  debug: boolean;
}

/** Parse `-logs` values (several may be given). Throws a plain Error naming the bad part. */
export function parseLogs(values: readonly string[]): LogConfig {
  const cfg: LogConfig = { base: 'warning', rules: [], debug: false };
  for (const value of values) {
    for (const part of value.split(':')) {
      if (part === '' || part === 'ncl' || part === 'strict') continue;
      const at = part.lastIndexOf('@');
      if (at < 0) throw new Error(`-logs: "${part}" is not TOOL@LEVEL (levels: ${LEVELS.join(', ')})`);
      const level = part.slice(at + 1).replace(/\+strict$/, '') as GpacLevel;
      if (!LEVELS.includes(level))
        throw new Error(`-logs: unknown level "${level}" in "${part}" (levels: ${LEVELS.join(', ')})`);
      if (level === 'debug') cfg.debug = true;
      for (const tool of part.slice(0, at).split('+')) {
        if (tool === 'all') cfg.base = level;
        else cfg.rules.push({ target: tool, level });
      }
    }
  }
  return cfg;
}

/** The level for a filter class logging under `tools`: the last rule naming it or one of its tools. */
export function levelFor(cfg: LogConfig, filterClass: string, tools: readonly string[] = []): GpacLevel {
  let level = cfg.base;
  for (const r of cfg.rules) if (r.target === filterClass || tools.includes(r.target)) level = r.level;
  return level;
}

export interface LogSink {
  /** The logger of a filter instance; `tools` are its descriptor's `logTools`. */
  forFilter(filterClass: string, instance: string, tools?: readonly string[]): Logger;
  root: Logger;
  flush(): void;
}

const RANK: Record<GpacLevel, number> = { quiet: 0, error: 1, warning: 2, info: 3, debug: 4 };
const requireHere = createRequire(import.meta.url);

/**
 * The log sink of a session. pino (and its worker-thread machinery) is loaded on the first record a level
 * lets through: a packaging run that logs nothing does not pay its ~30 ms of start-up. Levels are checked
 * here, before pino is touched.
 */
export function createLogSink(
  cfg: LogConfig,
  opts: { pretty?: boolean; destination?: NodeJS.WritableStream } = {},
): LogSink {
  let base: pino.Logger | undefined;
  const getBase = (): pino.Logger => {
    if (base) return base;
    const pinoFn = requireHere('pino') as typeof pino;
    const pretty = opts.pretty ?? Boolean(process.stderr.isTTY);
    base = pinoFn(
      {
        level: 'debug',
        base: undefined,
        timestamp: pretty ? pinoFn.stdTimeFunctions.isoTime : pinoFn.stdTimeFunctions.epochTime,
      },
      pretty && !opts.destination
        ? pinoFn.transport({
            target: 'pino-pretty',
            options: { destination: 2, ignore: 'pid,hostname', translateTime: 'HH:MM:ss.l' },
          })
        : (opts.destination ?? pinoFn.destination({ dest: 2, sync: true })),
    );
    return base;
  };
  const wrap = (filter: string, level: GpacLevel): Logger => {
    const max = RANK[level];
    let child: pino.Logger | undefined;
    const log = (at: GpacLevel) => (msg: string, data?: Record<string, unknown>) => {
      if (RANK[at] > max) return;
      child ??= getBase().child({ filter });
      child[PINO_LEVEL[at] as pino.Level](data ?? {}, msg);
    };
    return { debug: log('debug'), info: log('info'), warn: log('warning'), error: log('error') };
  };
  return {
    root: wrap('graphpac', cfg.base),
    forFilter: (cls, instance, tools) => wrap(instance, levelFor(cfg, cls, tools)),
    flush: () => base?.flush(),
  };
}
