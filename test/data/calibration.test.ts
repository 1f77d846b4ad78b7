import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeNpy } from '../../src-main/data/npy';
import { writeNpz } from '../../src-main/data/npz';
import { InputError } from '../../src-main/errors';
import { mainGraph } from '../../src-main/graph/model-graph';
import { collectStatistics, inputSpecs, openDataset, type TensorStatistics } from '../../src-main/quantize/calibration';
import { chooseIndices } from '../../src-main/data/dataset';
import { StreamingHistogram } from '../../src-main/quantize/calibration/histogram';
import { mseRange, percentileRange } from '../../src-main/quantize/calibration/ranges';
import { readTflite } from '../../src-main/tflite/reader';
import { f32, graphOf, rand } from '../execute/helpers';

const fixtures = join(import.meta.dirname, '../../../shared/fixtures');
const out = join(import.meta.dirname, '../../test-output/calibration');
mkdirSync(out, { recursive: true });

// A tiny real-looking signal (smooth, so not flagged as noise).
const smooth = (n: number, phase: number, scale = 1) => Float32Array.from({ length: n }, (_, i) => scale * (0.5 + 0.5 * Math.sin(i * 0.05 + phase)));

const dense = () =>
  graphOf(
    [f32('x', [1, 8]), f32('w', [4, 8], rand(32, 3)), f32('b', [4], rand(4, 4)), f32('y', [])],
    [{ name: 'fc', op: 'FULLY_CONNECTED', inputs: ['x', 'w', 'b'], outputs: ['y'], options: { fusedActivation: 'RELU', keepNumDims: false } }],
    ['x'], ['y'],
  );

test('histogram: range doubling keeps the mass, quantiles and clipping ranges behave', () => {
  const h = new StreamingHistogram(64);
  h.add(Float32Array.from([0.1, -0.2, 0.3]));
  h.add(Float32Array.from([50]));
  assert.equal(h.total, 4);
  assert.equal(h.bins.reduce((a, b) => a + b, 0), 4);
  assert.ok(h.range >= 50);
  const g = new StreamingHistogram();
  const values = new Float32Array(100000);
  for (let i = 0; i < values.length; i++) values[i] = (i % 1000) / 1000; // uniform 0..1
  values[7] = 40; // one outlier
  g.add(values);
  const observed = { min: 0, max: 40 };
  const p = percentileRange(g, observed, 99.9);
  assert.ok(p.max < 1.1 && p.max > 0.95, `percentile max ${p.max}`);
  const m = mseRange(g, observed);
  assert.ok(m.max < 40 && m.max >= 8, `mse clips the outlier: ${m.max}`);
  assert.equal(m.min, 0);
});

test('seeded shuffle is deterministic and picks distinct samples', () => {
  const a = chooseIndices(50, 10, 7);
  assert.deepEqual(a, chooseIndices(50, 10, 7));
  assert.notDeepEqual(a, chooseIndices(50, 10, 8));
  assert.equal(new Set(a).size, 10);
  assert.deepEqual(chooseIndices(5, 10, undefined), [0, 1, 2, 3, 4]);
});

test('.npy calibration streams N samples; min/max equals the exact ranges', async () => {
  const n = 30;
  const data = new Float32Array(n * 8);
  for (let s = 0; s < n; s++) data.set(smooth(8, s, 1 + s / 10), s * 8);
  const path = join(out, 'dense.npy');
  await writeNpy(path, { dtype: 'float32', shape: [n, 8], data });
  const g = dense();
  const ds = await openDataset(path, inputSpecs(g), { samples: 100, seed: 1 });
  assert.equal(ds.count, n);
  let progress = 0;
  const stats = await collectStatistics(g, ds, { onProgress: (d) => (progress = d) });
  await ds.close();
  assert.equal(progress, n);
  assert.ok(ds.warnings.some((w) => /Calibrating on 30 sample\(s\) \(only 30 available\)/.test(w)), ds.warnings.join('|'));
  const x = stats.get('x')!;
  assert.equal(x.min, Math.min(...data));
  assert.equal(x.max, Math.max(...data));
  assert.equal(x.count, n);
  assert.ok(stats.get('y')!.min >= 0, 'after fused RELU');
});

