/**
 * The engine-independent core of mp4dmx: takes file bytes at the offsets it asks for and hands out
 * the samples of all tracks in decode-time order.
 *
 * Until the moov is known it walks the top-level boxes itself (over a leading mdat straight to a moov
 * at the end) and collects the moov. Then a plain MP4 is read from its sample tables (table-demux.ts),
 * a fragmented one through mp4box.js's fragment parser (fragment-demux.ts). Truncated and corrupt
 * files end in one GraphError naming the file and the byte where things went wrong.
 */
import { createFile, MP4BoxBuffer } from 'mp4box';
import type { ISOFile } from 'mp4box';
import { GraphError } from '../../src/index.js';
import { BlockCache } from './block-cache.js';
import { TopLevelScan } from './box-scan.js';
import type { TopBox } from './box-scan.js';
import type { BlockOwner, DemuxMode, DemuxStep, DemuxTrack, OutSample } from './demux-types.js';
import { FragmentDemux } from './fragment-demux.js';
import { boxAt } from './box-path.js';
import { checkCounts } from './count-check.js';
import { MalformedInput } from './malformed.js';
import { checkedTraks, trakPath } from './moov-check.js';
import { parseCall, printableLog } from './mp4box-call.js';
import type { SampleTables } from './stbl.js';
import { stripSampleTables, tablesFromBoxes, tablesFromTrak } from './stbl.js';
import { TableDemux } from './table-demux.js';

export type { BlockOwner, DemuxStep, DemuxTrack, OutSample } from './demux-types.js';

/** Bytes from the start of the file kept until the moov is known (a fragmented file's ftyp+moov). */
const MAX_PREFIX = 8 * 1024 * 1024;
/** A moov larger than this is taken for a corrupt size. */
const MAX_MOOV = 512 * 1024 * 1024;
/** Blocks kept for cutting samples out of (more with more tracks, see openMoov). */
const MIN_CACHED_BLOCKS = 4;

interface MoovCollect {
  start: number;
  size: number;
  parts: Uint8Array[];
  filled: number;
  bytes?: Uint8Array;
}

export class Mp4Demuxer {
  private readonly scan = new TopLevelScan();
  private readonly cache = new BlockCache(MIN_CACHED_BLOCKS);
  private readonly logs: string[] = [];
  private moov: MoovCollect | undefined;
  /** The first bytes of the file, as long as they were read in order (replayed to mp4box for fragmented files). */
  private prefix: { parts: Uint8Array[]; end: number } | undefined = { parts: [], end: 0 };
  private mode: DemuxMode | undefined;
  private stalls = 0;
  /** File size when known (fin's DownloadSize, or the end of the packet flagged `end`). */
  fileSize: number | undefined;

  /** `who`: message prefix (`mp4dmx`); `label`: the file as the user named it. */
  constructor(
    private readonly who: string,
    private readonly label: string,
  ) {}

  get ready(): boolean {
    return this.mode !== undefined && (!this.mode.fragmented || this.mode.tracks.length > 0);
  }

  get tracks(): readonly DemuxTrack[] {
    return this.ready ? this.mode!.tracks : [];
  }

  get isFragmented(): boolean {
    return this.mode?.fragmented ?? false;
  }

  /** File bytes held right now (memory checks in tests). */
  get heldBytes(): number {
    const prefix = new Set((this.prefix?.parts ?? []).map((p) => p.buffer));
    let n = this.cache.bytes + (this.mode?.heldBytes ?? 0) + (this.moov && !this.mode ? this.moov.filled : 0);
    for (const b of prefix) n += b.byteLength;
    return n;
  }

  private fail(what: string, code: 'CORRUPT_INPUT' | 'UNSUPPORTED_FORMAT' = 'CORRUPT_INPUT'): GraphError {
    return new GraphError(code, `${this.who}: "${this.label}" ${what}`, { file: this.label });
  }

