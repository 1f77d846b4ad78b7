// BatchNorm folding: a per-channel MUL and/or ADD by constants right after a CONV_2D,
// DEPTHWISE_CONV_2D or FULLY_CONNECTED (what BatchNormalization and Rescaling lower to)
// is folded into that op's weights and bias, as the official converter does.
import type { Graph, Node, Tensor } from '../model-graph';
import { addTensor, consumers, uniqueTensorName } from '../model-graph';
import { constTensor, float32Of, fusedName, isShared, removeNode, renameTensor, soleConsumer } from './util';

const FOLDABLE = new Set(['CONV_2D', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED']);

function outChannels(node: Node, weights: Tensor): number {
  return node.op === 'DEPTHWISE_CONV_2D' ? weights.shape[3]! : weights.shape[0]!;
}

/** Per-channel values of a constant operand broadcast to `channels`, or undefined if not per-channel. */
function perChannel(t: Tensor, channels: number): Float32Array | undefined {
  const data = float32Of(t);
  if (!data) return undefined;
  if (data.length === 1) return new Float32Array(channels).fill(data[0]!);
  const trailingOnly = t.shape.slice(0, -1).every((d) => d === 1);
  if (data.length === channels && trailingOnly) return data;
  return undefined;
}

function ownData(graph: Graph, node: Node, index: number, fallbackName: string, size: number): Float32Array {
  const name = node.inputs[index];
  const existing = name ? graph.tensors.get(name) : undefined;
  if (existing && float32Of(existing) && !isShared(graph, existing.name, node)) {
    return float32Of(existing)!;
  }
  const data = existing ? Float32Array.from(float32Of(existing)!) : new Float32Array(size);
  const t = addTensor(graph, { name: uniqueTensorName(graph, fallbackName), dtype: 'float32', shape: [size], data });
  node.inputs[index] = t.name;
  return data;
}

export function foldAffine(graph: Graph): number {
  let folded = 0;
  let changed = true;
  while (changed) {
    changed = false;
    const readers = consumers(graph);
    for (const node of graph.nodes) {
      if (!FOLDABLE.has(node.op)) continue;
      const opts = node.options as { fusedActivation?: string };
      if (opts.fusedActivation && opts.fusedActivation !== 'NONE') continue;
      const out = node.outputs[0]!;
      const next = soleConsumer(graph, out, readers);
      if (!next || (next.op !== 'MUL' && next.op !== 'ADD')) continue;
      if ((next.options as { fusedActivation: string }).fusedActivation !== 'NONE') continue;
      const otherName = next.inputs[0] === out ? next.inputs[1] : next.inputs[0];
      const other = constTensor(graph, otherName);
      const weightsT = constTensor(graph, node.inputs[1]);
      if (!other || !weightsT || !float32Of(weightsT)) continue;
      const channels = outChannels(node, weightsT);
      const values = perChannel(other, channels);
      if (!values) continue;
      const biasBase = `${weightsT.name}/bias`;
      if (next.op === 'MUL') {
        const w = isShared(graph, weightsT.name, node) ? Float32Array.from(float32Of(weightsT)!) : float32Of(weightsT)!;
        if (w !== weightsT.data) {
          const t = addTensor(graph, { ...weightsT, name: uniqueTensorName(graph, weightsT.name), data: w });
          node.inputs[1] = t.name;
        }
        const inner = w.length / channels;
        for (let i = 0; i < w.length; i++) {
          const ch = node.op === 'DEPTHWISE_CONV_2D' ? i % channels : Math.floor(i / inner);
          w[i] = w[i]! * values[ch]!;
        }
        if (node.inputs[2]) {
          const bias = ownData(graph, node, 2, biasBase, channels);
          for (let c = 0; c < channels; c++) bias[c] = bias[c]! * values[c]!;
        }
      } else {
        while (node.inputs.length < 3) node.inputs.push(null);
        const bias = ownData(graph, node, 2, biasBase, channels);
        for (let c = 0; c < channels; c++) bias[c] = bias[c]! + values[c]!;
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
      folded++;
      changed = true;
      break;
    }
  }
  return folded;
}
