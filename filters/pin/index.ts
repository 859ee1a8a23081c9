/**
 * pin: pipe input (GPAC's pin). Standard input (`-`, `stdin`) and named pipes (`pipe://PATH`, created
 * with `mkp`). Bytes are sent on as they arrive (one File PID); a pipe cannot seek back.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, statSync, unlinkSync } from 'node:fs';
import type { ReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { arg, defineFilter, GraphError } from '../../src/index.js';
import { LiveInput } from '../sockin/live-input.js';

const STDIN = new Set(['-', 'stdin', 'pipe://0', 'pipe:0']);

function pipePath(src: string): string {
  return src.replace(/^pipe:(\/\/)?/i, '');
}

export default defineFilter({
  name: 'pin',
  description: 'Pipe input: standard input (- or stdin) or a named pipe (pipe://PATH), sent on as it arrives',
  help: `pin reads standard input (-i - or -i stdin) or a named pipe (-i pipe://PATH) and exposes it as one File PID;
the demuxer is found from the content (MPEG-2 TS, MP4 with its moov first or fragmented) or from ext/mime.
Bytes are sent on as soon as they arrive, so a live encoder writing into the pipe sets the pace of the graph.

A pipe cannot seek: forward jumps skip bytes, a jump back ends the run with an error (an MP4 must have its
moov box first: -movflags +faststart, or be fragmented). With mkp the named pipe is created if missing (and
removed at the end). The stream ends when the writer closes the pipe (with ka a named pipe is opened again
for the next writer) or after timeout ms without data (an error if nothing ever came). While the graph
does not keep up, reading pauses once maxbuf bytes wait: the writer is held back, memory stays bounded.

Examples:
  ffmpeg -re -f lavfi -i testsrc2 -c:v libx264 -f mpegts - | graphpac -i - -o live/live.m3u8:segdur=2:cdur=0.5:dmode=dynamic:llhls=br
  ffmpeg … -f mp4 -movflags frag_keyframe+empty_moov+default_base_moof pipe:1 | graphpac -i - -o live/live.mpd:dmode=dynamic
  graphpac -i pipe:///tmp/enc.ts:mkp -o live/live.m3u8:llhls=br      (an encoder writes into /tmp/enc.ts)`,
  args: {
    src: arg.string(undefined, '- or stdin for standard input, pipe://PATH for a named pipe'),
    block_size: arg.uint(262144, 'largest packet sent downstream, in bytes', { level: 'advanced' }),
    ext: arg.string(undefined, 'format of the data, as a file extension (ts, mp4…), instead of probing'),
    mime: arg.string(undefined, 'format of the data, as a MIME type, instead of probing'),
    mkp: arg.bool(false, 'create the named pipe if it does not exist (removed at the end)'),
    ka: arg.bool(
      false,
      'named pipe: open it again when the writer closes it (the next writer continues the stream)',
      {
        level: 'advanced',
      },
    ),
    timeout: arg.uint(
      10000,
      'ms without data that end the stream (an error if none ever came); 0: wait forever',
      {
        level: 'advanced',
      },
    ),
    maxbuf: arg.uint(8 << 20, 'bytes held while the graph does not keep up before reading pauses', {
      level: 'advanced',
    }),
  },
  // Before fin, which also reads standard input but waits for whole blocks.
  priority: -1,
  caps: [{ name: 'stream', out: { StreamType: 'File', Extension: '*', MIMEType: '*' } }],
  probeUrl(url, role) {
    if (role !== 'source') return 'no';
    return STDIN.has(url) || /^pipe:/i.test(url) ? 'supported' : 'no';
  },
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
