/**
 * profile=onDemand (spec §4.2, §4.9: sseg ⇒ SegmentBase + sidx): each representation is ONE file,
 * `ftyp moov | sidx | moof mdat …`, addressed in the MPD by a BaseURL and
 * `SegmentBase indexRange=<sidx> / Initialization range=<ftyp+moov>`.
 *
 * The sidx precedes the media but its sizes are known only at the end, so the representation writes
 * its fragments to `<file>.tmp` through the normal file path (rep.ts, `single`); once every byte of
 * every representation is acknowledged, the assembler sends init + sidx under the final name, then
 * streams the temporary file after it in 1 MiB reads (one read in flight per representation, honouring
 * the sink's back-pressure: memory stays bounded), and deletes the temporary file.
 */
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { GraphError, makeEvent } from '../../src/index.js';
import type { FilePacketProps } from '../../src/index.js';
import { writeSidx } from '../../src/media/bmff/chunk.js';
import type { SidxReference } from '../../src/media/bmff/fragment-boxes.js';
import type { Presentation, Segment } from '../../src/manifest/model.js';
import { deriveSettings } from './settings.js';
import type { DasherArgs, Settings } from './settings.js';
import type { Rep } from './rep.js';
import type { Acks } from './acks.js';

export const ON_DEMAND_PROFILE = 'urn:mpeg:dash:profile:isoff-on-demand:2011';
const READ_SIZE = 1 << 20;

function bad(option: string, value: string, expected: string): GraphError {
  return new GraphError('BAD_OPTION_VALUE', `dasher: option ${option}=${value}: ${expected}`, {
    option,
    value,
  });
}

/**
 * The dasher's settings, with profile=onDemand checked and derived here (static MPD only, local
 * files); any other profile goes to deriveSettings unchanged.
 */
export function deriveDasherSettings(args: DasherArgs, destination: string | undefined): Settings {
  if (args.profile !== 'onDemand') return deriveSettings(args, destination);
  if (args.dmode !== 'static')
    throw bad(
      'profile',
      'onDemand',
      `on-demand files are indexed (sidx) once complete, so they are static only: not with dmode=${args.dmode} (use profile=live for live output)`,
    );
  if (args.llhls !== 'off')
    throw bad('profile', 'onDemand', `on-demand output has no LL-HLS parts: not with llhls=${args.llhls}`);
  const s = deriveSettings({ ...args, profile: 'main' }, destination);
  if (Object.keys(s.names).some((ext) => ext !== 'mpd'))
    throw bad(
      'profile',
      'onDemand',
      'HLS output (.m3u8, dual, mname) of on-demand files is not supported yet: write an .mpd',
    );
  if (s.base.includes('://') && !s.base.startsWith('file://'))
    throw bad(
      'profile',
      'onDemand',
      `on-demand files are assembled on the local disk: the manifest must be a local path, not ${destination}`,
    );
  let profiles = ON_DEMAND_PROFILE;
  if (args.cmaf !== 'no') profiles += ',urn:mpeg:dash:profile:cmaf:2019';
  return { ...s, profile: 'onDemand', profiles };
}

/** Name of the temporary file holding a representation's fragments. */
export function tmpName(name: string): string {
  return `${name}.tmp`;
}

/** Where the boxes of a finished on-demand file are. */
export interface OnDemandLayout {
  /** ftyp + moov. */
  initSize: number;
  /** The sidx box, right after the init. */
  sidxSize: number;
  /** init + sidx: bytes before the first moof. */
  head: Uint8Array;
  /** Closed segments, in order, with their byte sizes. */
  segments: Segment[];
}

/** init + sidx of a representation whose fragments are all written (one reference per segment). */
export function onDemandHead(rep: Rep): OnDemandLayout {
  const init = rep.initSegment();
  const segments = rep.segments.filter((s) => !s.open && (s.size ?? 0) > 0);
  const references: SidxReference[] = segments.map((s) => {
    const sap = s.parts?.[0]?.independent ?? true;
    return {
      reference_type: 0,
      referenced_size: s.size ?? 0,
      subsegment_duration: s.duration,
      starts_with_SAP: sap,
      SAP_type: sap ? 1 : 0,
      SAP_delta_time: 0,
    };
  });
  // Earliest presentation time of the first subsegment, on the timeline of the fragments (tfdt + ctts).
  const ept = (rep.segmenter.originCts ?? 0) + (segments[0]?.time ?? 0);
  const sidx = writeSidx({
    reference_ID: rep.track.trackId,
    timescale: rep.timescale,
    earliest_presentation_time: Math.max(0, ept),
    first_offset: 0,
    references,
  });
  const head = new Uint8Array(init.length + sidx.length);
  head.set(init, 0);
  head.set(sidx, init.length);
  return { initSize: init.length, sidxSize: sidx.length, head, segments };
}

interface OnDemandFile {
  rep: Rep;
  /** Final name (relative to the manifest folder) and the temporary one. */
  name: string;
  tmp: string;
  phase: 'wait' | 'copy' | 'sent' | 'done';
  layout?: OnDemandLayout;
  fh?: FileHandle;
  size: number;
  pos: number;
  reading: boolean;
  ready?: { data: Uint8Array; last: boolean };
}

