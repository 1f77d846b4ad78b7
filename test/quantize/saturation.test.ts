// A tensor read only by an int8 sigmoid or tanh keeps only the range that kernel tells apart
// (saturation.ts): beyond it every input gives the same output code, so clipping there is exact
// for the reader and the range left gets finer steps. A detector's class logits are the case:
// confident background anchors reach −20 and below, and the sigmoid rounds all of it to 0.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { QuantizeConfig } from '../../src-main/convert/types';
import { analyzeLayers } from '../../src-main/debug/analyze';
import { quantizeModel } from '../../src-main/quantize/index';
import { asReadersSee } from '../../src-main/debug/reader-range';
import { saturationBounds } from '../../src-main/quantize/saturation';
import { writeTflite } from '../../src-main/tflite/writer';
import { runAll } from './accuracy';
import { observeRanges } from './helpers';
import { GraphBuilder, randomData } from './tiny-graphs';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const int8Code = (y: number, scale: number, zeroPoint: number) => Math.min(127, Math.max(-128, Math.round(y / scale) + zeroPoint));

test('saturation bounds: beyond them the int8 and int16 sigmoid and tanh give their extreme codes', () => {
  const b = saturationBounds('LOGISTIC', 1 / 256, -128, 'int8')!;
  assert.ok(b.min > -7 && b.min < -6.8 && b.max > 5.2 && b.max < 5.4, JSON.stringify(b));
  for (const x of [b.min, b.min - 0.01, b.min - 30]) assert.equal(int8Code(sigmoid(x), 1 / 256, -128), -128, `sigmoid(${x})`);
  for (const x of [b.max, b.max + 0.01, b.max + 30]) assert.equal(int8Code(sigmoid(x), 1 / 256, -128), 127, `sigmoid(${x})`);
  // Not much wider than needed: a little inside the bounds the code moves.
  assert.notEqual(int8Code(sigmoid(b.min + 0.75), 1 / 256, -128), -128);
  assert.notEqual(int8Code(sigmoid(b.max - 0.5), 1 / 256, -128), 127);
  const t = saturationBounds('TANH', 1 / 128, 0, 'int8')!;
  for (const x of [t.min, t.min - 5]) assert.equal(int8Code(Math.tanh(x), 1 / 128, 0), -128);
  for (const x of [t.max, t.max + 5]) assert.equal(int8Code(Math.tanh(x), 1 / 128, 0), 127);
  const wide = saturationBounds('LOGISTIC', 1 / 32768, 0, 'int16')!;
  assert.ok(wide.min < -11 && wide.max > 10, `int16 sigmoid keeps more: ${JSON.stringify(wide)}`);
  assert.equal(saturationBounds('RELU', 1, 0, 'int8'), undefined);
});

/** x → FC → logits (about −30..10) → sigmoid; `alsoOutput` makes the logits a graph output too. */
function logitsModel(alsoOutput: boolean) {
  const b = new GraphBuilder();
  const x = b.input('x', [1, 32]);
  const bias = Float32Array.from({ length: 16 }, (_, i) => -22 + 2 * i);
  const logits = b.node('FULLY_CONNECTED', [x, b.constant('w', [16, 32], randomData(512, 7, 1)), b.constant('b', [16], bias)], 'logits', [1, 16], { fusedActivation: 'NONE', keepNumDims: false });
  b.output(b.node('LOGISTIC', [logits], 'scores', [1, 16]));
  if (alsoOutput) b.output(logits);
  return b.model();
}

