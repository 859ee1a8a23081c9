/**
 * mp4dmx: ISOBMFF demuxer (MP4, MOV, 3GP, fragmented MP4, CMAF) on mp4box.js.
 *
 * It reads the file through its input File PID and asks the source to jump (`source-seek` events),
 * the way a player uses HTTP byte ranges: to a moov at the end, then back to the samples. Memory stays
 * bounded by a few blocks whatever the layout; samples of all tracks leave in decode-time order.
 */
import { defineFilter } from '../../src/index.js';
import type { InputPid, OutputPid, Packet, PidProps } from '../../src/index.js';
import { Mp4Demuxer } from './demuxer.js';
import type { BlockOwner, DemuxTrack } from './demuxer.js';
import { ISOBMFF_EXTENSIONS, ISOBMFF_MIMES, probeIsobmff } from './probe.js';
import { FileReader } from './file-reader.js';

/** Samples handed out per process() call before yielding to the scheduler. */
const SAMPLES_PER_CALL = 256;
/** Input blocks fed to mp4box per process() call. */
const BLOCKS_PER_CALL = 4;

const PID_PREFIX: Record<string, string> = { Visual: 'video', Audio: 'audio', Text: 'text' };

/** A block of the file the demuxer holds: the source's packet, kept until the demuxer lets go. */
interface PacketOwner extends BlockOwner {
  readonly packet: Packet;
}

export default defineFilter({
  name: 'mp4dmx',
  logTools: ['container'],
  description: 'ISOBMFF demuxer: MP4, MOV, 3GP, fragmented MP4 and CMAF files into one PID per track',
  help: `mp4dmx reads ISOBMFF files (MP4, MOV, 3GP, fragmented MP4, CMAF segments) and exposes one PID per track.
It is loaded automatically after fin when a file's extension or content is ISOBMFF; sources need no extension.

Files with the moov box at the end are read without holding the file in memory: the demuxer asks fin to
jump to the moov, then back to the samples (source-seek events). Samples of all tracks are sent in
decode-time order. A truncated or corrupt file stops the session with one line naming the file.

PID properties: StreamType, CodecID (avc, hevc, aac, ... or the sample entry 4CC), Timescale, ID (track ID),
DecoderConfig (avcC/hvcC record, AAC AudioSpecificConfig, ...), Width, Height, FPS, SAR or SampleRate,
NumChannels, Bitrate, Duration, NbFrames, Language, Delay (edit list: presentation time = CTS + Delay).
Packets carry DTS, CTS, duration and SAP type 1 on sync samples.

Examples:
  graphpac -i video.mp4 inspect                 list the tracks of video.mp4
  graphpac -i source1 inspect:deep              one line per sample (no extension needed)
  graphpac -i movie.mov inspect:deep:fmt=json   tracks and samples as JSON lines`,
  args: {},
  // Samples are views of fin's blocks, sent with `ref` to them; file packets are kept while the
  // demuxer holds them. So fin reuses a block once every sample cut from it is dropped downstream.
  dropsTakenPackets: true,
  caps: [
    // An ISOBMFF file, recognised by its extension or, for sources without one, by content probing (MIMEType).
    {
      name: 'isobmff-file',
      in: { StreamType: 'File', Extension: [...ISOBMFF_EXTENSIONS], MIMEType: [...ISOBMFF_MIMES] },
      out: { StreamType: ['Visual', 'Audio', 'Text', 'Metadata', 'Unknown'], CodecID: '*' },
    },
  ],
  probeData: (data) => probeIsobmff(data),
  create(ctx) {
    let input: InputPid | undefined;
    let demux: Mp4Demuxer | undefined;
    let reader: FileReader | undefined;
    const outputs = new Map<number, OutputPid>();

    function createOutputs(tracks: readonly DemuxTrack[]): void {
      const counts = new Map<string, number>();
      for (const t of tracks) {
        const prefix = PID_PREFIX[t.props.StreamType ?? ''] ?? 'track';
        const n = (counts.get(prefix) ?? 0) + 1;
        counts.set(prefix, n);
        const props: PidProps = { ...t.props };
        if (input?.props.URL !== undefined) props.URL = input.props.URL;
        outputs.set(t.id, ctx.createPid(props, `${prefix}${n}`));
      }
    }

    function end(): void {
      for (const o of outputs.values()) o.setEos();
      reader?.stop();
    }

    return {
      configurePid(pid, status) {
        if (status === 'remove') {
          if (pid === input) end();
          return;
        }
        const size = pid.props.DownloadSize;
        if (status === 'new') {
          if (input && input !== pid) throw new Error('mp4dmx takes one input file');
          input = pid;
          const label = String(pid.props.URL ?? pid.props.SourcePath ?? pid.name);
          demux = new Mp4Demuxer(ctx.name, label);
          reader = new FileReader(pid, ctx.name, label);
        }
        if (demux && typeof size === 'number' && size > 0) demux.fileSize = size;
      },

      process() {
        if (!demux || !reader) return 'not-ready';
        let progress = false;
        let blocks = 0;
        for (let n = 0; n < SAMPLES_PER_CALL;) {
          const step = demux.step();
          // Tracks are declared before anything ends: a file whose tracks have no samples still has them.
          if (demux.ready && !outputs.size) createOutputs(demux.tracks);
          if (step.kind === 'done') {
            end();
            return 'eos';
          }
          if (step.kind === 'sample') {
            const out = outputs.get(step.track.id)!;
            // Samples leave in decode order: wait for this output to drain (the engine wakes producers then).
            if (out.wouldBlock) return progress ? 'ok' : 'not-ready';
            const s = step.sample;
            out.send({
              data: s.data,
              dts: s.dts,
              cts: s.cts,
              duration: s.duration,
              sap: s.sync ? 1 : 0,
              start: true,
              end: true,
              ref: (s.owner as PacketOwner | undefined)?.packet,
            });
            demux.consumed(step.track, s);
            progress = true;
            n++;
            continue;
          }
          if (blocks >= BLOCKS_PER_CALL) return 'ok';
          const block = reader.read(step.offset, demux);
          if (!block) {
            // The size became known with this read (a stream's empty last packet): step again.
            const atEnd = demux.fileSize !== undefined && step.offset >= demux.fileSize;
            return progress || atEnd ? 'ok' : 'not-ready';
          }
          const packet = block.packet;
          ctx.keep(packet);
          const owner: PacketOwner = { packet, release: () => ctx.drop(packet) };
          demux.append(block.data, block.offset, owner);
          for (const line of demux.takeLogs()) ctx.log.debug(`mp4box.js: ${line}`);
          blocks++;
          progress = true;
        }
        return 'ok';
      },

      finalize() {
        reader?.stop();
      },
    };
  },
});
