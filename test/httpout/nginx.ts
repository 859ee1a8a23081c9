/**
 * nginx (Debian package `nginx`) as a push origin for the tests: its WebDAV module (`dav_methods PUT
 * DELETE; create_full_put_path on;`) on a loopback port, with its own configuration and prefix in a
 * temporary folder. `daemon off`: the master is our child, stopped by its pid (never by name), and
 * may be stopped and started again on the same port (an origin outage).
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { get } from './helpers.js';

export const NGINX = ['/usr/sbin/nginx', 'nginx'].find((n) => spawnSync(n, ['-v']).status === 0);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Nginx {
  /** The folder served (and written by PUT). */
  www: string;
  /** Where nginx logs every request: `SECONDS.MS "PUT /path HTTP/1.1" 201 REQUEST_LENGTH`. */
  accessLog: string;
  /** The running master's pid (undefined while stopped). */
  pid(): number | undefined;
  /** Stop the master (SIGTERM: fast shutdown, connections cut) and wait for it to exit. */
  stop(): Promise<void>;
  /** Start it again with the same configuration (same port); resolves once it answers. */
  start(): Promise<void>;
}

export async function startNginx(prefix: string, port: number): Promise<Nginx> {
  if (!NGINX) throw new Error('nginx is not installed: apt-get install -y nginx');
  const www = join(prefix, 'www');
  await mkdir(www, { recursive: true });
  const conf = join(prefix, 'nginx.conf');
  const accessLog = join(prefix, 'access.log');
  const temps = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((k) => `  ${k}_temp_path ${join(prefix, k)};`)
    .join('\n');
  await writeFile(
    conf,
    `worker_processes 1;
daemon off;
pid ${join(prefix, 'nginx.pid')};
error_log ${join(prefix, 'error.log')};
${process.getuid?.() === 0 ? 'user root root;' : ''}
events { worker_connections 128; }
http {
  log_format timed '$msec "$request" $status $request_length';
  access_log ${accessLog} timed;
${temps}
  server {
    listen 127.0.0.1:${port};
    root ${www};
    client_max_body_size 50m;
    location / {
      dav_methods PUT DELETE;
      create_full_put_path on;
      dav_access user:rw group:r all:r;
    }
  }
}
`,
  );
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const start = async () => {
    const c = spawn(NGINX, ['-p', prefix, '-c', conf], { stdio: 'ignore' });
    child = c;
    exited = new Promise<void>((r) => c.once('exit', () => r()));
    for (let i = 0; ; i++) {
      const r = await get(port, '/', { timeoutMs: 1000 }).catch(() => undefined);
      if (r) break;
      if (i > 50 || c.exitCode !== null) throw new Error('nginx did not start');
      await sleep(100);
    }
  };
  await start();
  return {
    www,
    accessLog,
    pid: () => (child && child.exitCode === null && child.signalCode === null ? child.pid : undefined),
    stop: async () => {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM'); // by its pid
      await exited;
      child = undefined;
    },
    start,
  };
}

export interface LoggedRequest {
  /** ms since the epoch. */
  t: number;
  method: string;
  path: string;
  status: number;
}

/** The access log of `startNginx`, one entry per request. */
export function parseAccessLog(text: string): LoggedRequest[] {
  const out: LoggedRequest[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+\.\d+) "(\S+) (\S+) [^"]*" (\d+)/.exec(line);
    if (m) out.push({ t: Number(m[1]) * 1000, method: m[2]!, path: m[3]!, status: Number(m[4]) });
  }
  return out;
}
