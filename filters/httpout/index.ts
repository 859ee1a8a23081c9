/**
 * httpout (spec gpac-semantics §7): an HTTP origin for the files it is given. Server mode with rdirs:
 * produced files are written exactly as fout writes them (shared pipeline, fout/file-writer.ts) into
 * the first rdir at the URL's path, and served from `/` while they are produced: chunked delivery of
 * segments in production, part by part; LL-HLS delivery directives on variant playlists; preload-hinted
 * resources held until they exist; the UTCTiming URL `/time`. Every instance on one host:port shares
 * one server (registry.ts). See docs/HTTPOUT.md.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { posix } from 'node:path';
import { join, resolve } from 'node:path';
import { defineFilter, GraphError, makeEvent } from '../../src/index.js';
import type { FilterContext, FilterImpl } from '../../src/index.js';
import { createFileSink } from '../fout/file-writer.js';
import { parseServerUrl, TIME_PATH, WATCH_PATH } from './options.js';
import descriptor from './descriptor.js';
import type { HttpoutArgs } from './options.js';

type Ctx = FilterContext<HttpoutArgs>;
import { Pusher } from './push.js';
import { acquire, acquirePusher, release, releasePusher, serverOptions } from './registry.js';

/** A serving-only origin (no input) looks again this often (a stop wakes it at once). */
const SERVE_ONLY_WAKE_MS = 60_000;
/** Port 0 before the server listens: look again this often (a failure to listen ends the run). */
const LISTEN_POLL_MS = 50;

export default defineFilter({
  ...descriptor,
  create(ctx) {
    const args = ctx.args;
    const dst = args.dst ?? '';
    const { host, port, path, https } = parseServerUrl(dst, args.port);
    if (args.hmode === 'source')
      throw new GraphError('BAD_OPTION_VALUE', 'httpout: hmode=source is not implemented', {
        option: 'hmode',
      });
    if (args.hmode === 'push') return createPush(ctx, dst, host, port, path, https);
    if ((args.cert === undefined) !== (args.pkey === undefined))
      throw new GraphError('BAD_OPTION_VALUE', 'httpout: HTTPS needs both cert and pkey (PEM files)', {
        dst,
      });
    if (https && args.cert === undefined)
      throw new GraphError(
        'BAD_OPTION_VALUE',
        `httpout: ${dst} is https://: give cert and pkey (PEM files)`,
        {
          dst,
        },
      );
    const { server, ready, created } = acquire(
      ctx.session,
      host,
      port,
      () => serverOptions(args, host, port),
      ctx.log,
    );
    const root = server.o.rdirs[0]!;
    // The server's URL is final once it listens (port 0: the port the system picked).
    const pageUrl = (): string => `${server.url}${path}`;
    const whenListening = (fn: () => void): void => void ready.then(fn, () => {});
    if (created) {
      void ctx.track(
        ready.then(() =>
          ctx.log.warn(
            `serving ${server.o.tempRoot ? `temporary folder ${root} (removed at exit; use rdirs=DIR to keep the files)` : root} at ${server.url}/ - open ${pageUrl()} or watch it at ${server.url}${WATCH_PATH}`,
          ),
        ),
      );
    } else {
      if (args.rdirs.length && resolve(args.rdirs[0]!) !== root)
        ctx.log.warn(`${host}:${port} is already served from ${root}: options of this output are ignored`);
    }
    // Port 0: nothing is taken (so nothing acknowledged, and no manifest published as complete) before
    // the server listens, so every manifest names the port the system picked (the UTCTiming URL: the
    // caps are sent again once it listens, and reach the dasher before any acknowledgement).
    let listening = port !== 0;
    whenListening(() => {
      listening = true;
      ctx.requestProcess();
    });
    const sink = createFileSink(ctx, {
      label: 'httpout',
      dst: join(root, path),
      baseDir: join(root, basePathOf(args.base, path, dst)),
      atomic: false,
      hooks: server.hooks(),
      // The server keeps the live edge in memory: parts are listed without waiting for the disk.
      memoryFirst: true,
    });
    let lingering = false;
    let serveOnly = false;
    return {
      configurePid(pid, status) {
        sink.configurePid(pid, status);
        if (status !== 'new' || pid.props.IsManifest !== true) return;
        if (!created) whenListening(() => ctx.log.warn(`also serving ${pageUrl()}`));
        if (path.endsWith('.m3u8')) server.setPage('hls', path);
        if (path.endsWith('.mpd')) server.setPage('dash', path);
        // This sink honours LL-HLS delivery directives and answers a UTCTiming URL.
        const caps = () =>
          pid.sendEvent(
            makeEvent('output-caps', {
              blockingReload: true,
              // Raised by the dasher to 6 × target duration (the minimum RFC 8216bis allows).
              canSkipUntil: 0,
              utcs: `${server.url}${TIME_PATH}`,
            }),
          );
        const announced = server.url;
        caps();
        // Not listening yet on port 0: the UTCTiming URL again with the port the system picked.
        whenListening(() => {
          if (server.url !== announced) caps();
        });
      },
      process() {
        if (server.failure) throw server.failure;
        if (!listening) {
          ctx.requestProcess(LISTEN_POLL_MS);
          return 'not-ready';
        }
        ctx.reportStatus({ clients: server.clients });
        if (ctx.inputs.length === 0 && !ctx.connectionsPending()) {
          // Nothing to write (`-o http://HOST:PORT/:rdirs=DIR` alone, GPAC's simple server): serve the
          // folders until the run is stopped (SIGINT, SIGTERM, -runfor), which ends this filter.
          if (!serveOnly) {
            serveOnly = true;
            ctx.log.info('no input: serving the folders until interrupted');
          }
          ctx.requestProcess(SERVE_ONLY_WAKE_MS);
          return 'not-ready';
        }
        const r = sink.process();
        if (r === 'eos' && args.linger > 0 && !lingering) {
          lingering = true;
          void ctx.track(new Promise((res) => setTimeout(res, args.linger * 1000)));
        }
        return r;
      },
      processEvent: sink.processEvent,
      async finalize() {
        await sink.finalize();
        await release(server);
      },
    };
  },
});

