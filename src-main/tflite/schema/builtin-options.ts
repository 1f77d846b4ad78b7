// TFLite option tables (schema.fbs, format facts). A table's fields are listed in field-id
// order (the id is the position); enums are stored as their base integer kind with the enum
// name kept for display (field-spec.ts). BuiltinOptions union type id = index in
// BUILTIN_OPTIONS + 1 (0 = NONE); the StableHLO-era BuiltinOptions2 union is in builtin-options-2.ts.
import { BUILTIN_OPTIONS_2_TABLES } from './builtin-options-2';
import { f, type FieldSpec } from './field-spec';

export type { FieldKind, FieldSpec } from './field-spec';


export const BUILTIN_OPTIONS: readonly string[] = Object.freeze([
  'Conv2DOptions', 'DepthwiseConv2DOptions', 'ConcatEmbeddingsOptions',
  'LSHProjectionOptions', 'Pool2DOptions', 'SVDFOptions',
  'RNNOptions', 'FullyConnectedOptions', 'SoftmaxOptions',
  'ConcatenationOptions', 'AddOptions', 'L2NormOptions',
  'LocalResponseNormalizationOptions', 'LSTMOptions', 'ResizeBilinearOptions',
  'CallOptions', 'ReshapeOptions', 'SkipGramOptions',
  'SpaceToDepthOptions', 'EmbeddingLookupSparseOptions', 'MulOptions',
  'PadOptions', 'GatherOptions', 'BatchToSpaceNDOptions',
  'SpaceToBatchNDOptions', 'TransposeOptions', 'ReducerOptions',
  'SubOptions', 'DivOptions', 'SqueezeOptions',
  'SequenceRNNOptions', 'StridedSliceOptions', 'ExpOptions',
  'TopKV2Options', 'SplitOptions', 'LogSoftmaxOptions',
  'CastOptions', 'DequantizeOptions', 'MaximumMinimumOptions',
  'ArgMaxOptions', 'LessOptions', 'NegOptions',
  'PadV2Options', 'GreaterOptions', 'GreaterEqualOptions',
  'LessEqualOptions', 'SelectOptions', 'SliceOptions',
  'TransposeConvOptions', 'SparseToDenseOptions', 'TileOptions',
  'ExpandDimsOptions', 'EqualOptions', 'NotEqualOptions',
  'ShapeOptions', 'PowOptions', 'ArgMinOptions',
  'FakeQuantOptions', 'PackOptions', 'LogicalOrOptions',
  'OneHotOptions', 'LogicalAndOptions', 'LogicalNotOptions',
  'UnpackOptions', 'FloorDivOptions', 'SquareOptions',
  'ZerosLikeOptions', 'FillOptions', 'BidirectionalSequenceLSTMOptions',
  'BidirectionalSequenceRNNOptions', 'UnidirectionalSequenceLSTMOptions', 'FloorModOptions',
  'RangeOptions', 'ResizeNearestNeighborOptions', 'LeakyReluOptions',
  'SquaredDifferenceOptions', 'MirrorPadOptions', 'AbsOptions',
  'SplitVOptions', 'UniqueOptions', 'ReverseV2Options',
  'AddNOptions', 'GatherNdOptions', 'CosOptions',
  'WhereOptions', 'RankOptions', 'ReverseSequenceOptions',
  'MatrixDiagOptions', 'QuantizeOptions', 'MatrixSetDiagOptions',
  'HardSwishOptions', 'IfOptions', 'WhileOptions',
  'DepthToSpaceOptions', 'NonMaxSuppressionV4Options', 'NonMaxSuppressionV5Options',
  'ScatterNdOptions', 'SelectV2Options', 'DensifyOptions',
  'SegmentSumOptions', 'BatchMatMulOptions', 'CumsumOptions',
  'CallOnceOptions', 'BroadcastToOptions', 'Rfft2dOptions',
  'Conv3DOptions', 'HashtableOptions', 'HashtableFindOptions',
  'HashtableImportOptions', 'HashtableSizeOptions', 'VarHandleOptions',
  'ReadVariableOptions', 'AssignVariableOptions', 'RandomOptions',
  'BucketizeOptions', 'GeluOptions', 'DynamicUpdateSliceOptions',
  'UnsortedSegmentProdOptions', 'UnsortedSegmentMaxOptions', 'UnsortedSegmentMinOptions',
  'UnsortedSegmentSumOptions', 'ATan2Options', 'SignOptions',
  'BitcastOptions', 'BitwiseXorOptions', 'RightShiftOptions',
]);


