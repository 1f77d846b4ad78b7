// BatchNorm folding: a per-channel MUL and/or ADD by constants right after a CONV_2D,
// DEPTHWISE_CONV_2D or FULLY_CONNECTED (what BatchNormalization and Rescaling lower to)
// is folded into that op's weights and bias, as the official converter does.
import type { Graph, Node, Tensor } from '../model-graph';
import { channelValues, constTensor, editableFloat32, float32Of, foldUntilStable, fusedName, removeNode, renameTensor, soleConsumer } from './util';

const FOLDABLE = new Set(['CONV_2D', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED']);

function outChannels(node: Node, weights: Tensor): number {
  return node.op === 'DEPTHWISE_CONV_2D' ? weights.shape[3]! : weights.shape[0]!;
}

/** Folds the MUL/ADD after `node` into it; false when there is none or it does not fold. */
function tryFold(graph: Graph, node: Node, readers: Map<string, Node[]>): boolean {
  if (!FOLDABLE.has(node.op)) return false;
  const opts = node.options as { fusedActivation?: string };
  if (opts.fusedActivation && opts.fusedActivation !== 'NONE') return false;
  const out = node.outputs[0]!;
  const next = soleConsumer(graph, out, readers);
  if (!next || (next.op !== 'MUL' && next.op !== 'ADD')) return false;
  if ((next.options as { fusedActivation: string }).fusedActivation !== 'NONE') return false;
  const otherName = next.inputs[0] === out ? next.inputs[1] : next.inputs[0];
  const other = constTensor(graph, otherName);
  const weightsT = constTensor(graph, node.inputs[1]);
  if (!other || !weightsT || !float32Of(weightsT)) return false;
  const channels = outChannels(node, weightsT);
  const values = channelValues(other, channels);
  if (!values) return false;
  const bias = { name: `${weightsT.name}/bias`, size: channels };
  if (next.op === 'MUL') {
    const w = editableFloat32(graph, node, 1)!;
    const inner = w.length / channels;
    for (let i = 0; i < w.length; i++) {
      const ch = node.op === 'DEPTHWISE_CONV_2D' ? i % channels : Math.floor(i / inner);
      w[i] = w[i]! * values[ch]!;
    }
    if (node.inputs[2]) {
      const b = editableFloat32(graph, node, 2, bias)!;
      for (let c = 0; c < channels; c++) b[c] = b[c]! * values[c]!;
    }
  } else {
    const b = editableFloat32(graph, node, 2, bias)!;
    for (let c = 0; c < channels; c++) b[c] = b[c]! + values[c]!;
  }
  // The folded op now writes the MUL/ADD's output (keeps graph outputs and names);
  // changed constants take the folded op's name in front, as the converter names them.
  const nextOut = next.outputs[0]!;
  const base = nextOut.split(';')[0]!;
  for (const k of next.op === 'MUL' ? [1, 2] : [2]) {
    const name = node.inputs[k];
    if (name && !name.startsWith(base)) renameTensor(graph, name, fusedName(base, name));
  }
  node.outputs[0] = nextOut;
  removeNode(graph, next);
  if (!graph.outputs.includes(nextOut)) renameTensor(graph, nextOut, fusedName(nextOut, out));
  return true;
}

export function foldAffine(graph: Graph): number {
  return foldUntilStable(graph, (node, readers) => tryFold(graph, node, readers));
}
