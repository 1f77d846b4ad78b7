// The validation stage: structural invariants the TFLite kernels check at load time, verified on
// our own result before it is written, so a bug surfaces here and not as a board-side failure.
import type { Graph, Tensor } from '../graph/model-graph';
import { f32 } from './math';
import { opFacts } from './op-facts';
import type { QuantizeReport } from './qtypes';

type Check = QuantizeReport['checks'][number];
const INT_ACTIVATIONS = new Set(['int8', 'uint8', 'int16']);

function sameParams(a: Tensor, b: Tensor): boolean {
  return !!a.quant && !!b.quant && a.quant.scale[0] === b.quant.scale[0] && a.quant.zeroPoint[0] === b.quant.zeroPoint[0];
}

export function validateGraph(graph: Graph): Check[] {
  const problems: Record<string, string[]> = {
    'topological order': [],
    'quant params on integer tensors': [],
    'weights symmetric on the kernel axis': [],
    'bias scale = s_in * s_w': [],
    'shared scales': [],
    'fixed output params': [],
  };
  const available = new Set<string>(graph.inputs);
  for (const [name, t] of graph.tensors) if (t.data || t.isVariable) available.add(name);
  for (const t of graph.tensors.values()) {
    if (!INT_ACTIVATIONS.has(t.dtype) || t.data) continue;
    const q = t.quant;
    if (!q || q.scale.length !== 1 || q.zeroPoint.length !== 1 || !(q.scale[0]! > 0)) problems['quant params on integer tensors']!.push(t.name);
  }
  for (const node of graph.nodes) {
    for (const i of node.inputs) if (i !== null && !available.has(i)) problems['topological order']!.push(`${node.name} reads ${i}`);
    for (const o of node.outputs) available.add(o);
    const facts = opFacts(node.op);
    const input = graph.tensors.get(node.inputs[node.op === 'TRANSPOSE_CONV' ? 2 : node.op === 'SPLIT' ? 1 : 0] ?? '');
    const output = graph.tensors.get(node.outputs[0] ?? '');
    // Integer index math (int32 after ARG_MAX, shapes) runs in the float domain: no scales to check.
    if (!facts || !input || !output || !INT_ACTIVATIONS.has(input.dtype) || !INT_ACTIVATIONS.has(output.dtype)) continue;
    if (facts.weights) {
      const w = graph.tensors.get(node.inputs[facts.weights.input] ?? '');
      const q = w?.quant;
      if (!w || w.dtype !== 'int8' || !q || q.zeroPoint.some((z) => z !== 0)) {
        problems['weights symmetric on the kernel axis']!.push(node.name);
        continue;
      }
      if (q.scale.length > 1 && (q.axis !== facts.weights.channelAxis || q.scale.length !== w.shape[q.axis]))
        problems['weights symmetric on the kernel axis']!.push(`${node.name} (axis ${q.axis})`);
      const b = facts.bias !== undefined ? graph.tensors.get(node.inputs[facts.bias] ?? '') : undefined;
      if (b) {
        const sIn = input.quant!.scale[0]!;
        const ok =
          (b.dtype === 'int32' || b.dtype === 'int64') &&
          b.quant?.scale.length === q.scale.length &&
          b.quant.scale.every((s, c) => Math.abs(s - f32(sIn * q.scale[c]!)) <= 1e-6 * s) &&
          b.quant.zeroPoint.every((z) => z === 0);
        if (!ok) problems['bias scale = s_in * s_w']!.push(node.name);
      }
    }
    if (facts.output.kind === 'shared' && !sameParams(input, output)) problems['shared scales']!.push(node.name);
    if (facts.output.kind === 'fixed') {
      const want = output.dtype === 'int16' ? facts.output.int16 : facts.output.int8;
      if (!output.quant || f32(output.quant.scale[0]!) !== f32(want[0]) || output.quant.zeroPoint[0] !== want[1])
        problems['fixed output params']!.push(node.name);
    }
  }
  return Object.entries(problems).map(([name, list]) =>
    list.length ? { name, passed: false, detail: list.slice(0, 5).join(', ') + (list.length > 5 ? ` (+${list.length - 5})` : '') } : { name, passed: true },
  );
}
