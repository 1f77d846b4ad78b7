// Requantizing an FP16 .tflite: DEQUANTIZE nodes that expand FLOAT16 constants are folded into
// float32 constants, so the rest of the quantizer sees a plain float graph.
import { pruneTensors, type Graph } from '../../graph/model-graph';
import { decodeFloat16 } from '../../graph/float16';

export function foldFp16Dequantize(graph: Graph): number {
  let folded = 0;
  graph.nodes = graph.nodes.filter((node) => {
    if (node.op !== 'DEQUANTIZE') return true;
    const src = graph.tensors.get(node.inputs[0] ?? '');
    const dst = graph.tensors.get(node.outputs[0] ?? '');
    if (!src || !dst || src.dtype !== 'float16' || !src.data) return true;
    dst.dtype = 'float32';
    dst.data = decodeFloat16(src.data as Uint16Array);
    delete dst.quant;
    folded++;
    return false;
  });
  if (folded) pruneTensors(graph);
  return folded;
}
