// A separate process that works on a project, for kill -9 and concurrency tests.
//   hold DIR            start a run, print its id, then wait to be killed
//   churn DIR           start one run and rewrite it (metrics) and the manifest in a loop forever
//   write DIR TAG N     start and finish N runs and add N device names, then exit
import { addDeviceName, finishRun, recordMetrics, startRun, updateManifest } from '../../src-main/projects/index';

const [mode, dir, tag, count] = process.argv.slice(2);
if (!mode || !dir) throw new Error('usage: child.ts hold|churn|write DIR [TAG N]');

if (mode === 'hold') {
  const run = await startRun(dir, { kind: 'convert', note: 'held by a child' }, { label: 'held' });
  process.stdout.write(`${run.id}\n`);
  setInterval(() => undefined, 1000);
} else if (mode === 'churn') {
  const run = await startRun(dir, { kind: 'convert' }, { label: 'churn' });
  process.stdout.write(`${run.id}\n`);
  for (let i = 0; ; i++) {
    // Large-ish values so a torn write would be visible as invalid JSON.
    recordMetrics(run, { step: i, ...Object.fromEntries(Array.from({ length: 200 }, (_, k) => [`m${k}`, i + k / 1000])) });
    updateManifest(dir, (m) => {
      m.devices = Array.from({ length: 50 }, (_, k) => `churn-${i}-${k}`);
    });
  }
} else if (mode === 'write') {
  const n = Number(count);
  for (let i = 0; i < n; i++) {
    const run = await startRun(dir, { kind: 'convert', writer: tag, i });
    finishRun(run, { status: 'succeeded', metrics: { i } });
    addDeviceName(dir, `${tag}-${i}`);
  }
}
