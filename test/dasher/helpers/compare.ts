/**
 * Our output next to GPAC's for the same command line. Everything must match except the
 * differences docs/MANIFESTS.md lists as deliberate, and each of those is asserted as such (so a
 * change in either direction shows up), plus the audio tail: GPAC trims audio to the video
 * duration, we keep every source sample.
 */
import type { ExecutionContext } from 'ava';
import { parseAttributes, parsePlaylist } from '../../helpers/llhls-check.js';
import type { ParsedPart } from '../../helpers/llhls-check.js';
import { parseXml, xsDuration } from './xml.js';
import type { XmlElement } from './xml.js';

/** One AAC frame at 48 kHz, the granularity audio boundaries may differ by. */
export const AAC_FRAME_S = 1024 / 48000;

// Durations are printed with %g (6 significant digits): allow for that rounding.
const near = (a: number, b: number, tol: number): boolean => Math.abs(a - b) <= tol + 1e-4;

/** Master playlist: same lines but for the documented differences (#1, #3, #4). */
export function compareMaster(t: ExecutionContext, label: string, ours: string, gpac: string): void {
  const o = ours.trimEnd().split('\n');
  const g = gpac.trimEnd().split('\n');
  t.is(o.length, g.length, `${label}: master line count`);
  g.forEach((gl, k) => {
    const ol = o[k] ?? '';
    if (gl.startsWith('#EXT-X-STREAM-INF:')) {
      const ga = parseAttributes(gl.slice(18));
      const oa = parseAttributes(ol.slice(18));
      // #4: AVERAGE-BANDWIDTH added; both bandwidths are measured, within 2 % of GPAC's.
      t.deepEqual(
        Object.keys(oa),
        Object.keys(ga).flatMap((key) => (key === 'BANDWIDTH' ? [key, 'AVERAGE-BANDWIDTH'] : [key])),
        `${label}: STREAM-INF attributes`,
      );
      for (const key of ['CODECS', 'RESOLUTION', 'AUDIO', 'CLOSED-CAPTIONS'])
        t.is(oa[key], ga[key], `${label}: STREAM-INF ${key}`);
      t.true(
        near(Number(oa.BANDWIDTH), Number(ga.BANDWIDTH), 0.02 * Number(ga.BANDWIDTH)),
        `${label}: BANDWIDTH ${oa.BANDWIDTH} vs GPAC ${ga.BANDWIDTH}`,
      );
      // #3: FRAME-RATE with three decimals (GPAC: %.03g).
      t.is(Number(oa['FRAME-RATE']), Number(ga['FRAME-RATE']), `${label}: FRAME-RATE value`);
      t.regex(oa['FRAME-RATE'] ?? '', /^\d+\.\d{3}$/, `${label}: FRAME-RATE has three decimals`);
    } else if (gl.startsWith('#EXT-X-MEDIA:')) {
      // #1: GPAC hard-codes CHANNELS="2"; source2 is mono.
      t.regex(gl, /CHANNELS="2"/, `${label}: GPAC's mono audio says 2 channels`);
      t.is(ol, gl.replace('CHANNELS="2"', 'CHANNELS="1"'), `${label}: EXT-X-MEDIA`);
    } else t.is(ol, gl, `${label}: master line ${k + 1}`);
  });
}

interface VariantOptions {
  audio: boolean;
  dynamic: boolean;
  targetDuration: number;
}

