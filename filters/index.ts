/** The built-in filters, registered exactly like third-party plugins. */
import type { FilterDescriptor } from '../src/index.js';

export const builtinFilters: FilterDescriptor[] = [];
