/**
 * Write acknowledgements of one dasher instance: every packet that asks its sink for a `write-ack`
 * (the last packet of a chunk, an init segment, an on-demand file) gets an id from here with what to
 * do once it is acknowledged. Ids are unique within the instance (two dashers in one process each
 * count their own: an acknowledgement only ever travels back to the PID that sent the packet).
 */
export class Acks {
  private next = 1;
  private readonly waiting = new Map<number, () => void>();

  /** A new id; `onAck` runs when its acknowledgement arrives. */
  expect(onAck: () => void): number {
    const id = this.next++;
    this.waiting.set(id, onAck);
    return id;
  }

  /** An acknowledgement arrived: true if it was one of ours (its callback has run). */
  settle(ackId: number): boolean {
    const done = this.waiting.get(ackId);
    if (!done) return false;
    this.waiting.delete(ackId);
    done();
    return true;
  }

  /** Acknowledgements still awaited. */
  get pending(): number {
    return this.waiting.size;
  }
}
