// Weights on an integer lattice (all multiples of some q, max / q ≤ 126) are stored exactly by
// the int8 weight quantizer: a DFL head's fixed 0..15 conv gets scale 1/8 (stored 0..120)
// instead of 15/127, on which most of 0..15 fall between steps. Ordinary weights keep max / 127.
// gptq rounds such channels on the same lattice, so they stay exact under it too.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { QuantizeConfig } from '../../src-main/convert/types';
import { mainGraph } from '../../src-main/graph/model-graph';
import { quantizeModel } from '../../src-main/quantize/index';
import { dequantize, f32, int8LatticeScale, quantizeWeightsSymmetric } from '../../src-main/quantize/math';
import { writeTflite } from '../../src-main/tflite/writer';
import { observeRanges } from './helpers';
import { runAll } from './accuracy';
import { GraphBuilder, randomData } from './tiny-graphs';

const BINS = 16;
const dflWeights = (q = 1) => Float32Array.from({ length: BINS }, (_, i) => i * q);

test('lattice weights: 0..15 → scale 1/8, stored 0..120 and dequantized exactly; other channels keep max/127', () => {
  // Two output channels (OHWI, per-channel axis 0): 0..15 × 0.3 and seeded random taps.
  const random = randomData(BINS, 5, 0.7);
  const data = Float32Array.from([...dflWeights(0.3), ...random]);
  const { values, quant } = quantizeWeightsSymmetric(data, [2, 1, 1, BINS], 0);
  assert.equal(quant.scale[0], f32(f32(0.3) / 8), 'lattice channel: q / floor(127 / 15)');
  assert.deepEqual([...values.subarray(0, BINS)], Array.from({ length: BINS }, (_, i) => 8 * i));
  const back = dequantize(values, [2, 1, 1, BINS], quant);
  for (let i = 0; i < BINS; i++) assert.ok(Math.abs(back[i]! - data[i]!) <= 1e-6 * data[i]!, `w[${i}] = ${data[i]} stored as ${back[i]}`);
  const max = Math.max(...random.map(Math.abs));
  assert.equal(quant.scale[1], f32(max / 127), 'a random channel keeps max / 127');

  // Per tensor too; n = 2 (0, a/2, a) gives a / 126.
  assert.equal(int8LatticeScale(Float32Array.of(0, 0.5, -1, 1), 1), f32(1 / 126));
  // Already exact on max / 127 (binary / ternary weights): the converter's scale is kept.
  assert.equal(int8LatticeScale(Float32Array.of(0.2, -0.2, 0, 0.2), 0.2), undefined);
  assert.equal(int8LatticeScale(new Float32Array(4), 0), undefined);
});

test('lattice weights: random conv weights keep the converter\'s max/127 scale on every channel', () => {
  const channels = 64;
  const data = randomData(channels * 27, 11, 0.5);
  const { quant } = quantizeWeightsSymmetric(data, [channels, 3, 3, 3], 0);
  for (let c = 0; c < channels; c++) {
    const max = Math.max(...data.subarray(c * 27, (c + 1) * 27).map(Math.abs));
    assert.equal(quant.scale[c], f32(max / 127), `channel ${c}`);
  }
});

/** Softmax over 16 bins of seeded logits, each probability rounded to k/255 (exact on the int8 input grid). */
function binProbabilities(pixels: number, seed: number): Float32Array {
  const logits = randomData(pixels * BINS, seed, 4);
  const out = new Float32Array(logits.length);
  for (let p = 0; p < pixels; p++) {
    const row = logits.subarray(p * BINS, (p + 1) * BINS);
    const top = Math.max(...row);
    const e = row.map((v) => Math.exp(v - top));
    const sum = e.reduce((a, b) => a + b, 0);
    e.forEach((v, i) => (out[p * BINS + i] = f32(Math.round((255 * v) / sum) / 255)));
  }
  return out;
}

