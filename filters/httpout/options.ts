/**
 * httpout options (spec gpac-semantics §7.1, the subset that applies to a file-serving origin) and
 * the server configuration derived from them.
 */
import { arg, GraphError } from '../../src/index.js';
import type { ArgsOf } from '../../src/index.js';

/** Path of the UTCTiming resource (urn:mpeg:dash:utc:http-iso:2014). */
export const TIME_PATH = '/time';
/** The watch page (src/watch/page.ts) and the players it loads. */
export const WATCH_PATH = '/watch';

export const httpoutArgs = {
  dst: arg.string(undefined, 'URL of the server: http://HOST:PORT/path (host = bind interface)'),
  port: arg.uint(0, 'port when the URL has none (0: 80, or 443 with cert)'),
  rdirs: arg.list(
    [],
    'folders served; the first one also receives the produced files (created if missing; push mode: the local copy)',
  ),
  wdir: arg.string(undefined, 'folder accepting PUT / POST / DELETE (otherwise 405)'),
  cors: arg.enum(['auto', 'off', 'on'], 'auto', 'CORS headers: auto (when the request has Origin), off, on'),
  cache_control: arg.string(undefined, 'Cache-Control value for every response (`none`: no Cache-Control)'),
  reqlog: arg.string(undefined, 'log requests of the listed methods (`*`: all), one line each', {
    level: 'advanced',
  }),
  maxc: arg.uint(100, 'maximum number of connections'),
  maxp: arg.uint(6, 'maximum number of connections per client address (0: no limit)', { level: 'advanced' }),
  timeout: arg.uint(30, 'keep-alive timeout and stalled-client timeout (seconds)'),
  cte: arg.bool(
    true,
    'chunked transfer encoding for files being produced (off: wait for the whole file; push: send each file whole with Content-Length)',
  ),
  norange: arg.bool(false, 'ignore Range headers (answer 200)'),
  hdrs: arg.list([], 'extra headers, as name,value pairs'),
  sutc: arg.bool(false, 'add a Server-UTC header (ms since the epoch)'),
  max_cache_segs: arg.int(5, 'segments kept per representation (no-op: the dasher purges by tsb)', {
    level: 'expert',
  }),
  zmax: arg.uint(50000, 'largest text body compressed with gzip when accepted (0: never)', {
    level: 'advanced',
  }),
  hmode: arg.enum(
    ['default', 'push', 'source'],
    'default',
    'mode: default (server), push (upload every file to dst with PUT / POST while it is produced); source is not implemented',
  ),
  post: arg.bool(false, 'push mode: POST instead of PUT'),
  cert: arg.string(undefined, 'PEM certificate file: HTTPS with HTTP/2 (HTTP/1.1 fallback); needs pkey', {
    level: 'advanced',
  }),
  pkey: arg.string(undefined, 'PEM private key file of cert', { level: 'advanced' }),
  linger: arg.double(0, 'seconds to keep serving after the inputs ended', { min: 0 }),
  base: arg.string(undefined, "URL packets' FileName paths are relative to (set by the dasher)", {
    hidden: true,
  }),
} as const;

export type HttpoutArgs = ArgsOf<typeof httpoutArgs>;

/** Per-server configuration: the options of the first instance on a host:port. */
export interface ServerOptions {
  host: string;
  port: number;
  /** Absolute folders; the first one receives the produced files. */
  rdirs: string[];
  /** True when rdirs[0] is a temporary folder made for this run (removed at exit). */
  tempRoot: boolean;
  wdir?: string;
  cors: 'auto' | 'off' | 'on';
  cacheControl?: string;
  /** Methods logged (upper case), `*` for all. */
  reqlog: Set<string>;
  maxc: number;
  maxp: number;
  timeoutS: number;
  cte: boolean;
  norange: boolean;
  hdrs: readonly string[];
  sutc: boolean;
  zmax: number;
  /** HTTPS (HTTP/2 with HTTP/1.1 fallback): PEM certificate and key. */
  tls?: { cert: Buffer; key: Buffer };
}

/** `http://HOST:PORT/path` → host, port, path (decoded), or a clear error. */
export function parseServerUrl(
  dst: string,
  portOpt: number,
): { host: string; port: number; path: string; https: boolean } {
  let u: URL;
  try {
    u = new URL(dst);
  } catch {
    throw new GraphError('BAD_OPTION_VALUE', `httpout: "${dst}" is not a URL`, { dst });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new GraphError('BAD_OPTION_VALUE', `httpout: "${dst}" is not an http:// or https:// URL`, { dst });
  const https = u.protocol === 'https:';
  const port = u.port ? Number(u.port) : portOpt || (https ? 443 : 80);
  let path: string;
  try {
    path = decodeURIComponent(u.pathname);
  } catch {
    throw new GraphError('BAD_OPTION_VALUE', `httpout: bad path in "${dst}"`, { dst });
  }
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1') || '0.0.0.0';
  return { host, port, path, https };
}
