/**
 * Sample entries and their configuration boxes: VisualSampleEntry (ISO/IEC 14496-12 12.1.3) with
 * avcC/hvcC (ISO/IEC 14496-15), pasp, btrt; AudioSampleEntry (12.2.3) `mp4a` with esds (ISO/IEC 14496-14).
 */
import { box, bytes, fixed16_16, fullBox, i16, type Part, seq, u16, u24, u32, u8, zeros } from './part.js';

/** SampleEntry (8.5.2.2) header fields shared by all sample entries. */
function sampleEntryHeader(data_reference_index: number): Part[] {
  return [
    zeros(6), // reserved[6]
    u16(data_reference_index), // data_reference_index
  ];
}

/** compressorname: a 32-byte field, first byte = the string length (at most 31 bytes). */
function compressorname(name: string): Part {
  const text = new TextEncoder().encode(name).subarray(0, 31);
  return {
    size: 32,
    write: (o, at) => {
      o.bytes[at] = text.byteLength;
      o.bytes.set(text, at + 1);
    },
  };
}

export interface VisualSampleEntryFields {
  /** avc1, avc3, hvc1 or hev1. */
  type: string;
  width: number;
  height: number;
  compressorname?: string;
}

/** VisualSampleEntry followed by its boxes (decoder configuration first, then pasp, btrt). */
export function visualSampleEntry(f: VisualSampleEntryFields, ...boxes: Part[]): Part {
  return box(
    f.type,
    ...sampleEntryHeader(1),
    u16(0), // pre_defined
    zeros(2), // reserved
    zeros(12), // pre_defined[3]
    u16(f.width), // width
    u16(f.height), // height
    fixed16_16(72), // horizresolution (72 dpi)
    fixed16_16(72), // vertresolution (72 dpi)
    zeros(4), // reserved
    u16(1), // frame_count
    compressorname(f.compressorname ?? ''), // compressorname
    u16(0x0018), // depth
    i16(-1), // pre_defined
    ...boxes,
  );
}

/** AVCConfigurationBox: the AVCDecoderConfigurationRecord as given. */
export function avcC(AVCDecoderConfigurationRecord: Uint8Array): Part {
  return box('avcC', bytes(AVCDecoderConfigurationRecord));
}

/** HEVCConfigurationBox: the HEVCDecoderConfigurationRecord as given. */
export function hvcC(HEVCDecoderConfigurationRecord: Uint8Array): Part {
  return box('hvcC', bytes(HEVCDecoderConfigurationRecord));
}

/** PixelAspectRatioBox (12.1.4). */
export function pasp(hSpacing: number, vSpacing: number): Part {
  return box(
    'pasp',
    u32(hSpacing), // hSpacing
    u32(vSpacing), // vSpacing
  );
}

/** BitRateBox (8.5.2.2). */
export function btrt(bufferSizeDB: number, maxBitrate: number, avgBitrate: number): Part {
  return box(
    'btrt',
    u32(bufferSizeDB), // bufferSizeDB
    u32(maxBitrate), // maxBitrate
    u32(avgBitrate), // avgBitrate
  );
}

export interface AudioSampleEntryFields {
  /** mp4a */
  type: string;
  channelcount: number;
  samplesize?: number;
  /** In Hz. Rates above 65535 do not fit 16.16 and are written as 0 (the decoder config carries the rate). */
  samplerate: number;
}

/** AudioSampleEntry (version 0) followed by its boxes. */
export function audioSampleEntry(f: AudioSampleEntryFields, ...boxes: Part[]): Part {
  return box(
    f.type,
    ...sampleEntryHeader(1),
    zeros(8), // reserved[2]
    u16(f.channelcount), // channelcount
    u16(f.samplesize ?? 16), // samplesize
    u16(0), // pre_defined
    zeros(2), // reserved
    u32(f.samplerate <= 0xffff ? f.samplerate * 0x10000 : 0), // samplerate (16.16)
    ...boxes,
  );
}

/** An MPEG-4 descriptor (14496-1 8.3.3): tag, size in 7-bit groups (shortest form), payload. */
export function descriptor(tag: number, ...parts: Part[]): Part {
  const payload = seq(parts);
  const lengthBytes: number[] = [];
  let n = payload.size;
  do {
    lengthBytes.unshift(n & 0x7f);
    n >>>= 7;
  } while (n > 0);
  const sizeParts = lengthBytes.map((b, i) => u8(i < lengthBytes.length - 1 ? b | 0x80 : b));
  return seq([u8(tag), ...sizeParts, payload]);
}

export interface EsdsFields {
  ES_ID: number;
  /** 0x40 = MPEG-4 Audio (14496-3). */
  objectTypeIndication: number;
  /** 0x05 = AudioStream. */
  streamType: number;
  bufferSizeDB: number;
  maxBitrate: number;
  avgBitrate: number;
  /** DecoderSpecificInfo payload, e.g. the AudioSpecificConfig. */
  decoderSpecificInfo: Uint8Array;
}

/** ESDBox (14496-14 6.7.2) with ES_Descriptor, DecoderConfigDescriptor, DecoderSpecificInfo, SLConfig. */
export function esds(f: EsdsFields): Part {
  return fullBox(
    'esds',
    0,
    0,
    descriptor(
      0x03, // ES_DescrTag
      u16(f.ES_ID), // ES_ID
      u8(0), // streamDependenceFlag, URL_Flag, OCRstreamFlag, streamPriority
      descriptor(
        0x04, // DecoderConfigDescrTag
        u8(f.objectTypeIndication), // objectTypeIndication
        u8((f.streamType << 2) | 0x01), // streamType (6), upStream (1) = 0, reserved (1) = 1
        u24(f.bufferSizeDB), // bufferSizeDB
        u32(f.maxBitrate), // maxBitrate
        u32(f.avgBitrate), // avgBitrate
        descriptor(0x05, bytes(f.decoderSpecificInfo)), // DecSpecificInfoTag
      ),
      descriptor(
        0x06, // SLConfigDescrTag
        u8(0x02), // predefined = 2 (reserved for use in MP4 files)
      ),
    ),
  );
}
