/**
 * inspect's output: stdout, stderr or a file, written through a stream in chunks (never console.*,
 * so pino's stderr logs cannot interleave with the data), honouring back-pressure.
 */
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { GraphError } from '../../src/index.js';

const CHUNK = 64 * 1024;

export class LineWriter {
  private readonly stream: Writable;
  private readonly owned: boolean;
  private buffer: string[] = [];
  private bufferedChars = 0;
  private failure: Error | undefined;
  private closed = false;

  constructor(private readonly target: string) {
    if (target === 'stdout' || target === '' || target === '-') {
      this.stream = process.stdout;
      this.owned = false;
    } else if (target === 'stderr') {
      this.stream = process.stderr;
      this.owned = false;
    } else {
      this.stream = createWriteStream(target);
      this.owned = true;
    }
    this.stream.on('error', (e: Error) => (this.failure ??= e));
  }

  private check(): void {
    if (this.failure)
      throw new GraphError('WRITE_ERROR', `inspect: cannot write "${this.target}": ${this.failure.message}`, {
        path: this.target,
      });
  }

  /** Queue one line (without its newline). */
  line(text: string): void {
    this.buffer.push(text, '\n');
    this.bufferedChars += text.length + 1;
  }

  /** True when enough is buffered to be worth a write. */
  get full(): boolean {
    return this.bufferedChars >= CHUNK;
  }

  /** Write what is buffered; resolves once the stream can take more. */
  async flush(): Promise<void> {
    this.check();
    if (!this.bufferedChars) return;
    const text = this.buffer.join('');
    this.buffer = [];
    this.bufferedChars = 0;
    if (!this.stream.write(text)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.stream.off('drain', done);
          this.stream.off('error', done);
          this.stream.off('close', done);
          resolve();
        };
        this.stream.on('drain', done);
        this.stream.on('error', done);
        this.stream.on('close', done);
      });
    }
    this.check();
  }

  /** Flush and, for a file, close it (stdout/stderr stay open). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.flush();
    if (this.owned) {
      await new Promise<void>((resolve) => this.stream.end(resolve));
    } else {
      await new Promise<void>((resolve) => this.stream.write('', () => resolve()));
    }
    this.check();
  }
}
