// Rescaling/Normalization folding: a constant MUL (scalar or per input channel) feeding a
// CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED scales that op's weights along the input
// channel (exact, zero padding stays zero); a constant ADD folds into the bias only where
// no zero padding is involved (VALID convs, FULLY_CONNECTED), so the result stays exact.
import type { Graph, Node, Tensor } from '../model-graph';
import { addTensor, consumers, uniqueTensorName } from '../model-graph';
import { constTensor, float32Of, isShared, removeNode, soleConsumer } from './util';

const TARGETS = new Set(['CONV_2D', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED']);

/** Values of a constant that is a scalar or a vector along the last (channel) axis. */
function channelValues(t: Tensor, channels: number): Float32Array | undefined {
  const data = float32Of(t);
  if (!data) return undefined;
  if (data.length === 1) return new Float32Array(channels).fill(data[0]!);
  if (data.length === channels && t.shape.slice(0, -1).every((d) => d === 1)) return data;
  return undefined;
}

function writable(graph: Graph, node: Node, index: number): Float32Array | undefined {
  const name = node.inputs[index];
  const t = name ? graph.tensors.get(name) : undefined;
  const data = t && float32Of(t);
  if (!t || !data) return undefined;
  if (!isShared(graph, t.name, node)) return data;
  const copy = addTensor(graph, { ...t, name: uniqueTensorName(graph, t.name), data: Float32Array.from(data) });
  node.inputs[index] = copy.name;
  return copy.data as Float32Array;
}

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
    const w = writable(graph, target, 1);
    if (!w) return false;
    for (let k = 0; k < w.length; k++) w[k] = w[k]! * values[Math.floor((k % inChannels) / mult)]!;
  } else {
    if (target.op !== 'FULLY_CONNECTED' && (target.options as { padding: string }).padding !== 'VALID') return false;
    const w = float32Of(weightsT)!;
    const outChannels = depthwise ? inChannels : weightsT.shape[0]!;
    if (!target.inputs[2]) {
      while (target.inputs.length < 3) target.inputs.push(null);
      const bias = addTensor(graph, { name: uniqueTensorName(graph, `${weightsT.name}/bias`), dtype: 'float32', shape: [outChannels], data: new Float32Array(outChannels) });
      target.inputs[2] = bias.name;
    }
    const bias = writable(graph, target, 2);
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
  let folded = 0;
  let changed = true;
  while (changed) {
    changed = false;
    const readers = consumers(graph);
    for (const node of graph.nodes) {
      if ((node.op !== 'MUL' && node.op !== 'ADD') || node.options.fusedActivation !== 'NONE') continue;
      const target = soleConsumer(graph, node.outputs[0]!, readers);
      if (!target || !TARGETS.has(target.op) || !tryFold(graph, node, target)) continue;
      folded++;
      changed = true;
      break;
    }
  }
  return folded;
}