/** `hmode=push`: files written locally (rdirs[0], or a temporary folder) and uploaded as produced. */
function createPush(
  ctx: Ctx,
  dst: string,
  host: string,
  port: number,
  path: string,
  https: boolean,
): FilterImpl {
  const args = ctx.args;
  const h = host.includes(':') ? `[${host}]` : host;
  const origin = `${https ? 'https' : 'http'}://${h}:${port}`;
  const caBundle = ctx.session.options['ca-bundle'];
  const pusher = acquirePusher(ctx.session, `${origin}|${args.rdirs[0] ?? ''}`, () => {
    const temp = args.rdirs.length === 0;
    const root = temp ? mkdtempSync(join(tmpdir(), 'graphpac-push-')) : resolve(args.rdirs[0]!);
    mkdirSync(root, { recursive: true });
    const p = new Pusher(
      {
        origin,
        root,
        method: args.post ? 'POST' : 'PUT',
        cte: args.cte,
        hdrs: args.hdrs,
        caBundle,
        clock: ctx.clock,
      },
      ctx.log,
    );
    p.tempRoot = temp;
    ctx.log.info(`pushing to ${origin}/ (${args.post ? 'POST' : 'PUT'}${args.cte ? ', chunked' : ''})`);
    return p;
  });
  const root = pusher.o.root;
  const sink = createFileSink(ctx, {
    label: 'httpout',
    dst: join(root, path),
    baseDir: join(root, basePathOf(args.base, path, dst)),
    atomic: false,
    hooks: pusher.hooks((p) => void ctx.track(p)),
  });
  return {
    configurePid: sink.configurePid,
    process() {
      const r = sink.process();
      ctx.reportStatus({ 'push queue': pusher.queued });
      return r;
    },
    processEvent: sink.processEvent,
    async finalize() {
      await sink.finalize();
      try {
        await pusher.drain();
      } finally {
        if (releasePusher(pusher) && pusher.tempRoot) await rm(root, { recursive: true, force: true });
      }
    },
  };
}

/** Packets' FileName are relative to `base` (the dasher's manifest folder URL) or to dst's folder. */
function basePathOf(base: string | undefined, path: string, dst: string): string {
  if (base === undefined) return posix.dirname(path);
  try {
    return decodeURIComponent(new URL(base, dst).pathname);
  } catch {
    return base;
  }
}
