// Activation fusion: RELU / RELU6 / RELU_N1_TO_1 right after an op that has a fused
// activation field becomes that field, as the official converter writes it.
import type { FusedActivation } from '../ops';
import type { Graph } from '../model-graph';
import { consumers } from '../model-graph';
import { fusedName, removeNode, renameTensor, soleConsumer } from './util';

const PRODUCERS = new Set(['CONV_2D', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED', 'ADD', 'SUB', 'MUL', 'DIV']);
const ACTIVATIONS: Record<string, FusedActivation> = { RELU: 'RELU', RELU6: 'RELU6', RELU_N1_TO_1: 'RELU_N1_TO_1' };

export function fuseActivations(graph: Graph): number {
  let fused = 0;
  let readers = consumers(graph);
  for (const node of [...graph.nodes]) {
    if (!PRODUCERS.has(node.op)) continue;
    const opts = node.options as { fusedActivation?: FusedActivation };
    if (opts.fusedActivation !== 'NONE') continue;
    const out = node.outputs[0]!;
    const act = soleConsumer(graph, out, readers);
    if (!act) continue;
    const kind = ACTIVATIONS[act.op];
    if (!kind) continue;
    opts.fusedActivation = kind;
    const actOut = act.outputs[0]!;
    node.outputs[0] = actOut;
    removeNode(graph, act);
    const bias = node.inputs[2];
    if (bias && graph.tensors.get(bias)?.data) renameTensor(graph, bias, fusedName(actOut.split(';')[0]!, bias));
    if (!graph.outputs.includes(actOut)) renameTensor(graph, actOut, fusedName(actOut, out));
    readers = consumers(graph);
    fused++;
  }
  return fused;
}