export interface AssemblerHost {
  /** The dasher's acknowledgement ids (the final files are acknowledged like chunks). */
  readonly acks: Acks;
  track<T>(work: Promise<T>): Promise<T>;
  requestProcess(): void;
}

export class OnDemandAssembler {
  private readonly files: OnDemandFile[] = [];

  /** `dir`: the folder the sink resolves file names against (the manifest's). */
  constructor(
    private readonly dir: string,
    private readonly host: AssemblerHost,
  ) {}

  add(rep: Rep, name: string): void {
    this.files.push({
      rep,
      name,
      tmp: tmpName(name),
      phase: 'wait',
      size: 0,
      pos: 0,
      reading: false,
    });
  }

  /**
   * Drive the assembly (call once every representation's fragments are acknowledged); true once every
   * final file is written and acknowledged. Progress comes back through track() and acknowledge().
   */
  pump(): boolean {
    for (const f of this.files) {
      if (f.phase === 'wait') this.start(f);
      if (f.phase !== 'copy') continue;
      const out = f.rep.out;
      if (f.ready && !out.wouldBlock) {
        const { data, last } = f.ready;
        f.ready = undefined;
        out.send({ data, props: last ? this.lastProps(f) : undefined });
        if (last) this.finishCopy(f);
      }
      if (f.phase === 'copy' && !f.ready && !f.reading && f.fh) this.read(f, f.fh);
    }
    return this.files.every((f) => f.phase === 'done');
  }

  /** Properties of a final file's last packet: it ends the file and is acknowledged. */
  private lastProps(f: OnDemandFile): FilePacketProps {
    const ack = this.host.acks.expect(() => {
      f.phase = 'done';
      this.host.requestProcess();
    });
    return { EndOfFile: true, AckId: ack };
  }

  private start(f: OnDemandFile): void {
    const layout = onDemandHead(f.rep);
    f.layout = layout;
    f.size = layout.segments.reduce((a, s) => a + (s.size ?? 0), 0);
    if (f.size === 0) {
      f.rep.out.send({ data: layout.head, props: { FileName: f.name, ...this.lastProps(f) } });
      f.phase = 'sent';
      f.rep.out.sendEvent(makeEvent('file-delete', { url: f.tmp }));
      return;
    }
    const props: FilePacketProps = { FileName: f.name };
    f.rep.out.send({ data: layout.head, props });
    f.phase = 'copy';
    f.reading = true;
    const path = join(this.dir, f.tmp);
    void this.host.track(
      (async () => {
        const fh = await open(path, 'r').catch((e: unknown) => {
          throw new GraphError(
            'WRITE_ERROR',
            `dasher: profile=onDemand: cannot read back "${path}": ${(e as Error).message}`,
          );
        });
        const { size } = await fh.stat();
        if (size !== f.size) {
          await fh.close();
          throw new GraphError(
            'WRITE_ERROR',
            `dasher: profile=onDemand: "${path}" holds ${size} bytes, ${f.size} were written`,
          );
        }
        f.fh = fh;
        f.reading = false;
      })(),
    );
  }

  private read(f: OnDemandFile, fh: FileHandle): void {
    const n = Math.min(READ_SIZE, f.size - f.pos);
    const at = f.pos;
    f.reading = true;
    void this.host.track(
      (async () => {
        const buf = new Uint8Array(n);
        let got = 0;
        while (got < n) {
          const { bytesRead } = await fh.read(buf, got, n - got, at + got);
          if (bytesRead === 0) throw new GraphError('WRITE_ERROR', `dasher: "${f.tmp}" ended early`);
          got += bytesRead;
        }
        f.pos = at + n;
        f.ready = { data: buf, last: f.pos >= f.size };
        f.reading = false;
      })(),
    );
  }

  private finishCopy(f: OnDemandFile): void {
    f.phase = 'sent';
    // In order with the packets: the sink removes the temporary file after writing the final one.
    f.rep.out.sendEvent(makeEvent('file-delete', { url: f.tmp }));
    const fh = f.fh;
    f.fh = undefined;
    if (fh) void this.host.track(fh.close());
  }

  /**
   * The manifest of the finished files: per representation a BaseURL and a SegmentBase (indexRange =
   * the sidx, Initialization = ftyp+moov), subsegment alignment on the sets, segments as byte ranges.
   */
  decorate(model: Presentation): void {
    for (const period of model.periods)
      for (const set of period.adaptationSets) {
        delete set.segmentTemplate;
        set.subsegmentAlignment = true;
        set.subsegmentStartsWithSAP = 1;
        for (const r of set.representations) {
          const f = this.files.find((x) => x.rep.id === r.id);
          const layout = f?.layout;
          if (!f || !layout) continue;
          delete r.segmentTemplate;
          r.baseUrls = [f.name];
          r.segmentBase = {
            indexRangeExact: true,
            indexRange: { offset: layout.initSize, length: layout.sidxSize },
            initialization: { offset: 0, length: layout.initSize },
          };
          let offset = layout.head.length;
          r.segments = layout.segments.map((s) => {
            const length = s.size ?? 0;
            const seg: Segment = { ...s, uri: f.name, byteRange: { offset, length } };
            offset += length;
            return seg;
          });
        }
      }
  }
}
