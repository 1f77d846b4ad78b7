// Which nodes of a quantized graph are "layers" the debugger reports on, and how each one's
// activation inputs map back to tensors of the float graph (through the QUANTIZE/DEQUANTIZE
// boundaries the quantizer inserted).
import { consumers, producers, type Graph, type Node } from '../graph/model-graph';
import type { TensorRange } from '../quantize/qtypes';
import { readersSeeRange } from './reader-range';

const BOUNDARY_OPS = new Set(['QUANTIZE', 'DEQUANTIZE']);
const INTEGER = new Set(['int8', 'uint8', 'int16']);

export interface QuantizedLayer {
  /** The node in the quantized graph. */
  node: Node;
  /** The node of the same name in the float graph. */
  floatNode: Node;
  /** Quantized-graph activation input name → the float-graph tensor holding its float value. */
  feeds: Map<string, string>;
  /** The float-graph tensor the layer's first output is compared with. */
  floatOutput: string;
  /** Set when the output's readers saturate beyond its stored range: float values are compared clamped to it. */
  readersSee?: TensorRange;
}

/** Whether the quantized node stores or computes anything on a grid the float node does not. */
function isQuantized(quant: Graph, node: Node): boolean {
  const touches = [...node.outputs, ...node.inputs.filter((i): i is string => i !== null)];
  return touches.some((name) => {
    const t = quant.tensors.get(name);
    return t !== undefined && (INTEGER.has(t.dtype) || t.dtype === 'float16') && t.quant !== undefined;
  });
}

/** Follows QUANTIZE/DEQUANTIZE producers back to a tensor the float graph computes. */
function floatSource(name: string, quant: Graph, floatComputed: Set<string>, made: Map<string, Node>): string | undefined {
  let current = name;
  for (let hops = 0; hops < 4; hops++) {
    if (floatComputed.has(current)) return current;
    const producer = made.get(current);
    if (!producer || !BOUNDARY_OPS.has(producer.op) || !producer.inputs[0]) return undefined;
    current = producer.inputs[0];
  }
  return undefined;
}

/**
 * The float node a quantized node stands for: the one of the same name, or (for a node the
 * quantizer renamed at an output boundary, e.g. 'x_int8' → DEQUANTIZE → 'x') the float producer
 * of the tensor its DEQUANTIZE writes.
 */
function floatCounterpart(node: Node, float: Graph, floatNodes: Map<string, Node>, floatMade: Map<string, Node>, quantReaders: Map<string, Node[]>): { floatNode: Node; floatOutput: string } | undefined {
  const same = floatNodes.get(node.name);
  if (same && same.op === node.op && float.tensors.has(node.outputs[0]!)) return { floatNode: same, floatOutput: node.outputs[0]! };
  const readers = quantReaders.get(node.outputs[0]!) ?? [];
  const dequantize = readers.length === 1 && readers[0]!.op === 'DEQUANTIZE' ? readers[0]! : undefined;
  const target = dequantize?.outputs[0];
  const producer = target !== undefined ? floatMade.get(target) : undefined;
  return producer && producer.op === node.op && target !== undefined ? { floatNode: producer, floatOutput: target } : undefined;
}

export function quantizedLayers(float: Graph, quant: Graph): { layers: QuantizedLayer[]; skipped: { node: string; reason: string }[] } {
  const floatNodes = new Map(float.nodes.map((n) => [n.name, n]));
  const floatComputed = new Set([...float.inputs, ...float.nodes.flatMap((n) => n.outputs)]);
  const made = producers(quant);
  const floatMade = producers(float);
  const quantReaders = consumers(quant);
  const layers: QuantizedLayer[] = [];
  const skipped: { node: string; reason: string }[] = [];
  for (const node of quant.nodes) {
    if (BOUNDARY_OPS.has(node.op) || !isQuantized(quant, node)) continue;
    const counterpart = floatCounterpart(node, float, floatNodes, floatMade, quantReaders);
    if (!counterpart) {
      skipped.push({ node: node.name, reason: 'no float node computes the same tensor with the same op' });
      continue;
    }
    // Only real-valued tensors can be compared (index and shape tensors are exact or meaningless).
    if (float.tensors.get(counterpart.floatOutput)?.dtype !== 'float32') continue;
    const feeds = new Map<string, string>();
    let missing: string | undefined;
    for (const input of node.inputs) {
      if (input === null || quant.tensors.get(input)?.data !== undefined) continue;
      const source = floatSource(input, quant, floatComputed, made);
      if (source === undefined || float.tensors.get(source)?.dtype !== 'float32') missing = input;
      else feeds.set(input, source);
    }
    if (missing !== undefined) {
      skipped.push({ node: node.name, reason: `input '${missing}' has no real-valued float counterpart` });
      continue;
    }
    const readersSee = readersSeeRange(quant, node.outputs[0]!, quantReaders);
    layers.push({ node, ...counterpart, feeds, ...(readersSee ? { readersSee } : {}) });
  }
  return { layers, skipped };
}
