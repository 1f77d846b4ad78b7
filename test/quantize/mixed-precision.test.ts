// Mixed precision by node: a recipe's node rules (exact names and /regex/) give single nodes
// int8 (per-tensor weights), int16x8, fp16 or float32 inside an int8 graph. Every precision change
// gets the converter TFLite's kernels take (int16 → int8 by QUANTIZE; int8 → int16 through float,
// QUANTIZE has no int8 → int16 kernel), the file read back has the dtypes the rules asked for, and
// it runs in both real runtimes close to float and to the interpreter's simulation.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { QuantizeConfig } from '../../src-main/quantize/qtypes';
import { executeGraph } from '../../src-main/graph/execute';
import { mainGraph, type Graph } from '../../src-main/graph/model-graph';
import { parseRecipe, presetRecipe, quantizeModel, withNodeRules } from '../../src-main/quantize/index';
import { ruleFor } from '../../src-main/quantize/recipe';
import { readTflite } from '../../src-main/tflite/reader';
import { writeTflite } from '../../src-main/tflite/writer';
import { agreement, runAll } from './accuracy';
import { observeRanges } from './helpers';
import { GraphBuilder, randomData } from './tiny-graphs';

const conv = { padding: 'SAME', strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, fusedActivation: 'RELU' };
const int8: QuantizeConfig = { mode: 'int8', inputType: 'float32', outputType: 'float32', int8Only: false };

/** conv1 → conv2 → add(conv2, conv1) → conv3 → maxpool → reshape → fc → softmax. */
function chainModel() {
  const b = new GraphBuilder();
  const x = b.input('x', [1, 8, 8, 3]);
  const c1 = b.node('CONV_2D', [x, b.constant('w1', [4, 3, 3, 3]), b.constant('b1', [4])], 'conv1', [1, 8, 8, 4], conv);
  const c2 = b.node('CONV_2D', [c1, b.constant('w2', [4, 3, 3, 4]), b.constant('b2', [4])], 'conv2', [1, 8, 8, 4], conv);
  const add = b.node('ADD', [c2, c1], 'add', [1, 8, 8, 4], { fusedActivation: 'NONE' });
  const c3 = b.node('CONV_2D', [add, b.constant('w3', [8, 3, 3, 4]), b.constant('b3', [8])], 'conv3', [1, 8, 8, 8], conv);
  const p = b.node('MAX_POOL_2D', [c3], 'pool', [1, 4, 4, 8], { padding: 'VALID', strideH: 2, strideW: 2, filterH: 2, filterW: 2, fusedActivation: 'NONE' });
  const r = b.node('RESHAPE', [p, b.constant('shape', [2], Int32Array.of(1, 128))], 'flat', [1, 128], { newShape: [1, 128] });
  const f = b.node('FULLY_CONNECTED', [r, b.constant('fw', [10, 128]), b.constant('fb', [10])], 'logits', [1, 10], { fusedActivation: 'NONE', keepNumDims: false });
  b.output(b.node('SOFTMAX', [f], 'probs', [1, 10], { beta: 1 }));
  return b.model();
}

const MIXED = {
  name: 'mixed',
  description: 'int8 graph with one node of each other precision',
  mode: 'int8',
  activations: 'int8',
  bias: 'int32',
  rules: [
    { nodes: ['conv1'], precision: 'int8', weights: { granularity: 'tensor' } },
    { nodes: ['/conv2|pool|fl.t/'], precision: 'int16x8' },
    { nodes: ['conv3'], precision: 'fp16' },
    { nodes: ['logits'], precision: 'float32' },
    ...presetRecipe('int8').rules,
  ],
};

