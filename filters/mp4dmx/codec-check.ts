/**
 * A track's sample description, checked once its PID properties are read: a track without a sample
 * entry, a sample entry that contradicts the track's handler (an avc1 entry in a sound track), or a
 * codec configuration (avcC, hvcC, the esds AudioSpecificConfig) that cannot be parsed is malformed
 * input, named here by its box path, not a RangeError of the muxer that would read it later. The records
 * are parsed with the parsers the CMAF writer uses (src/media/codecs).
 */
import type { PidProps } from '../../src/index.js';
import { parseAudioSpecificConfig, parseAvcC, parseHvcC } from '../../src/media/codecs/index.js';
import { MalformedInput } from './malformed.js';
import type { Trak } from './track-props.js';

const VISUAL = new Set(['avc', 'hevc', 'vvc', 'av1', 'vp8', 'vp9', 'mpeg4v']);
const AUDIO = new Set(['aac', 'mp3', 'opus', 'flac', 'ac3', 'eac3', 'ac4']);

/** `at`: the trak's path (`moov/trak[2]`). */
export function checkSampleDescription(trak: Trak, props: PidProps, at: string): void {
  const stsd = `${at}/mdia/minf/stbl/stsd`;
  const entry = trak.mdia.minf.stbl.stsd.entries[0];
  if (!entry) throw new MalformedInput(`${stsd} has no sample entry`);
  const path = `${stsd}/${entry.type}`;
  const codec = String(props.CodecID);
  const handler = trak.mdia.hdlr.handler;
  if (
    (props.StreamType !== 'Visual' && VISUAL.has(codec)) ||
    (props.StreamType !== 'Audio' && AUDIO.has(codec))
  )
    throw new MalformedInput(
      `${at}/mdia/hdlr has handler '${handler}' but the sample entry ${entry.type} carries ${codec}`,
    );
  const sar = props.SAR;
  if (sar && typeof props.Width === 'number' && (props.Width * sar.num) / sar.den > 0xffff)
    throw new MalformedInput(
      `${path}/pasp: hSpacing ${sar.num} / vSpacing ${sar.den} makes the ${props.Width}-pixel picture ${Math.round((props.Width * sar.num) / sar.den)} pixels wide`,
    );
  const config = props.DecoderConfig;
  const record = codec === 'avc' ? 'avcC' : codec === 'hevc' ? 'hvcC' : codec === 'aac' ? 'esds' : undefined;
  if (!record) return;
  if (!(config instanceof Uint8Array) || !config.length)
    throw new MalformedInput(
      codec === 'aac'
        ? `${path}/esds has no AudioSpecificConfig (DecoderSpecificInfo)`
        : `${path} has no ${record} box`,
    );
  try {
    if (codec === 'avc') parseAvcC(config);
    else if (codec === 'hevc') parseHvcC(config);
    else parseAudioSpecificConfig(config);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    throw new MalformedInput(`${path}/${record} cannot be read: ${e.message}`);
  }
}
