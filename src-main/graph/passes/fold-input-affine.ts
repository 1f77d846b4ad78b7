// Rescaling/Normalization folding: a constant MUL (scalar or per input channel) feeding a
// CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED scales that op's weights along the input
// channel (exact, zero padding stays zero); a constant ADD folds into the bias only where
// no zero padding is involved (VALID convs, FULLY_CONNECTED), so the result stays exact.
import type { Graph, Node } from '../model-graph';
import { channelValues, constTensor, editableFloat32, float32Of, foldUntilStable, removeNode, soleConsumer } from './util';

const TARGETS = new Set(['CONV_2D', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED']);

function tryFold(graph: Graph, affine: Node, target: Node): boolean {
  const x = affine.inputs.find((i) => !constTensor(graph, i));
  const c = constTensor(graph, affine.inputs.find((i) => i !== x));
  if (!x || !c || target.inputs[0] !== affine.outputs[0]) return false;
  const weightsT = constTensor(graph, target.inputs[1]);
  if (!weightsT) return false;
  const inChannels = weightsT.shape.at(-1)!;
  const depthwise = target.op === 'DEPTHWISE_CONV_2D';
  const xShape = graph.tensors.get(x)!.shape;
  const channels = depthwise ? xShape.at(-1)! : inChannels;
  // FULLY_CONNECTED contracts its whole last axis, which must be the channel axis here.
  if (target.op === 'FULLY_CONNECTED' && xShape.at(-1) !== inChannels) return false;
  const values = channelValues(c, channels);
  if (!values) return false;
  const mult = depthwise ? inChannels / channels : 1;
  if (affine.op === 'MUL') {
    const w = editableFloat32(graph, target, 1);
    if (!w) return false;
    for (let k = 0; k < w.length; k++) w[k] = w[k]! * values[Math.floor((k % inChannels) / mult)]!;
  } else {
    if (target.op !== 'FULLY_CONNECTED' && (target.options as { padding: string }).padding !== 'VALID') return false;
    const w = float32Of(weightsT)!;
    const outChannels = depthwise ? inChannels : weightsT.shape[0]!;
    const bias = editableFloat32(graph, target, 2, { name: `${weightsT.name}/bias`, size: outChannels });
    if (!bias) return false;
    for (let k = 0; k < w.length; k++) {
      const i = k % inChannels;
      const o = depthwise ? i : Math.floor(k / (w.length / outChannels));
      bias[o] = bias[o]! + w[k]! * values[Math.floor(i / mult)]!;
    }
  }
  target.inputs[0] = x;
  removeNode(graph, affine);
  return true;
}

export function foldInputAffine(graph: Graph): number {
  return foldUntilStable(graph, (node, readers) => {
    if ((node.op !== 'MUL' && node.op !== 'ADD') || node.options.fusedActivation !== 'NONE') return false;
    const target = soleConsumer(graph, node.outputs[0]!, readers);
    return !!target && TARGETS.has(target.op) && tryFold(graph, node, target);
  });
}