/** Producer of each tensor, and the dtype of a node's input/output as written in the file. */
function dtypes(graph: Graph) {
  const producer = new Map(graph.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  const node = (name: string) => graph.nodes.find((n) => n.name === name)!;
  const input = (name: string, i: number) => graph.tensors.get(node(name).inputs[i]!)!;
  const output = (name: string) => graph.tensors.get(node(name).outputs[0]!)!;
  return { producer, node, input, output };
}

test('node rules: int8 per-tensor, int16x8, fp16 and float32 nodes in one int8 file, read back with the dtypes asked, run in both runtimes', async (t) => {
  const model = chainModel();
  const samples = Array.from({ length: 8 }, (_, i) => [randomData(192, 500 + i, 1)]);
  const statistics = await observeRanges(model, samples);
  const recipe = parseRecipe(MIXED, 'test recipe');
  const { model: q, report } = await quantizeModel(model, int8, { statistics, recipe, validationInputs: samples.slice(0, 4) });
  const bytes = writeTflite(q);
  const g = mainGraph(readTflite(bytes));
  const { producer, node, input, output } = dtypes(g);

  assert.deepEqual([input('conv1', 1).dtype, input('conv1', 1).quant?.scale.length, output('conv1').dtype], ['int8', 1, 'int8']);
  assert.deepEqual([input('conv2', 1).dtype, input('conv2', 2).dtype, output('conv2').dtype, output('conv2').quant?.zeroPoint[0]], ['int8', 'int64', 'int16', 0]);
  // int8 → int16 has no QUANTIZE kernel: DEQUANTIZE then QUANTIZE; int16 → int8 is one QUANTIZE.
  const conv2In = producer.get(node('conv2').inputs[0]!)!;
  assert.equal(conv2In.op, 'QUANTIZE');
  assert.equal(producer.get(conv2In.inputs[0]!)!.op, 'DEQUANTIZE');
  const addIn = producer.get(node('add').inputs[0]!)!;
  assert.deepEqual([addIn.op, g.tensors.get(addIn.inputs[0]!)!.dtype, output('add').dtype], ['QUANTIZE', 'int16', 'int8']);
  // fp16: FLOAT16 weights through DEQUANTIZE, float compute between DEQUANTIZE and QUANTIZE.
  assert.equal(producer.get(node('conv3').inputs[1]!)!.op, 'DEQUANTIZE');
  assert.equal(g.tensors.get(producer.get(node('conv3').inputs[1]!)!.inputs[0]!)!.dtype, 'float16');
  assert.deepEqual([input('conv3', 0).dtype, output('conv3').dtype], ['float32', 'float32']);
  assert.deepEqual([output('pool').dtype, output('flat').dtype], ['int16', 'int16']);
  // The file names nodes by their first output; the softmax writes probs_int8, DEQUANTIZEd to probs.
  assert.deepEqual([input('logits', 1).dtype, output('logits').dtype, output('probs_int8').dtype, node('probs').op], ['float32', 'float32', 'int8', 'DEQUANTIZE']);
  assert.deepEqual(
    report.layers.map((l) => `${l.node}:${l.precision}:${l.ruleBy}`),
    ['conv1:int8:node', 'conv2:int16x8:node', 'add:int8:op', 'conv3:fp16:node', 'pool:int16x8:node', 'flat:int16x8:node', 'logits:float32:node', 'probs:int8:op'],
  );

  const inputs = Array.from({ length: 6 }, (_, i) => randomData(192, 700 + i, 1));
  const simulated: Float32Array[] = [];
  for (const x of inputs) simulated.push((await executeGraph(q, [x]))[0]!);
  for (const runtime of ['tflite-node', 'litert-js'] as const) {
    const reference = await runAll(runtime, writeTflite(model), inputs);
    const got = await runAll(runtime, bytes, inputs);
    const vsFloat = agreement(reference, got).sqnrDb;
    const vsSimulation = agreement(simulated, got).sqnrDb;
    t.diagnostic(`${runtime}: mixed file vs float ${vsFloat.toFixed(1)} dB, vs simulation ${vsSimulation.toFixed(1)} dB`);
    assert.ok(vsFloat > 15, `${runtime}: SQNR vs float ${vsFloat}`);
    assert.ok(vsSimulation > 30, `${runtime}: SQNR vs simulation ${vsSimulation}`);
  }
});

test('rule order: a node rule beats every op rule, the first node rule wins, missing weight settings come from the op rule', () => {
  const recipe = parseRecipe({ ...MIXED, rules: [{ nodes: ['/conv.*/'], precision: 'int16x8' }, { nodes: ['conv1'], precision: 'float32' }, ...presetRecipe('int8').rules] });
  const node = (name: string, op: 'CONV_2D' | 'ADD') => ({ name, op, outputs: [name] });
  assert.deepEqual(ruleFor(recipe, node('conv1', 'CONV_2D')), { algorithm: 'static', activations: 'int16', by: 'node', weights: { granularity: 'channel' } });
  assert.deepEqual(ruleFor(recipe, node('add', 'ADD')), { algorithm: 'static', activations: 'int8', by: 'op' });
  // A tensor name selects its producer too.
  assert.equal(ruleFor(withNodeRules(presetRecipe('int8'), ['t_out'], 'float32'), { name: 'n', op: 'ADD', outputs: ['t_out'] }).algorithm, 'float');
});

test('a node rule naming no node, a bad regex and a rule with both ops and nodes are one-line errors', async () => {
  const model = chainModel();
  const statistics = await observeRanges(model, [[randomData(192, 1, 1)]]);
  await assert.rejects(quantizeModel(model, { ...int8, keepFloat: ['conv_2'] }, { statistics }), /node conv_2 matches no node of the model; closest names: 'conv2', 'conv1', 'conv3'\.$/);
  await assert.rejects(quantizeModel(model, { ...int8, keepFloat: ['/dense.*/'] }, { statistics }), /node \/dense\.\*\/ matches no node.*closest names: /);
  assert.throws(() => withNodeRules(presetRecipe('int8'), ['/conv(/'], 'float32'), /\/conv\(\/ is not a valid regular expression/);
  assert.throws(() => parseRecipe({ ...MIXED, rules: [{ ops: ['ADD'], nodes: ['add'], algorithm: 'float' }] }), /either "ops" \(op types\) or "nodes"/);
});

test('--keep-float on the fp16 and dynamic presets: the kept nodes keep float32 weights, the others are stored as the preset says; both runtimes', async (t) => {
  const model = chainModel();
  const inputs = Array.from({ length: 4 }, (_, i) => randomData(192, 900 + i, 1));
  for (const mode of ['fp16', 'dynamic'] as const) {
    const { model: q, report } = await quantizeModel(model, { ...int8, mode, keepFloat: ['/conv[23]/'] });
    const g = mainGraph(readTflite(writeTflite(q)));
    const weightOf = (name: string) => {
      const w = g.nodes.find((n) => n.name === name)!.inputs[1]!;
      const producer = g.nodes.find((n) => n.outputs.includes(w));
      return producer ? `${g.tensors.get(producer.inputs[0]!)!.dtype}+DEQUANTIZE` : g.tensors.get(w)!.dtype;
    };
    assert.deepEqual([weightOf('conv1'), weightOf('conv2'), weightOf('conv3')], [mode === 'fp16' ? 'float16+DEQUANTIZE' : 'float32', 'float32', 'float32'], mode);
    assert.deepEqual(report.layers.filter((l) => l.ruleBy === 'node').map((l) => `${l.node}:${l.precision}`), ['conv2:float32', 'conv3:float32']);
    if (mode === 'dynamic') assert.equal(weightOf('logits'), 'int8', 'the FC (1280 weights) stays hybrid');
    for (const runtime of ['tflite-node', 'litert-js'] as const) {
      const a = agreement(await runAll(runtime, writeTflite(model), inputs), await runAll(runtime, writeTflite(q), inputs));
      t.diagnostic(`${mode} with conv2, conv3 kept float32, ${runtime}: ${a.sqnrDb.toFixed(1)} dB vs float`);
      assert.ok(a.sqnrDb > 25, `${mode} ${runtime}: ${a.sqnrDb}`);
    }
  }
});
