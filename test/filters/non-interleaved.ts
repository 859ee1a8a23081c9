/**
 * Test media maker: rewrites an MP4 so that each track's samples are stored in one chunk, track after
 * track (all video, then all audio...), with the moov at the end: the worst interleaving a demuxer
 * meets. Built with mp4box.js's box writers; the samples and their timing are unchanged.
 */
import { DataStream, ISOFile, MP4BoxBuffer, createFile } from 'mp4box';
import type { Box } from 'mp4box';

function parseWhole(file: Uint8Array): ISOFile {
  const f = createFile(true);
  const buf = new MP4BoxBuffer(file.length);
  new Uint8Array(buf).set(file);
  buf.fileStart = 0;
  f.appendBuffer(buf);
  f.flush();
  return f;
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
}

function child<T extends Box>(parent: Box, type: string): T {
  const b = parent.boxes?.find((x) => x.type === type);
  if (!b) throw new Error(`no ${type} box`);
  return b as T;
}

interface ChunkTables extends Box {
  first_chunk: number[];
  samples_per_chunk: number[];
  sample_description_index: number[];
}

export function makeNonInterleaved(file: Uint8Array): Uint8Array {
  const f = parseWhole(file);
  const ftypBox = f.boxes.find((b) => b.type === 'ftyp')!;
  const ftyp = file.subarray(ftypBox.start!, ftypBox.start! + ftypBox.size);
  const mdatHeader = 8;
  let pos = ftyp.length + mdatHeader;
  const payload: Uint8Array[] = [];
  for (const trak of f.moov.traks) {
    const stbl = trak.mdia.minf.stbl;
    const stsc = child<ChunkTables>(stbl, 'stsc');
    const stco = child<Box & { chunk_offsets: number[] }>(stbl, 'stco');
    stsc.first_chunk = [1];
    stsc.samples_per_chunk = [trak.samples.length];
    stsc.sample_description_index = [1];
    stco.chunk_offsets = [pos];
    for (const s of trak.samples) {
      const data = file.subarray(s.offset, s.offset + s.size);
      payload.push(data);
      pos += data.length;
    }
  }
  const ds = new DataStream(); // big-endian by default
  f.moov.write(ds as never);
  const moov = new Uint8Array(ds.buffer, 0, ds.getPosition());
  const mdatSize = pos - ftyp.length;
  const parts = [ftyp, u32(mdatSize), new TextEncoder().encode('mdat'), ...payload, moov];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
