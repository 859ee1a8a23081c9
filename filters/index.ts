/**
 * The built-in filters, registered exactly like third-party plugins. Filters most graphs do not need
 * are registered by their descriptor alone (`descriptor.ts`: name, options, caps, probes, help) and
 * their implementation is imported when a graph uses them: packaging a file loads neither the origin
 * (httpout) nor the TS demuxer, flist or inspect.
 */
import type { AnyFilterDescriptor } from '../src/index.js';
import fin from './fin/index.js';
import mp4dmx from './mp4dmx/index.js';
import reframer from './reframer/index.js';
import inspect from './inspect/descriptor.js';
import fout from './fout/index.js';
import dasher from './dasher/index.js';
import httpout from './httpout/descriptor.js';
import flist from './flist/descriptor.js';
import m2tsdmx from './m2tsdmx/descriptor.js';
import sockin from './sockin/descriptor.js';
import pin from './pin/descriptor.js';

export const builtinFilters: readonly AnyFilterDescriptor[] = [
  fin,
  mp4dmx,
  m2tsdmx,
  sockin,
  pin,
  reframer,
  dasher,
  inspect,
  fout,
  httpout,
  flist,
];
