/**
 * One Representation: its track description, its segmenter, and the CMAF bytes it sends to its own
 * file destination (init segment, then per segment: styp + chunks). Each chunk's last packet asks
 * the sink for a write acknowledgement; only acknowledged chunks enter the manifest model, so a part
 * or segment is announced after its last byte is written.
 */
import { GraphError } from '../../src/index.js';
import type { FilePacketProps, InputPid, OutputPid, Packet } from '../../src/index.js';
import { writeStyp, CMAF_SEGMENT_BRANDS, DASH_SEGMENT_BRANDS } from '../../src/media/bmff/chunk.js';
import { writeChunkBytes } from '../../src/media/bmff/chunk-bytes.js';
import type { ChunkSample, PrftInput, SapType } from '../../src/media/bmff/chunk.js';
import { writeInitSegment } from '../../src/media/bmff/init-segment.js';
import { trackCodecString } from '../../src/media/codecs/index.js';
import type { TrackConfig } from '../../src/media/track.js';
import { unixMsToNtp } from '../../src/media/time.js';
import type { Segment } from '../../src/manifest/model.js';
import type { ClosedChunk } from './segmenter.js';
import { Segmenter } from './segmenter.js';
import type { RepNames } from './naming.js';
import { resolveName } from './naming.js';
import type { Acks } from './acks.js';
import { ChunkPool } from './chunk-pool.js';

export interface RepOptions {
  id: string;
  names: RepNames;
  segdur: number;
  cdur: number;
  startNumber: number;
  /** LL-HLS part files (sf/brsf): also write each chunk to `<segment>.<k>`. */
  partFiles: boolean;
  cmaf: 'no' | 'cmfc' | 'cmf2';
  prft: boolean;
  /** GPAC sbound: segment boundary around the grid point (in/closest hold one GOP back). */
  bound?: 'out' | 'in' | 'closest';
  /**
   * Ask the sink to acknowledge every chunk (live: a part is listed once its last byte is written, and
   * an origin learns each chunk boundary). Otherwise (static) only each segment's last chunk: the
   * manifests are written once everything is acknowledged, and the other chunks enter the model as sent.
   */
  ackEveryChunk: boolean;
  /**
   * On-demand (sseg): every fragment goes to this one file (no init, no styp, not closed per segment);
   * the final file (init + sidx + these bytes) is assembled at the end (ondemand.ts).
   */
  single?: string;
}

function src(pid: InputPid): string {
  const path = pid.props.SourcePath ?? pid.props.URL;
  return path ? ` of "${String(path)}"` : '';
}

/** Track description from a demuxed PID; throws for codecs the CMAF writer does not support. */
export function trackFromPid(pid: InputPid): TrackConfig {
  const p = pid.props;
  const codec = p.CodecID;
  if (codec !== 'avc' && codec !== 'hevc' && codec !== 'aac')
    throw new GraphError(
      'UNSUPPORTED_CODEC',
      `dasher: PID "${pid.name}"${src(pid)} uses codec ${String(codec)}; supported: avc (H.264), hevc (H.265), aac`,
      { pid: pid.name, codec },
    );
  if (!p.DecoderConfig || !p.Timescale)
    throw new GraphError('UNSUPPORTED_CODEC', `dasher: PID "${pid.name}" has no decoder configuration`, {
      pid: pid.name,
    });
  return {
    trackId: 1,
    kind: p.StreamType === 'Audio' ? 'audio' : 'video',
    codec,
    timescale: p.Timescale,
    decoderConfig: p.DecoderConfig,
    width: p.Width,
    height: p.Height,
    sar: p.SAR,
    sampleRate: p.SampleRate,
    channels: p.NumChannels,
    language: p.Language,
    bitrate: p.Bitrate,
    editDelay: p.Delay !== undefined && p.Delay < 0 ? -p.Delay : undefined,
  };
}

/** Where the stream ends (decode time), from the demuxer's sample count when durations are constant. */
function streamEnd(pid: InputPid): { endTime?: number } {
  const n = pid.props.NbFrames;
  const d = pid.props.Duration;
  const ts = pid.props.Timescale;
  if (!n || !d || !ts || d.den === 0) return {};
  // Duration is given as a fraction of seconds; NbFrames samples end around it (edit delays aside).
  const end = Math.round((d.num / d.den) * ts) + Math.max(0, -(pid.props.Delay ?? 0));
  return { endTime: end };
}

/** What a representation tells its dasher. */
export interface RepHost {
  /** The dasher's acknowledgement ids. */
  readonly acks: Acks;
  /** Bytes of this representation were acknowledged (`closedSegment`: the last ones closed a segment). */
  written(rep: Rep, closedSegment: boolean): void;
  /** Done with a packet taken from the input (its bytes are in a sent chunk, which refers to it). */
  drop(packet: Packet): void;
}

