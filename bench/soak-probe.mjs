// Loaded into graphpac's own process by bench/soak.ts (`node --import bench/soak-probe.mjs …`): every
// SOAK_PROBE_MS (default 1 s) it appends the process's memory (process.memoryUsage(), the main thread's V8
// heap) as one JSON line to the file SOAK_PROBE_OUT. Nothing else; no effect on the run.
import { appendFileSync } from 'node:fs';

const out = process.env.SOAK_PROBE_OUT;
if (out) {
  const every = Number(process.env.SOAK_PROBE_MS ?? 1_000);
  const sample = () => {
    const m = process.memoryUsage();
    appendFileSync(
      out,
      `${JSON.stringify({ t: Date.now(), rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers })}\n`,
    );
  };
  setInterval(sample, every).unref();
}
