// Operator versions as the official converter sets them (TFLite op_version.cc rules, for the
// ops the IR models): the version depends on the tensor types and a few options. A runtime
// refuses an op whose version it does not know, so a wrong number breaks older boards.
import type { DType, Graph, Node } from '../graph/model-graph';

interface OpSignature {
  node: Node;
  input: (i: number) => DType | undefined;
  output: (i: number) => DType | undefined;
  /** Weight (input 1) is quantized per channel. */
  perChannel: (i: number) => boolean;
  rank: (i: number) => number;
  /** Input i carries quantization parameters. */
  quantized: (i: number) => boolean;
  inputCount: number;
}

function signature(graph: Graph, node: Node): OpSignature {
  const tensor = (name: string | null | undefined) => (name ? graph.tensors.get(name) : undefined);
  return {
    node,
    input: (i) => tensor(node.inputs[i])?.dtype,
    output: (i) => tensor(node.outputs[i])?.dtype,
    perChannel: (i) => (tensor(node.inputs[i])?.quant?.scale.length ?? 0) > 1,
    rank: (i) => tensor(node.inputs[i])?.shape.length ?? 0,
    quantized: (i) => (tensor(node.inputs[i])?.quant?.scale.length ?? 0) > 0,
    inputCount: node.inputs.filter((x) => x !== null).length,
  };
}

/** int8 → 2, int16 → 3 (softmax, mean, pooling, relu6, …). */
function int8Or16(s: OpSignature, int16 = 3): number {
  if (s.input(0) === 'int16') return int16;
  if (s.input(0) === 'int8') return 2;
  return 1;
}

