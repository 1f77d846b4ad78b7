// The integer-op table (op-facts.ts) checked against the real kernels: one hand-built graph with
// most ops the table claims (transpose conv, pools, add/mul/sub, hard-swish, leaky-relu, concat,
// pad, resize, mean, logistic, tanh, fc, softmax) quantized int8 and int16x8, run in both
// runtimes and compared with the interpreter's simulation of the same quantized graph.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { QuantizeConfig } from '../../src-main/convert/types';
import { executeGraph } from '../../src-main/graph/execute';
import { quantizeModel } from '../../src-main/quantize/index';
import { writeTflite } from '../../src-main/tflite/writer';
import { agreement, runAll } from './accuracy';
import { observeRanges } from './helpers';
import { GraphBuilder, randomData } from './tiny-graphs';

type Activation = 'RELU' | 'HARD_SWISH' | 'PRELU' | 'RELU_N1_TO_1';

function zoo(activation: Activation) {
  const b = new GraphBuilder();
  const conv = { padding: 'SAME', strideH: 1, strideW: 1, dilationH: 1, dilationW: 1 };
  const pool = { padding: 'VALID', strideH: 2, strideW: 2, filterH: 2, filterW: 2, fusedActivation: 'NONE' };
  const x = b.input('x', [1, 8, 8, 4]);
  const d = b.node('DEPTHWISE_CONV_2D', [x, b.constant('dw', [1, 3, 3, 4]), b.constant('db', [4])], 'dw_out', [1, 8, 8, 4], { ...conv, depthMultiplier: 1, fusedActivation: 'RELU6' });
  const tc = b.node('TRANSPOSE_CONV', [b.constant('tc_shape', [4], Int32Array.of(1, 16, 16, 4)), b.constant('tw', [4, 3, 3, 4]), d, b.constant('tb', [4])], 'tc_out', [1, 16, 16, 4], { padding: 'SAME', strideH: 2, strideW: 2, fusedActivation: 'NONE' });
  const ap = b.node('AVERAGE_POOL_2D', [tc], 'avg', [1, 8, 8, 4], pool);
  const a1 = b.node('ADD', [ap, d], 'add', [1, 8, 8, 4], { fusedActivation: 'NONE' });
  const m1 = b.node('MUL', [a1, b.constant('scale', [4])], 'mul', [1, 8, 8, 4], { fusedActivation: 'NONE' });
  const hs = b.node(activation, activation === 'PRELU' ? [m1, b.constant('alpha', [4])] : [m1], 'activation', [1, 8, 8, 4]);
  const lr = b.node('LEAKY_RELU', [hs], 'leaky', [1, 8, 8, 4], { alpha: 0.1 });
  const cat = b.node('CONCATENATION', [lr, d], 'cat', [1, 8, 8, 8], { axis: 3, fusedActivation: 'NONE' });
  const pad = b.node('PAD', [cat, b.constant('paddings', [4, 2], Int32Array.of(0, 0, 1, 1, 1, 1, 0, 0))], 'pad', [1, 10, 10, 8]);
  const mp = b.node('MAX_POOL_2D', [pad], 'maxpool', [1, 5, 5, 8], pool);
  const rs = b.node('RESIZE_BILINEAR', [mp, b.constant('size', [2], Int32Array.of(10, 10))], 'resize', [1, 10, 10, 8], { alignCorners: false, halfPixelCenters: true });
  const mean = b.node('MEAN', [rs, b.constant('axes', [2], Int32Array.of(1, 2))], 'mean', [1, 1, 1, 8], { keepDims: true });
  const lg = b.node('LOGISTIC', [mean], 'sigmoid', [1, 1, 1, 8]);
  const th = b.node('TANH', [mean], 'tanh', [1, 1, 1, 8]);
  const sub = b.node('SUB', [lg, th], 'sub', [1, 1, 1, 8], { fusedActivation: 'NONE' });
  const flat = b.node('RESHAPE', [sub, b.constant('shape', [2], Int32Array.of(1, 8))], 'flat', [1, 8], { newShape: [1, 8] });
  const fc = b.node('FULLY_CONNECTED', [flat, b.constant('fw', [6, 8], randomData(48, 99, 4)), b.constant('fb', [6])], 'logits', [1, 6], { fusedActivation: 'NONE', keepNumDims: false });
  b.output(b.node('SOFTMAX', [fc], 'probs', [1, 6], { beta: 1 }));
  return b.model();
}

for (const [mode, io] of [['int8', 'int8'], ['int16x8', 'int16']] as const) {
  test(`op zoo → ${mode}: the table's integer ops load and run in both runtimes like the simulation`, async () => {
    const model = zoo('RELU');
    const calibration = Array.from({ length: 16 }, (_, i) => [randomData(256, 500 + i, 2)]);
    const statistics = await observeRanges(model, calibration);
    const config: QuantizeConfig = { mode, inputType: io, outputType: io, int8Only: mode === 'int8' };
    const { model: q, report } = await quantizeModel(model, config, { statistics });
    const floatOps = report.floatOps.map((f) => f.op);
    assert.deepEqual(floatOps, []);
    const inputs = calibration.slice(0, 4).map(([x]) => x!);
    const simulated: Float32Array[] = [];
    for (const x of inputs) simulated.push((await executeGraph(q, [x]))[0]!);
    const bytes = writeTflite(q);
    for (const runtime of ['tflite-node', 'litert-js'] as const) {
      const got = await runAll(runtime, bytes, inputs);
      const a = agreement(simulated, got);
      assert.ok(a.sqnrDb > 25, `${mode} in ${runtime}: SQNR vs simulation ${a.sqnrDb}`);
    }
  });
}

for (const activation of ['HARD_SWISH', 'PRELU', 'RELU_N1_TO_1'] as const) {
  test(`op zoo with ${activation} → int8 runs like the simulation`, async () => {
    const model = zoo(activation);
    const calibration = Array.from({ length: 16 }, (_, i) => [randomData(256, 500 + i, 2)]);
    const statistics = await observeRanges(model, calibration);
    const int16 = await quantizeModel(model, { mode: 'int16x8', inputType: 'int16', outputType: 'int16', int8Only: false }, { statistics });
    assert.deepEqual(int16.report.floatOps.map((f) => f.op), [activation], 'no 16x8 kernel: stays float');
    const { model: q } = await quantizeModel(model, { mode: 'int8', inputType: 'int8', outputType: 'int8', int8Only: true }, { statistics });
    const inputs = calibration.slice(0, 4).map(([x]) => x!);
    const simulated: Float32Array[] = [];
    for (const x of inputs) simulated.push((await executeGraph(q, [x]))[0]!);
    const bytes = writeTflite(q);
    for (const runtime of ['tflite-node', 'litert-js'] as const) {
      const got = await runAll(runtime, bytes, inputs);
      assert.ok(agreement(simulated, got).sqnrDb > 25, runtime);
    }
  });
}
