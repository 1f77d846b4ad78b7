// Quantization parameters as every TFLite runtime checks them when it prepares a tensor: a
// file that breaks them loads nowhere, so the reader says which tensor and why up front.
import { activationCodes } from '../graph/integer-codes';
import type { ModelGraph, Tensor } from '../graph/model-graph';

export interface QuantProblem {
  /** 'tensor <name> (<dtype> [shape])' */
  tensor: string;
  reason: string;
}

/** What is wrong with one tensor's quantization, in words (undefined when it is sound). */
export function quantProblem(tensor: Tensor): QuantProblem | undefined {
  const reason = quantReason(tensor);
  return reason ? { tensor: `tensor '${tensor.name}' (${tensor.dtype} [${tensor.shape.join(',')}])`, reason } : undefined;
}

function quantReason(tensor: Tensor): string | undefined {
  const q = tensor.quant;
  if (!q || q.scale.length === 0) return undefined;
  const rank = tensor.shape.length;
  if (q.axis !== undefined && (q.scale.length > 1 || q.axis !== 0) && (q.axis < 0 || q.axis >= Math.max(rank, 1))) {
    return `quantized_dimension ${q.axis} is outside its rank ${rank}`;
  }
  if (q.scale.length > 1) {
    const channels = tensor.shape[q.axis ?? 0];
    if (channels !== undefined && channels >= 0 && channels !== q.scale.length) return `${q.scale.length} scales for ${channels} channels on axis ${q.axis ?? 0}`;
  }
  if (q.zeroPoint.length !== q.scale.length) return `${q.zeroPoint.length} zero points for ${q.scale.length} scales`;
  const badScale = q.scale.findIndex((s) => !(Number.isFinite(s) && s > 0));
  if (badScale >= 0) return `scale[${badScale}] is ${q.scale[badScale]}, expected a positive finite number`;
  const range = activationCodes(tensor.dtype);
  const badZero = range ? q.zeroPoint.findIndex((z) => z < range[0] || z > range[1]) : -1;
  if (range && badZero >= 0) return `zero_point[${badZero}] is ${q.zeroPoint[badZero]}, outside ${tensor.dtype} [${range[0]}, ${range[1]}]`;
  return undefined;
}

/** Every tensor with unsound quantization parameters, in graph order. */
export function quantProblems(model: ModelGraph): QuantProblem[] {
  return model.graphs.flatMap((g) => [...g.tensors.values()].map(quantProblem).filter((p): p is QuantProblem => p !== undefined));
}
