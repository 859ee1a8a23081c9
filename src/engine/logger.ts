/**
 * Logging on pino, with GPAC's `-logs=tool[:tool]@level[:…]` syntax (spec §11): tools map to pino
 * child loggers by filter class (`dash` → dasher, `container` → mp4dmx …); `all@level` sets the base.
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

/** GPAC log tools and the filters they concern. */
const TOOL_FILTERS: Record<string, readonly string[]> = {
  dash: ['dasher'],
  container: ['mp4dmx', 'mp4mx', 'fin', 'fout', 'inspect'],
  http: ['httpout'],
  network: ['httpout'],
  media: ['reframer'],
  filter: [],
  sched: [],
  core: [],
  mmio: ['fin', 'fout'],
};

export interface LogConfig {
  base: GpacLevel;
  /** Per filter-class level overrides. */
  perFilter: Record<string, GpacLevel>;
  /** Whether a `debug` level was asked anywhere (then errors print their stack). */
  debug: boolean;
}

/** Parse `-logs` values (several may be given). Throws a plain Error naming the bad part. */
export function parseLogs(values: readonly string[]): LogConfig {
  const cfg: LogConfig = { base: 'warning', perFilter: {}, debug: false };
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
        else for (const f of TOOL_FILTERS[tool] ?? [tool]) cfg.perFilter[f] = level;
      }
    }
  }
  return cfg;
}

export interface LogSink {
  forFilter(filterClass: string, instance: string): Logger;
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
    forFilter: (cls, instance) => wrap(base.child({ filter: instance }), cfg.perFilter[cls] ?? cfg.base),
    flush: () => base.flush(),
  };
}
