// The float passes on hand-built graphs: each rewrite happens only when it is exact.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Graph, ModelGraph, Node, Tensor } from '../../src-main/graph/model-graph';
import { opHistogram } from '../../src-main/graph/model-graph';
import { runFloatPasses } from '../../src-main/graph/passes/index';

function graphOf(tensors: Tensor[], nodes: Node[], inputs: string[], outputs: string[]): ModelGraph {
  const graph: Graph = { name: 'g', tensors: new Map(tensors.map((t) => [t.name, t])), nodes, inputs, outputs };
  return { format: 'test', description: '', graphs: [graph], signatures: [], metadata: {}, unsupported: [] };
}

const f32 = (name: string, shape: number[], data?: number[]): Tensor => ({ name, dtype: 'float32', shape, ...(data ? { data: Float32Array.from(data) } : {}) });
const i32 = (name: string, data: number[], shape = [data.length]): Tensor => ({ name, dtype: 'int32', shape, data: Int32Array.from(data) });
const conv = (name: string, input: string, out: string, padding: 'SAME' | 'VALID', stride = 1): Node => ({
  name, op: 'CONV_2D', inputs: [input, 'w', 'b'], outputs: [out],
  options: { padding, strideH: stride, strideW: stride, dilationH: 1, dilationW: 1, fusedActivation: 'NONE' },
});

test('BatchNorm (MUL+ADD) folds into the conv weights and bias; RELU fuses', () => {
  const m = graphOf(
    [f32('x', [1, 4, 4, 1]), f32('w', [2, 1, 1, 1], [1, 2]), f32('b', [2], [0.5, -1]), f32('c', [1, 4, 4, 2]), f32('s', [2], [3, 4]), f32('m', [1, 4, 4, 2]), f32('t', [2], [1, 1]), f32('a', [1, 4, 4, 2]), f32('y', [1, 4, 4, 2])],
    [
      conv('conv', 'x', 'c', 'SAME'),
      { name: 'mul', op: 'MUL', inputs: ['c', 's'], outputs: ['m'], options: { fusedActivation: 'NONE' } },
      { name: 'add', op: 'ADD', inputs: ['m', 't'], outputs: ['a'], options: { fusedActivation: 'NONE' } },
      { name: 'relu', op: 'RELU', inputs: ['a'], outputs: ['y'], options: {} },
    ],
    ['x'],
    ['y'],
  );
  const report = runFloatPasses(m);
  const g = m.graphs[0]!;
  assert.deepEqual(opHistogram(g), { CONV_2D: 1 });
  assert.equal(report['batchNorm'], 2);
  const node = g.nodes[0]!;
  assert.equal(node.op === 'CONV_2D' && node.options.fusedActivation, 'RELU');
  assert.deepEqual(Array.from(g.tensors.get(node.inputs[1]!)!.data as Float32Array), [3, 8]);
  assert.deepEqual(Array.from(g.tensors.get(node.inputs[2]!)!.data as Float32Array), [2.5, -3]);
  assert.deepEqual(node.outputs, ['y']);
});

test('a BatchNorm whose input is also read elsewhere is not folded', () => {
  const m = graphOf(
    [f32('x', [1, 4, 4, 1]), f32('w', [2, 1, 1, 1], [1, 2]), f32('b', [2], [0, 0]), f32('c', [1, 4, 4, 2]), f32('s', [2], [3, 4]), f32('m', [1, 4, 4, 2])],
    [conv('conv', 'x', 'c', 'SAME'), { name: 'mul', op: 'MUL', inputs: ['c', 's'], outputs: ['m'], options: { fusedActivation: 'NONE' } }],
    ['x'],
    ['m', 'c'],
  );
  runFloatPasses(m);
  assert.deepEqual(opHistogram(m.graphs[0]!), { CONV_2D: 1, MUL: 1 });
});

test('PAD folds into a VALID conv only when it equals SAME padding', () => {
  const build = (pads: number[]): ModelGraph =>
    graphOf(
      [f32('x', [1, 8, 8, 1]), i32('p', pads, [4, 2]), f32('px', [1, 8 + pads[2]! + pads[3]!, 8 + pads[4]! + pads[5]!, 1]), f32('w', [1, 3, 3, 1], new Array(9).fill(1)), f32('b', [1], [0]), f32('y', [1, 4, 4, 1])],
      [{ name: 'pad', op: 'PAD', inputs: ['x', 'p'], outputs: ['px'], options: {} }, conv('conv', 'px', 'y', 'VALID', 2)],
      ['x'],
      ['y'],
    );
  const exact = build([0, 0, 0, 1, 0, 1, 0, 0]); // SAME for 8 → 4 with k3 s2 pads (0, 1)
  runFloatPasses(exact);
  assert.deepEqual(opHistogram(exact.graphs[0]!), { CONV_2D: 1 });
  assert.equal((exact.graphs[0]!.nodes[0]!.options as { padding: string }).padding, 'SAME');
  const other = build([0, 0, 1, 0, 1, 0, 0, 0]); // same output size, different placement
  runFloatPasses(other);
  assert.deepEqual(opHistogram(other.graphs[0]!), { CONV_2D: 1, PAD: 1 });
});

