import test from 'ava';
import { progressLine } from '../../src/cli/progress.js';

test('a job faster than real time shows a bar, percent, speed and ETA', (t) => {
  const line = progressLine(
    {
      mediaSeconds: 15,
      durationSeconds: 30,
      status: { dasher: { segments: 7, parts: 28, mediaSeconds: 15 } },
    },
    1.5,
    10,
  );
  t.is(line, '[#####.....]  50%  ×10.0  ETA 0:02  segments 7  parts 28');
});

test('a live run shows one status line with the lag and what other filters report', (t) => {
  const line = progressLine(
    {
      mediaSeconds: 65,
      durationSeconds: 600,
      status: { dasher: { segments: 32, parts: 130, mediaSeconds: 65, lagMs: 12 }, httpout: { clients: 3 } },
    },
    65.2,
  );
  t.is(line, 'live 1:05  segments 32  parts 130  lag 12 ms  clients 3');
});

test('unknown duration: the live form', (t) => {
  t.is(progressLine({ mediaSeconds: 3, durationSeconds: undefined, status: {} }, 0.1), 'live 0:03');
});

test('figures several instances report are shown once, with the largest value', (t) => {
  const line = progressLine(
    {
      mediaSeconds: 5,
      durationSeconds: undefined,
      status: { httpout: { clients: 1 }, 'httpout#2': { clients: 3 }, 'httpout#3': { 'push queue': 2 } },
    },
    5,
  );
  t.is(line, 'live 0:05  clients 3  push queue 2');
});
