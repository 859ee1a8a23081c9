import { readSync } from 'node:fs';
/**
 * Byte sources behind fin: a local file (random access) or standard input (forward only).
 * Every failure is a GraphError with one line naming the path as the user wrote it.
 */
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { GraphError } from '../../src/index.js';

export interface ByteSource {
  /** Size in bytes when known (regular files). */
  readonly size: number | undefined;
  /**
   * Read up to `length` bytes at `offset`; an empty result means end of input. With `into` (at least
   * `length` bytes), the bytes are read into it and the result is a view of it.
   */
  read(offset: number, length: number, into?: Buffer): Promise<Uint8Array>;
  close(): Promise<void>;
}

function openError(e: unknown, label: string): GraphError {
  const code = (e as { code?: unknown } | null)?.code;
  const why: Record<string, [string, 'FILE_NOT_FOUND' | 'READ_ERROR']> = {
    ENOENT: ['no such file', 'FILE_NOT_FOUND'],
    ENOTDIR: ['no such file (a parent is not a directory)', 'FILE_NOT_FOUND'],
    EISDIR: ['it is a directory', 'READ_ERROR'],
    EACCES: ['permission denied', 'READ_ERROR'],
    EPERM: ['permission denied', 'READ_ERROR'],
    ELOOP: ['too many symbolic links', 'READ_ERROR'],
    ENAMETOOLONG: ['the name is too long', 'READ_ERROR'],
  };
  const [text, errCode] = (typeof code === 'string' && why[code]) || [
    e instanceof Error ? e.message : String(e),
    'READ_ERROR',
  ];
  return new GraphError(errCode, `fin: cannot open "${label}": ${text}`, { path: label, code }, { cause: e });
}

export class LocalFile implements ByteSource {
  private constructor(
    private readonly fh: FileHandle,
    readonly size: number,
    private readonly label: string,
    /** A regular file (not a FIFO or device): safe to read synchronously. */
    private readonly regular: boolean,
  ) {}

  static async open(path: string, label: string): Promise<LocalFile> {
    let fh: FileHandle;
    try {
      fh = await open(path, 'r');
    } catch (e) {
      throw openError(e, label);
    }
    try {
      const st = await fh.stat();
      if (st.isDirectory())
        throw new GraphError('READ_ERROR', `fin: cannot open "${label}": it is a directory`, { path: label });
      if (!st.isFile() && !st.isFIFO() && !st.isCharacterDevice() && !st.isBlockDevice())
        throw new GraphError('READ_ERROR', `fin: cannot open "${label}": not a regular file`, {
          path: label,
        });
      if (st.isFile() && st.size === 0)
        throw new GraphError('READ_ERROR', `fin: "${label}" is empty (0 bytes)`, { path: label });
      return new LocalFile(fh, st.size, label, st.isFile());
    } catch (e) {
      await fh.close().catch(() => {});
      throw e instanceof GraphError ? e : openError(e, label);
    }
  }

  async read(offset: number, length: number, into?: Buffer): Promise<Uint8Array> {
    const n = Math.max(0, Math.min(length, this.size - offset));
    if (n === 0) return new Uint8Array(0);
    // Without `into`, each block owns its ArrayBuffer, so a consumer may keep or transfer it.
    const buf = into && into.length >= n ? into : Buffer.allocUnsafeSlow(n);
    let got = 0;
    try {
      // Regular files are read synchronously: from the page cache a 256 KiB read takes microseconds,
      // while a thread-pool round trip held the whole graph (fin's process() is awaited) for longer.
      const sync = this.regular;
      while (got < n) {
        const bytesRead = sync
          ? readSync(this.fh.fd, buf, got, n - got, offset + got)
          : (await this.fh.read(buf, got, n - got, offset + got)).bytesRead;
        if (bytesRead === 0) break;
        got += bytesRead;
      }
    } catch (e) {
      throw new GraphError(
        'READ_ERROR',
        `fin: cannot read "${this.label}" at byte ${offset}: ${(e as Error).message}`,
        {
          path: this.label,
        },
      );
    }
    return got === buf.length ? buf : buf.subarray(0, got);
  }

  async close(): Promise<void> {
    await this.fh.close().catch(() => {});
  }
}

/** Standard input: forward reads only (a seek forward skips bytes; a seek back is an error). */
export class StdinSource implements ByteSource {
  readonly size = undefined;
  private readonly it: AsyncIterator<Buffer | string>;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  /** File offset of the first pending byte. */
  private pos = 0;
  private done = false;

  constructor(private readonly label: string) {
    this.it = process.stdin[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  }

  private async fill(upTo: number): Promise<void> {
    while (!this.done && this.pos + this.pendingBytes < upTo) {
      const r = await this.it.next();
      if (r.done) {
        this.done = true;
        break;
      }
      const chunk = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
    }
  }

  private drop(n: number): void {
    while (n > 0 && this.pending.length) {
      const head = this.pending[0]!;
      if (head.length <= n) {
        this.pending.shift();
        n -= head.length;
        this.pendingBytes -= head.length;
        this.pos += head.length;
      } else {
        this.pending[0] = head.subarray(n);
        this.pendingBytes -= n;
        this.pos += n;
        n = 0;
      }
    }
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    if (offset < this.pos)
      throw new GraphError(
        'READ_ERROR',
        `fin: cannot seek back in "${this.label}" (standard input) to byte ${offset}: use a file, or an MP4 with its moov box first (faststart)`,
        { path: this.label, offset },
      );
    await this.fill(offset + length);
    this.drop(offset - this.pos);
    const n = Math.min(length, this.pendingBytes);
    const out = Buffer.allocUnsafeSlow(n);
    let at = 0;
    for (const c of this.pending) {
      if (at >= n) break;
      const take = Math.min(c.length, n - at);
      out.set(c.subarray(0, take), at);
      at += take;
    }
    this.drop(n);
    if (n === 0 && this.pos === 0)
      throw new GraphError('READ_ERROR', `fin: "${this.label}" (standard input) is empty`, {
        path: this.label,
      });
    return out;
  }

  async close(): Promise<void> {
    this.it.return?.().catch(() => {});
  }
}
