// Padding folding: an explicit zero PAD feeding a VALID convolution becomes SAME padding
// when the pad amounts are exactly what SAME would add (e.g. Keras MobileNetV2's
// ZeroPadding2D ((0,1),(0,1)) before a stride-2 3x3 conv). Anything else is left alone.
import type { Graph } from '../model-graph';
import { consumers } from '../model-graph';
import { constTensor, removeNode, soleConsumer } from './util';

function samePads(input: number, kernel: number, stride: number, dilation: number): [number, number] {
  const effective = (kernel - 1) * dilation + 1;
  const out = Math.ceil(input / stride);
  const total = Math.max((out - 1) * stride + effective - input, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

export function foldPadding(graph: Graph): number {
  let folded = 0;
  let readers = consumers(graph);
  for (const pad of [...graph.nodes]) {
    if (pad.op !== 'PAD') continue;
    const paddings = constTensor(graph, pad.inputs[1]);
    const input = graph.tensors.get(pad.inputs[0] ?? '');
    if (!paddings || !(paddings.data instanceof Int32Array) || !input || input.shape.length !== 4) continue;
    const p = Array.from(paddings.data);
    if (p[0] !== 0 || p[1] !== 0 || p[6] !== 0 || p[7] !== 0) continue;
    const conv = soleConsumer(graph, pad.outputs[0]!, readers);
    if (!conv || (conv.op !== 'CONV_2D' && conv.op !== 'DEPTHWISE_CONV_2D') || conv.inputs[0] !== pad.outputs[0]) continue;
    if (conv.options.padding !== 'VALID') continue;
    const weights = graph.tensors.get(conv.inputs[1] ?? '');
    if (!weights) continue;
    const [kh, kw] = [weights.shape[1]!, weights.shape[2]!];
    const wantH = samePads(input.shape[1]!, kh, conv.options.strideH, conv.options.dilationH);
    const wantW = samePads(input.shape[2]!, kw, conv.options.strideW, conv.options.dilationW);
    if (p[2] !== wantH[0] || p[3] !== wantH[1] || p[4] !== wantW[0] || p[5] !== wantW[1]) continue;
    conv.options.padding = 'SAME';
    conv.inputs[0] = pad.inputs[0]!;
    removeNode(graph, pad);
    readers = consumers(graph);
    folded++;
  }
  return folded;
}
