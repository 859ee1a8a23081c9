/**
 * The connection budget (filters/httpout/connections.ts) under a manual clock: idle connections make
 * room for new ones (never used first, oldest first; then the longest idle), busy ones (a held
 * blocking reload) are never closed for room, never-used ones time out at their deadline, per-address
 * limits take from the same address only.
 */
import test from 'ava';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { ConnectionBudget, connKey } from '../../filters/httpout/connections.js';

let port = 10000;
class FakeSocket extends EventEmitter {
  destroyed = false;
  writable = true;
  readonly remotePort = port++;
  constructor(readonly remoteAddress: string) {
    super();
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emit('close');
  }
}

function setup(maxc: number, maxp = 0) {
  const clock = { t: 0 };
  const timedOut: FakeSocket[] = [];
  const budget = new ConnectionBudget({
    maxc,
    maxp,
    firstRequestMs: 10_000,
    now: () => clock.t,
    timedOut: (s) => {
      timedOut.push(s as unknown as FakeSocket);
      s.destroy();
    },
  });
  const open = (addr = '10.0.0.1') => {
    const s = new FakeSocket(addr);
    const ok = budget.admit(s as unknown as Socket, () => {});
    return ok ? s : undefined;
  };
  return { clock, budget, open, timedOut };
}

test('full budget: a new connection replaces a never-used one (oldest first), never a busy one', (t) => {
  const { budget, open, clock } = setup(3);
  const player = open()!;
  budget.started(connKey(player)); // a blocking reload held
  clock.t = 100;
  const silentOld = open('10.9.9.9')!;
  clock.t = 200;
  const silentNew = open('10.9.9.9')!;
  clock.t = 300;
  const newcomer = open('10.0.0.2');
  t.truthy(newcomer);
  t.true(silentOld.destroyed, 'the oldest never-used connection made room');
  t.false(silentNew.destroyed);
  t.false(player.destroyed, 'a busy connection is never closed for room');
  t.is(budget.size, 3);
  t.is(budget.evicted, 1);
});

test('never-used before used-idle; used ones idle 5 s or more, the longest idle first; all busy: refused', (t) => {
  const { budget, open, clock } = setup(2);
  const a = open()!;
  const b = open()!;
  for (const s of [a, b]) budget.started(connKey(s));
  clock.t = 50;
  budget.ended(connKey(a)); // idle since 50
  clock.t = 80;
  budget.ended(connKey(b)); // idle since 80
  // Idle for less than USED_IDLE_EVICT_MS: a player's keep-alive connection between requests.
  clock.t = 4_000;
  t.is(open(), undefined, 'recently used connections are not taken');
  t.false(a.destroyed || b.destroyed);
  clock.t = 5_060;
  const c = open()!;
  t.true(a.destroyed && !b.destroyed, 'the longest idle went');
  budget.started(connKey(c));
  budget.started(connKey(b));
  t.is(open(), undefined, 'every connection busy: refused');
  t.is(budget.refused, 2);
  t.false(b.destroyed || c.destroyed);
});

test("maxp: a new connection from an address at its limit replaces that address's idle one only", (t) => {
  const { budget, open } = setup(100, 2);
  const other = open('10.0.0.9')!;
  const a1 = open('10.0.0.1')!;
  const a2 = open('10.0.0.1')!;
  budget.started(connKey(a1));
  const a3 = open('10.0.0.1');
  t.truthy(a3);
  t.true(a2.destroyed);
  t.false(other.destroyed || a1.destroyed);
  budget.started(connKey(a3 as unknown as Socket & FakeSocket));
  t.is(open('10.0.0.1'), undefined, 'both busy: refused');
});

test('never-used connections time out at their deadline (session clock), used ones do not', (t) => {
  const { budget, open, clock, timedOut } = setup(100);
  const silent = open()!;
  const used = open()!;
  budget.started(connKey(used));
  budget.ended(connKey(used));
  clock.t = 9_999;
  budget.sweep();
  t.deepEqual(timedOut, []);
  clock.t = 10_000;
  budget.sweep();
  t.deepEqual(timedOut, [silent]);
  t.false(used.destroyed, "keep-alive idle connections are the HTTP server's timeout");
  t.is(budget.size, 1);
});