/** A sent chunk, entering the model in order once written (or at once when no ack was asked). */
interface SentChunk {
  chunk: Omit<ClosedChunk, 'samples'>;
  offset: number;
  size: number;
  ready: boolean;
}

export class Rep {
  readonly track: TrackConfig;
  readonly codecs: string;
  readonly segmenter: Segmenter;
  /** Segments in the manifest model (acknowledged bytes only); the last may be open. */
  readonly segments: Segment[] = [];
  /** Packets sent and waiting for their write acknowledgement. */
  private unacked = 0;
  /** Acknowledgements awaited, in send order (expectAck). */
  private readonly ackQueue: { done: boolean; onAck: () => void }[] = [];
  /** Chunks sent and not in the model yet, in order. */
  private readonly sent: SentChunk[] = [];
  /** Buffers the chunks are written into (given back once the sink has written them). */
  private readonly pool = new ChunkPool();
  /** The styp every segment starts with. */
  private readonly styp: Uint8Array;
  private sequence = 1;
  /** Bytes written so far into the open segment file. */
  private segmentBytes = 0;
  /** Chunks of the model's last segment entered so far, and their duration. */
  private chunksInSegment = 0;
  private segmentDuration = 0;
  /** Totals for the average bitrate. */
  bytes = 0;
  mediaDuration = 0;
  /** Largest chunk duration seen (timescale units). */
  maxChunk = 0;
  /** Duration of one sample, from the first packet (timescale units). */
  frameDuration = 0;
  /** LL-HLS PART-TARGET of this representation (s): cdur rounded up to whole samples, ceiled to the ms. */
  partTarget: number | undefined;

  /**
   * Seconds presented before this representation's time zero (its first sample's CTS): the part of its edit
   * delay the start does not absorb. A video's B-frame delay is its first CTS (0); AAC priming starts at
   * CTS 0 and is edited out, so its media is presented 1024 samples before the segments' times.
   */
  get presentedEarly(): number {
    const origin = this.segmenter.originCts;
    const delay = this.track.editDelay ?? 0;
    if (origin === undefined || delay <= origin) return 0;
    return (delay - origin) / this.track.timescale;
  }
  initAcked = false;
  ended = false;
  /** A packet came from the input. */
  fed = false;
  /** The input ended without a single packet: left out of the manifests. */
  empty = false;
  /** Decode time of the first packet. */
  firstDts: number | undefined;
  /**
   * Written and acknowledged so far: parts, segments, media (timescale units, from the first packet's
   * decode time to the end of the last chunk's timeline).
   */
  partsDone = 0;
  segmentsDone = 0;
  mediaDone = 0;
  constructor(
    readonly input: InputPid,
    readonly out: OutputPid,
    readonly opts: RepOptions,
    private readonly host: RepHost,
  ) {
    this.track = trackFromPid(input);
    this.styp = writeStyp(opts.cmaf === 'no' ? DASH_SEGMENT_BRANDS : CMAF_SEGMENT_BRANDS);
    this.codecs = trackCodecString(this.track);
    const ts = this.track.timescale;
    this.segmenter = new Segmenter({
      timescale: ts,
      segdur: Math.round(opts.segdur * ts),
      cdur: opts.cdur > 0 ? Math.round(opts.cdur * ts) : 0,
      sapOnly: this.track.kind === 'video',
      startNumber: opts.startNumber,
      ...(opts.bound ? { bound: opts.bound } : {}),
      ...streamEnd(input),
      // A tail shorter than this joins the last segment (which then still rounds to the target duration).
      maxTail: Math.round(
        Math.max(0, Math.min(0.5, Math.ceil(opts.segdur - 1e-9) + 0.49 - opts.segdur)) * ts,
      ),
    });
  }

  /** The first packet tells the sample duration, hence the longest chunk the cdur grid can make. */
  noteFirstPacket(duration: number | undefined): void {
    if (this.frameDuration || !duration) return;
    this.frameDuration = duration;
    if (this.opts.cdur > 0) {
      const ts = this.timescale;
      const frames = Math.ceil((this.opts.cdur * ts) / duration - 1e-9);
      this.partTarget = Math.ceil(((frames * duration) / ts) * 1000 - 1e-6) / 1000;
      this.segmenter.setChunkCap(frames * duration);
    }
  }

  get id(): string {
    return this.opts.id;
  }

  get timescale(): number {
    return this.track.timescale;
  }

  get bandwidth(): number {
    if (this.mediaDuration > 0 && this.bytes > 0)
      return Math.round((this.bytes * 8 * this.timescale) / this.mediaDuration);
    return this.track.bitrate ?? 0;
  }

  segmentName(number: number, time: number): string {
    return resolveName(this.opts.names.media, { number, time, repId: this.id, bandwidth: this.bandwidth });
  }

