// The layout pass on a hand-built NCHW-export graph: TRANSPOSE to NCHW, a per-channel ADD, a
// LEAKY_RELU, a PAD and a CONCATENATION in NCHW, TRANSPOSE back. The pass must remove both
// TRANSPOSEs (constants, paddings and the concat axis rewritten) and compute the same values.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Graph, ModelGraph, Node, Tensor } from '../../src-main/graph/model-graph';
import { opHistogram } from '../../src-main/graph/model-graph';
import { runFloatPasses } from '../../src-main/graph/passes/index';
import { executeGraph } from '../../src-main/graph/execute';
import { randomSamples } from '../keras/tfjs-reference';

const f32 = (name: string, shape: number[], data?: number[]): Tensor => ({ name, dtype: 'float32', shape, ...(data ? { data: Float32Array.from(data) } : {}) });
const i32 = (name: string, data: number[], shape = [data.length]): Tensor => ({ name, dtype: 'int32', shape, data: Int32Array.from(data) });

function nchwModel(outputs: string[]): ModelGraph {
  const tensors = [
    f32('x', [1, 4, 5, 3]), i32('to_nchw', [0, 3, 1, 2]), f32('t1', [1, 3, 4, 5]), f32('bias', [1, 3, 1, 1], [0.5, -1, 2]), f32('a', [1, 3, 4, 5]),
    f32('l', [1, 3, 4, 5]), i32('pads', [0, 0, 0, 0, 1, 1, 2, 0], [4, 2]), f32('p', [1, 3, 6, 7]), f32('c', [1, 6, 6, 7]), i32('to_nhwc', [0, 2, 3, 1]), f32('y', [1, 6, 7, 6]),
  ];
  const nodes: Node[] = [
    { name: 't1', op: 'TRANSPOSE', inputs: ['x', 'to_nchw'], outputs: ['t1'], options: {} },
    { name: 'a', op: 'ADD', inputs: ['t1', 'bias'], outputs: ['a'], options: { fusedActivation: 'NONE' } },
    { name: 'l', op: 'LEAKY_RELU', inputs: ['a'], outputs: ['l'], options: { alpha: 0.1 } },
    { name: 'p', op: 'PAD', inputs: ['l', 'pads'], outputs: ['p'], options: {} },
    { name: 'c', op: 'CONCATENATION', inputs: ['p', 'l_scaled'], outputs: ['c'], options: { axis: 1, fusedActivation: 'NONE' } },
    { name: 'y', op: 'TRANSPOSE', inputs: ['c', 'to_nhwc'], outputs: ['y'], options: {} },
  ];
  // The concat's second input: the same padded tensor times 2 (a second NCHW branch).
  tensors.push(f32('two', [], [2]), f32('l_scaled', [1, 3, 6, 7]));
  nodes.splice(4, 0, { name: 'l_scaled', op: 'MUL', inputs: ['p', 'two'], outputs: ['l_scaled'], options: { fusedActivation: 'NONE' } });
  const graph: Graph = { name: 'g', tensors: new Map(tensors.map((t) => [t.name, t])), nodes, inputs: ['x'], outputs };
  return { format: 'test', description: '', graphs: [graph], signatures: [], metadata: {}, unsupported: [] };
}

test('TRANSPOSE pairs around NCHW ADD / LEAKY_RELU / PAD / MUL / CONCATENATION cancel, values unchanged', async () => {
  const x = randomSamples(1, 4 * 5 * 3, 4)[0]!;
  const before = await executeGraph(nchwModel(['y']), [x]);
  const model = nchwModel(['y']);
  const report = runFloatPasses(model);
  const graph = model.graphs[0]!;
  assert.equal(report['transposes'], 2, JSON.stringify(opHistogram(graph)));
  assert.equal(opHistogram(graph)['TRANSPOSE'], undefined);
  assert.deepEqual(graph.tensors.get(graph.outputs[0]!)!.shape, [1, 6, 7, 6]);
  const after = await executeGraph(model, [x]);
  assert.deepEqual(Array.from(after[0]!), Array.from(before[0]!));
});

test('a TRANSPOSE whose NCHW tensor is also a graph output stays for it; every output keeps its values', async () => {
  const x = randomSamples(1, 4 * 5 * 3, 5)[0]!;
  const before = await executeGraph(nchwModel(['y', 't1']), [x]);
  const model = nchwModel(['y', 't1']);
  runFloatPasses(model);
  assert.equal(opHistogram(model.graphs[0]!)['TRANSPOSE'], 1);
  const after = await executeGraph(model, [x]);
  after.forEach((o, i) => assert.deepEqual(Array.from(o), Array.from(before[i]!), `output ${i}`));
});
