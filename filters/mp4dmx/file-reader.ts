/**
 * Random access over a File PID: returns the bytes at a wanted offset from the packets the source
 * sends, and asks the source to jump (`source-seek`) when the wanted offset is not coming next.
 *
 * Packets already queued when a seek is sent are stale: they are dropped until the packet that starts
 * at the seek offset arrives. The first seek is sent as soon as the first packet is used ("go on from
 * where you are"): it tells the source that this consumer seeks, so the source keeps its PID open at
 * the end of the file instead of ending it (fin's protocol; see filters/fin).
 */
import { GraphError, makeEvent } from '../../src/index.js';
import type { InputPid, Packet } from '../../src/index.js';

export interface FileBlock {
  data: Uint8Array;
  offset: number;
  /** The source's packet `data` is a view of. */
  packet: Packet;
}

export class FileReader {
  private pendingSeek: number | undefined;
  /** Where the source's next packet starts, as far as we know. */
  private sourceNext = 0;
  private lastLength = 0;
  private registered = false;
  private stopped = false;

  constructor(
    private readonly pid: InputPid,
    private readonly who: string,
    private readonly label: string,
  ) {}

  /**
   * The file bytes from `want` on (one packet's worth), or undefined when they are not here yet.
   * `size.fileSize` is set when the packet flagged `end` (the last of the file) goes by.
   */
  read(want: number, size: { fileSize: number | undefined }): FileBlock | undefined {
    for (;;) {
      const p = this.pid.take();
      if (!p) break;
      const off = p.byteOffset ?? this.sourceNext;
      const end = off + p.data.length;
      if (p.end) size.fileSize = end;
      if (this.pendingSeek !== undefined) {
        if (off !== this.pendingSeek) continue; // sent before the source handled the seek
        this.pendingSeek = undefined;
      }
      this.sourceNext = end;
      this.lastLength = p.data.length;
      if (off <= want && want < end) {
        if (!this.registered && !p.end) this.seek(end);
        this.registered = true;
        return { data: want === off ? p.data : p.data.subarray(want - off), offset: want, packet: p };
      }
      if (want >= end && want < end + p.data.length) continue; // the next packet holds it
      break;
    }
    // The end of the file is known (a stream's last packet may come alone, empty): the demuxer decides.
    if (size.fileSize !== undefined && want >= size.fileSize) return undefined;
    const coming = this.sourceNext <= want && want < this.sourceNext + Math.max(this.lastLength, 1);
    if (this.pendingSeek === undefined && !coming) this.seek(want);
    if (this.pid.eos)
      throw new GraphError(
        'READ_ERROR',
        `${this.who}: "${this.label}": the source ended before byte ${want} could be read (it cannot seek back)`,
        { file: this.label, offset: want },
      );
    return undefined;
  }

  private seek(start: number): void {
    if (this.stopped) return;
    this.pendingSeek = start;
    this.sourceNext = start;
    this.registered = true;
    this.pid.sendEvent(makeEvent('source-seek', { start }));
  }

  /** No more reads: tell the source (GPAC's STOP event). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (!this.pid.eos) this.pid.sendEvent(makeEvent('stop', {}));
  }
}
