// Flatten/Reshape canonicalization: chains of RESHAPE collapse into one, and every
// RESHAPE carries its target as an int32 shape operand equal to `newShape` (the form
// the official converter writes and every runtime accepts).
import type { Graph } from '../model-graph';
import { addTensor, consumers, uniqueTensorName } from '../model-graph';
import { removeNode, soleConsumer } from './util';

export function canonicalizeReshapes(graph: Graph): number {
  let changed = 0;
  let readers = consumers(graph);
  for (const node of [...graph.nodes]) {
    if (node.op !== 'RESHAPE' && node.op !== 'SQUEEZE' && node.op !== 'EXPAND_DIMS') continue;
    const next = soleConsumer(graph, node.outputs[0]!, readers);
    if (next && next.op === 'RESHAPE' && next.inputs[0] === node.outputs[0]) {
      next.inputs[0] = node.inputs[0]!;
      removeNode(graph, node);
      readers = consumers(graph);
      changed++;
    }
  }
  for (const node of graph.nodes) {
    if (node.op !== 'RESHAPE') continue;
    const out = graph.tensors.get(node.outputs[0]!);
    if (!out) continue;
    const shapeName = node.inputs[1];
    const current = shapeName ? graph.tensors.get(shapeName) : undefined;
    const same =
      current?.data instanceof Int32Array && current.data.length === out.shape.length && out.shape.every((d, i) => current.data![i] === d);
    node.options = { newShape: [...out.shape] };
    if (same) continue;
    const t = addTensor(graph, {
      name: uniqueTensorName(graph, `${node.outputs[0]}/shape`),
      dtype: 'int32',
      shape: [out.shape.length],
      data: Int32Array.from(out.shape),
    });
    node.inputs = [node.inputs[0]!, t.name];
    changed++;
  }
  return changed;
}
