// The real-time tests (test/live/), run on their own after the main suite so the machine is quiet.
import base from './package.json' with { type: 'json' };

export default { ...base.ava, files: ['test/live/**/*.test.ts'], serial: true };
