// Loaded into graphpac's own process by bench/soak.ts (`node --import bench/soak-probe.mjs …`): every
// SOAK_PROBE_MS (default 1 s) it appends one JSON line to the file SOAK_PROBE_OUT: the process's memory
// (process.memoryUsage(), the main thread's V8 heap) and its open descriptors other than sockets (files,
// pipes, event fds: where a leak shows). With `--expose-gc`, every SOAK_PROBE_GC_MS (default 60 s) it first
// runs a full collection and adds the heap left after it (`heapAfterGc`): the live set, which a point sample
// of the collector's sawtooth is not. `--import` loads it into every thread (httpout's server runs in a
// worker): each line names its thread (`thread`: 0 for the main one); memory and descriptors are the
// process's, the heaps each thread's own. Nothing else; a full collection of a ~10 MiB heap takes a few ms.
import { appendFileSync, readdirSync, readlinkSync } from 'node:fs';
import { threadId } from 'node:worker_threads';

const out = process.env.SOAK_PROBE_OUT;
if (out) {
  const every = Number(process.env.SOAK_PROBE_MS ?? 1_000);
  const gcEvery = Number(process.env.SOAK_PROBE_GC_MS ?? 60_000);
  const gc = typeof globalThis.gc === 'function' ? globalThis.gc : undefined;
  let lastGc = Date.now();
  const files = () => {
    try {
      let n = 0;
      for (const f of readdirSync('/proc/self/fd')) {
        try {
          if (!readlinkSync(`/proc/self/fd/${f}`).startsWith('socket:')) n++;
        } catch {
          // closed meanwhile (the directory's own descriptor among them)
        }
      }
      return n;
    } catch {
      return undefined;
    }
  };
  const sample = () => {
    let heapAfterGc;
    if (gc && Date.now() - lastGc >= gcEvery) {
      lastGc = Date.now();
      gc();
      heapAfterGc = process.memoryUsage().heapUsed;
    }
    const m = process.memoryUsage();
    appendFileSync(
      out,
      `${JSON.stringify({ t: Date.now(), thread: threadId, rss: m.rss, heapUsed: m.heapUsed, heapAfterGc, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, files: files() })}\n`,
    );
  };
  setInterval(sample, every).unref();
}
