// The IR ops (graph/ops.ts) and their TFLite option tables: which table each op writes and
// how typed IR options map to the table's raw fields and back. One entry per op, as data.
import type { FusedActivation, OpOptions, OpType, Padding } from '../graph/ops';
import type { RawOptions, RawValue } from './options-codec';

type ModelledOp = Exclude<OpType, 'CUSTOM' | 'OTHER'>;

interface Binding<T extends ModelledOp> {
  /** Option table written for this op (null: the official converter writes none). */
  table: string | null;
  toRaw(options: OpOptions[T]): RawOptions;
  fromRaw(raw: RawOptions): OpOptions[T];
}

const str = (v: RawValue | undefined, fallback: string): string => (v === undefined ? fallback : String(v));
const num = (v: RawValue | undefined, fallback = 0): number => (typeof v === 'number' ? v : fallback);
const bool = (v: RawValue | undefined, fallback = false): boolean => (typeof v === 'boolean' ? v : fallback);
const nums = (v: RawValue | undefined): number[] => (Array.isArray(v) ? [...v] : []);
const act = (raw: RawOptions): FusedActivation => str(raw.fused_activation_function, 'NONE') as FusedActivation;
const pad = (raw: RawOptions): Padding => str(raw.padding, 'SAME') as Padding;

const none = <T extends ModelledOp>(table: string | null = null): Binding<T> => ({
  table,
  toRaw: () => ({}),
  fromRaw: () => ({}) as OpOptions[T],
});

const fused = <T extends 'ADD' | 'SUB' | 'MUL' | 'DIV'>(table: string): Binding<T> => ({
  table,
  toRaw: (o) => ({ fused_activation_function: o.fusedActivation }),
  fromRaw: (raw) => ({ fusedActivation: act(raw) }) as OpOptions[T],
});

const pool = <T extends 'AVERAGE_POOL_2D' | 'MAX_POOL_2D'>(): Binding<T> => ({
  table: 'Pool2DOptions',
  toRaw: (o) => ({
    padding: o.padding,
    stride_w: o.strideW,
    stride_h: o.strideH,
    filter_width: o.filterW,
    filter_height: o.filterH,
    fused_activation_function: o.fusedActivation,
  }),
  fromRaw: (raw) =>
    ({
      padding: pad(raw),
      strideW: num(raw.stride_w, 1),
      strideH: num(raw.stride_h, 1),
      filterW: num(raw.filter_width, 1),
      filterH: num(raw.filter_height, 1),
      fusedActivation: act(raw),
    }) as OpOptions[T],
});

const reducer = <T extends 'MEAN' | 'SUM' | 'REDUCE_MAX' | 'REDUCE_MIN' | 'REDUCE_PROD'>(): Binding<T> => ({
  table: 'ReducerOptions',
  toRaw: (o) => ({ keep_dims: o.keepDims }),
  fromRaw: (raw) => ({ keepDims: bool(raw.keep_dims) }) as OpOptions[T],
});

const resize = <T extends 'RESIZE_BILINEAR' | 'RESIZE_NEAREST_NEIGHBOR'>(table: string): Binding<T> => ({
  table,
  toRaw: (o) => ({ align_corners: o.alignCorners, half_pixel_centers: o.halfPixelCenters }),
  fromRaw: (raw) => ({ alignCorners: bool(raw.align_corners), halfPixelCenters: bool(raw.half_pixel_centers) }) as OpOptions[T],
});

const split = <T extends 'SPLIT' | 'SPLIT_V'>(table: string): Binding<T> => ({
  table,
  toRaw: (o) => ({ num_splits: o.numSplits }),
  fromRaw: (raw) => ({ numSplits: num(raw.num_splits, 1) }) as OpOptions[T],
});

const blockSize = <T extends 'DEPTH_TO_SPACE' | 'SPACE_TO_DEPTH'>(table: string): Binding<T> => ({
  table,
  toRaw: (o) => ({ block_size: o.blockSize }),
  fromRaw: (raw) => ({ blockSize: num(raw.block_size, 1) }) as OpOptions[T],
});

