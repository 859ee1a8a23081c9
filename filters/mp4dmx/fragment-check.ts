/**
 * Movie fragments checked before mp4box.js parses them. mp4box.js trusts a trun's sample_count: with no
 * per-sample fields it makes one JS object per declared sample (4 billion of them end the process on a V8
 * fatal error), and a traf naming a track the moov does not have, or with no tfhd, throws a TypeError.
 * Each moof is collected as it arrives (it is small) and checked against its own size, the moov's tracks
 * and the file's size; a failure is a MalformedInput naming the box and the value.
 */
import { checkCounts } from './count-check.js';
import { MalformedInput, fourcc } from './malformed.js';

/** A moof larger than this is taken for a corrupt size. */
const MAX_MOOF = 64 * 1024 * 1024;
/**
 * Samples one moof may declare. A fragment is seconds of media (a whole hour of AAC in one fragment is
 * 170,000 samples); mp4box.js holds ~300 bytes per sample, so this bounds its memory per fragment.
 */
export const MAX_FRAGMENT_SAMPLES = 1_000_000;
/** Decode times above this are refused: they and the durations added to them must stay exact doubles. */
const MAX_TIME = 2 ** 52;

interface Kid {
  type: string;
  /** Offsets in the box's bytes. */
  start: number;
  hdr: number;
  end: number;
}

function kids(b: Uint8Array, dv: DataView, from: number, to: number, path: string): Kid[] {
  const out: Kid[] = [];
  let p = from;
  while (p + 8 <= to) {
    let size = dv.getUint32(p);
    let hdr = 8;
    const type = fourcc(b, p + 4);
    if (size === 1) {
      if (p + 16 > to) break;
      size = dv.getUint32(p + 8) * 2 ** 32 + dv.getUint32(p + 12);
      hdr = 16;
    } else if (size === 0) {
      size = to - p;
    }
    if (size < hdr || p + size > to)
      throw new MalformedInput(
        `box ${path}/${type} claims ${size} bytes but ${path} has ${to - p} bytes left for it`,
      );
    out.push({ type, start: p, hdr, end: p + size });
    p += size;
  }
  return out;
}

/** Names boxes of one type among siblings: `traf[2]` when there are several. */
function named(list: readonly Kid[], k: Kid): string {
  const same = list.filter((x) => x.type === k.type);
  return same.length > 1 ? `${k.type}[${same.indexOf(k) + 1}]` : k.type;
}

interface TrackDefaults {
  /** trex default_sample_size (0 without a trex). */
  size: number;
}

/** The tracks of a fragmented file's moov (its whole box): track_ID → trex defaults. */
export function moovTracks(moov: Uint8Array): Map<number, TrackDefaults> {
  const dv = new DataView(moov.buffer, moov.byteOffset, moov.byteLength);
  const tracks = new Map<number, TrackDefaults>();
  const top = dv.getUint32(0) === 1 ? 16 : 8;
  const children = kids(moov, dv, top, moov.length, 'moov');
  for (const k of children) {
    if (k.type !== 'trak') continue;
    const tkhd = kids(moov, dv, k.start + k.hdr, k.end, 'moov/trak').find((x) => x.type === 'tkhd');
    if (!tkhd || tkhd.end - tkhd.start < tkhd.hdr + 24) continue;
    const v = moov[tkhd.start + tkhd.hdr]!;
    const id = dv.getUint32(tkhd.start + tkhd.hdr + (v === 1 ? 20 : 12));
    if (!tracks.has(id)) tracks.set(id, { size: 0 });
  }
  for (const k of children) {
    if (k.type !== 'mvex') continue;
    for (const t of kids(moov, dv, k.start + k.hdr, k.end, 'moov/mvex')) {
      if (t.type !== 'trex' || t.end - t.start < t.hdr + 24) continue;
      const at = t.start + t.hdr + 4;
      const track = tracks.get(dv.getUint32(at));
      if (track) track.size = dv.getUint32(at + 12);
    }
  }
  return tracks;
}

/** Bits of trun flags that add a 4-byte field per sample (duration, size, flags, composition offset). */
const PER_SAMPLE = [0x100, 0x200, 0x400, 0x800];

/**
 * Checks one moof (its whole box, at file offset `start`). `n`: its ordinal (for paths); `fileSize`
 * when known.
 */
