// FP16 mode: every float32 constant is stored as FLOAT16 and read through its own DEQUANTIZE
// op placed just before its first reader (official layout: one DEQUANTIZE per constant).
import { addTensor, uniqueTensorName, type Graph, type Node } from '../../graph/model-graph';
import { halfToFloat, toFloat16Bits } from '../../graph/float16';
import type { RoundingGrid } from '../rounding/compensate';

const nearestFp16 = (value: number): number => halfToFloat(toFloat16Bits(value));

/** Float16 values as a rounding grid (the same for every row, bias included). */
export const FP16_GRID: RoundingGrid = { weight: nearestFp16, bias: nearestFp16 };

/** Rounds every float32 constant to its nearest float16 value in place (still stored float32). */
export function roundFloatConstantsToFp16(graph: Graph): void {
  for (const t of graph.tensors.values()) {
    if (t.data && t.dtype === 'float32' && !t.isVariable) t.data = Float32Array.from(t.data as Float32Array, nearestFp16);
  }
}

/**
 * Stores the float32 constants read by the nodes `include` picks (all by default) as FLOAT16, each
 * read through one DEQUANTIZE. A constant also read by a node kept float32 keeps its float32
 * tensor for that reader; the FLOAT16 copy then gets its own name.
 */
export function storeConstantsAsFp16(graph: Graph, include: (node: Node) => boolean = () => true): number {
  const floatReaders = new Set<string>();
  for (const node of graph.nodes) if (!include(node)) for (const name of node.inputs) if (name !== null) floatReaders.add(name);
  const done = new Map<string, string>();
  const nodes: Node[] = [];
  for (const node of graph.nodes) {
    if (include(node)) {
      node.inputs.forEach((name, i) => {
        if (name === null) return;
        const t = graph.tensors.get(name);
        if (!t || !t.data || t.dtype !== 'float32' || t.isVariable) return;
        let expanded = done.get(name);
        if (!expanded) {
          const src = t.data as Float32Array;
          const bits = new Uint16Array(src.length);
          for (let k = 0; k < src.length; k++) bits[k] = toFloat16Bits(src[k]!);
          // The FLOAT16 constant keeps the source name; the DEQUANTIZE output carries the float32 values.
          const half = floatReaders.has(name) ? uniqueTensorName(graph, `${name}_fp16`) : name;
          expanded = uniqueTensorName(graph, `${name}_dequantize`);
          addTensor(graph, { name: expanded, dtype: 'float32', shape: [...t.shape] });
          graph.tensors.set(half, { name: half, dtype: 'float16', shape: [...t.shape], data: bits });
          nodes.push({ name: `dequantize_${half}`, op: 'DEQUANTIZE', inputs: [half], outputs: [expanded], options: {} });
          done.set(name, expanded);
        }
        node.inputs[i] = expanded;
      });
    }
    nodes.push(node);
  }
  graph.nodes = nodes;
  return done.size;
}
