// int8 gptq sums its statistics inside calibration's own pass: one float forward per calibration
// sample (calibration's, counted by its per-run progress; the gptq sample stream is never read),
// the calibration statistics bit-identical to a run without the tap, the sums on 2 workers equal
// to one thread's and to gptq's own pass, and the file still closer to float than nearest
// rounding on held-out data in LiteRT.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeNpy } from '../../src-main/data/npy';
import { executeGraph, createExecutor } from '../../src-main/graph/execute';
import { mainGraph, type ModelGraph } from '../../src-main/graph/model-graph';
import { initTfjs } from '../../src-main/graph/tfjs-backend';
import { accumulate, type Accumulators } from '../../src-main/quantize/rounding/accumulate';
import type { GptqTap } from '../../src-main/quantize/rounding/calibration-tap';
import { compensableLayer, type CompensableLayer } from '../../src-main/quantize/rounding/layer-inputs';
import { writeTflite } from '../../src-main/tflite/writer';
import { sqnrDb } from '../../src-main/validation/sqnr';
import { runAll } from './accuracy';
import { quantizeCountingPasses, statisticsWithTap } from './counted-pass';
import { smallNet, smoothImages } from './small-net';

async function calibrationFile(name: string, samples: Float32Array[]): Promise<string> {
  const dir = join(import.meta.dirname, '..', '..', 'test-output', 'gptq-one-pass');
  mkdirSync(dir, { recursive: true });
  const data = new Float32Array(samples.length * 192);
  samples.forEach((x, i) => data.set(x, i * 192));
  const npy = join(dir, `${name}.npy`);
  await writeNpy(npy, { dtype: 'float32', shape: [samples.length, 8, 8, 3], data });
  writeFileSync(join(dir, 'net.tflite'), writeTflite(smallNet()));
  return npy;
}

const layersOf = (model: ModelGraph): CompensableLayer[] => {
  const g = mainGraph(model);
  return g.nodes.map((n) => compensableLayer(g, n)).filter((l): l is CompensableLayer => typeof l !== 'string');
};

function assertSumsClose(actual: Accumulators[], expected: Accumulators[], what: string): void {
  expected.forEach((acc, i) => acc.h.forEach((h, g) => {
    const scale = h.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    const worst = h.reduce((m, v, j) => Math.max(m, Math.abs(v - actual[i]!.h[g]![j]!)), 0);
    assert.ok(scale > 0 && worst <= 1e-5 * scale, `${what}: layer ${i} group ${g}: largest difference ${worst} of ${scale}`);
  }));
}

test('int8 gptq: one float forward per calibration sample, and the file beats nearest on held-out data in LiteRT', async (t) => {
  const spec = { path: await calibrationFile('calibration', smoothImages(32, 100)), samples: 32, method: 'minmax', seed: 0 } as const;
  const config = { mode: 'int8', inputType: 'int8', outputType: 'int8', int8Only: true, calibration: spec } as const;
  const runs = [];
  for (const weightRounding of ['nearest', 'gptq'] as const) {
    // Rounding against rounding: nearest without the bias correction it now gets by default (with it, 40.1 dB here).
    const { result, calibrationForwards, samplesRead: gptqSamplesRead } = await quantizeCountingPasses(smallNet, { ...config, weightRounding, biasCorrection: false }, spec);
    assert.equal(calibrationForwards, 32, `${weightRounding}: calibration ran each sample once`);
    assert.equal(gptqSamplesRead, 0, `${weightRounding}: no second pass over the samples`);
    runs.push(result);
  }
  const [nearest, gptq] = runs as [(typeof runs)[number], (typeof runs)[number]];
  assert.deepEqual(gptq.report.weightRounding, { method: 'gptq', compensated: 4, samples: 32, skipped: [] });
  const heldOut = smoothImages(16, 900);
  const reference = await Promise.all(heldOut.map(async (x) => (await executeGraph(smallNet(), [x]))[0]!));
  const sqnr = async (model: ModelGraph) => {
    const outs = await runAll('litert-js', writeTflite(model), heldOut);
    return outs.reduce((s, y, i) => s + sqnrDb(reference[i]!, y), 0) / outs.length;
  };
  const [ours, theirs] = [await sqnr(gptq.model), await sqnr(nearest.model)];
  t.diagnostic(`int8 in LiteRT.js, 16 held-out samples: gptq ${ours.toFixed(1)} dB, nearest ${theirs.toFixed(1)} dB`);
  assert.ok(ours > theirs, `gptq ${ours} dB vs nearest ${theirs} dB`);
});

test('calibration with the gptq tap: statistics bit-identical to without it; its sums on 1 and 2 workers equal gptq’s own pass', async () => {
  const samples = smoothImages(24, 300);
  const npy = await calibrationFile('tap', samples);
  const graph = mainGraph(smallNet());
  const tf = await initTfjs();
  const executor = await createExecutor(graph);
  const own = await accumulate(tf, layersOf(smallNet()), { reference: executor, current: undefined, samples: async function* () {
    for (const x of samples) yield { reference: [x], current: [x] };
  } }, undefined);
  executor.dispose();
  // Min/max reduce on the backend, histograms read the values: both observer paths, in a thread
  // and split (worker merges are exact, so a split run's statistics equal one thread's).
  const collect = (method: 'minmax' | 'percentile', workers: number, tap?: GptqTap) => statisticsWithTap(graph, npy, 24, method, workers, tap);
  for (const method of ['minmax', 'percentile'] as const) {
    const plain = await collect(method, 1);
    for (const workers of method === 'percentile' ? [1, 2] : [1]) {
      const tap: GptqTap = { target: graph, layers: layersOf(smallNet()) };
      assert.deepEqual(await collect(method, workers, tap), plain, `${method}, ${workers} worker(s): calibration statistics unchanged by the tap`);
      assert.equal(tap.sums?.count, 24);
      assertSumsClose(tap.sums!.accs, own.accs, `${method}, ${workers} worker(s)`);
    }
  }
});
