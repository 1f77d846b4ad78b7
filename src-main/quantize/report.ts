// The per-layer table of the quantizer's report: how the recipe stored each source node, and
// the SQNR of its stored weights against the float weights.
import type { Graph, Tensor } from '../graph/model-graph';
import { sqnrDb } from '../validation/sqnr';
import { dequantize } from './math';
import { opFacts } from './op-facts';
import type { LayerReport, NodeDomain, Recipe } from './qtypes';
import { ruleFor } from './recipe';

function precisionOf(domain: NodeDomain, rule: ReturnType<typeof ruleFor>): LayerReport['precision'] {
  if (domain === 'hybrid') return 'dynamic';
  if (domain === 'integer') return rule.activations === 'int16' ? 'int16x8' : 'int8';
  return rule.algorithm === 'fp16' ? 'fp16' : 'float32';
}

export function layerReports(source: Graph, result: Graph, domains: Map<string, NodeDomain>, recipe: Recipe): LayerReport[] {
  const sourceNodes = new Map(source.nodes.map((n) => [n.name, n]));
  const layers: LayerReport[] = [];
  for (const node of result.nodes) {
    const from = sourceNodes.get(node.name);
    if (!from) continue; // converters we inserted
    const domain = domains.get(node.name) ?? 'float';
    const rule = ruleFor(recipe, from);
    const layer: LayerReport = { node: node.name, op: node.op, domain, precision: precisionOf(domain, rule), ruleBy: rule.by };
    const index = opFacts(node.op)?.weights?.input;
    const w: Tensor | undefined = index !== undefined ? result.tensors.get(node.inputs[index] ?? '') : undefined;
    const original = index !== undefined ? source.tensors.get(from.inputs[index] ?? '') : undefined;
    if (w && original?.data && original.dtype === 'float32' && w.data && w.dtype === 'int8' && w.quant) {
      layer.weightDtype = 'int8';
      layer.weightSqnrDb = sqnrDb(original.data as Float32Array, dequantize(w.data as Int8Array, w.shape, w.quant));
    }
    layers.push(layer);
  }
  return layers;
}
