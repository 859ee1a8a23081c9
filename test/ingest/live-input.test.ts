/**
 * The live sources' queue (filters/sockin/live-input.ts): a stalled consumer never makes memory grow
 * without bound. UDP-like sources drop their oldest bytes beyond maxbuf (counted); pausable ones (TCP,
 * pipes) are paused, then resumed once the consumer drained half of it.
 */
import test from 'ava';
import type { FilterContext, OutputPid, PacketInit } from '../../src/index.js';
import { LiveInput } from '../../filters/sockin/live-input.js';

function fakeCtx(blocked: { value: boolean }, sent: PacketInit[], warnings: string[]) {
  const pid = {
    get wouldBlock() {
      return blocked.value;
    },
    send: (p: PacketInit) => void sent.push(p),
    setEos: () => {},
  } as unknown as OutputPid;
  return {
    clock: { now: () => 0, wallNow: () => 0 },
    log: { debug() {}, info() {}, warn: (m: string) => void warnings.push(m), error() {} },
    track: <T>(p: Promise<T>) => p,
    requestProcess() {},
    probeData: () => undefined,
    createPid: () => pid,
  } as unknown as FilterContext<unknown>;
}

const opts = { blockSize: 1 << 20, maxBytes: 10_000, timeout: 0, label: 'udp://x:1', tsprobe: true };

test('a stalled consumer: UDP drops its oldest bytes beyond maxbuf, counted and said once', (t) => {
  const blocked = { value: false };
  const sent: PacketInit[] = [];
  const warnings: string[] = [];
  const live = new LiveInput(fakeCtx(blocked, sent, warnings), opts);
  live.push(new Uint8Array(1316).fill(0x47));
  t.is(live.step(), 'ok');
  blocked.value = true;
  for (let i = 0; i < 100; i++) live.push(new Uint8Array(1316).fill(i));
  t.is(live.step(), 'not-ready', 'nothing is sent to a blocked consumer');
  const queued = live.status().queued ?? 0;
  t.true(queued <= 10_000, `queued ${queued}`);
  t.is(live.received, 101 * 1316);
  t.true(live.droppedBytes >= 90 * 1316);
  t.is(warnings.length, 1);
  t.regex(warnings[0]!, /does not keep up.*dropped/);
  blocked.value = false;
  t.is(live.step(), 'ok');
  // What is left is the newest data, in order.
  const last = sent.at(-1)!.data;
  t.is(last.at(-1), 99);
});

test('a stalled consumer: a pausable source is paused past maxbuf and resumed once drained', (t) => {
  const blocked = { value: true };
  const sent: PacketInit[] = [];
  const pauses: boolean[] = [];
  const live = new LiveInput(fakeCtx(blocked, sent, []), { ...opts, pause: (p) => pauses.push(p) });
  for (let i = 0; i < 20; i++) live.push(new Uint8Array(1000));
  t.deepEqual(pauses, [true]);
  t.is(live.droppedBytes, 0, 'nothing lost: the sender is held back');
  blocked.value = false;
  t.is(live.step(), 'ok');
  t.deepEqual(pauses, [true, false]);
  t.is(
    sent.reduce((n, p) => n + p.data.length, 0),
    20_000,
  );
});
