/**
 * A small XML well-formedness checker (no packages): a tokenizer that builds an element tree and
 * reports what would make an XML parser reject the text (unbalanced or crossed tags, unquoted or
 * repeated attributes, a raw `<` or a bad `&` reference, text or a second element outside the root,
 * `--` inside a comment). Plus the MPD side: SegmentTemplate expansion into file names.
 */

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
}

export interface XmlResult {
  root: XmlElement | undefined;
  errors: string[];
}

const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
const ENTITY = /&(?:[A-Za-z_][-A-Za-z0-9_.]*|#[0-9]+|#x[0-9A-Fa-f]+);/y;

function checkText(text: string, where: string, errors: string[]): void {
  for (let i = text.indexOf('&'); i >= 0; i = text.indexOf('&', i + 1)) {
    ENTITY.lastIndex = i;
    if (!ENTITY.test(text)) errors.push(`${where}: bare '&' not starting an entity reference`);
  }
  if (text.includes('<')) errors.push(`${where}: raw '<'`);
}

function decode(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#x([0-9A-Fa-f]+);/g, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#([0-9]+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&amp;/g, '&');
}

/** Parses `text`; `errors` is empty when the document is well-formed. */
export function parseXml(text: string): XmlResult {
  const errors: string[] = [];
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let i = 0;
  const line = (at: number): number => text.slice(0, at).split('\n').length;
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  let first = true;
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const chunk = text.slice(i, lt < 0 ? text.length : lt);
    if (chunk.trim() !== '') {
      if (!stack.length) errors.push(`line ${line(i)}: text outside the root element`);
      else checkText(chunk, `line ${line(i)}`, errors);
    }
    if (lt < 0) break;
    i = lt;
    if (text.startsWith('<?', i)) {
      const end = text.indexOf('?>', i);
      if (end < 0) {
        errors.push(`line ${line(i)}: unterminated processing instruction`);
        break;
      }
      const target = /^<\?([^\s?]+)/.exec(text.slice(i, end))?.[1] ?? '';
      if (target.toLowerCase() === 'xml' && !first)
        errors.push(`line ${line(i)}: XML declaration not at the very start`);
      i = end + 2;
    } else if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      if (end < 0) {
        errors.push(`line ${line(i)}: unterminated comment`);
        break;
      }
      if (text.slice(i + 4, end).includes('--')) errors.push(`line ${line(i)}: '--' inside a comment`);
      i = end + 3;
    } else if (text.startsWith('<![CDATA[', i)) {
      const end = text.indexOf(']]>', i);
      if (!stack.length) errors.push(`line ${line(i)}: CDATA outside the root element`);
      if (end < 0) {
        errors.push(`line ${line(i)}: unterminated CDATA`);
        break;
      }
      i = end + 3;
    } else if (text.startsWith('<!', i)) {
      errors.push(`line ${line(i)}: unexpected markup declaration`);
      const end = text.indexOf('>', i);
      i = end < 0 ? text.length : end + 1;
    } else if (text.startsWith('</', i)) {
      NAME.lastIndex = i + 2;
      const m = NAME.exec(text);
      const name = m?.[0] ?? '';
      let j = i + 2 + name.length;
      while (/\s/.test(text[j] ?? '')) j++;
      if (!m || text[j] !== '>') errors.push(`line ${line(i)}: malformed end tag`);
      const open = stack.pop();
      if (!open) errors.push(`line ${line(i)}: end tag </${name}> without a start tag`);
      else if (open.name !== name) errors.push(`line ${line(i)}: end tag </${name}> closes <${open.name}>`);
      i = text.indexOf('>', i) + 1 || text.length;
    } else {
      NAME.lastIndex = i + 1;
      const m = NAME.exec(text);
      if (!m) {
        errors.push(`line ${line(i)}: '<' not starting a tag`);
        i++;
        continue;
      }
      const el: XmlElement = { name: m[0], attrs: {}, children: [] };
      let j = i + 1 + m[0].length;
      let closed = false;
      let selfClosing = false;
      while (j < text.length) {
        const ws = j;
        while (/\s/.test(text[j] ?? '')) j++;
        if (text[j] === '>') {
          closed = true;
          j++;
          break;
        }
        if (text.startsWith('/>', j)) {
          closed = selfClosing = true;
          j += 2;
          break;
        }
        if (ws === j) {
          errors.push(`line ${line(j)}: attributes of <${el.name}> not separated by white space`);
        }
        NAME.lastIndex = j;
        const a = NAME.exec(text);
        if (!a) {
          errors.push(`line ${line(j)}: bad attribute in <${el.name}>`);
          break;
        }
        j += a[0].length;
        while (/\s/.test(text[j] ?? '')) j++;
        if (text[j] !== '=') {
          errors.push(`line ${line(j)}: attribute ${a[0]} of <${el.name}> has no value`);
          break;
        }
        j++;
        while (/\s/.test(text[j] ?? '')) j++;
        const q = text[j];
        if (q !== '"' && q !== "'") {
          errors.push(`line ${line(j)}: attribute ${a[0]} of <${el.name}> is not quoted`);
          break;
        }
        const end = text.indexOf(q, j + 1);
        if (end < 0) {
          errors.push(`line ${line(j)}: unterminated attribute value`);
          break;
        }
        const raw = text.slice(j + 1, end);
        checkText(raw, `line ${line(j)}: attribute ${a[0]}`, errors);
        if (a[0] in el.attrs) errors.push(`line ${line(j)}: attribute ${a[0]} repeated in <${el.name}>`);
        el.attrs[a[0]] = decode(raw);
        j = end + 1;
      }
      if (!closed) {
        errors.push(`line ${line(i)}: unterminated start tag <${el.name}>`);
        break;
      }
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(el);
      else if (root) errors.push(`line ${line(i)}: second root element <${el.name}>`);
      else root = el;
      if (!selfClosing) stack.push(el);
      i = j;
    }
    first = false;
  }
  for (const open of stack) errors.push(`unclosed element <${open.name}>`);
  if (!root) errors.push('no root element');
  return { root, errors };
}

