/**
 * Acknowledgements leave a file sink in the order of the packets, whatever the order their gates
 * (WriterHooks.boundary: a push origin accepting the bytes) resolve in. Issue 12 item 1: after an
 * outage, the upload of segment 5 went through before the retry of segment 4's, its parts were
 * acknowledged first, and the dasher listed them first (the dasher now also orders what it gets).
 */
import test from 'ava';
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

const packet = (props: PacketProps): Packet => ({
  data: new Uint8Array([1, 2]),
  sap: 0,
  start: true,
  end: true,
  props,
});

for (const memoryFirst of [false, true]) {
  test(`acknowledgements in packet order when gates resolve out of order (${memoryFirst ? 'memoryFirst' : 'disk-first'})`, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'gp-ackorder-'));
    t.teardown(() => rm(dir, { recursive: true, force: true }));
    const events: FilterEvent[] = [];
    const work: Promise<unknown>[] = [];
    // One gate per segment file: opened when the test says so.
    const gates = new Map<string, { p: Promise<void>; open: () => void }>();
    const gate = (path: string) => {
      let g = gates.get(path);
      if (!g) {
        let open!: () => void;
        const p = new Promise<void>((r) => (open = r));
        gates.set(path, (g = { p, open }));
      }
      return g;
    };
    const sink = createFileSink(
      { log: { debug() {}, info() {}, warn() {}, error() {} }, track: (p) => (work.push(p), p) },
      {
        label: 'httpout',
        dst: join(dir, 'live.m3u8'),
        baseDir: dir,
        atomic: false,
        memoryFirst,
        hooks: { boundary: (path) => gate(path.slice(dir.length + 1)).p },
      },
    );
    const pid = fakePid(
      [
        packet({ FileName: 's4.m4s', AckId: 1 }),
        packet({ AckId: 2 }),
        packet({ FileName: 's5.m4s', AckId: 3 }),
        packet({ AckId: 4 }),
      ],
      events,
    );
    sink.configurePid(pid, 'new');
    sink.process();
    const acks = () => events.filter((e) => e.type === 'write-ack').map((e) => e.ackId);
    const settle = () => new Promise((r) => setTimeout(r, 100));
    await settle();
    // Segment 5's upload is accepted first: nothing may be acknowledged before segment 4's parts.
    gate('s5.m4s').open();
    await settle();
    t.deepEqual(acks(), []);
    gate('s4.m4s').open();
    await settle();
    t.deepEqual(acks(), [1, 2, 3, 4]);
    await sink.finalize();
    await Promise.allSettled(work);
  });
}
