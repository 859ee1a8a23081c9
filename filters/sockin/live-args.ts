/** The options every live byte input (sockin, pin) has alike: the data's format, and the no-data timeout. */
import { arg } from '../../src/index.js';

export const liveFormatArgs = {
  ext: arg.string(undefined, 'format of the data, as a file extension (ts, mp4…), instead of probing'),
  mime: arg.string(undefined, 'format of the data, as a MIME type, instead of probing'),
  timeout: arg.uint(
    10000,
    'ms without data that end the stream (an error if none ever came); 0: wait forever',
    {
      level: 'advanced',
    },
  ),
};
