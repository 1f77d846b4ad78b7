// Graphs that differ from a reference in one layer, for measuring that layer alone:
// - `isolatedLayerGraph`: the quantized node by itself, fed float values (its inputs, weights and
//   output on their grids);
// - `aloneQuantizedGraph`: the float graph with one layer swapped for its quantized version;
// - `aloneFloatGraph`: the quantized graph with one layer swapped for its float version.
// The interpreter fake-quantizes tensors by dtype, so QUANTIZE/DEQUANTIZE nodes mark the seams.
import type { Graph, Node, Tensor } from '../graph/model-graph';
import type { QuantizedLayer } from './layers';

/** Renamed copies of tensors, made once, so executors sharing a constant cache share them too. */
export class TensorAliases {
  private readonly made = new Map<Tensor, Tensor>();
  constructor(private readonly suffix: string) {}
  of(t: Tensor): Tensor {
    let alias = this.made.get(t);
    if (!alias) this.made.set(t, (alias = { ...t, name: `${t.name}${this.suffix}` }));
    return alias;
  }
}

export function isolatedLayerGraph(quant: Graph, layer: QuantizedLayer): Graph {
  const tensors = new Map<string, Tensor>();
  for (const name of [...layer.node.inputs, ...layer.node.outputs]) if (name !== null) tensors.set(name, quant.tensors.get(name)!);
  return { name: `isolated:${layer.node.name}`, tensors, nodes: [layer.node], inputs: [...layer.feeds.keys()], outputs: [...layer.node.outputs] };
}

function quantizeNode(name: string, from: string, to: string): Node {
  return { name, op: 'QUANTIZE', inputs: [from], outputs: [to], options: {} } as Node;
}
function dequantizeNode(name: string, from: string, to: string): Node {
  return { name, op: 'DEQUANTIZE', inputs: [from], outputs: [to], options: {} } as Node;
}

/** Replaces `target` in `base` by `replacement` nodes, keeping topological order. */
function withNodes(base: Graph, target: string, replacement: Node[], extra: Tensor[], label: string): Graph {
  const tensors = new Map(base.tensors);
  for (const t of extra) tensors.set(t.name, t);
  const nodes = base.nodes.flatMap((n) => (n.name === target ? replacement : [n]));
  return { name: `${label}:${target}`, tensors, nodes, inputs: base.inputs, outputs: base.outputs };
}

const isFloatValue = (t: Tensor): boolean => t.dtype === 'float32';

/** The float graph with `layer` computed as the quantized graph computes it. */
export function aloneQuantizedGraph(float: Graph, quant: Graph, layer: QuantizedLayer, aliases: TensorAliases): Graph {
  const extra: Tensor[] = [];
  const before: Node[] = [];
  const after: Node[] = [];
  const rename = new Map<string, string>();
  for (const input of layer.node.inputs) {
    if (input === null || rename.has(input)) continue;
    const t = quant.tensors.get(input)!;
    const alias = aliases.of(t);
    extra.push(alias);
    rename.set(input, alias.name);
    const source = layer.feeds.get(input);
    if (source !== undefined && t.data === undefined) before.push(quantizeNode(`${layer.node.name}/quantize_${before.length}`, source, alias.name));
  }
  for (const [k, output] of layer.node.outputs.entries()) {
    const t = quant.tensors.get(output)!;
    if (isFloatValue(t)) continue; // hybrid layers compute float outputs: written as they are
    const alias = aliases.of(t);
    extra.push(alias);
    rename.set(output, alias.name);
    after.push(dequantizeNode(`${layer.node.name}/dequantize_${k}`, alias.name, layer.floatNode.outputs[k] ?? output));
  }
  const node = { ...layer.node, inputs: layer.node.inputs.map((i) => (i === null ? null : rename.get(i) ?? i)), outputs: layer.node.outputs.map((o) => rename.get(o) ?? o) } as Node;
  return withNodes(float, layer.floatNode.name, [...before, node, ...after], extra, 'alone-quantized');
}

/** The quantized graph with `layer` computed in float from dequantized inputs. */
export function aloneFloatGraph(float: Graph, quant: Graph, layer: QuantizedLayer, aliases: TensorAliases): Graph {
  const extra: Tensor[] = [];
  const before: Node[] = [];
  const after: Node[] = [];
  const rename = new Map<string, string>();
  const floatNode = layer.floatNode;
  for (const [k, input] of floatNode.inputs.entries()) {
    if (input === null || rename.has(input)) continue;
    const t = float.tensors.get(input)!;
    const alias = aliases.of(t);
    extra.push(alias);
    rename.set(input, alias.name);
    const quantInput = layer.node.inputs[k];
    if (t.data === undefined && quantInput) before.push(dequantizeNode(`${floatNode.name}/dequantize_${k}`, quantInput, alias.name));
  }
  for (const [k, output] of floatNode.outputs.entries()) {
    const quantOut = layer.node.outputs[k]!;
    const t = quant.tensors.get(quantOut)!;
    if (isFloatValue(t)) continue;
    const alias = aliases.of(float.tensors.get(output)!);
    extra.push(alias);
    rename.set(output, alias.name);
    after.push(quantizeNode(`${floatNode.name}/requantize_${k}`, alias.name, quantOut));
  }
  const node = { ...floatNode, inputs: floatNode.inputs.map((i) => (i === null ? null : rename.get(i) ?? i)), outputs: floatNode.outputs.map((o, k) => rename.get(o) ?? layer.node.outputs[k] ?? o) } as Node;
  return withNodes(quant, layer.node.name, [...before, node, ...after], extra, 'alone-float');
}

/**
 * The part of `graph` from node `from` on, with every tensor it reads from before `from` as a
 * graph input: runs the tail of a variant whose head equals a run already made.
 */
export function suffixGraph(graph: Graph, from: number): Graph {
  const nodes = graph.nodes.slice(from);
  const produced = new Set(nodes.flatMap((n) => n.outputs));
  const inputs: string[] = [];
  const seen = new Set<string>();
  const need = (name: string): void => {
    if (seen.has(name) || produced.has(name) || graph.tensors.get(name)?.data !== undefined) return;
    seen.add(name);
    inputs.push(name);
  };
  for (const node of nodes) for (const input of node.inputs) if (input !== null) need(input);
  for (const output of graph.outputs) need(output);
  return { name: `${graph.name}[${from}:]`, tensors: graph.tensors, nodes, inputs, outputs: graph.outputs };
}

/** Index of the first node that differs between a variant and the graph it was made from. */
export function firstChange(base: Graph, variant: Graph): number {
  let k = 0;
  while (k < base.nodes.length && base.nodes[k] === variant.nodes[k]) k++;
  return k;
}
