/**
 * Checks of what a live run published, for the fault tests: every version of a variant playlist (as
 * the origin received or served them, in order) must be valid (llhls-check's rules), follow the one
 * before it, list its segments in order, and describe segments that are whole: a complete segment's
 * EXTINF and its parts' durations must match the media its bytes hold (sample durations read from
 * the moof/trun boxes against the init segment's timescale), and its file must end where its last
 * part ends.
 */
import { checkPartBytes, checkPlaylist, checkSequence, parsePlaylist } from '../helpers/llhls-check.js';
import type { ReadFile } from '../helpers/llhls-check.js';

interface Box {
  type: string;
  start: number;
  /** Payload start. */
  body: number;
  end: number;
}

function boxes(d: Uint8Array, from = 0, to = d.length): Box[] {
  const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
  const out: Box[] = [];
  let at = from;
  while (at + 8 <= to) {
    let size = v.getUint32(at);
    let body = at + 8;
    if (size === 1) {
      size = Number(v.getBigUint64(at + 8));
      body += 8;
    } else if (size === 0) size = to - at;
    if (size < 8 || at + size > to) break;
    out.push({ type: String.fromCharCode(...d.subarray(at + 4, at + 8)), start: at, body, end: at + size });
    at += size;
  }
  return out;
}

const child = (d: Uint8Array, b: Box, type: string): Box | undefined =>
  boxes(d, b.body, b.end).find((c) => c.type === type);

/** Timescale and default sample duration of the (first) track of an init segment. */
export function initInfo(init: Uint8Array): { timescale: number; defaultDuration: number } | undefined {
  const v = new DataView(init.buffer, init.byteOffset, init.byteLength);
  const moov = boxes(init).find((b) => b.type === 'moov');
  if (!moov) return undefined;
  const trak = child(init, moov, 'trak');
  const mdia = trak && child(init, trak, 'mdia');
  const mdhd = mdia && child(init, mdia, 'mdhd');
  if (!mdhd) return undefined;
  const version = init[mdhd.body]!;
  const timescale = v.getUint32(mdhd.body + (version === 1 ? 20 : 12));
  const mvex = child(init, moov, 'mvex');
  const trex = mvex && child(init, mvex, 'trex');
  return { timescale, defaultDuration: trex ? v.getUint32(trex.body + 12) : 0 };
}

/** Seconds of media in a segment (sum of its samples' durations), undefined if unreadable. */
export function mediaSeconds(init: Uint8Array, seg: Uint8Array): number | undefined {
  const info = initInfo(init);
  if (!info) return undefined;
  const v = new DataView(seg.buffer, seg.byteOffset, seg.byteLength);
  let total = 0;
  for (const moof of boxes(seg).filter((b) => b.type === 'moof')) {
    for (const traf of boxes(seg, moof.body, moof.end).filter((b) => b.type === 'traf')) {
      const tfhd = child(seg, traf, 'tfhd');
      let dflt = info.defaultDuration;
      if (tfhd) {
        const flags = v.getUint32(tfhd.body) & 0xffffff;
        let at = tfhd.body + 8;
        if (flags & 0x01) at += 8;
        if (flags & 0x02) at += 4;
        if (flags & 0x08) dflt = v.getUint32(at);
      }
      for (const trun of boxes(seg, traf.body, traf.end).filter((b) => b.type === 'trun')) {
        const flags = v.getUint32(trun.body) & 0xffffff;
        const count = v.getUint32(trun.body + 4);
        let at = trun.body + 8;
        if (flags & 0x01) at += 4;
        if (flags & 0x04) at += 4;
        const per = [0x100, 0x200, 0x400, 0x800].filter((f) => flags & f).length * 4;
        for (let i = 0; i < count; i++) {
          total += flags & 0x100 ? v.getUint32(at + i * per) : dflt;
        }
      }
    }
  }
  return total / info.timescale;
}

const segNumber = (uri: string): number | undefined => {
  const m = /(\d+)\.m4s$/.exec(uri);
  return m ? Number(m[1]) : undefined;
};

