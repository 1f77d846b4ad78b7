// Static quantization of the constants of integer nodes: symmetric int8 weights (per channel on
// the axis the kernel expects, or per tensor), integer bias with scale s_in·s_w, and other float
// constants (concat operands, PReLU alpha, ADD operands) with their activation params.
import type { Graph } from '../../graph/model-graph';
import { QuantizeValidationError } from '../errors';
import { quantizeBias, quantizeWeightsSymmetric, quantizeWithParams } from '../math';
import { opFacts } from '../op-facts';
import { activationInputs, activationOf } from '../params';
import type { QuantPlan, Statistics } from '../qtypes';
import { ruleFor } from '../recipe';
import { readerCounts, replaceConstantInput } from './constants';
import { quantizeLstm } from './lstm';

export function quantizeStaticConstants(graph: Graph, plan: QuantPlan, statistics: Statistics, warnings: string[]): void {
  const readers = readerCounts(graph);
  for (const node of graph.nodes) {
    if (plan.domains.get(node.name) !== 'integer') continue;
    if (node.op === 'UNIDIRECTIONAL_SEQUENCE_LSTM') {
      quantizeLstm(graph, node, plan, statistics, warnings);
      continue;
    }
    const facts = opFacts(node.op)!;
    const rule = ruleFor(plan.recipe, node);
    const dtype = plan.nodeTypes.get(node.name)!;
    // 16x8 kernels take an int64 bias, int8 ones int32; the recipe's own type for its default.
    const biasType = dtype === plan.recipe.activations ? plan.recipe.bias : dtype === 'int16' ? 'int64' : 'int32';
    let weightScales: number[] | undefined;
    if (facts.weights) {
      const index = facts.weights.input;
      const w = graph.tensors.get(node.inputs[index]!)!;
      const perChannel = rule.weights?.granularity === 'channel';
      const axis = perChannel ? (rule.weights?.axis ?? facts.weights.channelAxis) : undefined;
      const { values, quant } = quantizeWeightsSymmetric(w.data as Float32Array, w.shape, axis);
      replaceConstantInput(graph, node, index, { dtype: 'int8', shape: [...w.shape], data: values, quant }, readers, 'int8');
      weightScales = quant.scale;
    }
    const biasName = facts.bias !== undefined ? node.inputs[facts.bias] : undefined;
    if (biasName && weightScales) {
      const b = graph.tensors.get(biasName)!;
      if (b.dtype === 'float32' && b.data) {
        const inputName = node.inputs[node.op === 'TRANSPOSE_CONV' ? 2 : 0]!;
        const inputPlan = activationOf(plan, inputName, dtype);
        if (!inputPlan) throw new QuantizeValidationError(`No params for the input '${inputName}' of '${node.name}'.`);
        const { values, quant } = quantizeBias(b.data as Float32Array, inputPlan.quant.scale[0]!, weightScales, biasType);
        replaceConstantInput(graph, node, facts.bias!, { dtype: biasType, shape: [...b.shape], data: values, quant }, readers, 'bias');
      }
    }
    for (const i of activationInputs(graph, node, facts)) {
      const name = node.inputs[i]!;
      const t = graph.tensors.get(name)!;
      if (!t.data) continue;
      const p = activationOf(plan, name, dtype)!;
      const data = quantizeWithParams(t.data as Float32Array, p.quant, p.dtype);
      replaceConstantInput(graph, node, i, { dtype: p.dtype, shape: [...t.shape], data, quant: p.quant }, readers, p.dtype);
    }
  }
}
