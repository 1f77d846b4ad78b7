// Dynamic range: weights of ops with hybrid kernels become int8 symmetric (per tensor, or per
// channel where the recipe says so); bias and activations stay float. Small weights stay float.
import { elementCount, type Graph, type Node } from '../../graph/model-graph';
import type { FloatOp } from '../params';
import { quantizeWeightsSymmetric } from '../math';
import { hasHybridKernel, opFacts } from '../op-facts';
import type { Recipe } from '../qtypes';
import { ruleFor } from '../recipe';
import { readerCounts, replaceConstantInput } from './constants';

/** LSTM weight inputs (input-to-gate and recurrent-to-gate matrices, projection). */
const LSTM_WEIGHTS = [1, 2, 3, 4, 5, 6, 7, 8, 16];

/** Whether a (non-LSTM) node's weights become int8 for a hybrid kernel under `recipe`. */
export function storesHybridWeights(graph: Graph, node: Node, recipe: Recipe): boolean {
  const rule = ruleFor(recipe, node);
  if (rule.algorithm !== 'dynamic' || !hasHybridKernel(node.op) || node.op === 'UNIDIRECTIONAL_SEQUENCE_LSTM') return false;
  const w = graph.tensors.get(node.inputs[opFacts(node.op)!.weights!.input] ?? '');
  return w?.data !== undefined && w.dtype === 'float32' && elementCount(w.shape) >= (rule.minWeightElements ?? 0);
}

export function quantizeDynamicWeights(graph: Graph, recipe: Recipe): { hybrid: string[]; floatOps: FloatOp[] } {
  const readers = readerCounts(graph);
  const hybrid: string[] = [];
  const floatOps: FloatOp[] = [];
  for (const node of graph.nodes) {
    const rule = ruleFor(recipe, node);
    if (rule.algorithm !== 'dynamic' || !hasHybridKernel(node.op)) {
      if (node.op !== 'DEQUANTIZE' && node.op !== 'QUANTIZE') floatOps.push({ node: node.name, op: node.op, reason: 'no hybrid kernel' });
      continue;
    }
    const lstm = node.op === 'UNIDIRECTIONAL_SEQUENCE_LSTM';
    const indices = lstm ? LSTM_WEIGHTS : [opFacts(node.op)!.weights!.input];
    const weight = (index: number) => {
      const name = node.inputs[index];
      const w = name ? graph.tensors.get(name) : undefined;
      return w?.data && w.dtype === 'float32' ? w : undefined;
    };
    // The hybrid LSTM kernel wants all its weights int8 or none: decide on the largest one.
    const largest = Math.max(0, ...indices.map((i) => { const w = weight(i); return w ? elementCount(w.shape) : 0; }));
    let any = false;
    for (const index of indices) {
      const w = weight(index);
      if (!w) continue;
      if ((lstm ? largest : elementCount(w.shape)) < (rule.minWeightElements ?? 0)) continue;
      const axis = rule.weights?.granularity === 'channel' ? (rule.weights.axis ?? opFacts(node.op)?.weights?.channelAxis) : undefined;
      const { values, quant } = quantizeWeightsSymmetric(w.data as Float32Array, w.shape, axis);
      replaceConstantInput(graph, node, index, { dtype: 'int8', shape: [...w.shape], data: values, quant }, readers, 'int8');
      any = true;
    }
    if (any) hybrid.push(node.name);
    else floatOps.push({ node: node.name, op: node.op, reason: `weights under ${rule.minWeightElements ?? 0} elements stay float` });
  }
  return { hybrid, floatOps };
}
