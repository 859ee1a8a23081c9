/**
 * The origin's connection budget (`maxc` in all, `maxp` per client address) and the timeouts that keep
 * idle connections from holding it. A connection is *busy* while a request of it is being answered
 * (a blocking playlist reload or a hinted part held for seconds included: a player waiting for the
 * next part is not idle), *idle* otherwise. Idle ones come in two kinds:
 *  - never used: no request yet (a silent connection, a slowloris still sending its header, a browser's
 *    preconnect). Closed once FIRST_REQUEST_MS passed without a request (408 on plain HTTP/1.1);
 *  - between requests (keep-alive): closed by the HTTP server's keep-alive timeout (`timeout`).
 * When the budget is full, a new connection takes the place of an idle one (never used first, from the
 * address holding the most connections, oldest first; then one idle for USED_IDLE_EVICT_MS or more, the
 * longest idle first) instead of being refused: silent or slow connections cannot lock
 * players out, whatever their number. Only when every connection is busy is a new one refused.
 * Time comes from `now` (the session clock in tests); `sweep()` runs every SWEEP_MS.
 */
import type { Socket } from 'node:net';

/** A new connection must have sent a whole request header within this long. */
export const FIRST_REQUEST_MS = 10_000;
/** How often idle connections are checked for their deadline. */
export const SWEEP_MS = 500;
/**
 * A used connection may make room for a new one only once idle this long: a player's keep-alive
 * connection between two requests (idle well under a second in an LL-HLS loop) is not taken from it,
 * only one nobody is using.
 */
export const USED_IDLE_EVICT_MS = 5_000;

interface Conn {
  socket: Socket;
  peer: string;
  openedAt: number;
  /** Requests received and not answered yet. */
  busy: number;
  used: boolean;
  /** End of the last answer (or opening). */
  idleSince: number;
}

export interface BudgetOptions {
  maxc: number;
  /** Per client address; 0: no limit. */
  maxp: number;
  firstRequestMs?: number;
  now?: () => number;
  /** A never-used connection reached its deadline (answer 408 if possible, then close). */
  timedOut: (s: Socket) => void;
}

/** Key of a connection, the same for its TCP socket, its TLS socket and HTTP/2's proxy of it. */
export function connKey(s: { remoteAddress?: string | undefined; remotePort?: number | undefined }): string {
  return `${s.remoteAddress ?? ''}|${s.remotePort ?? 0}`;
}

export class ConnectionBudget {
  private conns = new Map<string, Conn>();
  private perPeer = new Map<string, Set<Conn>>();
  private readonly now: () => number;
  private readonly firstRequestMs: number;
  /** Connections closed to make room, and never-used ones timed out (for logs and tests). */
  evicted = 0;
  timedOut = 0;
  refused = 0;

  constructor(private readonly o: BudgetOptions) {
    this.now = o.now ?? (() => performance.now());
    this.firstRequestMs = o.firstRequestMs ?? FIRST_REQUEST_MS;
  }

  get size(): number {
    return this.conns.size;
  }

  /** A new connection: admitted (maybe in place of an idle one) or refused (false: destroy it). */
  admit(socket: Socket, onClose: () => void): boolean {
    const peer = socket.remoteAddress ?? '';
    const mine = this.perPeer.get(peer);
    if (this.o.maxp > 0 && (mine?.size ?? 0) >= this.o.maxp && !this.evictFrom(mine!)) {
      this.refused++;
      return false;
    }
    if (this.conns.size >= this.o.maxc && !this.evictFrom(this.conns.values())) {
      this.refused++;
      return false;
    }
    const t = this.now();
    const c: Conn = { socket, peer, openedAt: t, busy: 0, used: false, idleSince: t };
    const key = connKey(socket);
    this.conns.set(key, c);
    let set = this.perPeer.get(peer);
    if (!set) this.perPeer.set(peer, (set = new Set()));
    set.add(c);
    socket.once('close', () => {
      if (this.conns.get(key) === c) this.conns.delete(key);
      set.delete(c);
      if (set.size === 0 && this.perPeer.get(peer) === set) this.perPeer.delete(peer);
      onClose();
    });
    return true;
  }

  /** A request arrived on the connection `key` (connKey of its socket). */
  started(key: string): void {
    const c = this.conns.get(key);
    if (!c) return;
    c.used = true;
    c.busy++;
  }

  /** Its answer ended. */
  ended(key: string): void {
    const c = this.conns.get(key);
    if (!c) return;
    c.busy = Math.max(0, c.busy - 1);
    if (c.busy === 0) c.idleSince = this.now();
  }

  /**
   * Close the idle connection best replaced: never used before used; then from the address holding the
   * most connections (a flood comes from few addresses, a player holds a handful); then the oldest (the
   * longest idle).
   */
  private evictFrom(candidates: Iterable<Conn>): boolean {
    let best: Conn | undefined;
    let bestPeers = 0;
    const idleBefore = this.now() - USED_IDLE_EVICT_MS;
    for (const c of candidates) {
      if (c.busy > 0 || c.socket.destroyed || (c.used && c.idleSince > idleBefore)) continue;
      const peers = this.perPeer.get(c.peer)?.size ?? 0;
      const better =
        !best ||
        (!c.used && best.used) ||
        (c.used === best.used &&
          (peers > bestPeers || (peers === bestPeers && c.idleSince < best.idleSince)));
      if (better) [best, bestPeers] = [c, peers];
    }
    if (!best) return false;
    this.forget(best);
    this.evicted++;
    best.socket.destroy();
    return true;
  }

  private forget(c: Conn): void {
    const key = connKey(c.socket);
    if (this.conns.get(key) === c) this.conns.delete(key);
    const set = this.perPeer.get(c.peer);
    set?.delete(c);
    if (set?.size === 0) this.perPeer.delete(c.peer);
  }

  /** Close never-used connections past their deadline. */
  sweep(): void {
    const limit = this.now() - this.firstRequestMs;
    for (const c of [...this.conns.values()]) {
      if (c.used || c.openedAt > limit || c.socket.destroyed) continue;
      this.forget(c);
      this.timedOut++;
      this.o.timedOut(c.socket);
    }
  }

  /** Every connection (for shutdown). */
  sockets(): Socket[] {
    return [...this.conns.values()].map((c) => c.socket);
  }
}