export function checkMoof(
  moof: Uint8Array,
  start: number,
  n: number,
  tracks: ReadonlyMap<number, TrackDefaults>,
  fileSize: number | undefined,
): void {
  const dv = new DataView(moof.buffer, moof.byteOffset, moof.byteLength);
  const top = `moof[${n}] at byte ${start}`;
  const hdr = dv.getUint32(0) === 1 ? 16 : 8;
  let samples = 0;
  const children = kids(moof, dv, hdr, moof.length, 'moof');
  for (const traf of children) {
    if (traf.type !== 'traf') continue;
    const at = `${top}: ${named(children, traf)}`;
    const parts = kids(moof, dv, traf.start + traf.hdr, traf.end, 'moof/traf');
    const tfhd = parts.find((x) => x.type === 'tfhd');
    if (!tfhd) throw new MalformedInput(`${at} has no tfhd box`);
    const body = tfhd.start + tfhd.hdr;
    if (tfhd.end < body + 8)
      throw new MalformedInput(`${at}/tfhd is ${tfhd.end - tfhd.start} bytes: too short`);
    const tfFlags = dv.getUint32(body) & 0xffffff;
    const id = dv.getUint32(body + 4);
    const track = tracks.get(id);
    if (!track)
      throw new MalformedInput(
        `${at}/tfhd has track_ID ${id}, which no trak of the moov has (${[...tracks.keys()].join(', ') || 'none'})`,
      );
    let p = body + 8;
    let defaultSize = track.size;
    for (const [bit, bytes] of [
      [0x1, 8],
      [0x2, 4],
      [0x8, 4],
      [0x10, 4],
      [0x20, 4],
    ] as const) {
      if (!(tfFlags & bit)) continue;
      if (p + bytes > tfhd.end)
        throw new MalformedInput(
          `${at}/tfhd: its flags 0x${tfFlags.toString(16)} announce fields past its end`,
        );
      if (bit === 0x10) defaultSize = dv.getUint32(p);
      p += bytes;
    }
    const tfdt = parts.find((x) => x.type === 'tfdt');
    if (tfdt && tfdt.end >= tfdt.start + tfdt.hdr + 12 && moof[tfdt.start + tfdt.hdr] === 1) {
      const at64 = tfdt.start + tfdt.hdr + 4;
      const time = dv.getUint32(at64) * 2 ** 32 + dv.getUint32(at64 + 4);
      if (time > MAX_TIME)
        throw new MalformedInput(
          `${at}/tfdt has baseMediaDecodeTime ${dv.getBigUint64(at64)}, past 2^52 (graphpac keeps times exact below it)`,
        );
    }
    for (const trun of parts) {
      if (trun.type !== 'trun') continue;
      const path = `${at}/${named(parts, trun)}`;
      const b = trun.start + trun.hdr;
      if (trun.end < b + 8) throw new MalformedInput(`${path} is ${trun.end - trun.start} bytes: too short`);
      const flags = dv.getUint32(b) & 0xffffff;
      const count = dv.getUint32(b + 4);
      const fixed = 8 + (flags & 0x1 ? 4 : 0) + (flags & 0x4 ? 4 : 0);
      const entry = 4 * PER_SAMPLE.filter((bit) => flags & bit).length;
      const room = trun.end - b - fixed;
      if (room < 0)
        throw new MalformedInput(`${path}: its flags 0x${flags.toString(16)} announce fields past its end`);
      if (entry > 0 && count * entry > room)
        throw new MalformedInput(
          `${path} declares ${count} samples (${count * entry} bytes of entries) but holds ${room} bytes of them`,
        );
      if (entry === 0 || !(flags & 0x200)) {
        // Every sample has the default size: together they must fit in the file.
        const total = count * defaultSize;
        if (fileSize !== undefined && total > fileSize)
          throw new MalformedInput(
            `${path} declares ${count} samples of ${defaultSize} bytes, more than the file's ${fileSize} bytes`,
          );
      }
      if (flags & 0x800 && moof[b] === 0) {
        // Version 0 composition offsets are unsigned; one of 2^31 or more is no offset any writer can carry.
        const step = entry / 4;
        const first = b + fixed + 4 * [0x100, 0x200, 0x400].filter((bit) => flags & bit).length;
        for (let i = 0; i < count; i++) {
          const v = dv.getUint32(first + 4 * step * i);
          if (v >= 2 ** 31)
            throw new MalformedInput(
              `${path}: sample ${i + 1} has composition time offset ${v} (2^31 or more)`,
            );
        }
      }
      samples += count;
      if (samples > MAX_FRAGMENT_SAMPLES)
        throw new MalformedInput(
          `${path} brings the fragment to ${samples} samples, more than the ${MAX_FRAGMENT_SAMPLES} a fragment may hold here`,
        );
    }
  }
}