function headerLines(text: string): string[] {
  const out: string[] = [];
  for (const l of text.split('\n')) {
    if (/^#EXT(INF|-X-PART:|-X-PROGRAM-DATE-TIME)/.test(l)) break;
    if (l) out.push(l);
  }
  return out;
}

function comparePart(t: ExecutionContext, where: string, o: ParsedPart, g: ParsedPart, audio: boolean): void {
  t.is(o.uri, g.uri, `${where}: part URI`);
  if (audio)
    t.true(
      near(o.duration, g.duration, 2 * AAC_FRAME_S),
      `${where}: part ${o.duration} vs GPAC ${g.duration}`,
    );
  else t.is(o.duration, g.duration, `${where}: part duration`);
  if (!audio) t.is(o.independent, g.independent, `${where}: INDEPENDENT`);
  t.is(Boolean(o.byteRange), Boolean(g.byteRange), `${where}: BYTERANGE presence`);
  if (o.byteRange && g.byteRange && !audio) {
    // Same samples in the part: our moof is a few bytes larger (0.1 % is far less than one frame).
    t.true(
      near(o.byteRange.length, g.byteRange.length, 0.001 * g.byteRange.length),
      `${where}: part length ${o.byteRange.length} vs GPAC ${g.byteRange.length}`,
    );
  }
}

/**
 * Variant playlist against GPAC's: same header (plus HOLD-BACK, #5), same segment URIs, same video
 * durations (audio: within one AAC frame, the last one longer since GPAC trims audio), PDT before
 * every segment when live (#9), parts only in dynamic output for the last 3 × TD (#10), ENDLIST
 * also at the end of a dynamic run (#13).
 */
export function compareVariant(
  t: ExecutionContext,
  label: string,
  ours: string,
  gpac: string,
  opt: VariantOptions,
): void {
  const o = parsePlaylist(ours);
  const g = parsePlaylist(gpac);
  const oh = headerLines(ours);
  const gh = headerLines(gpac);
  t.deepEqual(
    oh,
    gh.map((l) =>
      l.startsWith('#EXT-X-SERVER-CONTROL:') ? l.replace(':', `:HOLD-BACK=${3 * opt.targetDuration},`) : l,
    ),
    `${label}: header (GPAC's + HOLD-BACK = 3 × TD)`,
  );
  t.false(/[:,]HOLD-BACK=/.test(gh.join('\n')), `${label}: GPAC writes no HOLD-BACK`);
  t.deepEqual(
    o.segments.map((s) => s.uri),
    g.segments.map((s) => s.uri),
    `${label}: segment URIs`,
  );
  const last = g.segments.length - 1;
  g.segments.forEach((gs, k) => {
    const os = o.segments[k];
    if (!os) return;
    if (!opt.audio) t.is(os.duration, gs.duration, `${label}: EXTINF of ${gs.uri}`);
    else if (k < last)
      t.true(
        near(os.duration, gs.duration, AAC_FRAME_S),
        `${label}: EXTINF of ${gs.uri}: ${os.duration} vs GPAC ${gs.duration}`,
      );
    else {
      // GPAC cuts the audio at the video's end (30 s); we keep the source's last frames.
      t.true(
        os.duration >= gs.duration && os.duration - gs.duration < 3 * AAC_FRAME_S,
        `${label}: last audio EXTINF ${os.duration} vs GPAC ${gs.duration}`,
      );
    }
  });
  // #9: PDT before each segment when live; GPAC writes none (no hlsc).
  const pdt = ours.split('\n').filter((l) => l.startsWith('#EXT-X-PROGRAM-DATE-TIME:')).length;
  t.is(pdt, opt.dynamic ? o.segments.length : 0, `${label}: PROGRAM-DATE-TIME lines`);
  t.false(g.hasProgramDateTime, `${label}: GPAC writes no PDT`);
  // #13: both end with ENDLIST when static; only we do at the end of a dynamic run.
  t.true(o.endlist, `${label}: ENDLIST`);
  t.is(g.endlist, !opt.dynamic, `${label}: GPAC ENDLIST only when static`);
  t.deepEqual(o.openParts, [], `${label}: no open parts at the end`);
  t.deepEqual(o.preloadHints, [], `${label}: no preload hint after the end`);
  t.deepEqual(o.reports, [], `${label}: no rendition report after the end`);
  if (!opt.dynamic) {
    t.is(
      ours.split('\n').filter((l) => l.startsWith('#EXT-X-PART:')).length,
      0,
      `${label}: no parts when static`,
    );
    return;
  }
  // #10: parts for each segment whose end is at most 3 × TD before the end of the playlist.
  const ends: number[] = [];
  o.segments.reduce((acc, s) => (ends.push(acc + s.duration), acc + s.duration), 0);
  const total = ends[ends.length - 1] ?? 0;
  o.segments.forEach((s, k) => {
    const keep = total - (ends[k] ?? 0) <= 3 * opt.targetDuration + 1e-6;
    t.is(
      s.parts.length > 0,
      keep,
      `${label}: parts listed for ${s.uri} (ends ${total - (ends[k] ?? 0)} s before the end)`,
    );
    const gs = g.segments[k];
    if (!keep || !gs?.parts.length) return;
    const lastSeg = k === o.segments.length - 1;
    if (opt.audio && lastSeg) {
      // The untrimmed audio tail may add one short part.
      t.true(
        s.parts.length - gs.parts.length <= 1 && s.parts.length >= gs.parts.length,
        `${label}: parts of ${s.uri}: ${s.parts.length} vs GPAC ${gs.parts.length}`,
      );
    } else t.is(s.parts.length, gs.parts.length, `${label}: parts of ${s.uri}`);
    gs.parts.forEach((gp, j) => {
      const op = s.parts[j];
      if (op) comparePart(t, `${label} ${s.uri} part ${j}`, op, gp, opt.audio);
    });
  });
}

/**
 * MPD against GPAC's: same element tree and attributes except the generator comment and
 * ProgramInformation (#2), measured bandwidths (within 5 %: GPAC counts the audio a little lower than
 * its segment bytes over 30 s, 96257 vs 98857 b/s), the real channel count (#1), and the
 * durations (audio not trimmed: within 0.05 s).
 */
export function compareMpd(t: ExecutionContext, label: string, ours: string, gpac: string): void {
  const o = parseXml(ours);
  const g = parseXml(gpac);
  t.deepEqual(o.errors, [], `${label}: our MPD is well-formed`);
  t.deepEqual(g.errors, [], `${label}: GPAC's MPD is well-formed`);
  if (!o.root || !g.root) return;
  t.regex(
    gpac,
    /<!-- MPD file Generated with GPAC version [^>]* at \d{4}-/,
    `${label}: GPAC's comment carries a time`,
  );
  t.regex(ours, /<!-- MPD file Generated with graphpac -->/, `${label}: our comment has no time (#2)`);
  const durations = new Set(['mediaPresentationDuration', 'maxSegmentDuration', 'duration']);
  const walk = (oe: XmlElement, ge: XmlElement, path: string): void => {
    t.is(oe.name, ge.name, `${label}: element at ${path}`);
    const oa = { ...oe.attrs };
    const ga = { ...ge.attrs };
    if (ge.name === 'ProgramInformation') {
      t.is(ga.moreInformationURL, 'https://gpac.io', `${label}: GPAC's moreInformationURL`);
      delete ga.moreInformationURL;
    }
    if (ge.name === 'Title') {
      t.is(textOf(ours, 'Title'), 'live.mpd generated by graphpac', `${label}: title`);
      t.is(textOf(gpac, 'Title'), 'live.mpd generated by GPAC', `${label}: GPAC's title`);
    }
    if (ge.name === 'Representation') {
      t.true(
        near(Number(oa.bandwidth), Number(ga.bandwidth), 0.05 * Number(ga.bandwidth)),
        `${label}: ${path} bandwidth ${oa.bandwidth} vs GPAC ${ga.bandwidth}`,
      );
      oa.bandwidth = ga.bandwidth ?? '';
    }
    if (ge.name === 'AudioChannelConfiguration') {
      t.is(ga.value, '2', `${label}: GPAC says 2 channels for mono`);
      t.is(oa.value, '1', `${label}: real channel count (#1)`);
      oa.value = ga.value ?? '';
    }
    for (const key of Object.keys(ga)) {
      if (!durations.has(key) || ge.name === 'SegmentTemplate') continue;
      const [ov, gv] = [xsDuration(oa[key] ?? 'PT0S'), xsDuration(ga[key] ?? 'PT0S')];
      t.true(ov >= gv && ov - gv < 0.05, `${label}: ${path}@${key} ${oa[key]} vs GPAC ${ga[key]}`);
      oa[key] = ga[key] ?? '';
    }
    t.deepEqual(oa, ga, `${label}: attributes of ${path}`);
    t.is(oe.children.length, ge.children.length, `${label}: children of ${path}`);
    ge.children.forEach((gc, k) => {
      const oc = oe.children[k];
      if (oc) walk(oc, gc, `${path}/${gc.name}[${k}]`);
    });
  };
  walk(o.root, g.root, 'MPD');
  // GPAC ends the file right after </MPD>; our publisher adds a final newline.
  t.true(gpac.endsWith('</MPD>'), `${label}: GPAC's MPD has no final newline`);
  t.true(ours.endsWith('</MPD>\n'), `${label}: our MPD ends with a newline`);
}

function textOf(xml: string, tag: string): string | undefined {
  return new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1];
}