  /**
   * Feed `data`, the file bytes starting at `offset`. Throws a GraphError on corrupt input. `owner` is
   * released once nothing here holds a view of `data` (never for the blocks read before the sample
   * tables are known: the file's first boxes and the moov, kept while it is collected).
   */
  append(data: Uint8Array, offset: number, owner?: BlockOwner): void {
    if (!data.length) {
      owner?.release();
      return;
    }
    const before = this.peekNeed();
    try {
      if (!this.mode || this.mode.fragmented) {
        this.scan.feed(data, offset);
        if (this.scan.notIsobmff)
          throw this.fail(`is not an MP4 (ISOBMFF) file: ${this.scan.invalid}`, 'UNSUPPORTED_FORMAT');
        if (this.scan.invalid) throw this.fail(`is corrupt: ${this.scan.invalid}`);
      }
      if (this.mode) {
        this.mode.append(data, offset, owner);
      } else {
        this.cache.add(offset, data);
        const p = this.prefix;
        if (p && offset === p.end) {
          p.parts.push(data);
          p.end += data.length;
          if (p.end > MAX_PREFIX) this.prefix = undefined;
        }
        this.collectMoov();
      }
    } catch (e) {
      throw this.classify(e);
    }
    // A parse that cannot go on asks for the same bytes again and again: stop it.
    const after = this.peekNeed();
    if (before !== undefined && after === before && offset <= before && before < offset + data.length) {
      if (++this.stalls >= 3) {
        const why = this.logs.at(-1);
        throw this.fail(`is corrupt: parsing cannot go past byte ${before}${why ? ` (${why})` : ''}`);
      }
    } else {
      this.stalls = 0;
    }
  }

  /**
   * The input is malformed (our parsing code or mp4box.js's parse said so): one GraphError naming the
   * file. Anything else is a bug and is thrown as it is.
   */
  private classify(e: unknown): unknown {
    if (e instanceof MalformedInput) return this.fail(`is corrupt: ${e.message}`);
    return e;
  }

  private collectMoov(): void {
    if (!this.moov) {
      const box = this.scan.boxes.find((b) => b.type === 'moov');
      if (!box) return;
      if (this.fileSize !== undefined && Number.isFinite(box.size) && box.start + box.size > this.fileSize)
        throw this.fail(`is truncated: ${overrunText(box, this.fileSize)}`);
      if (box.size > MAX_MOOV && Number.isFinite(box.size))
        throw this.fail(`is corrupt: moov box at byte ${box.start} claims ${box.size} bytes`);
      // Size 0 (Infinity here): the moov is the last box and runs to the end of the file.
      this.moov = { start: box.start, size: box.size, parts: [], filled: 0 };
    }
    const m = this.moov;
    const openEnded = !Number.isFinite(m.size);
    for (;;) {
      if (!Number.isFinite(m.size) && this.fileSize !== undefined) m.size = this.fileSize - m.start;
      if (m.filled >= m.size) break;
      if (m.filled > MAX_MOOV)
        throw this.fail(
          `is corrupt: moov box at byte ${m.start} runs to the end of the file, past ${MAX_MOOV} bytes`,
        );
      const part = this.cache.prefix(m.start + m.filled, m.size - m.filled);
      if (!part.length) return;
      m.parts.push(part);
      m.filled += part.length;
    }
    m.bytes = new Uint8Array(m.size);
    let at = 0;
    for (const p of m.parts) {
      m.bytes.set(p, at);
      at += p.length;
    }
    m.parts = [];
    // mp4box.js reads size 0 as "to the end" only for mdat: give the moov its real size.
    if (openEnded) writeBoxSize(m.bytes, m.size);
    this.openMoov(m.start, m.bytes, openEnded);
    m.bytes = undefined; // parsed: the boxes hold what is needed
  }