const BUILTIN_OPTION_TABLES: Readonly<Record<string, readonly FieldSpec[]>> = {
  Conv2DOptions: [
    f('padding', 'i8', { enumName: 'Padding' }),
    f('stride_w', 'i32'),
    f('stride_h', 'i32'),
    f('fused_activation_function', 'i8', { enumName: 'ActivationFunctionType' }),
    f('dilation_w_factor', 'i32', { defaultValue: 1 }),
    f('dilation_h_factor', 'i32', { defaultValue: 1 }),
    f('quantized_bias_type', 'i8', { enumName: 'TensorType' }),
  ],
  DepthwiseConv2DOptions: [
    f('padding', 'i8', { enumName: 'Padding' }),
    f('stride_w', 'i32'),
    f('stride_h', 'i32'),
    f('depth_multiplier', 'i32'),
    f('fused_activation_function', 'i8', { enumName: 'ActivationFunctionType' }),
    f('dilation_w_factor', 'i32', { defaultValue: 1 }),
    f('dilation_h_factor', 'i32', { defaultValue: 1 }),
  ],
  ConcatEmbeddingsOptions: [
    f('num_channels', 'i32'),
    f('num_columns_per_channel', '[i32]'),
    f('embedding_dim_per_channel', '[i32]'),
  ],
  LSHProjectionOptions: [
    f('type', 'i8', { enumName: 'LSHProjectionType' }),
  ],
  Pool2DOptions: [
    f('padding', 'i8', { enumName: 'Padding' }),
    f('stride_w', 'i32'),
    f('stride_h', 'i32'),
    f('filter_width', 'i32'),
    f('filter_height', 'i32'),
    f('fused_activation_function', 'i8', { enumName: 'ActivationFunctionType' }),
  ],
  SVDFOptions: [
    f('rank', 'i32'),
    f('fused_activation_function', 'i8', { enumName: 'ActivationFunctionType' }),
    f('asymmetric_quantize_inputs', 'bool'),
  ],
  RNNOptions: [
    f('fused_activation_function', 'i8', { enumName: 'ActivationFunctionType' }),
    f('asymmetric_quantize_inputs', 'bool'),
  ],
  FullyConnectedOptions: [
    f('fused_activation_function', 'i8', { enumName: 'ActivationFunctionType' }),
    f('weights_format', 'i8', { defaultValue: 0, enumName: 'FullyConnectedOptionsWeightsFormat' }),
    f('keep_num_dims', 'bool'),
    f('asymmetric_quantize_inputs', 'bool'),
    f('quantized_bias_type', 'i8', { enumName: 'TensorType' }),
  ],
  SoftmaxOptions: [
    f('beta', 'f32'),
  ],
  ConcatenationOptions: [
    f('axis', 'i32'),
    f('fused_activation_function', 'i8', { enumName: 'ActivationFunctionType' }),
  ],
  AddOptions: [
    f('fused_activation_function', 'i8', { enumName: 'ActivationFunctionType' }),
    f('pot_scale_int16', 'bool', { defaultValue: true }),
  ],
  L2NormOptions: [
    f('fused_activation_function', 'i8', { enumName: 'ActivationFunctionType' }),
  ],
  LocalResponseNormalizationOptions: [
    f('radius', 'i32'),
    f('bias', 'f32'),
    f('alpha', 'f32'),
    f('beta', 'f32'),
  ],
  LSTMOptions: [
    f('fused_activation_function', 'i8', { enumName: 'ActivationFunctionType' }),
    f('cell_clip', 'f32'),
    f('proj_clip', 'f32'),
    f('kernel_type', 'i8', { defaultValue: 0, enumName: 'LSTMKernelType' }),
    f('asymmetric_quantize_inputs', 'bool'),
  ],
  ResizeBilinearOptions: [
    f('new_height', 'i32', { deprecated: true }),
    f('new_width', 'i32', { deprecated: true }),
    f('align_corners', 'bool'),
    f('half_pixel_centers', 'bool'),
  ],
  CallOptions: [
    f('subgraph', 'u32'),
  ],
  ReshapeOptions: [
    f('new_shape', '[i32]'),
  ],
  SkipGramOptions: [
    f('ngram_size', 'i32'),
    f('max_skip_size', 'i32'),
    f('include_all_ngrams', 'bool'),
  ],
  SpaceToDepthOptions: [
    f('block_size', 'i32'),
  ],
  EmbeddingLookupSparseOptions: [
    f('combiner', 'i8', { enumName: 'CombinerType' }),
  ],
  MulOptions: [
    f('fused_activation_function', 'i8', { enumName: 'ActivationFunctionType' }),
  ],
  PadOptions: [],
  GatherOptions: [
    f('axis', 'i32'),
    f('batch_dims', 'i32', { defaultValue: 0 }),
  ],
  BatchToSpaceNDOptions: [],
  SpaceToBatchNDOptions: [],
  TransposeOptions: [],
  ReducerOptions: [
    f('keep_dims', 'bool'),
  ],
  SubOptions: [
    f('fused_activation_function', 'i8', { enumName: 'ActivationFunctionType' }),
    f('pot_scale_int16', 'bool', { defaultValue: true }),
  ],
  DivOptions: [
    f('fused_activation_function', 'i8', { enumName: 'ActivationFunctionType' }),
  ],
  SqueezeOptions: [
    f('squeeze_dims', '[i32]'),
  ],
  SequenceRNNOptions: [
    f('time_major', 'bool'),
    f('fused_activation_function', 'i8', { enumName: 'ActivationFunctionType' }),
    f('asymmetric_quantize_inputs', 'bool'),
  ],
  StridedSliceOptions: [
    f('begin_mask', 'i32'),
    f('end_mask', 'i32'),
    f('ellipsis_mask', 'i32'),
    f('new_axis_mask', 'i32'),
    f('shrink_axis_mask', 'i32'),
    f('offset', 'bool'),
  ],
  ExpOptions: [],
  TopKV2Options: [],
  SplitOptions: [
    f('num_splits', 'i32'),
  ],
  LogSoftmaxOptions: [],
  CastOptions: [
    f('in_data_type', 'i8', { enumName: 'TensorType' }),
    f('out_data_type', 'i8', { enumName: 'TensorType' }),
  ],
  DequantizeOptions: [],
  MaximumMinimumOptions: [],
  ArgMaxOptions: [
    f('output_type', 'i8', { enumName: 'TensorType' }),
  ],
  LessOptions: [],
  NegOptions: [],
  PadV2Options: [],
  GreaterOptions: [],
  GreaterEqualOptions: [],
  LessEqualOptions: [],
  SelectOptions: [],
  SliceOptions: [],
  TransposeConvOptions: [
    f('padding', 'i8', { enumName: 'Padding' }),
    f('stride_w', 'i32'),
    f('stride_h', 'i32'),
    f('fused_activation_function', 'i8', { defaultValue: 0, enumName: 'ActivationFunctionType' }),
    f('quantized_bias_type', 'i8', { enumName: 'TensorType' }),
  ],
  SparseToDenseOptions: [
    f('validate_indices', 'bool'),
  ],
  TileOptions: [],
  ExpandDimsOptions: [],
  EqualOptions: [],
  NotEqualOptions: [],
  ShapeOptions: [
    f('out_type', 'i8', { enumName: 'TensorType' }),
  ],
  PowOptions: [],
  ArgMinOptions: [
    f('output_type', 'i8', { enumName: 'TensorType' }),
  ],
  FakeQuantOptions: [
    f('min', 'f32'),
    f('max', 'f32'),
    f('num_bits', 'i32'),
    f('narrow_range', 'bool'),
  ],
  PackOptions: [
    f('values_count', 'i32'),
    f('axis', 'i32'),
  ],
  LogicalOrOptions: [],
  OneHotOptions: [
    f('axis', 'i32'),
  ],
  LogicalAndOptions: [],
  LogicalNotOptions: [],
  UnpackOptions: [
    f('num', 'i32'),
    f('axis', 'i32'),
  ],
  FloorDivOptions: [],
  SquareOptions: [],
  ZerosLikeOptions: [],
  FillOptions: [],
  BidirectionalSequenceLSTMOptions: [
    f('fused_activation_function', 'i8', { enumName: 'ActivationFunctionType' }),
    f('cell_clip', 'f32'),
    f('proj_clip', 'f32'),
    f('merge_outputs', 'bool'),
    f('time_major', 'bool', { defaultValue: true }),
    f('asymmetric_quantize_inputs', 'bool'),
  ],
  BidirectionalSequenceRNNOptions: [
    f('time_major', 'bool'),
    f('fused_activation_function', 'i8', { enumName: 'ActivationFunctionType' }),
    f('merge_outputs', 'bool'),
    f('asymmetric_quantize_inputs', 'bool'),
  ],
  UnidirectionalSequenceLSTMOptions: [
    f('fused_activation_function', 'i8', { enumName: 'ActivationFunctionType' }),
    f('cell_clip', 'f32'),
    f('proj_clip', 'f32'),
    f('time_major', 'bool'),
    f('asymmetric_quantize_inputs', 'bool'),
    f('diagonal_recurrent_tensors', 'bool'),
  ],
  FloorModOptions: [],
  RangeOptions: [],
  ResizeNearestNeighborOptions: [
    f('align_corners', 'bool'),
    f('half_pixel_centers', 'bool'),
  ],
  LeakyReluOptions: [
    f('alpha', 'f32'),
  ],
  SquaredDifferenceOptions: [],
  MirrorPadOptions: [
    f('mode', 'i8', { enumName: 'MirrorPadMode' }),
  ],
  AbsOptions: [],
  SplitVOptions: [
    f('num_splits', 'i32'),
  ],
  UniqueOptions: [
    f('idx_out_type', 'i8', { defaultValue: 2, enumName: 'TensorType' }),
  ],
  ReverseV2Options: [],
  AddNOptions: [],
  GatherNdOptions: [],
  CosOptions: [],
  WhereOptions: [],
  RankOptions: [],
  ReverseSequenceOptions: [
    f('seq_dim', 'i32'),
    f('batch_dim', 'i32', { defaultValue: 0 }),
  ],
  MatrixDiagOptions: [],
  QuantizeOptions: [],
  MatrixSetDiagOptions: [],
  HardSwishOptions: [],
  IfOptions: [
    f('then_subgraph_index', 'i32'),
    f('else_subgraph_index', 'i32'),
  ],
  WhileOptions: [
    f('cond_subgraph_index', 'i32'),
    f('body_subgraph_index', 'i32'),
  ],
  DepthToSpaceOptions: [
    f('block_size', 'i32'),
  ],
  NonMaxSuppressionV4Options: [],
  NonMaxSuppressionV5Options: [],
  ScatterNdOptions: [],
  SelectV2Options: [],
  DensifyOptions: [],
  SegmentSumOptions: [],
  BatchMatMulOptions: [
    f('adj_x', 'bool'),
    f('adj_y', 'bool'),
    f('asymmetric_quantize_inputs', 'bool'),
  ],
  CumsumOptions: [
    f('exclusive', 'bool'),
    f('reverse', 'bool'),
  ],
  CallOnceOptions: [
    f('init_subgraph_index', 'i32'),
  ],
  BroadcastToOptions: [],
  Rfft2dOptions: [],
  Conv3DOptions: [
    f('padding', 'i8', { enumName: 'Padding' }),
    f('stride_d', 'i32'),
    f('stride_w', 'i32'),
    f('stride_h', 'i32'),
    f('fused_activation_function', 'i8', { enumName: 'ActivationFunctionType' }),
    f('dilation_d_factor', 'i32', { defaultValue: 1 }),
    f('dilation_w_factor', 'i32', { defaultValue: 1 }),
    f('dilation_h_factor', 'i32', { defaultValue: 1 }),
  ],
  HashtableOptions: [
    f('table_id', 'i32'),
    f('key_dtype', 'i8', { enumName: 'TensorType' }),
    f('value_dtype', 'i8', { enumName: 'TensorType' }),
  ],
  HashtableFindOptions: [],
  HashtableImportOptions: [],
  HashtableSizeOptions: [],
  VarHandleOptions: [
    f('container', 'string'),
    f('shared_name', 'string'),
  ],
  ReadVariableOptions: [],
  AssignVariableOptions: [],
  RandomOptions: [
    f('seed', 'i64'),
    f('seed2', 'i64'),
  ],
  BucketizeOptions: [
    f('boundaries', '[f32]'),
  ],
  GeluOptions: [
    f('approximate', 'bool'),
  ],
  DynamicUpdateSliceOptions: [],
  UnsortedSegmentProdOptions: [],
  UnsortedSegmentMaxOptions: [],
  UnsortedSegmentMinOptions: [],
  UnsortedSegmentSumOptions: [],
  ATan2Options: [],
  SignOptions: [],
  BitcastOptions: [],
  BitwiseXorOptions: [],
  RightShiftOptions: [],
};

