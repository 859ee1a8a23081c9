/**
 * The iTunes gapless-playback tag `iTunSMPB` (udta/meta/ilst/----), which carries the AAC encoder
 * priming. It is written in the audio `trak` only when asked (see `aacPrimingTag` in init-segment.ts):
 * FFmpeg's MP4 demuxer applies an edit list to fragmented tracks as a timestamp offset only, and trims
 * priming samples (skip_samples) only from this tag.
 *
 * Layout (QuickTime File Format metadata, Apple's iTunes flavour):
 * udta > meta (FullBox) > hdlr('mdir', 'appl') + ilst > '----' > mean('com.apple.iTunes') + name('iTunSMPB')
 * + data(type 1 = UTF-8, locale 0, text).
 */
import { box, bytes, fourcc, fullBox, type Part, u32, zeros } from './part.js';

const utf8 = new TextEncoder();

function hex(value: number, digits: number): string {
  return value.toString(16).toUpperCase().padStart(digits, '0');
}

/**
 * The iTunSMPB text: " 00000000 <priming> <padding> <sample count, 16 digits>" + 8 zero words.
 * `totalSamples` (valid samples after trimming) is 0 when unknown, as in a live stream.
 */
export function iTunSMPBText(priming: number, padding = 0, totalSamples = 0): string {
  const zerosWords = Array.from({ length: 8 }, () => ' 00000000').join('');
  return ` 00000000 ${hex(priming, 8)} ${hex(padding, 8)} ${hex(totalSamples, 16)}${zerosWords}`;
}

/** udta(meta(hdlr mdir/appl, ilst('----'(mean, name, data)))) for one free-form iTunes tag. */
export function udtaITunesTag(name: string, value: string): Part {
  return box(
    'udta',
    fullBox(
      'meta',
      0,
      0,
      fullBox(
        'hdlr',
        0,
        0,
        u32(0), // pre_defined
        fourcc('mdir'), // handler_type
        fourcc('appl'), // reserved[0] (Apple: manufacturer)
        zeros(8), // reserved[1..2]
        zeros(1), // name (empty, null-terminated)
      ),
      box(
        'ilst',
        box(
          '----',
          fullBox('mean', 0, 0, bytes(utf8.encode('com.apple.iTunes'))), // meaning
          fullBox('name', 0, 0, bytes(utf8.encode(name))), // name
          box(
            'data',
            u32(1), // type indicator: 1 = UTF-8 text
            u32(0), // locale
            bytes(utf8.encode(value)), // value
          ),
        ),
      ),
    ),
  );
}
