// Calibration split across compute workers merges exactly: min/max and percentile ranges (from
// histograms, which mse also searches) bit-identical to one worker. A worker that crashes fails the work with its
// cause; cancelling stops the workers.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { ComputePool, ComputeWorkerError } from '../../src-main/compute/pool';
import { writeNpy } from '../../src-main/data/npy';
import { CancelledError } from '../../src-main/errors';
import { mainGraph } from '../../src-main/graph/model-graph';
import { collectStatistics, inputSpecs, openDataset } from '../../src-main/quantize/calibration/index';
import { StreamingHistogram } from '../../src-main/quantize/calibration/histogram';
import { GraphBuilder, randomData } from '../quantize/tiny-graphs';

function smallNet() {
  const b = new GraphBuilder();
  const same = { padding: 'SAME', strideH: 1, strideW: 1, dilationH: 1, dilationW: 1 };
  const x = b.input('x', [1, 10, 10, 3]);
  const c = b.node('CONV_2D', [x, b.constant('w1', [6, 3, 3, 3]), b.constant('b1', [6])], 'c', [1, 10, 10, 6], { ...same, fusedActivation: 'RELU' });
  b.output(b.node('DEPTHWISE_CONV_2D', [c, b.constant('w2', [1, 3, 3, 6]), b.constant('b2', [6])], 'y', [1, 10, 10, 6], { ...same, depthMultiplier: 1, fusedActivation: 'NONE' }));
  return mainGraph(b.model());
}

async function calibrationData(count: number): Promise<string> {
  const npy = join(mkdtempSync(join(tmpdir(), 'eq-pool-')), 'calibration.npy');
  const data = new Float32Array(count * 300);
  // Samples of very different scales, so histogram ranges grow at different times per worker.
  for (let i = 0; i < count; i++) data.set(randomData(300, 900 + i, 0.1 * (1 + ((i * 7) % 13))), i * 300);
  await writeNpy(npy, { dtype: 'float32', shape: [count, 10, 10, 3], data });
  return npy;
}

test('histograms of disjoint value sets merge into exactly the histogram of all of them', () => {
  const parts = [randomData(5000, 1, 0.3), randomData(5000, 2, 7), new Float32Array(300), randomData(70000, 3, 2)];
  const whole = new StreamingHistogram();
  parts.forEach((p, i) => whole.add(p, undefined, i));
  for (const split of [[0, 1], [1, 3], [2, 0]]) {
    const a = new StreamingHistogram();
    const b = new StreamingHistogram();
    parts.forEach((p, i) => (split.includes(i) ? a : b).add(p, undefined, i));
    const merged = new StreamingHistogram();
    merged.merge(b.state());
    merged.merge(a.state());
    assert.equal(merged.range, whole.range);
    assert.equal(merged.total, whole.total);
    assert.deepEqual([...merged.bins], [...whole.bins], `split ${split.join(',')}`);
  }
});

test('calibration on 1 and on 2 / 3 workers: min/max and percentile ranges (histograms) bit-identical', async () => {
  const graph = smallNet();
  const npy = await calibrationData(13);
  for (const [method, workers] of [['minmax', 3], ['percentile', 2]] as const) {
    const runs = [];
    for (const count of [1, workers]) {
      const dataset = await openDataset(npy, inputSpecs(graph), { samples: 13 });
      const progress: number[] = [];
      try {
        runs.push(await collectStatistics(graph, dataset, { method, workers: count, onProgress: (done) => progress.push(done) }));
      } finally {
        await dataset.close();
      }
      assert.deepEqual(progress, Array.from({ length: 13 }, (_, i) => i + 1), `${method} on ${count}: progress counts every sample once`);
    }
    assert.equal(runs[0]!.size, 3, 'input and both layers observed');
    assert.deepEqual([...runs[1]!], [...runs[0]!], `${method}: ${workers} workers`);
  }
});

test('cancelling calibration on workers stops it with CancelledError', async () => {
  const graph = smallNet();
  const npy = await calibrationData(40);
  const dataset = await openDataset(npy, inputSpecs(graph), { samples: 40 });
  const controller = new AbortController();
  try {
    await assert.rejects(
      collectStatistics(graph, dataset, { workers: 2, signal: controller.signal, onProgress: (done) => done === 3 && controller.abort() }),
      CancelledError,
    );
  } finally {
    await dataset.close();
  }
});

test('a compute worker that crashes fails the work in flight with its cause, and the pool takes no more', async () => {
  const entry = { file: fileURLToPath(new URL('./crash-compute-worker.ts', import.meta.url)), fromSource: true };
  const pool = await ComputePool.open(2, { entry });
  try {
    const { result } = await pool.submit('calibrate.sample', { inputs: [], index: 0 });
    await assert.rejects(result, (error: Error) => error instanceof ComputeWorkerError && /Compute worker \d crashed: simulated native crash in a compute task/.test(error.message));
    await assert.rejects(pool.submit('calibrate.sample', {}), ComputeWorkerError);
  } finally {
    await pool.close();
  }
});