function versionOf(s: OpSignature): number {
  const n = s.node;
  const in0 = s.input(0);
  const in1 = s.input(1);
  const out0 = s.output(0);
  const hybrid = in0 === 'float32' && in1 === 'int8' && out0 === 'float32';
  switch (n.op) {
    case 'CONV_2D':
      // 16x8 (int16 activations, int8 weights) stays 1: version 4 is int16 weights too.
      if (in0 === 'int16' && in1 === 'int16') return 4;
      if (in0 === 'int8' && in1 === 'int8') return 3;
      if (hybrid) return s.perChannel(1) ? 5 : 2;
      return 1;
    case 'DEPTHWISE_CONV_2D':
      if (in0 === 'int16' && in1 === 'int16') return 5;
      if (hybrid) return s.perChannel(1) ? 6 : 4;
      if (in0 === 'int8' && in1 === 'int8') return 3;
      if (n.options.dilationW !== 1 || n.options.dilationH !== 1) return 2;
      return 1;
    case 'FULLY_CONNECTED':
      if (in0 === 'int16' && in1 === 'int16') return 7;
      if (s.inputCount === 2) return 6;
      if (n.options.keepNumDims) return 5;
      if (in0 === 'int8' && in1 === 'int8') return 4;
      if (hybrid) return n.options.asymmetricQuantizeInputs ? 9 : 3;
      return 1;
    case 'TRANSPOSE_CONV':
      if (n.options.fusedActivation !== 'NONE') return 4;
      if (s.inputCount === 4) return 3;
      if (in1 === 'int8') return 2;
      return 1;
    case 'ADD':
      // The writer sets pot_scale_int16 = false for int16 (general scales), which is version 3.
      if (in0 === 'int16') return s.quantized(0) ? 3 : 5;
      if (in0 === 'int64') return 4;
      return in0 === 'int8' ? 2 : 1;
    case 'SUB':
      if (in0 === 'int16' && s.quantized(0)) return 5;
      if (in0 === 'int64') return 4;
      return in0 === 'int8' ? 2 : 1;
    case 'MUL':
      if (in0 === 'int16') return 4;
      if (in0 === 'int64') return 5;
      return in0 === 'int8' ? 2 : 1;
    case 'AVERAGE_POOL_2D':
    case 'MAX_POOL_2D':
    case 'LOGISTIC':
    case 'TANH':
      return int8Or16(s);
    case 'SOFTMAX':
    case 'MEAN':
    case 'MIRROR_PAD':
    case 'REDUCE_MAX':
    case 'REDUCE_MIN':
    case 'RELU6':
    case 'RSQRT':
      return int8Or16(s);
    case 'RELU':
      return in0 === 'int16' ? 3 : in0 === 'int8' || in0 === 'uint8' ? 2 : 1;
    case 'CONCATENATION':
    case 'PAD':
    case 'PADV2':
      if (s.rank(0) > 4 && n.op !== 'CONCATENATION') return 4;
      return int8Or16(s);
    case 'MAXIMUM':
    case 'MINIMUM':
      if (in0 === 'int16') return 4;
      return in0 === 'int8' ? 2 : 1;
    case 'TRANSPOSE':
      if (s.rank(0) > 5) return 6;
      if (in0 === 'int16') return 5;
      if (s.rank(0) > 4) return 4;
      if (in0 === 'bool') return 3;
      return in0 === 'int8' ? 2 : 1;
    case 'STRIDED_SLICE':
      if (n.options.offset) return 8;
      if (n.options.ellipsisMask !== 0 || n.options.newAxisMask !== 0) return 6;
      if (s.rank(0) > 4) return 4;
      if (in0 === 'bool') return 3;
      return in0 === 'int8' ? 2 : 1;
    case 'SLICE':
      if (s.rank(0) > 4) return 5;
      if (in0 === 'int16') return 4;
      return in0 === 'int8' ? 2 : 1;
    case 'RESIZE_BILINEAR':
      if (in0 === 'int16') return 4;
      if (n.options.halfPixelCenters) return 3;
      return in0 === 'int8' ? 2 : 1;
    case 'RESIZE_NEAREST_NEIGHBOR':
      if (in0 === 'int16') return 4;
      if (n.options.halfPixelCenters || n.options.alignCorners) return 3;
      return in0 === 'int8' ? 2 : 1;
    case 'QUANTIZE':
      if (s.perChannel(0)) return 3;
      return out0 === 'int16' ? 2 : 1;
    case 'DEQUANTIZE':
      // op_version.cc now says 3 for float16, but every official FP16 file we have (MediaPipe,
      // LiteRT test data) carries 2, which older runtimes also accept.
      if (in0 === 'int16') return 3;
      if (in0 === 'float16') return 2;
      if (in0 === 'int8') return s.perChannel(0) ? 5 : 2;
      return 1;
    case 'PACK':
      if (in0 === 'int8') return 2;
      return in0 === 'int16' ? 3 : 1;
    case 'UNPACK':
      if (in0 === 'int8' || in0 === 'uint8') return 2;
      if (in0 === 'bool') return 3;
      return in0 === 'int16' ? 4 : 1;
    case 'SPLIT':
      // The data is input 1 (input 0 is the axis).
      if (in1 === 'int16') return 4;
      if (in1 === 'int32') return 3;
      return in1 === 'int8' ? 2 : 1;
    case 'SPLIT_V':
      return in0 === 'int8' ? 2 : 1;
    case 'GATHER':
      if (in1 === 'int16') return 6;
      if (n.options.batchDims !== 0) return 5;
      if (in0 === 'int16') return 4;
      if (in0 === 'bool') return 3;
      return in0 === 'int8' ? 2 : 1;
    case 'GATHER_ND':
      if (in0 === 'bool') return 5;
      if (in1 === 'int16') return 4;
      if (in0 === 'int16') return 3;
      return in0 === 'string' ? 2 : 1;
    case 'TILE':
      if (in0 === 'int8') return 3;
      return in0 === 'string' ? 2 : 1;
    case 'DEPTH_TO_SPACE':
    case 'SPACE_TO_DEPTH':
      return in0 === 'int8' ? 2 : 1;
    case 'ARG_MAX':
      if (in0 === 'bool') return 3;
      return in0 === 'int8' ? 2 : 1;
    case 'FLOOR_DIV':
      if (in0 === 'int16' || in0 === 'int8') return 3;
      return in0 === 'float32' ? 2 : 1;
    case 'FLOOR_MOD':
      return in0 === 'int16' || in0 === 'int8' ? 2 : 1;
    case 'REDUCE_PROD':
      return in0 === 'int8' || in0 === 'int16' ? 2 : 1;
    case 'BATCH_MATMUL':
      if (in0 === 'int16') return 3;
      if (in0 === 'int8') return 2;
      if (hybrid && n.options.asymmetricQuantizeInputs) return 4;
      return 1;
    case 'UNIDIRECTIONAL_SEQUENCE_LSTM': {
      const weight = s.input(2);
      if (in0 === 'int16' && weight === 'int8') return 5;
      if (n.options.diagonalRecurrentTensors) return 4;
      if (in0 === 'float32' && weight === 'int8' && out0 === 'float32') return n.options.asymmetricQuantizeInputs ? 3 : 2;
      return 1;
    }
    case 'BIDIRECTIONAL_SEQUENCE_LSTM':
    case 'UNIDIRECTIONAL_SEQUENCE_RNN':
      if (in1 === 'int8' && out0 === 'float32') return n.options.asymmetricQuantizeInputs ? 3 : 2;
      return 1;
    case 'LEAKY_RELU':
      return in0 === 'int16' ? 2 : 1;
    case 'ABS':
      if (in0 === 'int32') return 5;
      if (in0 === 'int16') return 3;
      return in0 === 'int8' || in0 === 'uint8' ? 2 : 1;
    case 'DIV':
      return 1;
    case 'SQUEEZE':
      return in0 === 'string' ? 2 : 1;
    case 'SELECT_V2':
      return 1;
    case 'TOPK_V2':
      if (in0 === 'int16') return 3;
      return in0 === 'int8' ? 2 : 1;
    case 'NON_MAX_SUPPRESSION_V4':
    case 'NON_MAX_SUPPRESSION_V5':
      return 1; // float boxes and scores only
    case 'EQUAL':
      if (in0 === 'int16') return 4;
      if (in0 === 'string') return 3;
      return in0 === 'int8' ? 2 : 1;
    case 'REVERSE_V2':
      if (in0 === 'int8') return 3;
      return in0 === 'bool' ? 2 : 1;
    case 'FILL':
      if (in1 === 'float16') return 4;
      if (in1 === 'int8' || in1 === 'int16') return 3;
      return in1 === 'bool' || in1 === 'string' ? 2 : 1;
    case 'SQUARED_DIFFERENCE':
    case 'SUM':
    case 'LOG_SOFTMAX':
      return in0 === 'int8' ? 2 : 1;
    case 'EXP':
    case 'LOG':
      return in0 === 'int8' || in0 === 'int16' ? 2 : 1;
    case 'GELU':
      return in0 === 'int8' || in0 === 'uint8' ? 2 : 1;
    case 'CAST':
      if (in0 === 'float16' || out0 === 'float16') return 5;
      return in0 === 'int8' || out0 === 'int8' ? 3 : 1;
    // No version depends on the types for these: their kernels exist only at version 1
    // (HARD_SWISH, PRELU, …), so a "quantized = 2" guess makes runtimes refuse the file.
    case 'HARD_SWISH':
    case 'PRELU':
    case 'ELU':
    case 'SQRT':
    case 'SQUARE':
    case 'NEG':
    case 'RELU_N1_TO_1':
    case 'RELU_0_TO_1':
    case 'SHAPE':
    case 'EXPAND_DIMS':
    case 'RESHAPE':
    case 'POW':
    case 'FLOOR':
      return 1;
    case 'CUSTOM':
    case 'OTHER':
      return 1;
  }
}

export function operatorVersion(graph: Graph, node: Node): number {
  return versionOf(signature(graph, node));
}
