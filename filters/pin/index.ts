/**
 * pin: pipe input (GPAC's pin). Standard input (`-`, `stdin`) and named pipes (`pipe://PATH`, created
 * with `mkp`). Bytes are sent on as they arrive (one File PID); a pipe cannot seek back.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, statSync, unlinkSync } from 'node:fs';
import type { ReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { defineFilter, GraphError } from '../../src/index.js';
import descriptor, { STDIN } from './descriptor.js';
import { LiveInput } from '../sockin/live-input.js';

function pipePath(src: string): string {
  return src.replace(/^pipe:(\/\/)?/i, '');
}

export default defineFilter({
  ...descriptor,
  create(ctx) {
    const src = ctx.args.src ?? '-';
    const stdin = STDIN.has(src);
    const path = stdin ? '' : pipePath(src);
    const label = stdin ? `${src} (standard input)` : src;
    let stream: Readable | undefined;
    let created = false;
    let started = false;
    const live = new LiveInput(ctx, {
      blockSize: Math.max(1024, ctx.args.block_size),
      maxBytes: Math.max(1 << 16, ctx.args.maxbuf),
      timeout: ctx.args.timeout,
      label,
      // Segment names come from it (the dasher's $File$): `stdin`, not `-`.
      url: stdin ? 'stdin' : src,
      ext: ctx.args.ext,
      mime: ctx.args.mime,
      tsprobe: true,
      props: stdin ? {} : { SourcePath: path },
      pause: (p) => (p ? stream?.pause() : stream?.resume()),
    });

    function open(): void {
      if (stdin) {
        stream = process.stdin;
      } else {
        if (!existsSync(path)) {
          if (!ctx.args.mkp)
            throw new GraphError(
              'FILE_NOT_FOUND',
              `pin: cannot open "${src}": no such pipe (add :mkp to create it)`,
              {
                path,
              },
            );
          try {
            execFileSync('mkfifo', ['-m', '0666', path]);
          } catch (e) {
            throw new GraphError(
              'READ_ERROR',
              `pin: cannot create the pipe "${path}": ${(e as Error).message}`,
              { path },
            );
          }
          created = true;
          ctx.log.info(`created the named pipe ${path}; waiting for a writer`);
        } else if (!statSync(path).isFIFO() && !statSync(path).isFile())
          throw new GraphError('READ_ERROR', `pin: "${src}" is not a pipe`, { path });
        stream = createReadStream(path, { highWaterMark: 1 << 16 }) as ReadStream;
      }
      const s = stream;
      s.on('data', (d: Buffer | string) => live.push(typeof d === 'string' ? Buffer.from(d) : d));
      s.on('error', (e: NodeJS.ErrnoException) =>
        live.close(
          new GraphError('READ_ERROR', `pin: cannot read "${label}": ${e.message}`, { code: e.code }),
        ),
      );
      s.on('end', () => {
        if (!stdin && ctx.args.ka && !live.isClosed) {
          ctx.log.info(`${label}: the writer closed the pipe; waiting for the next one`);
          open();
        } else live.close();
      });
    }

    return {
      process() {
        if (!started) {
          started = true;
          open();
        }
        const r = live.step();
        ctx.reportStatus(live.status());
        return r;
      },
      processEvent(event) {
        return live.processEvent(
          event,
          (start) =>
            new GraphError(
              'READ_ERROR',
              `pin: cannot seek back in "${label}" to byte ${start}: use a file, or an MP4 with its moov box first (faststart) or fragmented`,
              { offset: start },
            ),
        );
      },
      finalize() {
        live.close();
        if (stream && stream !== process.stdin) stream.destroy();
        else process.stdin.pause();
        if (created)
          try {
            unlinkSync(path);
          } catch {
            // already gone
          }
      },
    };
  },
});
