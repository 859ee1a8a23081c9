/**
 * httpout's server lists a part without waiting for the disk: its file writer reports to the origin
 * and acknowledges the chunk as the packets are taken (memoryFirst), and writes the files behind, in
 * order. Shown with a segment file that is a FIFO nobody reads yet: opening it for writing blocks in
 * the I/O thread pool as a stalled disk would. Disk-first (fout), the acknowledgement waits for it.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileSink } from '../../filters/fout/file-writer.js';
import type { FilterEvent, InputPid, Packet, PacketProps } from '../../src/index.js';

function fakePid(packets: Packet[], events: FilterEvent[]): InputPid {
  return {
    id: 1,
    name: 'video1',
    props: { StreamType: 'Visual' },
    producer: 'dasher',
    peek: () => packets[0],
    take: () => packets.shift(),
    get eos() {
      return false;
    },
    get queuedPackets() {
      return packets.length;
    },
    sendEvent: (e) => events.push(e),
    state: undefined,
  };
}

const packet = (data: number[], props: PacketProps): Packet => ({
  data: new Uint8Array(data),
  sap: 0,
  start: true,
  end: true,
  props,
});

async function run(memoryFirst: boolean) {
  const dir = await mkdtemp(join(tmpdir(), 'gp-memfirst-'));
  const seg = join(dir, 'seg.m4s');
  execFileSync('mkfifo', [seg]);
  const seen: string[] = [];
  const events: FilterEvent[] = [];
  const work: Promise<unknown>[] = [];
  const sink = createFileSink(
    { log: { debug() {}, info() {}, warn() {}, error() {} }, track: (p) => (work.push(p), p) },
    {
      label: 'httpout',
      dst: join(dir, 'live.m3u8'),
      baseDir: dir,
      atomic: false,
      memoryFirst,
      hooks: {
        opened: (path, kind) => seen.push(`opened ${kind} ${path.slice(dir.length + 1)}`),
        progress: (path, size) => seen.push(`progress ${path.slice(dir.length + 1)} ${size}`),
        boundary: (path, size) => void seen.push(`boundary ${path.slice(dir.length + 1)} ${size}`),
      },
    },
  );
  const pid = fakePid([packet([1, 2, 3], { FileName: 'seg.m4s' }), packet([4, 5], { AckId: 7 })], events);
  sink.configurePid(pid, 'new');
  sink.process();
  await new Promise((r) => setTimeout(r, 300));
  const before = { seen: [...seen], acks: events.filter((e) => e.type === 'write-ack').length };
  // The "disk" comes back: read the FIFO, and the writes complete.
  const chunks: Buffer[] = [];
  const reader = createReadStream(seg);
  reader.on('data', (c) => chunks.push(c as Buffer));
  await new Promise((r) => setTimeout(r, 300));
  const acks = events.filter((e) => e.type === 'write-ack').length;
  await sink.finalize();
  reader.destroy();
  await Promise.allSettled(work);
  await rm(dir, { recursive: true, force: true });
  return { before, acks, bytes: [...Buffer.concat(chunks)], seen };
}

test('memoryFirst: the origin has the part and the dasher its ack while the disk is stalled', async (t) => {
  const r = await run(true);
  t.deepEqual(r.before.seen, ['opened file seg.m4s', 'progress seg.m4s 5', 'boundary seg.m4s 5']);
  t.is(r.before.acks, 1);
  t.deepEqual(r.bytes, [1, 2, 3, 4, 5], 'the file is written behind, whole and in order');
});

test('disk-first (fout): nothing is reported nor acknowledged before the disk has the bytes', async (t) => {
  const r = await run(false);
  t.deepEqual(r.before.seen, []);
  t.is(r.before.acks, 0);
  t.is(r.acks, 1);
  t.deepEqual(r.seen, ['opened file seg.m4s', 'progress seg.m4s 5', 'boundary seg.m4s 5']);
  t.deepEqual(r.bytes, [1, 2, 3, 4, 5]);
});
