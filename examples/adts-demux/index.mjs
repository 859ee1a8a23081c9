// graphpac plugin: an ADTS (raw AAC) demuxer, written only against graphpac's public API.
//   graphpac --plugin ./examples/adts-demux -i sound.aac -o out/live.m3u8:segdur=2
// Link resolution inserts it by itself between fin (StreamType=File, .aac) and the dasher, like a built-in.
import { arg, defineFilter, GraphError } from 'graphpac';

const RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

/** Parse the ADTS header at `o`, or return undefined when there is no valid header there. */
export function adtsHeader(b, o) {
  if (o + 7 > b.length || b[o] !== 0xff || (b[o + 1] & 0xf6) !== 0xf0) return undefined;
  const protectionAbsent = b[o + 1] & 1;
  const profile = b[o + 2] >> 6; // AAC object type − 1
  const rateIndex = (b[o + 2] >> 2) & 0x0f;
  const channels = ((b[o + 2] & 1) << 2) | (b[o + 3] >> 6);
  const frameLength = ((b[o + 3] & 3) << 11) | (b[o + 4] << 3) | (b[o + 5] >> 5);
  const headerLength = protectionAbsent ? 7 : 9;
  if (rateIndex >= RATES.length || frameLength <= headerLength) return undefined;
  return { profile, rateIndex, rate: RATES[rateIndex], channels, frameLength, headerLength };
}

/** AudioSpecificConfig (2 bytes) for the stream: object type, rate index, channel configuration. */
export function audioSpecificConfig(h) {
  const aot = h.profile + 1;
  return Uint8Array.of((aot << 3) | (h.rateIndex >> 1), ((h.rateIndex & 1) << 7) | (h.channels << 3));
}

export default defineFilter({
  name: 'adtsdmx',
  description: 'ADTS (raw AAC) demuxer, an example plugin',
  help: `Reads raw AAC files (ADTS frames) and outputs one framed AAC audio stream: one packet per frame, 1024
samples each, time stamps in the sample rate. Inserted by link resolution for .aac/.adts files.

Example:
  graphpac --plugin ./examples/adts-demux -i sound.aac -o out/live.m3u8:segdur=2`,
  apiVersion: 1,
  args: {
    strict: arg.bool(
      true,
      'stop with an error on a corrupt frame (otherwise resynchronise on the next header)',
    ),
  },
  // Raw AAC files, by extension or by content (probeData).
  caps: [
    {
      name: 'ADTS files in, AAC audio out',
      in: { StreamType: 'File', Extension: ['aac', 'adts'], MIMEType: ['audio/aac', 'audio/x-aac'] },
      out: { StreamType: 'Audio', CodecID: 'aac' },
    },
  ],
  probeData(data) {
    const h = adtsHeader(data, 0);
    if (!h) return undefined;
    const next = adtsHeader(data, h.frameLength);
    return { mime: 'audio/aac', score: next ? 'supported' : 'maybe' };
  },
  create(ctx) {
    let pending = new Uint8Array(0);
    let out;
    let frames = 0;
    let offset = 0;
    return {
      process() {
        const inp = ctx.inputs[0];
        if (!inp) return 'not-ready';
        for (let p = inp.take(); p; p = inp.take()) {
          const merged = new Uint8Array(pending.length + p.data.length);
          merged.set(pending, 0);
          merged.set(p.data, pending.length);
          let o = 0;
          while (o + 7 <= merged.length) {
            const h = adtsHeader(merged, o);
            if (!h) {
              if (ctx.args.strict)
                throw new GraphError(
                  'CORRUPT_INPUT',
                  `adtsdmx: no ADTS frame at byte ${offset + o} of "${inp.props.URL}"`,
                );
              o++;
              continue;
            }
            if (o + h.frameLength > merged.length) break;
            out ??= ctx.createPid(
              {
                StreamType: 'Audio',
                CodecID: 'aac',
                Timescale: h.rate,
                SampleRate: h.rate,
                NumChannels: h.channels,
                DecoderConfig: audioSpecificConfig(h),
                URL: inp.props.URL,
                SourcePath: inp.props.SourcePath,
              },
              'audio1',
            );
            out.send({
              data: merged.subarray(o + h.headerLength, o + h.frameLength),
              dts: frames * 1024,
              cts: frames * 1024,
              duration: 1024,
              sap: 1,
            });
            frames++;
            o += h.frameLength;
          }
          offset += o;
          pending = merged.slice(o);
        }
        if (inp.eos) {
          if (pending.length && ctx.args.strict)
            throw new GraphError(
              'CORRUPT_INPUT',
              `adtsdmx: "${inp.props.URL}" ends inside a frame (${pending.length} bytes left)`,
            );
          out?.setEos();
          return 'eos';
        }
        return 'not-ready';
      },
    };
  },
});
