// The operator vocabulary of the model graph: TFLite builtin names with typed options.
// Options use camelCase and the TFLite meaning (NHWC, fused activation on the producer).
// Ops the engine does not model (seen only when reading foreign .tflite files) are 'OTHER'
// nodes that keep the builtin name and raw options for display.

export type FusedActivation = 'NONE' | 'RELU' | 'RELU_N1_TO_1' | 'RELU6' | 'TANH' | 'SIGN_BIT';
export type Padding = 'SAME' | 'VALID';

export interface Conv2DOptions {
  padding: Padding;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  fusedActivation: FusedActivation;
}
export interface DepthwiseConv2DOptions extends Conv2DOptions {
  depthMultiplier: number;
}
export interface TransposeConvOptions {
  padding: Padding;
  strideH: number;
  strideW: number;
  fusedActivation: FusedActivation;
}
export interface FullyConnectedOptions {
  fusedActivation: FusedActivation;
  keepNumDims: boolean;
  /** TFLite: weights int8 with float activations use the hybrid kernel (dynamic range). */
  asymmetricQuantizeInputs?: boolean;
}
export interface Pool2DOptions {
  padding: Padding;
  strideH: number;
  strideW: number;
  filterH: number;
  filterW: number;
  fusedActivation: FusedActivation;
}
export interface ActivationFusedOptions {
  fusedActivation: FusedActivation;
}
export interface ConcatenationOptions {
  axis: number;
  fusedActivation: FusedActivation;
}
export interface ReducerOptions {
  keepDims: boolean;
}
export interface SoftmaxOptions {
  beta: number;
}
export interface LeakyReluOptions {
  alpha: number;
}
export interface ReshapeOptions {
  /** Also present as the constant second input, as the official converter writes it. */
  newShape: number[];
}
export interface SqueezeOptions {
  squeezeDims: number[];
}
export interface ResizeOptions {
  alignCorners: boolean;
  halfPixelCenters: boolean;
}
export interface StridedSliceOptions {
  beginMask: number;
  endMask: number;
  ellipsisMask: number;
  newAxisMask: number;
  shrinkAxisMask: number;
  offset: boolean;
}
export interface SplitOptions {
  numSplits: number;
}
export interface GatherOptions {
  axis: number;
  batchDims: number;
}
export interface PackOptions {
  valuesCount: number;
  axis: number;
}
export interface BlockSizeOptions {
  /** DEPTH_TO_SPACE / SPACE_TO_DEPTH block size (NHWC, DCR order as TensorFlow). */
  blockSize: number;
}
export interface ArgMaxOptions {
  outputType: 'int32' | 'int64';
}
export interface UnpackOptions {
  num: number;
  axis: number;
}
export interface SequenceLstmOptions {
  fusedActivation: FusedActivation;
  cellClip: number;
  projClip: number;
  timeMajor: boolean;
  asymmetricQuantizeInputs: boolean;
  diagonalRecurrentTensors?: boolean;
}
export interface BidirectionalSequenceLstmOptions {
  fusedActivation: FusedActivation;
  cellClip: number;
  projClip: number;
  mergeOutputs: boolean;
  timeMajor: boolean;
  asymmetricQuantizeInputs: boolean;
}
export interface SequenceRnnOptions {
  timeMajor: boolean;
  fusedActivation: FusedActivation;
  asymmetricQuantizeInputs: boolean;
}
export interface BatchMatMulOptions {
  adjX: boolean;
  adjY: boolean;
  asymmetricQuantizeInputs: boolean;
}
export interface GeluOptions {
  approximate: boolean;
}
export interface MirrorPadOptions {
  mode: 'REFLECT' | 'SYMMETRIC';
}
export interface CastOptions {
  inDataType?: string;
  outDataType?: string;
}
export type NoOptions = Record<string, never>;