test('int8: the logits read only by a sigmoid keep −6.9..5.3, and the scores get closer to float in both runtimes; logits that are also an output keep their whole range', async (t) => {
  const calibration = Array.from({ length: 64 }, (_, i) => [randomData(32, 100 + i, 2)]);
  const inputs = Array.from({ length: 32 }, (_, i) => randomData(32, 900 + i, 2));
  const config: QuantizeConfig = { mode: 'int8', inputType: 'float32', outputType: 'float32', int8Only: true };
  /** The params of what the int8 sigmoid reads. */
  const range = (m: Awaited<ReturnType<typeof quantizeModel>>['model']) => {
    const g = m.graphs[0]!;
    return g.tensors.get(g.nodes.find((n) => n.op === 'LOGISTIC')!.inputs[0]!)!.quant!;
  };
  const floatScores = inputs.map((x) => {
    const model = logitsModel(false);
    const g = model.graphs[0]!;
    const w = g.tensors.get('w')!.data as Float32Array;
    const b = g.tensors.get('b')!.data as Float32Array;
    return Float32Array.from({ length: 16 }, (_, o) => sigmoid(b[o]! + x.reduce((a, v, i) => a + v * w[o * 32 + i]!, 0)));
  });

  const results: Record<string, { min: number; max: number; errors: Record<string, number> }> = {};
  for (const alsoOutput of [false, true]) {
    const model = logitsModel(alsoOutput);
    const statistics = await observeRanges(model, calibration);
    const observed = statistics.get('logits')!;
    assert.ok(observed.min < -20 && observed.max > 5.4, `calibrated logits ${observed.min}..${observed.max}`);
    const { model: q } = await quantizeModel(model, config, { statistics });
    const p = range(q);
    const bytes = writeTflite(q);
    const errors: Record<string, number> = {};
    for (const runtime of ['tflite-node', 'litert-js'] as const) {
      const got = await runAll(runtime, bytes, inputs);
      let worst = 0;
      got.forEach((y, k) => y.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - floatScores[k]![i]!)))));
      errors[runtime] = worst;
    }
    results[alsoOutput ? 'logits also an output' : 'logits read by the sigmoid only'] = { min: p.min![0]!, max: p.max![0]!, errors };
  }
  for (const [name, r] of Object.entries(results)) t.diagnostic(`${name}: logits stored over ${r.min.toFixed(2)}..${r.max.toFixed(2)}; worst score error ${JSON.stringify(r.errors)}`);
  const clipped = results['logits read by the sigmoid only']!;
  const whole = results['logits also an output']!;
  assert.ok(clipped.min > -7 && clipped.max < 5.4, 'clipped where the sigmoid saturates');
  assert.ok(whole.min < -20 && whole.max > 5.4, 'an output keeps its range');
  for (const runtime of ['tflite-node', 'litert-js']) {
    // The logits' step shrinks 2.3× (a range of 12.3 instead of 45.9); the weights' and input's own error stays.
    assert.ok(clipped.errors[runtime]! < 0.75 * whole.errors[runtime]!, `${runtime}: finer logits give closer scores (${clipped.errors[runtime]} vs ${whole.errors[runtime]})`);
  }
});

test('debug: the clipped logits are compared with float as the sigmoid sees them (no clipping reported); the scores, an output, are compared whole', async (t) => {
  const calibration = Array.from({ length: 64 }, (_, i) => [randomData(32, 100 + i, 2)]);
  const samples = Array.from({ length: 16 }, (_, i) => randomData(32, 900 + i, 2));
  const model = logitsModel(false);
  const statistics = await observeRanges(model, calibration);
  const { model: q } = await quantizeModel(model, { mode: 'int8', inputType: 'float32', outputType: 'float32', int8Only: true }, { statistics });
  async function* asSamples() {
    for (const x of samples) yield { inputs: [x] };
  }
  const analysis = await analyzeLayers(model, q, asSamples());
  const logits = analysis.layers.find((m) => m.layer.node.op === 'FULLY_CONNECTED')!;
  const scores = analysis.layers.find((m) => m.layer.node.op === 'LOGISTIC')!;
  t.diagnostic(`logits: isolated ${logits.isolated!.sqnrDb.toFixed(1)} dB, ${((logits.isolated!.saturation ?? 0) * 100).toFixed(1)}% clipped; scores ${scores.accumulated!.sqnrDb.toFixed(1)} dB, output ${analysis.outputs[0]!.sqnrDb.toFixed(1)} dB`);
  const seen = logits.layer.readersSee;
  assert.ok(seen && seen.min > -7 && seen.max < 5.4, JSON.stringify(seen));
  assert.equal(logits.isolated!.saturation, 0, 'values beyond the stored range are where the sigmoid saturates: not clipping errors');
  assert.ok(logits.isolated!.sqnrDb > 30, `logits as the sigmoid sees them: ${logits.isolated!.sqnrDb} dB`);
  assert.equal(scores.layer.readersSee, undefined, 'the scores are an output: compared whole');
});

test('debug: float values as the readers see them keep only the elements where either side lies inside the stored range', () => {
  const range = { min: -6.9, max: 5.3 };
  const reference = Float32Array.of(-40, -7, -3, 0.5, 9, -20);
  const test = Float32Array.of(-6.9, -6.9, -3.1, 0.4, 5.3, -6.5);
  const [r, q] = asReadersSee(reference, test, range);
  // −40 and −7 clamp to −6.9 and equal the quantized end; 9 clamps to 5.3, equal too; −20 → −6.9 vs −6.5 is an error.
  assert.deepEqual(Array.from(r), [-3, 0.5, -6.9].map(Math.fround));
  assert.deepEqual(Array.from(q), [-3.1, 0.4, -6.5].map(Math.fround));
});