  /** Whether every chunk sent has been acknowledged. */
  get settled(): boolean {
    return this.unacked === 0;
  }

  /** ftyp + moov of this representation. */
  initSegment(): Uint8Array {
    return writeInitSegment([this.track], this.opts.cmaf === 'no' ? {} : { cmaf: this.opts.cmaf });
  }

  sendInit(): void {
    if (this.opts.single !== undefined) return; // written with the final file (ondemand.ts)
    const data = this.initSegment();
    const props: FilePacketProps = {
      FileName: this.opts.names.init,
      EndOfFile: true,
      AckId: this.expectAck(() => {
        this.initAcked = true;
        this.host.written(this, false);
      }),
    };
    this.out.send({ data, props });
  }

  /**
   * A segment's chunks gathered into one buffer, sent as one packet when its last chunk closes: a static job
   * (no sink acknowledges a chunk before the segment ends, no part files, not on-demand) writes each
   * segment with one system call and sends the sinks one packet, not one per chunk. The bytes are the same.
   */
  private gathering:
    { bytes: Uint8Array; release: () => void; used: number; props: FilePacketProps } | undefined;

  private get gathers(): boolean {
    return !this.opts.ackEveryChunk && !this.opts.partFiles && this.opts.single === undefined;
  }

  /** `n` bytes at the end of the segment being gathered (the buffer grows, by the pool, when full). */
  private gatherRoom(n: number): Uint8Array {
    const g = this.gathering!;
    if (g.used + n > g.bytes.length) {
      const bigger = this.pool.get(Math.max(2 * g.bytes.length, g.used + n));
      const whole = new Uint8Array(bigger.bytes.buffer);
      whole.set(g.bytes.subarray(0, g.used));
      g.release();
      g.bytes = whole;
      g.release = bigger.release;
    }
    const room = g.bytes.subarray(g.used, g.used + n);
    g.used += n;
    return room;
  }

  /** Write one closed chunk; it enters the model when acknowledged (or at once if no ack is asked). */
  sendChunk(c: ClosedChunk, wallMs: number): void {
    const props: FilePacketProps = {};
    let styp: Uint8Array | undefined;
    if (c.index === 0 && this.opts.single !== undefined) {
      this.segmentBytes = 0;
      if (this.bytes === 0) props.FileName = this.opts.single;
    } else if (c.index === 0) {
      this.segmentBytes = 0;
      props.FileName = this.segmentName(c.segment, c.segmentCts - (this.segmenter.originCts ?? 0));
      styp = this.styp;
    }
    if (this.opts.partFiles) {
      props.LLHASFragNum = c.index;
      props.LLHASPartFiles = true;
    }
    const gather = this.gathers;
    if (gather && (c.index === 0 || !this.gathering)) {
      this.gathering?.release();
      // Sized as the segment before it (the pool rounds up to a power of two): rarely grown.
      const first = this.pool.get(Math.max(this.lastSegmentBytes, 1));
      this.gathering = { bytes: new Uint8Array(first.bytes.buffer), release: first.release, used: 0, props };
    }
    const samples: ChunkSample[] = c.samples.map((s) => ({
      data: s.data,
      duration: s.duration ?? 0,
      compositionOffset: (s.cts ?? s.dts ?? 0) - (s.dts ?? s.cts ?? 0),
      sapType: s.sap as SapType,
    }));
    const prft: PrftInput | undefined = this.opts.prft
      ? { referenceTrackId: this.track.trackId, ntpTimestamp: unixMsToNtp(wallMs), mediaTime: c.baseDts }
      : undefined;
    // The whole chunk (after the styp of a segment's first one) in one buffer from the pool (or in the
    // segment being gathered): one packet, one write; the samples are copied, so they are dropped at once.
    let release: (() => void) | undefined;
    const chunk = writeChunkBytes(
      {
        sequenceNumber: this.sequence++,
        tracks: [{ trackId: this.track.trackId, baseMediaDecodeTime: c.baseDts, samples }],
        ...(prft ? { prft } : {}),
      },
      {
        ...(styp ? { prefix: styp } : {}),
        alloc: (n) => {
          if (gather) return this.gatherRoom(n);
          const b = this.pool.get(n);
          release = b.release;
          return b.bytes;
        },
      },
    );
    for (const s of c.samples) this.host.drop(s);
    const offset = this.segmentBytes;
    const size = chunk.bytes.byteLength;
    // Keep the chunk's description, not its samples.
    const { samples: _samples, ...desc } = c;
    const entry: SentChunk = { chunk: desc, offset, size, ready: false };
    this.sent.push(entry);
    const asked = this.opts.ackEveryChunk || c.endsSegment;
    const packetProps = gather ? this.gathering!.props : props;
    if (asked)
      packetProps.AckId = this.expectAck(() => {
        entry.ready = true;
        this.enterWritten();
      });
    if (c.endsSegment && this.opts.single === undefined) packetProps.EndOfFile = true;
    if (!gather) this.out.send({ data: chunk.bytes, props, ...(release ? { onRelease: release } : {}) });
    else if (c.endsSegment) {
      const g = this.gathering!;
      this.gathering = undefined;
      this.lastSegmentBytes = g.used;
      this.out.send({ data: g.bytes.subarray(0, g.used), props: g.props, onRelease: g.release });
    }
    if (!asked) {
      entry.ready = true;
      this.enterWritten();
    }
    this.segmentBytes += size;
    this.bytes += size;
    this.mediaDuration += c.duration;
    this.maxChunk = Math.max(this.maxChunk, c.duration);
  }

