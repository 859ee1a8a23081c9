/** The built-in filters, registered exactly like third-party plugins. */
import type { FilterDescriptor } from '../src/index.js';
import fin from './fin/index.js';
import mp4dmx from './mp4dmx/index.js';
import reframer from './reframer/index.js';
import inspect from './inspect/index.js';
import fout from './fout/index.js';
import dasher from './dasher/index.js';
import httpout from './httpout/index.js';
import flist from './flist/index.js';
import m2tsdmx from './m2tsdmx/index.js';
import sockin from './sockin/index.js';
import pin from './pin/index.js';

export const builtinFilters: FilterDescriptor[] = [
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
] as FilterDescriptor[];
