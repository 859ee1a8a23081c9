/**
 * The main thread's handle on an origin server running in its own worker thread (server-worker.ts):
 * the writer hooks become messages (thread-protocol.ts), in the order they ran; logs, the client count
 * and failures come back. The packager and the server then share no event loop: a burst of held
 * answers at each part's publication cannot make the next part late.
 */
import { Worker } from 'node:worker_threads';
import { GraphError } from '../../src/index.js';
import type { Logger } from '../../src/index.js';
import type { WriterHooks } from '../fout/file-writer.js';
import type { ServerOptions } from './options.js';
import type { FromServer, ServerInit, ToServer } from './thread-protocol.js';

/** The worker's entry: the compiled .js next to this file, or the .ts source when run through tsx. */
function startWorker(init: ServerInit): Worker {
  const self = import.meta.url;
  if (self.endsWith('.ts')) {
    // Running from source (tests, tsx): a worker does not inherit tsx's loader; register it first.
    const api = import.meta.resolve('tsx/esm/api');
    const entry = new URL('./server-worker.ts', self).href;
    const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
    return new Worker(code, { eval: true, workerData: init });
  }
  return new Worker(new URL('./server-worker.js', self), { workerData: init });
}

export class ServerThread {
  private worker: Worker;
  private boundPort = 0;
  private closedP: Promise<void> | undefined;
  private onClosed: (() => void) | undefined;
  /** Open client connections (for progress displays), as last reported by the server thread. */
  clients = 0;
  /** Set if the server thread died: the run fails with it. */
  failure: GraphError | undefined;
  /** Instances (the first and its aliases) using this server. */
  refs = 0;

  constructor(
    readonly o: ServerOptions,
    private readonly log: Logger,
  ) {
    this.worker = startWorker({ options: o });
  }

  get url(): string {
    const h = this.o.host.includes(':') ? `[${this.o.host}]` : this.o.host;
    return `${this.o.tls ? 'https' : 'http'}://${h}:${this.boundPort || this.o.port}`;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.worker.on('message', (m: FromServer) => {
        switch (m.type) {
          case 'listening':
            this.boundPort = m.port;
            resolve();
            return;
          case 'listen-error':
            reject(new GraphError('WRITE_ERROR', m.message, m.data));
            void this.worker.terminate(); // nothing to serve: the thread must not keep the process alive
            return;
          case 'log':
            this.log[m.level](m.msg);
            return;
          case 'clients':
            this.clients = m.n;
            return;
          case 'closed':
            this.onClosed?.();
            return;
        }
      });
      this.worker.on('error', (e) => {
        this.failure ??= new GraphError('WRITE_ERROR', `httpout: the server thread failed: ${e.message}`, {
          url: this.url,
        });
        this.log.error(this.failure.message);
        reject(this.failure);
        this.onClosed?.();
      });
      this.worker.on('exit', () => this.onClosed?.());
    });
  }

  private post(m: ToServer): void {
    this.worker.postMessage(m);
  }

  /** The manifests the watch page plays (the first of each kind). */
  setPage(kind: 'hls' | 'dash', path: string): void {
    this.post({ type: 'page', kind, path });
  }

  /** Writer hooks forwarding to the server thread (with the bytes: it serves the live edge from memory). */
  hooks(): WriterHooks {
    return {
      opened: (path, kind) => this.post({ type: 'opened', path, kind }),
      progress: (path, size, data) => {
        if (!data) return this.post({ type: 'progress', path, size });
        // The appended bytes, copied once into a buffer of their own and moved (not copied) across.
        const bytes = new Uint8Array(data.reduce((a, d) => a + d.byteLength, 0));
        let at = 0;
        for (const d of data) {
          bytes.set(d, at);
          at += d.byteLength;
        }
        this.worker.postMessage({ type: 'progress', path, size, data: bytes } satisfies ToServer, [
          bytes.buffer,
        ]);
      },
      boundary: (path, size) => this.post({ type: 'boundary', path, size }),
      closed: (path, size) => this.post({ type: 'closed', path, size }),
      // A copy of just these bytes (a view may share a larger buffer, which would be cloned whole).
      replaced: (path, data, props) => this.post({ type: 'replaced', path, data: data.slice(), props }),
      deleted: (path) => this.post({ type: 'deleted', path }),
      abandoned: (path) => this.post({ type: 'abandoned', path }),
    };
  }

  /** Stop the server (held requests answered, connections closed) and its thread. */
  close(): Promise<void> {
    this.closedP ??= new Promise<void>((resolve) => {
      // The server gives slow clients 1.5 s; after 5 s the thread is stopped regardless.
      const timer = setTimeout(() => void this.worker.terminate(), 5000);
      this.onClosed = () => {
        clearTimeout(timer);
        resolve();
      };
      this.post({ type: 'close' });
    }).then(() => this.worker.terminate().then(() => undefined));
    return this.closedP;
  }
}
