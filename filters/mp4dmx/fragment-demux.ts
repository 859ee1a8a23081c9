/**
 * Fragmented MP4 (moov with mvex, then moof+mdat pairs): mp4box.js parses the fragments and extracts
 * the samples as the file is read front to back. Samples already handed out are dropped from mp4box's
 * tables so a long file does not keep one object per sample.
 */
import { createFile, MP4BoxBuffer } from 'mp4box';
import type { ISOFile, Sample } from 'mp4box';
import type { BlockOwner, DemuxMode, DemuxStep, DemuxTrack, OutSample } from './demux-types.js';
import { decodeTime } from './demux-types.js';
import { boxAt } from './box-path.js';
import { FragmentCheck, moovTracks } from './fragment-check.js';
import { checkSampleDescription } from './codec-check.js';
import { checkedTraks, trakPath } from './moov-check.js';
import { parseCall } from './mp4box-call.js';
import type { TableStats } from './sample-table.js';
import type { RawBytes, Trak } from './track-props.js';
import { editDelay, trackProps } from './track-props.js';

/** A track whose next samples are not parsed yet holds back the others by at most this much media time. */
const FRAGMENT_WAIT_S = 10;

interface FragTrack extends DemuxTrack {
  readonly trak: Trak;
  next: number;
  /** End (seconds, delay applied) of the last sample handed out. */
  lastEnd: number;
  /** tfdt correction of the current traf (mp4box times only the first traf from its tfdt). */
  shift: number;
  /** Sample number the shift was computed at, moof and traf ordinal it came from. */
  shiftAt: number;
  moof: number;
  trafOrdinal: number;
}

/** Stands for a handed-out sample in mp4box's table (it only looks at `data`). */
const RELEASED = Object.freeze({ data: undefined }) as unknown as Sample;

function statsOf(samples: readonly Sample[]): TableStats {
  const byDuration = new Map<number, number>();
  let totalSize = 0;
  let totalDuration = 0;
  let commonDuration = 0;
  let best = 0;
  for (const s of samples) {
    totalSize += s.size;
    totalDuration += s.duration;
    const n = (byDuration.get(s.duration) ?? 0) + 1;
    byDuration.set(s.duration, n);
    if (s.duration > 0 && n > best) [best, commonDuration] = [n, s.duration];
  }
  return { count: samples.length, totalSize, totalDuration, commonDuration };
}

export interface FragmentSetup {
  /** The moov (whole box) and its file offset. */
  moov: { start: number; bytes: Uint8Array };
  /** A last box of size 0 ("to the end of the file") and its real size, told to mp4box.js. */
  openEnded?: { start: number; size: number };
  fileSize: () => number | undefined;
}

