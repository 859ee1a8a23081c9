/**
 * `graphpac/testing`: test a filter on its own (see docs/PLUGINS.md, "Testing it").
 *
 *   const h = await createHarness(myFilter, { args: { strict: false } });
 *   const input = h.input({ StreamType: 'File', Extension: 'aac' });
 *   input.push(bytes);
 *   input.end();
 *   await h.run();
 *   h.output('audio1').packets; // what the filter sent on its PID "audio1"
 */
export { createHarness, FilterHarness } from './harness.js';
export type { HarnessInput, HarnessItem, HarnessLogLine, HarnessOptions, HarnessOutput } from './harness.js';
export { ManualClock } from '../engine/clock.js';
export type { SchedulerClock } from '../engine/clock.js';
