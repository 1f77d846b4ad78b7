// Requantizing a dynamic-range .tflite: int8 weights that float (hybrid) ops read, and
// DEQUANTIZE nodes over int8 constants, become float32 constants again (value = scale·(q − zp)),
// so every mode starts from a float graph. A graph whose activations are already integer is
// refused: requantize from its float model instead.
import { pruneTensors, type Graph } from '../../graph/model-graph';
import { QuantizeInputError } from '../errors';
import { dequantize } from '../math';

const INTEGER = new Set(['int8', 'uint8', 'int16']);

export function expandQuantizedConstants(graph: Graph): number {
  const quantizedActivations = [...graph.tensors.values()].filter((t) => !t.data && !t.isVariable && INTEGER.has(t.dtype) && t.quant);
  if (quantizedActivations.length) {
    throw new QuantizeInputError(
      `The model is already integer-quantized (e.g. tensor '${quantizedActivations[0]!.name}' is ${quantizedActivations[0]!.dtype}); quantize its float model instead.`,
    );
  }
  let expanded = 0;
  const expand = (name: string): boolean => {
    const t = graph.tensors.get(name);
    if (!t?.data || !t.quant || (t.dtype !== 'int8' && t.dtype !== 'uint8' && t.dtype !== 'int16')) return false;
    t.data = dequantize(t.data as Int8Array, t.shape, t.quant);
    t.dtype = 'float32';
    delete t.quant;
    expanded++;
    return true;
  };
  graph.nodes = graph.nodes.filter((node) => {
    if (node.op === 'DEQUANTIZE') {
      const src = node.inputs[0];
      const dst = graph.tensors.get(node.outputs[0] ?? '');
      if (src && dst && expand(src)) {
        const s = graph.tensors.get(src)!;
        dst.data = s.data!;
        dst.dtype = 'float32';
        return false;
      }
      return true;
    }
    for (const input of node.inputs) if (input !== null) expand(input);
    return true;
  });
  if (expanded) pruneTensors(graph);
  return expanded;
}
