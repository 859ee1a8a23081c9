/**
 * Logging on pino, with GPAC's `-logs=tool[:tool]@level[:…]` syntax (spec §11): a tool names the
 * filters whose descriptor lists it in `logTools` (`dash` → dasher, `container` → the demuxers, fin,
 * fout…), or a filter by its name; `all@level` sets the base. Nothing here knows any filter.
 * Pretty output on a terminal, JSON lines otherwise. Logs go to stderr.
 */
import pino from 'pino';
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

export function createLogSink(
  cfg: LogConfig,
  opts: { pretty?: boolean; destination?: NodeJS.WritableStream } = {},
): LogSink {
  const pretty = opts.pretty ?? Boolean(process.stderr.isTTY);
  const base = pino(
    {
      level: 'debug',
      base: undefined,
      timestamp: pretty ? pino.stdTimeFunctions.isoTime : pino.stdTimeFunctions.epochTime,
    },
    pretty && !opts.destination
      ? pino.transport({
          target: 'pino-pretty',
          options: { destination: 2, ignore: 'pid,hostname', translateTime: 'HH:MM:ss.l' },
        })
      : (opts.destination ?? pino.destination({ dest: 2, sync: true })),
  );
  const wrap = (l: pino.Logger, level: GpacLevel): Logger => {
    l.level = PINO_LEVEL[level];
    return {
      debug: (msg, data) => l.debug(data ?? {}, msg),
      info: (msg, data) => l.info(data ?? {}, msg),
      warn: (msg, data) => l.warn(data ?? {}, msg),
      error: (msg, data) => l.error(data ?? {}, msg),
    };
  };
  return {
    root: wrap(base.child({ filter: 'graphpac' }), cfg.base),
    forFilter: (cls, instance, tools) => wrap(base.child({ filter: instance }), levelFor(cfg, cls, tools)),
    flush: () => base.flush(),
  };
}