/** Known ops and their options. Keys are TFLite BuiltinOperator names. */
export interface OpOptions {
  ADD: ActivationFusedOptions;
  SUB: ActivationFusedOptions;
  MUL: ActivationFusedOptions;
  DIV: ActivationFusedOptions;
  MAXIMUM: NoOptions;
  MINIMUM: NoOptions;
  SQUARED_DIFFERENCE: NoOptions;
  POW: NoOptions;
  FLOOR_DIV: NoOptions;
  FLOOR_MOD: NoOptions;
  CONV_2D: Conv2DOptions;
  DEPTHWISE_CONV_2D: DepthwiseConv2DOptions;
  TRANSPOSE_CONV: TransposeConvOptions;
  FULLY_CONNECTED: FullyConnectedOptions;
  BATCH_MATMUL: BatchMatMulOptions;
  AVERAGE_POOL_2D: Pool2DOptions;
  MAX_POOL_2D: Pool2DOptions;
  MEAN: ReducerOptions;
  SUM: ReducerOptions;
  REDUCE_MAX: ReducerOptions;
  REDUCE_MIN: ReducerOptions;
  REDUCE_PROD: ReducerOptions;
  RESHAPE: ReshapeOptions;
  SQUEEZE: SqueezeOptions;
  EXPAND_DIMS: NoOptions;
  TRANSPOSE: NoOptions;
  CONCATENATION: ConcatenationOptions;
  PACK: PackOptions;
  UNPACK: UnpackOptions;
  PAD: NoOptions;
  PADV2: NoOptions;
  MIRROR_PAD: MirrorPadOptions;
  SLICE: NoOptions;
  STRIDED_SLICE: StridedSliceOptions;
  SPLIT: SplitOptions;
  SPLIT_V: SplitOptions;
  GATHER: GatherOptions;
  GATHER_ND: NoOptions;
  TILE: NoOptions;
  DEPTH_TO_SPACE: BlockSizeOptions;
  SPACE_TO_DEPTH: BlockSizeOptions;
  ARG_MAX: ArgMaxOptions;
  SOFTMAX: SoftmaxOptions;
  LOG_SOFTMAX: NoOptions;
  LOGISTIC: NoOptions;
  TANH: NoOptions;
  RELU: NoOptions;
  RELU6: NoOptions;
  RELU_N1_TO_1: NoOptions;
  RELU_0_TO_1: NoOptions;
  LEAKY_RELU: LeakyReluOptions;
  PRELU: NoOptions;
  ELU: NoOptions;
  HARD_SWISH: NoOptions;
  GELU: GeluOptions;
  EXP: NoOptions;
  LOG: NoOptions;
  SQRT: NoOptions;
  RSQRT: NoOptions;
  SQUARE: NoOptions;
  NEG: NoOptions;
  ABS: NoOptions;
  FLOOR: NoOptions;
  RESIZE_BILINEAR: ResizeOptions;
  RESIZE_NEAREST_NEIGHBOR: ResizeOptions;
  UNIDIRECTIONAL_SEQUENCE_LSTM: SequenceLstmOptions;
  BIDIRECTIONAL_SEQUENCE_LSTM: BidirectionalSequenceLstmOptions;
  UNIDIRECTIONAL_SEQUENCE_RNN: SequenceRnnOptions;
  QUANTIZE: NoOptions;
  DEQUANTIZE: NoOptions;
  CAST: CastOptions;
  SELECT_V2: NoOptions;
  FILL: NoOptions;
  SHAPE: NoOptions;
  REVERSE_V2: NoOptions;
  /** Post-processing kept in the file: k largest along the last axis (values, int32 indices). */
  TOPK_V2: NoOptions;
  EQUAL: NoOptions;
  /** Greedy NMS over boxes [N, 4] and scores [N]: selected indices padded to max_output_size, valid count (V5 also the scores; soft-NMS sigma). */
  NON_MAX_SUPPRESSION_V4: NoOptions;
  NON_MAX_SUPPRESSION_V5: NoOptions;
  CUSTOM: Record<string, unknown>;
  /** A builtin the engine does not model; `builtin` holds its TFLite name. */
  OTHER: Record<string, unknown>;
}

export type OpType = keyof OpOptions;