test('lattice weights: an int8 DFL conv (fixed 0..15 over 16 bin probabilities) keeps its output within rounding in tflite-node', async () => {
  // The conv alone, fed probabilities already on its int8 input grid (0..1 in steps of 1/255), so
  // what remains is the weights' and the output's rounding.
  const b = new GraphBuilder();
  const x = b.input('bins', [1, 8, 8, BINS]);
  const conv = { padding: 'VALID', strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, fusedActivation: 'NONE' };
  b.output(b.node('CONV_2D', [x, b.constant('dfl', [1, 1, 1, BINS], dflWeights()), b.constant('zero', [1], new Float32Array(1))], 'distance', [1, 8, 8, 1], conv));
  const model = b.model();
  const samples = Array.from({ length: 8 }, (_, i) => [binProbabilities(64, 40 + i)]);
  samples[0]![0]!.set([1, ...new Array<number>(BINS - 1).fill(0)]); // the input range is exactly 0..1
  const statistics = await observeRanges(model, samples);
  const config: QuantizeConfig = { mode: 'int8', inputType: 'float32', outputType: 'float32', int8Only: false };
  const { model: q } = await quantizeModel(model, config, { statistics });
  const weights = mainGraph(q).tensors.get(mainGraph(q).nodes.find((n) => n.op === 'CONV_2D')!.inputs[1]!)!;
  assert.deepEqual(weights.quant?.scale, [0.125]);

  const inputs = Array.from({ length: 4 }, (_, i) => binProbabilities(64, 200 + i));
  const reference = await runAll('tflite-node', writeTflite(model), inputs);
  const got = await runAll('tflite-node', writeTflite(q), inputs);
  const { min, max } = statistics.get('distance')!;
  const step = (max - Math.min(min, 0)) / 255;
  let sq = 0, n = 0;
  reference.forEach((r, k) => r.forEach((v, i) => ((sq += (v - got[k]![i]!) ** 2), n++)));
  const rmsSteps = Math.sqrt(sq / n) / step;
  // Output rounding alone is ≈ 0.29 step (measured 0.298); on the 15/127 weight grid it was 0.428.
  assert.ok(rmsSteps < 0.32, `DFL conv output RMS error ${rmsSteps.toFixed(3)} steps`);
});

test('lattice weights under int8 gptq: the lattice channel keeps the quantizer\'s lattice scale and is stored exactly (q/8, 0..120)', async () => {
  const b = new GraphBuilder();
  const x = b.input('bins', [1, 8, 8, BINS]);
  const conv = { padding: 'VALID', strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, fusedActivation: 'NONE' };
  const random = randomData(BINS, 9, 0.7);
  const weights = Float32Array.from([...dflWeights(0.3), ...random]);
  b.output(b.node('CONV_2D', [x, b.constant('w', [2, 1, 1, BINS], weights), b.constant('b', [2], new Float32Array(2))], 'y', [1, 8, 8, 2], conv));
  const samples = Array.from({ length: 16 }, (_, i) => [binProbabilities(64, 400 + i)]);
  const statistics = await observeRanges(b.model(), samples);
  const config: QuantizeConfig = { mode: 'int8', inputType: 'float32', outputType: 'float32', int8Only: false, biasCorrection: false };
  const stored = async (weightRounding: 'nearest' | 'gptq') => {
    const { model, report } = await quantizeModel(b.model(), { ...config, weightRounding }, { statistics, samples: async function* () {
      for (const s of samples) yield s;
    } });
    const g = mainGraph(model);
    const t = g.tensors.get(g.nodes.find((n) => n.op === 'CONV_2D')!.inputs[1]!)!;
    return { values: [...(t.data as Int8Array)], scale: t.quant!.scale, report };
  };
  const nearest = await stored('nearest');
  const gptq = await stored('gptq');
  assert.equal(gptq.report.weightRounding?.compensated, 1);
  assert.deepEqual(gptq.scale, nearest.scale, 'the same scales as nearest rounding');
  assert.equal(gptq.scale[0], f32(f32(0.3) / 8));
  assert.deepEqual(gptq.values.slice(0, BINS), Array.from({ length: BINS }, (_, i) => 8 * i), 'the lattice channel is stored exactly');
});
