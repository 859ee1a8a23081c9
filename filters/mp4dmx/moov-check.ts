/**
 * The boxes mp4dmx reads of every track, checked once mp4box.js has parsed the moov: a trak without
 * them is malformed, named by its path, rather than a TypeError deep in the demuxer.
 */
import type { ISOFile } from 'mp4box';
import { MalformedInput } from './malformed.js';
import type { Trak } from './track-props.js';

/** `moov/trak[2]` (numbered when the moov has several). */
export function trakPath(i: number, n: number): string {
  return n > 1 ? `moov/trak[${i + 1}]` : 'moov/trak';
}

/** The movie header and each track's boxes; returns the tracks to demux (hint tracks left out). */
export function checkedTraks(file: ISOFile): Trak[] {
  const moov = file.moov;
  if (!moov.mvhd) throw new MalformedInput('moov has no mvhd box');
  const traks = (moov.traks ?? []) as Trak[];
  const ids = new Map<number, number>();
  const out: Trak[] = [];
  traks.forEach((t, i) => {
    const at = trakPath(i, traks.length);
    if (!t.tkhd) throw new MalformedInput(`${at} has no tkhd box`);
    if (!t.mdia) throw new MalformedInput(`${at} has no mdia box`);
    if (!t.mdia.hdlr) throw new MalformedInput(`${at}/mdia has no hdlr box`);
    if (t.mdia.hdlr.handler === 'hint') return;
    const id = t.tkhd.track_id;
    const first = ids.get(id);
    if (first !== undefined)
      throw new MalformedInput(
        `${at}/tkhd has track_ID ${id}, already the ID of ${trakPath(first, traks.length)}`,
      );
    ids.set(id, i);
    if (!t.mdia.mdhd) throw new MalformedInput(`${at}/mdia has no mdhd box`);
    if (!(t.mdia.mdhd.timescale > 0))
      throw new MalformedInput(`${at}/mdia/mdhd has timescale ${t.mdia.mdhd.timescale} (track ${id})`);
    if (!t.mdia.minf) throw new MalformedInput(`${at}/mdia has no minf box`);
    if (!t.mdia.minf.stbl) throw new MalformedInput(`${at}/mdia/minf has no stbl box`);
    if (!t.mdia.minf.stbl.stsd) throw new MalformedInput(`${at}/mdia/minf/stbl has no stsd box`);
    out.push(t);
  });
  return out;
}