  /** Bytes of the last segment gathered (the next one's first guess). */
  private lastSegmentBytes = 0;

  /** The latest complete segment in the model. */
  lastClosed(): Segment | undefined {
    for (let i = this.segments.length - 1; i >= 0; i--) if (!this.segments[i]!.open) return this.segments[i];
    return undefined;
  }

  /** Remove a trailing announced segment that never got a part (the stream ended). */
  dropEmptyTail(): void {
    const last = this.segments.at(-1);
    if (last?.open && !last.parts?.length) this.segments.pop();
  }

  /**
   * An acknowledgement id for a packet of this representation; `onAck` runs when it comes back. The
   * callbacks run in the order the packets were sent, whatever the order of their acknowledgements (a
   * push sink retrying uploads may answer a later segment's part first): one that comes early waits for
   * those before it, so chunks enter the model in order.
   */
  private expectAck(onAck: () => void): number {
    this.unacked++;
    const entry = { done: false, onAck };
    this.ackQueue.push(entry);
    return this.host.acks.expect(() => {
      entry.done = true;
      while (this.ackQueue[0]?.done) {
        const e = this.ackQueue.shift()!;
        this.unacked--;
        e.onAck();
      }
    });
  }

  /** Sent chunks enter the model in order, as far as they are written (or need no acknowledgement). */
  private enterWritten(): void {
    let closed = false;
    let any = false;
    while (this.sent[0]?.ready) {
      const e = this.sent.shift()!;
      if (this.chunkWritten(e.chunk, e.offset, e.size)) closed = true;
      any = true;
    }
    if (any) this.host.written(this, closed);
  }

  /** A chunk's last byte was acknowledged: it enters the model. Returns true if it closed a segment. */
  private chunkWritten(c: Omit<ClosedChunk, 'samples'>, offset: number, size: number): boolean {
    let seg = this.segments.at(-1);
    if (!seg || seg.number !== c.segment) {
      seg = {
        number: c.segment,
        time: c.segmentCts - (this.segmenter.originCts ?? 0),
        duration: Math.round(this.opts.segdur * this.timescale),
        uri: this.segmentName(c.segment, c.segmentCts - (this.segmenter.originCts ?? 0)),
        open: true,
        parts: [],
      };
      this.segments.push(seg);
    }
    if (!this.chunksInSegment) {
      // A segment announced ahead of its first part: now its real start is known.
      seg.time = c.segmentCts - (this.segmenter.originCts ?? 0);
      seg.uri = this.segmentName(c.segment, seg.time);
      this.segmentDuration = 0;
    }
    this.partsDone++;
    // The timeline's end, not the sum of durations: a source with gaps (flist items whose audio outlasts
    // their video by 37 ms: the next item's video starts after the gap) would otherwise fall behind the
    // wall clock by the gaps in every live figure (lateness, lag).
    this.mediaDone = Math.max(
      this.mediaDone + c.duration,
      c.baseDts + c.duration - (this.firstDts ?? c.baseDts),
    );
    this.segmentDuration += c.duration;
    if (c.endsSegment) this.segmentsDone++;
    // Parts are listed only by live playlists: a static job records the first one alone (whether the
    // segment starts with a SAP: on-demand's sidx).
    if (this.opts.ackEveryChunk || !this.chunksInSegment)
      seg.parts!.push({ duration: c.duration, independent: c.independent, offset, size });
    this.chunksInSegment++;
    if (c.endsSegment) {
      seg.open = false;
      seg.duration = this.segmentDuration;
      seg.size = offset + size;
      this.chunksInSegment = 0;
      // The next segment is announced at once, with no part yet, so the playlist keeps a preload hint
      // (dropped again if the stream ends here).
      if (!this.ended) {
        const time = seg.time + seg.duration;
        this.segments.push({
          number: seg.number + 1,
          time,
          duration: Math.round(this.opts.segdur * this.timescale),
          uri: this.segmentName(seg.number + 1, time),
          open: true,
          parts: [],
        });
      }
    }
    return c.endsSegment;
  }
}