test('data problems: noise, out-of-range, shape and dtype mismatches', async () => {
  const wide = graphOf([f32('x', [1, 64]), f32('y', [])], [{ name: 'r', op: 'RELU', inputs: ['x'], outputs: ['y'], options: {} }], ['x'], ['y']);
  const noise = join(out, 'noise.npy');
  await writeNpy(noise, { dtype: 'float32', shape: [20, 64], data: rand(20 * 64, 9).map((v) => (v + 1) * 127) });
  const ds = await openDataset(noise, inputSpecs(wide), { preprocess: '0..1', samples: 20 });
  await collectStatistics(wide, ds);
  const g = dense();
  assert.ok(ds.warnings.some((w) => /random noise/.test(w)), ds.warnings.join('|'));
  assert.ok(ds.warnings.some((w) => /outside the 0\.\.1 range/.test(w)), ds.warnings.join('|'));
  const bad = join(out, 'badshape.npy');
  await writeNpy(bad, { dtype: 'float32', shape: [4, 7], data: new Float32Array(28) });
  await assert.rejects(openDataset(bad, inputSpecs(g)), (e: Error) => e instanceof InputError && /shape \[4,7\].*\[8\]/.test(e.message));
  const i16 = join(out, 'int16.npy');
  await writeNpy(i16, { dtype: 'int16', shape: [2, 8], data: new Int16Array(16) });
  const ds2 = await openDataset(i16, inputSpecs(g));
  await assert.rejects(collectStatistics(g, ds2), (e: Error) => e instanceof InputError && /int16 data does not fit/.test(e.message));
});

test('.npz: arrays matched by input name, labels array recognised', async () => {
  const g = graphOf(
    [f32('b_in', [1, 2]), f32('a_in', [1, 2]), f32('y', [])],
    [{ name: 'add', op: 'ADD', inputs: ['a_in', 'b_in'], outputs: ['y'], options: { fusedActivation: 'NONE' } }],
    ['b_in', 'a_in'], ['y'],
  );
  const path = join(out, 'two.npz');
  await writeNpz(path, {
    a_in: { dtype: 'float32', shape: [3, 2], data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
    b_in: { dtype: 'float64', shape: [3, 2], data: Float64Array.from([10, 20, 30, 40, 50, 60]) },
    labels: { dtype: 'int64', shape: [3], data: BigInt64Array.from([0n, 1n, 1n]) },
  }, true);
  const ds = await openDataset(path, inputSpecs(g), {});
  const seen: number[][] = [];
  const labels: (number | undefined)[] = [];
  for await (const s of ds.samples()) {
    seen.push([...s.inputs[0]!, ...s.inputs[1]!]);
    labels.push(s.label);
  }
  assert.deepEqual(seen[1], [30, 40, 3, 4]);
  assert.deepEqual(labels, [0, 1, 1]);
  const stats = await collectStatistics(g, await openDataset(path, inputSpecs(g), {}));
  assert.deepEqual([stats.get('y')!.min, stats.get('y')!.max], [11, 66]);
});

test('vww float model calibrated on the fixture photos: ranges for every tensor, methods nest', async (t) => {
  const model = join(fixtures, 'mlperf-tiny/vww/vww_96_float.tflite');
  if (!existsSync(model)) return t.skip('../shared/fixtures absent');
  const graph = mainGraph(readTflite(new Uint8Array(readFileSync(model))));
  const photos = join(fixtures, 'images/photos');
  const results = new Map<string, Map<string, TensorStatistics>>();
  for (const method of ['minmax', 'percentile', 'mse'] as const) {
    const ds = await openDataset(photos, inputSpecs(graph), { preprocess: '0..1', samples: 100, seed: 0 });
    results.set(method, await collectStatistics(graph, ds, { method }));
    assert.equal(ds.count, 6);
    assert.ok(!ds.warnings.some((w) => /noise/.test(w)), 'real photos are not noise');
  }
  const minmax = results.get('minmax')!;
  for (const node of graph.nodes) for (const o of node.outputs) assert.ok(minmax.has(o), `range for ${o}`);
  const input = minmax.get(graph.inputs[0]!)!;
  assert.ok(input.min >= 0 && input.max <= 1 && input.max > 0.9, `input range ${input.min}..${input.max}`);
  const softmax = minmax.get(graph.outputs[0]!)!;
  assert.ok(softmax.min >= 0 && softmax.max <= 1);
  // min/max reduced on the backend equals min/max computed in JS from the values.
  for (const [name, r] of results.get('percentile')!) {
    assert.equal(minmax.get(name)!.min, r.observedMin, name);
    assert.equal(minmax.get(name)!.max, r.observedMax, name);
  }
  for (const method of ['percentile', 'mse']) {
    for (const [name, r] of results.get(method)!) {
      const m = minmax.get(name)!;
      assert.ok(r.min >= Math.min(m.min, 0) - 1e-6 && r.max <= Math.max(m.max, 0) + 1e-6, `${method} ${name} inside min/max`);
    }
  }
});
