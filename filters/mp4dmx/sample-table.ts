/**
 * A walk over one track's sample tables (stbl: stts, ctts, stsc, stco/co64, stsz/stz2, stss) that
 * yields one sample at a time. Nothing per sample is allocated up front: memory is the parsed boxes
 * themselves, whatever the length of the file (mp4box.js's own sample list costs ~400 bytes a sample).
 */
import type { Trak } from './track-props.js';

export interface TableSample {
  /** 0-based sample number. */
  number: number;
  offset: number;
  size: number;
  dts: number;
  cts: number;
  duration: number;
  sync: boolean;
}

export interface TableStats {
  count: number;
  totalSize: number;
  totalDuration: number;
  /** The most common sample duration (0 if none). */
  commonDuration: number;
}

interface Stbl {
  stts?: { sample_counts: number[]; sample_deltas: number[] };
  ctts?: { sample_counts: number[]; sample_offsets: number[] };
  stsc?: { first_chunk: number[]; samples_per_chunk: number[] };
  stco?: { chunk_offsets: number[] };
  co64?: { chunk_offsets: number[] };
  stsz?: { sample_sizes: number[]; sample_size: number; sample_count: number };
  stz2?: { sample_sizes: number[] };
  stss?: { sample_numbers: number[] };
}

export class CorruptTable extends Error {}

/** Walks run-length tables: `counts[i]` items have value `values[i]`. */
class Runs {
  private run = 0;
  private left: number;
  constructor(
    private readonly counts: readonly number[],
    private readonly values: readonly number[],
  ) {
    this.left = counts[0] ?? Infinity;
    this.skipEmpty();
  }
  get value(): number {
    return this.values[Math.min(this.run, this.values.length - 1)] ?? 0;
  }
  advance(): void {
    this.left--;
    this.skipEmpty();
  }
  private skipEmpty(): void {
    while (this.left <= 0 && this.run + 1 < this.counts.length) this.left = this.counts[++this.run]!;
  }
}

export class SampleCursor {
  readonly count: number;
  private readonly sizes: readonly number[] | undefined;
  private readonly constantSize: number;
  private readonly chunkOffsets: readonly number[];
  private readonly firstChunk: readonly number[];
  private readonly perChunk: readonly number[];
  private readonly syncNumbers: readonly number[] | undefined;
  private readonly stts: Runs;
  private readonly ctts: Runs | undefined;
  private j = 0;
  private dts = 0;
  private chunk = 0; // 0-based index in chunkOffsets
  private stscRun = 0;
  private leftInChunk = 0;
  private offsetInChunk = 0;
  private syncIndex = 0;
  private cached: TableSample | undefined;

  constructor(trak: Trak) {
    const stbl = trak.mdia.minf.stbl as unknown as Stbl;
    const stsz = stbl.stsz;
    const sizes = stsz?.sample_sizes ?? stbl.stz2?.sample_sizes ?? [];
    this.count = stsz && stsz.sample_size > 0 ? stsz.sample_count : sizes.length;
    this.sizes = stsz && stsz.sample_size > 0 ? undefined : sizes;
    this.constantSize = stsz?.sample_size ?? 0;
    this.chunkOffsets = (stbl.stco ?? stbl.co64)?.chunk_offsets ?? [];
    this.firstChunk = stbl.stsc?.first_chunk ?? [];
    this.perChunk = stbl.stsc?.samples_per_chunk ?? [];
    this.syncNumbers = stbl.stss?.sample_numbers;
    this.stts = new Runs(stbl.stts?.sample_counts ?? [], stbl.stts?.sample_deltas ?? []);
    this.ctts = stbl.ctts ? new Runs(stbl.ctts.sample_counts, stbl.ctts.sample_offsets) : undefined;
    if (this.count > 0) {
      if (!this.chunkOffsets.length || !this.perChunk.length)
        throw new CorruptTable('no chunk table (stco/stsc)');
      this.leftInChunk = this.perChunk[0]!;
      this.settleChunk();
    }
  }

  /** Move to the next chunk while the current one holds no more samples. */
  private settleChunk(): void {
    while (this.leftInChunk <= 0) {
      this.chunk++;
      this.offsetInChunk = 0;
      if (this.chunk >= this.chunkOffsets.length)
        throw new CorruptTable(
          `sample ${this.j + 1} is in chunk ${this.chunk + 1} of ${this.chunkOffsets.length}`,
        );
      for (let next = this.firstChunk[this.stscRun + 1]; next !== undefined && this.chunk + 1 >= next;)
        next = this.firstChunk[++this.stscRun + 1];
      this.leftInChunk = this.perChunk[this.stscRun] ?? 0;
      if (this.leftInChunk <= 0 && this.firstChunk[this.stscRun + 1] === undefined)
        throw new CorruptTable('a chunk run with no samples');
    }
  }

  /** The sample at the cursor, or undefined past the last one. */
  get current(): TableSample | undefined {
    if (this.j >= this.count) return undefined;
    if (!this.cached) {
      const size = this.sizes ? this.sizes[this.j]! : this.constantSize;
      let sync = true;
      if (this.syncNumbers) {
        while ((this.syncNumbers[this.syncIndex] ?? Infinity) < this.j + 1) this.syncIndex++;
        sync = this.syncNumbers[this.syncIndex] === this.j + 1;
      }
      this.cached = {
        number: this.j,
        offset: this.chunkOffsets[this.chunk]! + this.offsetInChunk,
        size,
        dts: this.dts,
        cts: this.dts + (this.ctts?.value ?? 0),
        duration: this.stts.value,
        sync,
      };
    }
    return this.cached;
  }

  advance(): void {
    const s = this.current;
    if (!s) return;
    this.cached = undefined;
    this.j++;
    this.dts += s.duration;
    this.stts.advance();
    this.ctts?.advance();
    if (this.j < this.count) {
      this.offsetInChunk += s.size;
      this.leftInChunk--;
      this.settleChunk();
    }
  }
}

/** Totals of a track's tables (for Bitrate, Duration, NbFrames, FPS) without walking the samples. */
export function tableStats(trak: Trak): TableStats {
  const stbl = trak.mdia.minf.stbl as unknown as Stbl;
  const stsz = stbl.stsz;
  const sizes = stsz?.sample_sizes ?? stbl.stz2?.sample_sizes ?? [];
  const constant = stsz && stsz.sample_size > 0;
  const count = constant ? stsz.sample_count : sizes.length;
  let totalSize = 0;
  if (constant) totalSize = stsz.sample_size * count;
  else for (const s of sizes) totalSize += s;
  let totalDuration = 0;
  let commonDuration = 0;
  let best = 0;
  const byDelta = new Map<number, number>();
  const counts = stbl.stts?.sample_counts ?? [];
  const deltas = stbl.stts?.sample_deltas ?? [];
  for (let i = 0; i < counts.length; i++) {
    const n = counts[i]!;
    const d = deltas[i] ?? 0;
    totalDuration += n * d;
    const total = (byDelta.get(d) ?? 0) + n;
    byDelta.set(d, total);
    if (d > 0 && total > best) [best, commonDuration] = [total, d];
  }
  return { count, totalSize, totalDuration, commonDuration };
}