/** Enum value names for display of enum-typed option fields. */
export const OPTION_ENUMS: Readonly<Record<string, readonly string[]>> = {
  Padding: ['SAME', 'VALID'],
  ActivationFunctionType: ['NONE', 'RELU', 'RELU_N1_TO_1', 'RELU6', 'TANH', 'SIGN_BIT'],
  LSHProjectionType: ['UNKNOWN', 'SPARSE', 'DENSE'],
  FullyConnectedOptionsWeightsFormat: ['DEFAULT', 'SHUFFLED4x16INT8'],
  LSTMKernelType: ['FULL', 'BASIC'],
  CombinerType: ['SUM', 'MEAN', 'SQRTN'],
  MirrorPadMode: ['REFLECT', 'SYMMETRIC'],
  TensorType: ['FLOAT32', 'FLOAT16', 'INT32', 'UINT8', 'INT64', 'STRING', 'BOOL', 'INT16', 'COMPLEX64', 'INT8', 'FLOAT64', 'COMPLEX128', 'UINT64', 'RESOURCE', 'VARIANT', 'UINT32', 'UINT16', 'INT4', 'BFLOAT16', 'INT2', 'UINT4', 'FLOAT8_E4M3FN', 'FLOAT8_E5M2'],
  StablehloPrecisionConfig: ['DEFAULT', 'HIGH', 'HIGHEST'],
  StablehloComparisonDirection: ['STABLEHLO_COMPARISON_DIRECTION_EQ', 'STABLEHLO_COMPARISON_DIRECTION_NE', 'STABLEHLO_COMPARISON_DIRECTION_GE', 'STABLEHLO_COMPARISON_DIRECTION_GT', 'STABLEHLO_COMPARISON_DIRECTION_LE', 'STABLEHLO_COMPARISON_DIRECTION_LT'],
  StablehloComparisonType: ['STABLEHLO_COMPARISON_TYPE_NOTYPE', 'STABLEHLO_COMPARISON_TYPE_FLOAT', 'STABLEHLO_COMPARISON_TYPE_FLOAT_TOTAL_ORDER', 'STABLEHLO_COMPARISON_TYPE_SIGNED', 'STABLEHLO_COMPARISON_TYPE_UNSIGNED'],
  RngAlgorithm: ['DEFAULT', 'PHILOX', 'THREEFRY'],
  ReduceWindowFunction: ['UNSUPPORTED', 'ADD', 'MUL', 'MINIMUM', 'MAXIMUM', 'ALL', 'ANY'],
  CustomOptionsFormat: ['FLEXBUFFERS'],
};

/** Layouts of every option table, BuiltinOptions and BuiltinOptions2 members alike. */
export const OPTION_TABLES: Readonly<Record<string, readonly FieldSpec[]>> = { ...BUILTIN_OPTION_TABLES, ...BUILTIN_OPTIONS_2_TABLES };

export function builtinOptionsTypeId(table: string): number {
  const index = BUILTIN_OPTIONS.indexOf(table);
  if (index < 0) throw new Error(`Unknown BuiltinOptions table '${table}'.`);
  return index + 1;
}