/**
 * Walks the top-level boxes of a fragmented file as its bytes are fed (in file order, with possible
 * re-reads) and checks every moof, and every other box mp4box.js parses, once it is whole, before the
 * same bytes reach mp4box.js. The bytes are copied as they come: the blocks they arrive in go back to
 * the source for reuse as soon as mp4box.js has its own copy.
 */
export class FragmentCheck {
  /** File offset of the next top-level box header. */
  private pos = 0;
  /** The bytes of the box at `pos` collected so far (its header, then the whole box when checked). */
  private acc = new Uint8Array(16);
  private have = 0;
  /** Bytes wanted from `pos`: 16 for the header, then the box's size. */
  private need = 16;
  private moofs = 0;
  /** The last moof checked, for naming boxes mp4box.js fails on. */
  lastMoof: { start: number; bytes: Uint8Array } | undefined;

  constructor(
    private readonly tracks: ReadonlyMap<number, TrackDefaults>,
    private readonly fileSize: () => number | undefined,
  ) {}

  feed(data: Uint8Array, offset: number): void {
    const end = offset + data.length;
    for (let guard = 0; guard < 1_000_000 && Number.isFinite(this.pos); guard++) {
      const at = this.pos + this.have;
      // Bytes before the walk were seen already; bytes after a gap cannot be parsed by mp4box.js either.
      if (at < offset || at >= end) return;
      const n = Math.min(this.need - this.have, end - at);
      this.acc.set(data.subarray(at - offset, at - offset + n), this.have);
      this.have += n;
      if (this.have < this.need && at + n >= end) {
        // The end of the file may come before 16 header bytes: a short last box is the scan's business.
        return;
      }
      this.step();
    }
  }

  /** The collected bytes allow a step: read the header, or check the whole box and move on. */
  private step(): void {
    const head = this.acc;
    const dv = new DataView(head.buffer, head.byteOffset, head.byteLength);
    if (this.need === 16 || this.have < 8) {
      let size = dv.getUint32(0);
      const type = fourcc(head, 4);
      if (size === 1) size = dv.getUint32(8) * 2 ** 32 + dv.getUint32(12);
      else if (size === 0 && type === 'moof')
        // "To the end of the file": the moof would hold its own mdat; mp4box.js cannot read it either.
        throw new MalformedInput(`box moof at byte ${this.pos} has size 0 (to the end of the file)`);
      else if (size === 0) size = Infinity;
      if (size < 8 || !Number.isFinite(size)) {
        this.pos = Infinity; // the top-level scan reports it, or the box runs to the end
        return;
      }
      if (type === 'moof' && size > MAX_MOOF)
        throw new MalformedInput(`box moof at byte ${this.pos} claims ${size} bytes (more than ${MAX_MOOF})`);
      if (type === 'mdat' || type === 'moov' || size > MAX_MOOF) return this.next(size);
      const box = new Uint8Array(size);
      box.set(head.subarray(0, Math.min(this.have, size)));
      this.acc = box;
      this.need = size;
      this.have = Math.min(this.have, size);
      if (this.have < size) return;
    }
    const bytes = this.acc;
    const type = fourcc(bytes, 4);
    if (type === 'moof') {
      this.moofs++;
      checkMoof(bytes, this.pos, this.moofs, this.tracks, this.fileSize());
      this.lastMoof = { start: this.pos, bytes };
      const hdr = new DataView(bytes.buffer).getUint32(0) === 1 ? 16 : 8;
      checkCounts(bytes, hdr, bytes.length, `moof[${this.moofs}]`, { fileSize: this.fileSize() });
    } else {
      // The counts of whatever else mp4box.js parses (sidx, ssix, mfra, meta…).
      checkCounts(bytes, 0, bytes.length, '', { fileSize: this.fileSize() });
    }
    this.next(bytes.length);
  }

  private next(size: number): void {
    this.pos += size;
    this.acc = new Uint8Array(16);
    this.have = 0;
    this.need = 16;
  }
}