  /** The moov is complete: choose how to read the samples. */
  private openMoov(start: number, bytes: Uint8Array, openEnded: boolean): void {
    // Every count mp4box.js would loop over, checked against its bytes first (count-check.ts).
    checkCounts(bytes, 0, bytes.length, '', { fileSize: this.fileSize });
    if (hasChild(bytes, 'mvex')) {
      // mp4box.js reads this moov's own sample tables (usually empty): they get the checks a plain file's get.
      const stripped = stripSampleTables(bytes);
      stripped?.traks.forEach((t, i) =>
        tablesFromBoxes(t.boxes, `${trakPath(i, stripped.traks.length)}/mdia/minf/stbl`),
      );
      // Fragmented: mp4box reads the file from its start (what is cached of it, then the rest).
      const raw = (from: number, to: number) =>
        from >= start && to <= start + bytes.length ? bytes.subarray(from - start, to - start) : undefined;
      const frag = new FragmentDemux(raw, this.logs, {
        moov: { start, bytes },
        ...(openEnded ? { openEnded: { start, size: bytes.length } } : {}),
        fileSize: () => this.fileSize,
      });
      this.mode = frag;
      let pos = 0;
      for (const part of this.prefix?.parts ?? []) {
        frag.append(part, pos);
        pos += part.length;
      }
      for (
        let part = this.cache.prefix(pos, Infinity);
        part.length;
        part = this.cache.prefix(pos, Infinity)
      ) {
        frag.append(part, pos);
        pos += part.length;
      }
      this.prefix = undefined;
      return;
    }
    // Plain MP4: mp4box parses the moov alone (as if at offset 0) and builds no sample list. The sample
    // tables stay as they are in the file (stbl.ts): mp4box gets the moov without them.
    const stripped = stripSampleTables(bytes);
    const parsed = stripped?.moov ?? bytes;
    const file: ISOFile = createFile(false);
    file.sampleListBuilt = true;
    file.onError = (module: string, message: string) => this.logs.push(`${module}: ${message}`);
    const buf = new MP4BoxBuffer(parsed.length);
    new Uint8Array(buf).set(parsed);
    // Paths are those of the moov as it is in the file: the stripped one differs only inside stbl.
    parseCall(
      this.logs,
      file,
      () => file.appendBuffer(buf),
      (offset) => boxAt(parsed, 0, offset),
      'the moov box',
    );
    if (!file.moov?.mvhd)
      throw this.fail(
        `is corrupt: cannot parse the moov box${this.logs.length ? ` (${printableLog(this.logs.at(-1)!)})` : ''}`,
      );
    const traks = checkedTraks(file);
    if (!traks.length) throw this.fail('has no tracks', 'UNSUPPORTED_FORMAT');
    // Box positions mp4box recorded are in what it parsed.
    const raw = (from: number, to: number) => (to <= parsed.length ? parsed.subarray(from, to) : undefined);
    const all = file.moov.traks;
    const tables: SampleTables[] = traks.map((t) => {
      const i = all.indexOf(t);
      const where = `${trakPath(i, all.length)}/mdia/minf/stbl`;
      if (!stripped) return tablesFromTrak(t, where);
      const own = stripped.traks[i];
      if (!own || (own.trackId !== undefined && own.trackId !== t.tkhd.track_id))
        throw this.fail(`is corrupt: cannot find the sample tables of track ${t.tkhd.track_id}`);
      return tablesFromBoxes(own.boxes, where);
    });
    if (this.fileSize !== undefined)
      for (const t of tables)
        if (t.constantSize * t.count > this.fileSize)
          throw new MalformedInput(
            `${t.where}/stsz declares ${t.count} samples of ${t.constantSize} bytes, more than the file's ${this.fileSize} bytes`,
          );
    const table = new TableDemux(file, traks, tables, raw, this.cache);
    if (this.fileSize !== undefined) {
      const { end, track } = table.dataEnd();
      if (end > this.fileSize)
        throw this.fail(
          `is truncated: sample data of track ${track} ends at byte ${end} but the file has ${this.fileSize} bytes`,
        );
    }
    this.mode = table;
    this.prefix = undefined;
    // Enough blocks for every track's current region plus samples spanning two blocks.
    this.cache.capacity = Math.max(MIN_CACHED_BLOCKS, 2 * traks.length + 1);
  }