export const OP_BINDINGS: { readonly [K in ModelledOp]: Binding<K> } = {
  ADD: fused('AddOptions'),
  SUB: fused('SubOptions'),
  MUL: fused('MulOptions'),
  DIV: fused('DivOptions'),
  MAXIMUM: none(),
  MINIMUM: none(),
  SQUARED_DIFFERENCE: none(),
  POW: none(),
  FLOOR_DIV: none(),
  FLOOR_MOD: none(),
  CONV_2D: {
    table: 'Conv2DOptions',
    toRaw: (o) => ({
      padding: o.padding,
      stride_w: o.strideW,
      stride_h: o.strideH,
      fused_activation_function: o.fusedActivation,
      dilation_w_factor: o.dilationW,
      dilation_h_factor: o.dilationH,
    }),
    fromRaw: (raw) => ({
      padding: pad(raw),
      strideW: num(raw.stride_w, 1),
      strideH: num(raw.stride_h, 1),
      dilationW: num(raw.dilation_w_factor, 1),
      dilationH: num(raw.dilation_h_factor, 1),
      fusedActivation: act(raw),
    }),
  },
  DEPTHWISE_CONV_2D: {
    table: 'DepthwiseConv2DOptions',
    toRaw: (o) => ({
      padding: o.padding,
      stride_w: o.strideW,
      stride_h: o.strideH,
      depth_multiplier: o.depthMultiplier,
      fused_activation_function: o.fusedActivation,
      dilation_w_factor: o.dilationW,
      dilation_h_factor: o.dilationH,
    }),
    fromRaw: (raw) => ({
      padding: pad(raw),
      strideW: num(raw.stride_w, 1),
      strideH: num(raw.stride_h, 1),
      dilationW: num(raw.dilation_w_factor, 1),
      dilationH: num(raw.dilation_h_factor, 1),
      depthMultiplier: num(raw.depth_multiplier, 1),
      fusedActivation: act(raw),
    }),
  },
  TRANSPOSE_CONV: {
    table: 'TransposeConvOptions',
    toRaw: (o) => ({ padding: o.padding, stride_w: o.strideW, stride_h: o.strideH, fused_activation_function: o.fusedActivation }),
    fromRaw: (raw) => ({ padding: pad(raw), strideW: num(raw.stride_w, 1), strideH: num(raw.stride_h, 1), fusedActivation: act(raw) }),
  },
  FULLY_CONNECTED: {
    table: 'FullyConnectedOptions',
    toRaw: (o) => ({
      fused_activation_function: o.fusedActivation,
      keep_num_dims: o.keepNumDims,
      asymmetric_quantize_inputs: o.asymmetricQuantizeInputs ?? false,
    }),
    fromRaw: (raw) => ({
      fusedActivation: act(raw),
      keepNumDims: bool(raw.keep_num_dims),
      asymmetricQuantizeInputs: bool(raw.asymmetric_quantize_inputs),
    }),
  },
  BATCH_MATMUL: {
    table: 'BatchMatMulOptions',
    toRaw: (o) => ({ adj_x: o.adjX, adj_y: o.adjY, asymmetric_quantize_inputs: o.asymmetricQuantizeInputs }),
    fromRaw: (raw) => ({ adjX: bool(raw.adj_x), adjY: bool(raw.adj_y), asymmetricQuantizeInputs: bool(raw.asymmetric_quantize_inputs) }),
  },
  AVERAGE_POOL_2D: pool(),
  MAX_POOL_2D: pool(),
  MEAN: reducer(),
  SUM: reducer(),
  REDUCE_MAX: reducer(),
  REDUCE_MIN: reducer(),
  REDUCE_PROD: reducer(),
  RESHAPE: {
    // The official converter passes the shape as the second input and writes no options;
    // the writer adds ReshapeOptions only when that input is missing.
    table: 'ReshapeOptions',
    toRaw: (o) => ({ new_shape: o.newShape }),
    fromRaw: (raw) => ({ newShape: nums(raw.new_shape) }),
  },
  SQUEEZE: {
    table: 'SqueezeOptions',
    toRaw: (o) => ({ squeeze_dims: o.squeezeDims }),
    fromRaw: (raw) => ({ squeezeDims: nums(raw.squeeze_dims) }),
  },
  EXPAND_DIMS: none(),
  TRANSPOSE: none(),
  CONCATENATION: {
    table: 'ConcatenationOptions',
    toRaw: (o) => ({ axis: o.axis, fused_activation_function: o.fusedActivation }),
    fromRaw: (raw) => ({ axis: num(raw.axis), fusedActivation: act(raw) }),
  },
  PACK: {
    table: 'PackOptions',
    toRaw: (o) => ({ values_count: o.valuesCount, axis: o.axis }),
    fromRaw: (raw) => ({ valuesCount: num(raw.values_count), axis: num(raw.axis) }),
  },
  UNPACK: {
    table: 'UnpackOptions',
    toRaw: (o) => ({ num: o.num, axis: o.axis }),
    fromRaw: (raw) => ({ num: num(raw.num), axis: num(raw.axis) }),
  },
  PAD: none('PadOptions'),
  PADV2: none('PadV2Options'),
  MIRROR_PAD: {
    table: 'MirrorPadOptions',
    toRaw: (o) => ({ mode: o.mode }),
    fromRaw: (raw) => ({ mode: str(raw.mode, 'REFLECT') as 'REFLECT' | 'SYMMETRIC' }),
  },
  SLICE: none(),
  STRIDED_SLICE: {
    table: 'StridedSliceOptions',
    toRaw: (o) => ({
      begin_mask: o.beginMask,
      end_mask: o.endMask,
      ellipsis_mask: o.ellipsisMask,
      new_axis_mask: o.newAxisMask,
      shrink_axis_mask: o.shrinkAxisMask,
      offset: o.offset,
    }),
    fromRaw: (raw) => ({
      beginMask: num(raw.begin_mask),
      endMask: num(raw.end_mask),
      ellipsisMask: num(raw.ellipsis_mask),
      newAxisMask: num(raw.new_axis_mask),
      shrinkAxisMask: num(raw.shrink_axis_mask),
      offset: bool(raw.offset),
    }),
  },
  SPLIT: split('SplitOptions'),
  SPLIT_V: split('SplitVOptions'),
  GATHER: {
    table: 'GatherOptions',
    toRaw: (o) => ({ axis: o.axis, batch_dims: o.batchDims }),
    fromRaw: (raw) => ({ axis: num(raw.axis), batchDims: num(raw.batch_dims) }),
  },
  GATHER_ND: none('GatherNdOptions'),
  TOPK_V2: none('TopKV2Options'),
  EQUAL: none('EqualOptions'),
  NON_MAX_SUPPRESSION_V4: none('NonMaxSuppressionV4Options'),
  NON_MAX_SUPPRESSION_V5: none('NonMaxSuppressionV5Options'),
  TILE: none('TileOptions'),
  DEPTH_TO_SPACE: blockSize('DepthToSpaceOptions'),
  SPACE_TO_DEPTH: blockSize('SpaceToDepthOptions'),
  ARG_MAX: {
    table: 'ArgMaxOptions',
    toRaw: (o) => ({ output_type: o.outputType.toUpperCase() }),
    fromRaw: (raw) => ({ outputType: str(raw.output_type, 'INT64') === 'INT32' ? 'int32' : 'int64' }),
  },
  SOFTMAX: {
    table: 'SoftmaxOptions',
    toRaw: (o) => ({ beta: o.beta }),
    fromRaw: (raw) => ({ beta: num(raw.beta, 1) }),
  },
  LOG_SOFTMAX: none(),
  LOGISTIC: none(),
  TANH: none(),
  RELU: none(),
  RELU6: none(),
  RELU_N1_TO_1: none(),
  RELU_0_TO_1: none(),
  LEAKY_RELU: {
    table: 'LeakyReluOptions',
    toRaw: (o) => ({ alpha: o.alpha }),
    fromRaw: (raw) => ({ alpha: num(raw.alpha) }),
  },
  PRELU: none(),
  ELU: none(),
  HARD_SWISH: none(),
  GELU: {
    table: 'GeluOptions',
    toRaw: (o) => ({ approximate: o.approximate }),
    fromRaw: (raw) => ({ approximate: bool(raw.approximate) }),
  },
  EXP: none(),
  LOG: none(),
  SQRT: none(),
  RSQRT: none(),
  SQUARE: none(),
  NEG: none(),
  ABS: none(),
  FLOOR: none(),
  RESIZE_BILINEAR: resize('ResizeBilinearOptions'),
  RESIZE_NEAREST_NEIGHBOR: resize('ResizeNearestNeighborOptions'),
  UNIDIRECTIONAL_SEQUENCE_LSTM: {
    table: 'UnidirectionalSequenceLSTMOptions',
    toRaw: (o) => ({
      fused_activation_function: o.fusedActivation,
      cell_clip: o.cellClip,
      proj_clip: o.projClip,
      time_major: o.timeMajor,
      asymmetric_quantize_inputs: o.asymmetricQuantizeInputs,
      diagonal_recurrent_tensors: o.diagonalRecurrentTensors ?? false,
    }),
    fromRaw: (raw) => ({
      fusedActivation: act(raw),
      cellClip: num(raw.cell_clip),
      projClip: num(raw.proj_clip),
      timeMajor: bool(raw.time_major),
      asymmetricQuantizeInputs: bool(raw.asymmetric_quantize_inputs),
      diagonalRecurrentTensors: bool(raw.diagonal_recurrent_tensors),
    }),
  },
  BIDIRECTIONAL_SEQUENCE_LSTM: {
    table: 'BidirectionalSequenceLSTMOptions',
    toRaw: (o) => ({
      fused_activation_function: o.fusedActivation,
      cell_clip: o.cellClip,
      proj_clip: o.projClip,
      merge_outputs: o.mergeOutputs,
      time_major: o.timeMajor,
      asymmetric_quantize_inputs: o.asymmetricQuantizeInputs,
    }),
    fromRaw: (raw) => ({
      fusedActivation: act(raw),
      cellClip: num(raw.cell_clip),
      projClip: num(raw.proj_clip),
      mergeOutputs: bool(raw.merge_outputs),
      timeMajor: bool(raw.time_major, true),
      asymmetricQuantizeInputs: bool(raw.asymmetric_quantize_inputs),
    }),
  },
  UNIDIRECTIONAL_SEQUENCE_RNN: {
    table: 'SequenceRNNOptions',
    toRaw: (o) => ({ time_major: o.timeMajor, fused_activation_function: o.fusedActivation, asymmetric_quantize_inputs: o.asymmetricQuantizeInputs }),
    fromRaw: (raw) => ({ timeMajor: bool(raw.time_major), fusedActivation: act(raw), asymmetricQuantizeInputs: bool(raw.asymmetric_quantize_inputs) }),
  },
  QUANTIZE: none(),
  DEQUANTIZE: none(),
  CAST: {
    // Official files carry no CastOptions; the types are those of the tensors.
    table: null,
    toRaw: (o) => ({ ...(o.inDataType ? { in_data_type: o.inDataType } : {}), ...(o.outDataType ? { out_data_type: o.outDataType } : {}) }),
    fromRaw: (raw) => ({
      ...(raw.in_data_type !== undefined ? { inDataType: String(raw.in_data_type) } : {}),
      ...(raw.out_data_type !== undefined ? { outDataType: String(raw.out_data_type) } : {}),
    }),
  },
  SELECT_V2: none(),
  FILL: none(),
  SHAPE: none(),
  REVERSE_V2: none(),
};

export function isModelledOp(name: string): name is ModelledOp {
  return name !== 'CUSTOM' && name !== 'OTHER' && Object.prototype.hasOwnProperty.call(OP_BINDINGS, name);
}

export function bindingFor<T extends ModelledOp>(op: T): Binding<T> {
  return OP_BINDINGS[op] as Binding<T>;
}