/**
 * Problems of a sequence of versions of one variant playlist (empty: fine). `read` gives the bytes of
 * a URI named in the playlist as they are now (undefined: gone, e.g. purged; such segments are only
 * checked for order). `counted.segments` says how many complete segments had their bytes checked.
 */
export async function playlistHistoryProblems(
  name: string,
  versions: readonly string[],
  read: ReadFile,
  counted: { segments: number } = { segments: 0 },
): Promise<string[]> {
  const out: string[] = [];
  const seen = new Map<string, { extinf: number; parts: number }>();
  const checkedBytes = new Set<string>();
  let previous: string | undefined;
  for (const [i, text] of versions.entries()) {
    const at = `${name} version ${i + 1}/${versions.length}`;
    // The dasher publishes the stream's last segment closed a moment before it adds ENDLIST: that one
    // version has no hint and no ENDLIST (a dasher matter, reported; not what these checks are about).
    const beforeEnd = i === versions.length - 2 && versions[i + 1]!.includes('#EXT-X-ENDLIST');
    for (const v of checkPlaylist(text))
      if (!(beforeEnd && v.rule === 'preload-hint-missing'))
        out.push(`${at}: ${v.rule} (line ${v.line}): ${v.message}`);
    if (previous !== undefined)
      for (const v of checkSequence(previous, text)) out.push(`${at}: ${v.rule}: ${v.message}`);
    previous = text;
    const pl = parsePlaylist(text);
    // Segments in order, one after the other, each listed once.
    let last: number | undefined;
    for (const s of pl.segments) {
      const n = segNumber(s.uri);
      if (n === undefined) continue;
      if (last !== undefined && n !== last + 1)
        out.push(`${at}: ${s.uri} (MSN ${s.msn}) follows segment ${last}`);
      last = n;
      // The parts listed for a complete segment are its own and add up to its EXTINF.
      for (const p of s.parts)
        if (p.byteRange ? p.uri !== s.uri : !p.uri.startsWith(`${s.uri}.`))
          out.push(`${at}: part ${p.uri} listed under segment ${s.uri}`);
      const sum = s.parts.reduce((a, p) => a + p.duration, 0);
      if (s.parts.length && Math.abs(sum - s.duration) > 0.002)
        out.push(`${at}: ${s.uri}: EXTINF ${s.duration}, its parts add up to ${sum.toFixed(5)}`);
      const before = seen.get(s.uri);
      if (before && (before.extinf !== s.duration || (s.parts.length && before.parts !== s.parts.length)))
        out.push(
          `${at}: ${s.uri} changed from EXTINF ${before.extinf} (${before.parts} parts) to ${s.duration} (${s.parts.length})`,
        );
      if (!before || s.parts.length) seen.set(s.uri, { extinf: s.duration, parts: s.parts.length });
    }
    const openNum = pl.openParts[0] && segNumber(pl.openParts[0].uri.replace(/\.\d+$/, ''));
    if (openNum !== undefined && last !== undefined && openNum !== last + 1)
      out.push(`${at}: open parts of segment ${openNum} after segment ${last}`);
    for (const p of pl.openParts)
      if (segNumber(p.uri.replace(/\.\d+$/, '')) !== openNum)
        out.push(`${at}: open part ${p.uri} mixed with parts of segment ${openNum}`);
    // Whole segments: the bytes (as they are at the end) hold what the playlist says.
    const initUri = /#EXT-X-MAP:URI="([^"]+)"/.exec(text)?.[1];
    const init = initUri ? await read(initUri) : undefined;
    for (const s of pl.segments) {
      if (checkedBytes.has(s.uri)) continue;
      const data = await read(s.uri);
      if (!data || !init) continue;
      checkedBytes.add(s.uri);
      counted.segments++;
      const secs = mediaSeconds(init, data);
      if (secs === undefined || Math.abs(secs - s.duration) > 0.002)
        out.push(`${at}: ${s.uri}: EXTINF ${s.duration} but the segment holds ${secs?.toFixed(5) ?? '?'} s`);
    }
    for (const v of await checkPartBytes(text, read))
      if (v.rule !== 'part-not-on-box' || !/starts with nothing/.test(v.message))
        out.push(`${at}: ${v.rule} (line ${v.line}): ${v.message}`);
  }
  return out;
}
