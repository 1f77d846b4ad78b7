import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromRuntimeOutput, toRuntimeInput } from '../../src-main/evaluate/io';
import { cosineSimilarity, isClassification, latencySummary, OutputComparison, sqnrDb } from '../../src-main/evaluate/metrics';
import { formatReport, reportJson } from '../../src-main/evaluate/report';

test('SQNR, cosine and their edge cases', () => {
  const ref = Float32Array.from([1, -2, 3, 4]);
  assert.equal(sqnrDb(ref, ref), Infinity);
  const noisy = ref.map((v, i) => v + (i % 2 ? 0.1 : -0.1));
  // signal 30, noise 4·0.01 → 10·log10(750)
  assert.ok(Math.abs(sqnrDb(ref, noisy) - 10 * Math.log10(750)) < 1e-4);
  assert.equal(cosineSimilarity(ref, ref.map((v) => v * 3)), 1);
  assert.ok(Math.abs(cosineSimilarity([1, 0], [0, 1])) < 1e-12);
  assert.ok(isClassification([1, 10]) && isClassification([5]) && !isClassification([1, 4, 4, 2]) && !isClassification([1, 1]));
});

test('OutputComparison: top-1 agreement and label accuracy over samples', () => {
  const c = new OutputComparison('probs', [1, 3]);
  c.add(Float32Array.from([0.1, 0.8, 0.1]), Float32Array.from([0.2, 0.7, 0.1]), 1);
  c.add(Float32Array.from([0.5, 0.4, 0.1]), Float32Array.from([0.3, 0.6, 0.1]), 0);
  c.add(Float32Array.from([0.1, 0.1, 0.8]), Float32Array.from([0.1, 0.1, 0.8]), 1);
  const r = c.result();
  assert.equal(r.samples, 3);
  assert.equal(r.top1Agreement, 2 / 3);
  assert.equal(r.floatAccuracy, 2 / 3);
  assert.equal(r.quantAccuracy, 1 / 3);
  assert.ok(Math.abs(r.maxAbsError - 0.2) < 1e-6);
  const regression = new OutputComparison('recon', [1, 3], false).result();
  assert.equal(regression.top1Agreement, undefined);
});

test('int8/uint8 edges: TFLite rounding (half away from zero), clamping, dequantization', () => {
  const info = { name: 'x', dtype: 'int8' as const, shape: [4], quant: { scale: 0.5, zeroPoint: -1 } };
  const q = toRuntimeInput(Float32Array.from([0.25, -0.25, 100, -100]), info);
  assert.deepEqual(Array.from(q as Int8Array), [0, -2, 127, -128]);
  assert.deepEqual(Array.from(fromRuntimeOutput(Int8Array.from([-1, 1]), info)), [0, 1]);
  const u = toRuntimeInput(Float32Array.from([0, 1]), { name: 'u', dtype: 'uint8', shape: [2], quant: { scale: 1 / 255, zeroPoint: 0 } });
  assert.deepEqual(Array.from(u as Uint8Array), [0, 255]);
  assert.throws(() => toRuntimeInput(new Float32Array(1), { name: 'n', dtype: 'int8', shape: [1] }), /without quantization parameters/);
});

test('latency percentiles (nearest rank) and report formatting with non-finite SQNR', () => {
  const s = latencySummary([5, 1, 4, 2, 3, 6, 7, 8, 9, 10]);
  assert.deepEqual([s.min, s.median, s.p90, s.runs], [1, 5, 9, 10]);
  const report = {
    runtime: { name: 'litert-js' as const, version: 'x' },
    data: 'd',
    samples: 1,
    float: { path: 'f.tflite', bytes: 2048, inputs: [], outputs: [], latencyMs: { median: 1, p90: 2, min: 1, runs: 3 } },
    quant: { path: 'q.tflite', bytes: 1024, inputs: [], outputs: [] },
    sizeRatio: 0.5,
    outputs: [{ name: 'y', shape: [1, 2], samples: 1, sqnrDb: Infinity, cosine: 1, maxAbsError: 0, top1Agreement: 1 }],
    warnings: ['w'],
  };
  const text = formatReport(report);
  assert.match(text, /identical/);
  assert.match(text, /1\.0 KiB \(50\.0%\)/);
  assert.match(text, /warning: w/);
  assert.equal((reportJson(report) as { outputs: { sqnrDb: unknown }[] }).outputs[0]!.sqnrDb, null);
});