/** xs:duration (`PT0H0M30.021S`, `P1DT2H`) → seconds. */
export function xsDuration(text: string): number {
  const m =
    /^-?P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(
      text,
    );
  if (!m) throw new Error(`not an xs:duration: ${text}`);
  const [d, h, mi, s] = [m[1], m[2], m[3], m[4]].map((x) => Number(x ?? 0)) as [
    number,
    number,
    number,
    number,
  ];
  return ((d * 24 + h) * 60 + mi) * 60 + s;
}

/** The direct children of `el` called `name`. */
export function kids(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}

/** Resolves one SegmentTemplate string for a Representation. */
export function resolveTemplate(
  tpl: string,
  v: { number?: number; repId: string; bandwidth: string },
): string {
  return tpl.replace(
    /\$(Number|RepresentationID|Bandwidth|Time|SubNumber)?(%0(\d+)d)?\$/g,
    (all, key, _f, width) => {
      if (key === undefined) return all === '$$' ? '$' : all;
      let val: string;
      if (key === 'Number') {
        if (v.number === undefined) throw new Error(`$Number$ in ${tpl} with no number`);
        val = String(v.number);
      } else if (key === 'RepresentationID') val = v.repId;
      else if (key === 'Bandwidth') val = v.bandwidth;
      else throw new Error(`$${String(key)}$ is not supported by this check (${tpl})`);
      return width ? val.padStart(Number(width), '0') : val;
    },
  );
}

export interface ExpectedRepFiles {
  repId: string;
  contentType: string;
  init: string | undefined;
  /** Media segment names from startNumber on, as many as the period duration implies. */
  segments: string[];
  timescale: number;
  /** Nominal segment duration (SegmentTemplate@duration / @timescale), seconds. */
  segmentDuration: number;
}

/**
 * Every file an MPD's SegmentTemplates announce, per Representation: the init and media names for
 * numbers startNumber … startNumber + ceil(period duration / segment duration) − 1 (ISO/IEC 23009-1
 * §5.3.9.5.3: with @duration and no SegmentTimeline that is the segment count of the period).
 * Requires a known period duration (static MPD, or a dynamic one with mediaPresentationDuration).
 */
export function mpdExpectedFiles(mpd: XmlElement): ExpectedRepFiles[] {
  const out: ExpectedRepFiles[] = [];
  const mpdDuration = mpd.attrs.mediaPresentationDuration;
  const periods = kids(mpd, 'Period');
  periods.forEach((period, pi) => {
    const start = period.attrs.start ? xsDuration(period.attrs.start) : 0;
    const nextStart = periods[pi + 1]?.attrs.start;
    const duration = period.attrs.duration
      ? xsDuration(period.attrs.duration)
      : nextStart
        ? xsDuration(nextStart) - start
        : mpdDuration
          ? xsDuration(mpdDuration) - start
          : undefined;
    if (duration === undefined) throw new Error('the period duration is unknown (live MPD without an end)');
    for (const as of kids(period, 'AdaptationSet')) {
      const asTpl = kids(as, 'SegmentTemplate')[0];
      for (const rep of kids(as, 'Representation')) {
        const repTpl = kids(rep, 'SegmentTemplate')[0];
        const attrs = { ...(asTpl?.attrs ?? {}), ...(repTpl?.attrs ?? {}) };
        if (!attrs.media) throw new Error(`Representation ${rep.attrs.id} has no SegmentTemplate@media`);
        if (kids(repTpl ?? asTpl ?? { name: '', attrs: {}, children: [] }, 'SegmentTimeline').length)
          throw new Error('SegmentTimeline is not supported by this check');
        const timescale = Number(attrs.timescale ?? 1);
        const segDur = Number(attrs.duration);
        const startNumber = Number(attrs.startNumber ?? 1);
        const pto = Number(attrs.presentationTimeOffset ?? 0) / timescale;
        const count = Math.ceil(((duration - pto) * timescale) / segDur - 1e-9);
        const v = { repId: rep.attrs.id ?? '', bandwidth: rep.attrs.bandwidth ?? '' };
        out.push({
          repId: v.repId,
          contentType: as.attrs.contentType ?? as.attrs.mimeType ?? rep.attrs.mimeType ?? '',
          init: attrs.initialization ? resolveTemplate(attrs.initialization, v) : undefined,
          segments: Array.from({ length: count }, (_, k) =>
            resolveTemplate(attrs.media!, { ...v, number: startNumber + k }),
          ),
          timescale,
          segmentDuration: segDur / timescale,
        });
      }
    }
  });
  return out;
}