export class FragmentDemux implements DemuxMode {
  readonly fragmented = true;
  readonly tracks: FragTrack[] = [];
  private readonly file: ISOFile;
  private readonly check: FragmentCheck;
  private next = 0;
  private eof = false;
  private ready = false;
  /** An exception of our own callback (setup), which mp4box.js calls from inside appendBuffer. */
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly raw: RawBytes,
    private readonly logs: string[],
    private readonly opts: FragmentSetup,
  ) {
    this.file = createFile(false);
    this.file.onError = (module: string, message: string) => logs.push(`${module}: ${message}`);
    this.file.onReady = () => {
      try {
        this.setup();
      } catch (e) {
        this.failure = { error: e };
      }
    };
    this.file.onSamples = () => {}; // samples are taken from the track tables in step()
    this.check = new FragmentCheck(moovTracks(opts.moov.bytes), opts.fileSize);
  }

  private setup(): void {
    this.ready = true;
    const movieTimescale = this.file.moov.mvhd.timescale;
    const all = this.file.moov.traks;
    for (const trak of checkedTraks(this.file)) {
      const props = trackProps(this.file, trak, true, statsOf(trak.samples), this.raw);
      checkSampleDescription(trak, props, trakPath(all.indexOf(trak), all.length));
      this.tracks.push({
        id: trak.tkhd.track_id,
        props,
        timescale: trak.mdia.mdhd.timescale,
        delay: editDelay(trak, movieTimescale),
        trak,
        next: 0,
        lastEnd: 0,
        shift: 0,
        shiftAt: -1,
        moof: -1,
        trafOrdinal: 0,
      });
      this.file.setExtractionOptions(trak.tkhd.track_id, undefined, { nbSamples: 1000 });
    }
    this.file.start();
  }

  get heldBytes(): number {
    let n = this.file.getAllocatedSampleDataSize();
    for (const b of this.file.stream.buffers) n += b.byteLength;
    return n;
  }

  append(data: Uint8Array, offset: number, owner?: BlockOwner): void {
    this.check.feed(data, offset);
    const buf = new MP4BoxBuffer(data.length);
    const copy = new Uint8Array(buf);
    copy.set(data);
    owner?.release(); // copied: mp4box keeps its own
    const open = this.opts.openEnded;
    if (open && open.size <= 0xffffffff && offset <= open.start && open.start + 4 <= offset + data.length)
      new DataView(buf).setUint32(open.start - offset, open.size);
    buf.fileStart = offset;
    const next = parseCall(
      this.logs,
      this.file,
      () => this.file.appendBuffer(buf),
      (pos) => this.boxAt(pos),
      `the bytes at ${offset}`,
    );
    if (this.failure) throw this.failure.error;
    if (next !== undefined) this.next = next;
  }

  /** The box holding a file offset, among the moov and the last moof. */
  private boxAt(pos: number): ReturnType<typeof boxAt> {
    const { moov } = this.opts;
    const moof = this.check.lastMoof;
    return boxAt(moov.bytes, moov.start, pos) ?? (moof ? boxAt(moof.bytes, moof.start, pos) : undefined);
  }

  step(): DemuxStep {
    if (!this.ready) return { kind: 'need', offset: this.next };
    let best: FragTrack | undefined;
    let bestTime = Infinity;
    for (const t of this.tracks) {
      const s = t.trak.samples[t.next];
      if (!s) continue;
      const time = decodeTime(t, s.dts);
      if (time < bestTime) [best, bestTime] = [t, time];
    }
    if (!this.eof) {
      // A track with no parsed sample yet may still have earlier ones in the next fragment.
      const waiting = this.tracks.some(
        (t) => !t.trak.samples[t.next] && bestTime < t.lastEnd + FRAGMENT_WAIT_S,
      );
      if (waiting || !best) return { kind: 'need', offset: this.next };
    }
    if (!best) return { kind: 'done' };
    const s = best.trak.samples[best.next]!;
    if (s.data && s.alreadyRead === s.size) {
      const shift = this.tfdtShift(best, s);
      const out: OutSample = {
        number: s.number,
        data: s.data,
        dts: s.dts + shift,
        cts: s.cts + shift,
        duration: s.duration,
        sync: s.is_sync,
      };
      return { kind: 'sample', track: best, sample: out };
    }
    return {
      kind: 'need',
      offset: Math.min(s.offset + (s.alreadyRead ?? 0), this.next),
      missing: { track: best.id, sample: s.number + 1, end: s.offset + s.size },
    };
  }

  /**
   * Each traf's tfdt is the decode time of its first sample (a gap or a jump in a live stream, or
   * durations the writer got wrong); mp4box only uses the first one and adds up durations after.
   */
  private tfdtShift(t: FragTrack, s: Sample): number {
    if (s.number_in_traf !== 0 || s.number === t.shiftAt || s.moof_number === undefined) return t.shift;
    t.trafOrdinal = s.moof_number === t.moof ? t.trafOrdinal + 1 : 0;
    t.moof = s.moof_number;
    t.shiftAt = s.number;
    // mp4box numbers moofs from 1 here (it counts the moof before filling its samples in).
    const trafs = (this.file.moofs[s.moof_number - 1]?.trafs ?? []).filter(
      (tr) => tr.tfhd?.track_id === t.id && tr.truns?.some((r) => r.sample_count > 0),
    );
    const tfdt = trafs[t.trafOrdinal]?.tfdt;
    if (tfdt) t.shift = tfdt.baseMediaDecodeTime - s.dts;
    return t.shift;
  }

  consumed(t: DemuxTrack, s: OutSample): void {
    const track = t as FragTrack;
    track.next++;
    track.lastEnd = decodeTime(track, s.dts) + s.duration / track.timescale;
    this.file.releaseUsedSamples(track.id, track.next);
    // Keep the last handed-out sample: mp4box reads it to time the next fragment's first sample.
    if (track.next >= 2) track.trak.samples[track.next - 2] = RELEASED;
  }

  endOfFile(): boolean {
    if (this.eof) return false;
    this.eof = true;
    parseCall(
      this.logs,
      this.file,
      () => this.file.flush(),
      (pos) => this.boxAt(pos),
      'the last fragment',
    );
    if (this.failure) throw this.failure.error;
    return true;
  }
}
