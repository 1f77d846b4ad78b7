// What the TFLite integer kernels accept, op by op: which dtypes, where weights and bias sit,
// and how the output params are chosen. Facts of the runtime, kept apart from the logic
// (params.ts) that applies them. An op absent here has no integer kernel and stays float.
import type { OpType } from '../graph/ops';

export type OutputRule =
  /** Output params from its own calibrated range. */
  | { kind: 'range' }
  /** Every float input and output share one scale/zero point (the kernel copies or compares raw integers). */
  | { kind: 'shared'; inputs: 'first' | 'all' }
  /** The output is an integer index (ARG_MAX → int32): it has no scale and is never quantized. */
  | { kind: 'index' }
  /** The kernel fixes the output params. */
  | { kind: 'fixed'; int8: readonly [number, number]; int16: readonly [number, number] };

export interface OpFacts {
  readonly int8: boolean;
  readonly int16: boolean;
  readonly output: OutputRule;
  /** Input index of the weights, and the channel axis the per-channel kernels expect. */
  readonly weights?: { readonly input: number; readonly channelAxis: number; readonly hybrid: boolean };
  /** Input index of the bias (int32, or int64 for 16x8 kernels). */
  readonly bias?: number;
}

const RANGE: OutputRule = { kind: 'range' };
const SHARED_FIRST: OutputRule = { kind: 'shared', inputs: 'first' };
const SHARED_ALL: OutputRule = { kind: 'shared', inputs: 'all' };
const both = (output: OutputRule): OpFacts => ({ int8: true, int16: true, output });
const int8Only = (output: OutputRule): OpFacts => ({ int8: true, int16: false, output });

export const OP_FACTS: Readonly<Partial<Record<OpType, OpFacts>>> = Object.freeze({
  CONV_2D: { ...both(RANGE), weights: { input: 1, channelAxis: 0, hybrid: true }, bias: 2 },
  DEPTHWISE_CONV_2D: { ...both(RANGE), weights: { input: 1, channelAxis: 3, hybrid: true }, bias: 2 },
  FULLY_CONNECTED: { ...both(RANGE), weights: { input: 1, channelAxis: 0, hybrid: true }, bias: 2 },
  TRANSPOSE_CONV: { ...both(RANGE), weights: { input: 1, channelAxis: 0, hybrid: false }, bias: 3 },
  ADD: both(RANGE),
  SUB: both(RANGE),
  MUL: both(RANGE),
  MEAN: both(RANGE),
  SUM: int8Only(RANGE),
  SQUARED_DIFFERENCE: int8Only(RANGE),
  RELU: both(RANGE),
  RELU6: both(RANGE),
  RELU_N1_TO_1: int8Only(RANGE),
  LEAKY_RELU: both(RANGE),
  PRELU: int8Only(RANGE),
  HARD_SWISH: int8Only(RANGE),
  BATCH_MATMUL: both(RANGE),
  RESHAPE: both(SHARED_FIRST),
  SQUEEZE: both(SHARED_FIRST),
  EXPAND_DIMS: both(SHARED_FIRST),
  TRANSPOSE: both(SHARED_FIRST),
  MAX_POOL_2D: both(SHARED_FIRST),
  AVERAGE_POOL_2D: both(SHARED_FIRST),
  REDUCE_MAX: both(SHARED_FIRST),
  REDUCE_MIN: both(SHARED_FIRST),
  PAD: both(SHARED_FIRST),
  PADV2: both(SHARED_ALL),
  MIRROR_PAD: both(SHARED_FIRST),
  SLICE: both(SHARED_FIRST),
  STRIDED_SLICE: both(SHARED_FIRST),
  SPLIT: both(SHARED_ALL),
  SPLIT_V: both(SHARED_FIRST),
  GATHER: both(SHARED_FIRST),
  GATHER_ND: int8Only(SHARED_FIRST),
  TILE: int8Only(SHARED_FIRST),
  DEPTH_TO_SPACE: int8Only(SHARED_FIRST),
  SPACE_TO_DEPTH: int8Only(SHARED_FIRST),
  RESIZE_BILINEAR: both(SHARED_FIRST),
  RESIZE_NEAREST_NEIGHBOR: both(SHARED_FIRST),
  CONCATENATION: both(SHARED_ALL),
  PACK: both(SHARED_ALL),
  UNPACK: both(SHARED_FIRST),
  MAXIMUM: both(SHARED_ALL),
  MINIMUM: both(SHARED_ALL),
  SOFTMAX: both({ kind: 'fixed', int8: [1 / 256, -128], int16: [1 / 32768, 0] }),
  LOGISTIC: both({ kind: 'fixed', int8: [1 / 256, -128], int16: [1 / 32768, 0] }),
  TANH: both({ kind: 'fixed', int8: [1 / 128, 0], int16: [1 / 32768, 0] }),
  ARG_MAX: int8Only({ kind: 'index' }),
  LOG_SOFTMAX: int8Only({ kind: 'fixed', int8: [16 / 256, 127], int16: [1, 0] }),
});

export function opFacts(op: OpType): OpFacts | undefined {
  return OP_FACTS[op];
}

/** Ops whose float weights may use a hybrid (dynamic range) kernel. */
export function hasHybridKernel(op: OpType): boolean {
  return OP_FACTS[op]?.weights?.hybrid === true || op === 'UNIDIRECTIONAL_SEQUENCE_LSTM';
}
