/**
 * Plain (non-fragmented) MP4: samples come from walking the moov's sample tables, their bytes are cut
 * out of the blocks the source sent (no copy, unless a sample spans two blocks). The next offset to
 * read is always the data of the sample due next in decode order, so memory stays at a few blocks
 * whatever the interleaving, and does not grow with the length of the file.
 */
import type { ISOFile } from 'mp4box';
import type { BlockCache } from './block-cache.js';
import type { BlockOwner, DemuxMode, DemuxStep, DemuxTrack, OutSample } from './demux-types.js';
import { decodeTime } from './demux-types.js';
import type { TableSample } from './sample-table.js';
import { checkSampleDescription } from './codec-check.js';
import { MalformedInput } from './malformed.js';
import { trakPath } from './moov-check.js';
import { SampleCursor, tableDataEnd, tableStats } from './sample-table.js';
import type { SampleTables } from './stbl.js';
import type { RawBytes, Trak } from './track-props.js';
import { editDelay, trackProps } from './track-props.js';

/** A sample larger than this is taken for a corrupt size (a 4K intra frame is a few MB). */
const MAX_SAMPLE = 256 * 1024 * 1024;

interface TableTrack extends DemuxTrack {
  readonly tables: SampleTables;
  readonly cursor: SampleCursor;
}

/** A sample being put together from several blocks. */
interface Assembly {
  track: number;
  number: number;
  buf: Uint8Array;
  filled: number;
}

export class TableDemux implements DemuxMode {
  readonly fragmented = false;
  readonly tracks: TableTrack[] = [];
  private assembly: Assembly | undefined;
  /**
   * What step() hands out: the same two objects each time, filled again (the caller sends the sample on
   * and calls consumed() before the next step; two new objects a sample were ~5 MiB of garbage per
   * 600 s packaged).
   */
  private readonly sample: OutSample = {
    number: 0,
    data: new Uint8Array(0),
    dts: 0,
    cts: 0,
    duration: 0,
    sync: false,
    owner: undefined,
  };
  private readonly sampleStep: { kind: 'sample'; track: DemuxTrack; sample: OutSample } = {
    kind: 'sample',
    track: undefined as unknown as DemuxTrack,
    sample: this.sample,
  };

  /** `tables[i]`: the sample tables of `traks[i]`. */
  constructor(
    file: ISOFile,
    traks: readonly Trak[],
    tables: readonly SampleTables[],
    raw: RawBytes,
    private readonly cache: BlockCache,
  ) {
    const movieTimescale = file.moov.mvhd.timescale;
    traks.forEach((trak, i) => {
      const t = tables[i]!;
      const props = trackProps(file, trak, false, tableStats(t), raw);
      const all = file.moov.traks;
      checkSampleDescription(trak, props, trakPath(all.indexOf(trak), all.length));
      this.tracks.push({
        id: trak.tkhd.track_id,
        props,
        timescale: trak.mdia.mdhd.timescale,
        delay: editDelay(trak, movieTimescale),
        tables: t,
        cursor: new SampleCursor(t),
      });
    });
  }

  /** Largest offset any sample's data reaches (a walk over all chunk tables, which also checks them). */
  dataEnd(): { end: number; track: number } {
    let end = 0;
    let track = 0;
    for (const t of this.tracks) {
      const e = tableDataEnd(t.tables);
      if (e > end) [end, track] = [e, t.id];
    }
    return { end, track };
  }

  get heldBytes(): number {
    return this.assembly?.buf.length ?? 0;
  }

  /** Bytes the sample tables keep (the boxes as they are in the file). */
  get tableBytes(): number {
    return this.tracks.reduce((n, t) => n + t.tables.bytes, 0);
  }

  append(data: Uint8Array, offset: number, owner?: BlockOwner): void {
    this.cache.add(offset, data, owner);
  }

  step(): DemuxStep {
    let best: TableTrack | undefined;
    let bestTime = Infinity;
    for (const t of this.tracks) {
      const s = t.cursor.current;
      if (!s) continue;
      const time = decodeTime(t, s.dts);
      if (time < bestTime) [best, bestTime] = [t, time];
    }
    if (!best) return { kind: 'done' };
    const s = best.cursor.current!;
    const got = this.data(best, s);
    if (typeof got === 'number')
      return {
        kind: 'need',
        offset: got,
        missing: { track: best.id, sample: s.number + 1, end: s.offset + s.size },
      };
    const sample = this.sample;
    sample.number = s.number;
    sample.data = got;
    sample.dts = s.dts;
    sample.cts = s.cts;
    sample.duration = s.duration;
    sample.sync = s.sync;
    sample.owner = this.dataOwner;
    this.sampleStep.track = best;
    return this.sampleStep;
  }

  /** The owner of the block the last data() is a view of (undefined: assembled, the demuxer's own). */
  private dataOwner: BlockOwner | undefined;

  /**
   * The sample's bytes (a view of a cached block, whose owner goes to dataOwner, or assembled from
   * several), or the first offset still missing.
   */
  private data(t: TableTrack, s: TableSample): Uint8Array | number {
    this.dataOwner = undefined;
    if (s.size === 0) return new Uint8Array(0);
    if (s.size > MAX_SAMPLE)
      throw new MalformedInput(
        `${t.tables.where}/stsz: sample ${s.number + 1} of track ${t.id} claims ${s.size} bytes (more than ${MAX_SAMPLE})`,
      );
    let a = this.assembly;
    if (!a || a.track !== t.id || a.number !== s.number) {
      const whole = this.cache.prefix(s.offset, s.size);
      if (whole.length === s.size) {
        this.dataOwner = this.cache.prefixOwner;
        return whole;
      }
      if (!whole.length) return s.offset;
      a = this.assembly = { track: t.id, number: s.number, buf: new Uint8Array(s.size), filled: 0 };
    }
    while (a.filled < s.size) {
      const part = this.cache.prefix(s.offset + a.filled, s.size - a.filled);
      if (!part.length) return s.offset + a.filled;
      a.buf.set(part, a.filled);
      a.filled += part.length;
    }
    return a.buf;
  }

  consumed(t: DemuxTrack): void {
    const track = t as TableTrack;
    if (this.assembly?.track === track.id) this.assembly = undefined;
    track.cursor.advance();
  }

  endOfFile(): boolean {
    return false;
  }
}