  /** What to do next: hand out a sample, read more bytes, or stop. */
  step(): DemuxStep {
    for (;;) {
      let r: DemuxStep;
      try {
        r = this.stepOnce();
      } catch (e) {
        throw this.classify(e);
      }
      if (r.kind !== 'need') return r;
      const size = this.fileSize;
      if (!Number.isFinite(r.offset) && size === undefined) throw this.moovMissing(r.offset);
      if (size === undefined || r.offset < size) return r;
      // Every byte of the file has been seen and more are wanted.
      if (!this.ready) throw this.moovMissing(size);
      const over = this.scan.overrun(size);
      if (over) throw this.fail(`is truncated: ${overrunText(over, size)}`);
      if (this.mode!.endOfFile()) continue;
      throw this.fail(
        r.missing
          ? `is truncated: sample ${r.missing.sample} of track ${r.missing.track} ends at byte ${r.missing.end} but the file has ${size} bytes`
          : `is truncated: data is needed past the end of the file (${size} bytes)`,
      );
    }
  }

  private stepOnce(): DemuxStep {
    if (this.mode) return this.mode.step();
    const m = this.moov;
    return { kind: 'need', offset: m ? m.start + m.filled : this.scan.nextBoxAt };
  }

  private peekNeed(): number | undefined {
    try {
      const r = this.stepOnce();
      return r.kind === 'need' ? r.offset : undefined;
    } catch (e) {
      // The next step() reports the input's error; a bug surfaces here.
      if (e instanceof MalformedInput) return undefined;
      throw e;
    }
  }

  /** The sample returned by step() was handed out. */
  consumed(t: DemuxTrack, s: OutSample): void {
    this.mode?.consumed(t, s);
  }

  private moovMissing(fileSize: number): GraphError {
    const over = Number.isFinite(fileSize) ? this.scan.overrun(fileSize) : undefined;
    if (over)
      return this.fail(
        `is truncated: ${overrunText(over, fileSize)}${over.type === 'moov' ? '' : ' (moov box missing)'}`,
      );
    const last = this.scan.boxes.at(-1);
    const why =
      last && !Number.isFinite(last.size)
        ? ` (box '${last.type}' at byte ${last.start} runs to the end of the file)`
        : '';
    return this.fail(`is truncated or corrupt: moov box missing${why}`);
  }

  /** mp4box messages captured so far (for debug logs). */
  takeLogs(): string[] {
    return this.logs.splice(0);
  }
}

/** Writes a box's real size into its 32-bit size field (a size 0 box once its end is known). */
function writeBoxSize(box: Uint8Array, size: number): void {
  if (size <= 0xffffffff) new DataView(box.buffer, box.byteOffset, 4).setUint32(0, size);
}

function overrunText(box: TopBox, fileSize: number): string {
  return `box '${box.type}' at byte ${box.start} needs ${box.size} bytes but the file ends at byte ${fileSize}`;
}

/** Does the box in `bytes` (a whole box, header included) have a direct child of `type`? */
function hasChild(bytes: Uint8Array, type: string): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = view.getUint32(0) === 1 ? 16 : 8;
  while (pos + 8 <= bytes.length) {
    let size = view.getUint32(pos);
    const t = String.fromCharCode(bytes[pos + 4]!, bytes[pos + 5]!, bytes[pos + 6]!, bytes[pos + 7]!);
    if (t === type) return true;
    if (size === 1 && pos + 16 <= bytes.length)
      size = view.getUint32(pos + 8) * 2 ** 32 + view.getUint32(pos + 12);
    if (size < 8) return false;
    pos += size;
  }
  return false;
}