test('constants fold, identity reshapes vanish, reshape chains collapse', () => {
  const m = graphOf(
    [f32('x', [1, 6]), f32('k1', [6], [1, 2, 3, 4, 5, 6]), f32('k2', [], [2]), f32('k', [6]), f32('xk', [1, 6]), i32('s1', [1, 6]), f32('r1', [1, 6]), i32('s2', [1, 2, 3]), f32('r2', [1, 2, 3]), i32('s3', [1, 3, 2]), f32('r3', [1, 3, 2])],
    [
      { name: 'kmul', op: 'MUL', inputs: ['k1', 'k2'], outputs: ['k'], options: { fusedActivation: 'NONE' } },
      { name: 'add', op: 'ADD', inputs: ['x', 'k'], outputs: ['xk'], options: { fusedActivation: 'NONE' } },
      { name: 'r1', op: 'RESHAPE', inputs: ['xk', 's1'], outputs: ['r1'], options: { newShape: [1, 6] } },
      { name: 'r2', op: 'RESHAPE', inputs: ['r1', 's2'], outputs: ['r2'], options: { newShape: [1, 2, 3] } },
      { name: 'r3', op: 'RESHAPE', inputs: ['r2', 's3'], outputs: ['r3'], options: { newShape: [1, 3, 2] } },
    ],
    ['x'],
    ['r3'],
  );
  runFloatPasses(m);
  const g = m.graphs[0]!;
  assert.deepEqual(opHistogram(g), { ADD: 1, RESHAPE: 1 });
  assert.deepEqual(Array.from(g.tensors.get('k')!.data as Float32Array), [2, 4, 6, 8, 10, 12]);
  const reshape = g.nodes.find((n) => n.op === 'RESHAPE')!;
  assert.equal(reshape.inputs[0], 'xk');
  assert.deepEqual(Array.from(g.tensors.get(reshape.inputs[1]!)!.data as Int32Array), [1, 3, 2]);
});

test('Rescaling (MUL then ADD) before a VALID conv folds into its weights and bias exactly', () => {
  const m = graphOf(
    [f32('x', [1, 3, 3, 2]), f32('s', [], [0.5]), f32('o', [2], [1, -1]), f32('xs', [1, 3, 3, 2]), f32('xo', [1, 3, 3, 2]), f32('w', [1, 1, 1, 2], [2, 3]), f32('b', [1], [0.25]), f32('y', [1, 3, 3, 1])],
    [
      { name: 'mul', op: 'MUL', inputs: ['x', 's'], outputs: ['xs'], options: { fusedActivation: 'NONE' } },
      { name: 'add', op: 'ADD', inputs: ['xs', 'o'], outputs: ['xo'], options: { fusedActivation: 'NONE' } },
      { name: 'conv', op: 'CONV_2D', inputs: ['xo', 'w', 'b'], outputs: ['y'], options: { padding: 'VALID', strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, fusedActivation: 'NONE' } },
    ],
    ['x'],
    ['y'],
  );
  runFloatPasses(m);
  const g = m.graphs[0]!;
  assert.deepEqual(opHistogram(g), { CONV_2D: 1 });
  const conv = g.nodes[0]!;
  assert.equal(conv.inputs[0], 'x');
  // y = w·(0.5x + o) + b = (0.5w)·x + (w·o + b)
  assert.deepEqual(Array.from(g.tensors.get(conv.inputs[1]!)!.data as Float32Array), [1, 1.5]);
  assert.deepEqual(Array.from(g.tensors.get(conv.inputs[2]!)!.data as Float32Array), [0.25 + 2 - 3]);
});

test('an offset before a SAME conv is not folded (zero padding would change)', () => {
  const m = graphOf(
    [f32('x', [1, 3, 3, 1]), f32('o', [], [1]), f32('xo', [1, 3, 3, 1]), f32('w', [1, 3, 3, 1], new Array(9).fill(1)), f32('b', [1], [0]), f32('y', [1, 3, 3, 1])],
    [
      { name: 'add', op: 'ADD', inputs: ['x', 'o'], outputs: ['xo'], options: { fusedActivation: 'NONE' } },
      { name: 'conv', op: 'CONV_2D', inputs: ['xo', 'w', 'b'], outputs: ['y'], options: { padding: 'SAME', strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, fusedActivation: 'NONE' } },
    ],
    ['x'],
    ['y'],
  );
  runFloatPasses(m);
  assert.deepEqual(opHistogram(m.graphs[0]!), { ADD: 1, CONV_2D: 1 });
});

test('identical nodes on the same input merge; variable-state ops never do', () => {
  const pool = (name: string, out: string): Node => ({ name, op: 'MAX_POOL_2D', inputs: ['x'], outputs: [out], options: { padding: 'VALID', strideH: 2, strideW: 2, filterH: 2, filterW: 2, fusedActivation: 'NONE' } });
  const m = graphOf(
    [f32('x', [1, 4, 4, 1]), f32('p1', [1, 2, 2, 1]), f32('p2', [1, 2, 2, 1]), f32('y', [1, 2, 2, 1])],
    [pool('a', 'p1'), pool('b', 'p2'), { name: 'add', op: 'ADD', inputs: ['p1', 'p2'], outputs: ['y'], options: { fusedActivation: 'NONE' } }],
    ['x'],
    ['y'],
  );
  const report = runFloatPasses(m);
  assert.equal(report['duplicates'], 1);
  const g = m.graphs[0]!;
  assert.deepEqual(opHistogram(g), { ADD: 1, MAX_POOL_2D: 1 });
  assert.deepEqual(g.nodes[1]!.inputs, ['p1', 'p1']);
});
