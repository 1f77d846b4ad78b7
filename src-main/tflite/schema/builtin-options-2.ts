// TFLite BuiltinOptions2 union (schema.fbs, format facts): the StableHLO-era option tables.
// Union type id = index in BUILTIN_OPTIONS_2 + 1 (0 = NONE). Layout rules as in builtin-options.ts.
import { f, type FieldSpec } from './field-spec';

export const BUILTIN_OPTIONS_2: readonly string[] = Object.freeze([
  'StablehloConcatenateOptions', 'StablehloBroadcastInDimOptions', 'StablehloSliceOptions',
  'StablehloConvolutionOptions', 'StablehloCustomCallOptions', 'StablehloReduceOptions',
  'StablehloScatterOptions', 'StablehloCompareOptions', 'StablehloDynamicSliceOptions',
  'StablehloPadOptions', 'StablehloIotaOptions', 'StablehloDotGeneralOptions',
  'StablehloReduceWindowOptions', 'StablehloSortOptions', 'StablehloWhileOptions',
  'StablehloGatherOptions', 'StablehloTransposeOptions', 'DilateOptions',
  'StablehloRngBitGeneratorOptions', 'ReduceWindowOptions', 'StableHLOCompositeOptions',
  'StablehloShiftLeftOptions', 'StablehloCaseOptions',
]);

export const BUILTIN_OPTIONS_2_TABLES: Readonly<Record<string, readonly FieldSpec[]>> = {
  StablehloConcatenateOptions: [
    f('dimension', 'i64'),
  ],
  StablehloBroadcastInDimOptions: [
    f('broadcast_dimensions', '[i64]'),
  ],
  StablehloSliceOptions: [
    f('start_indices', '[i64]'),
    f('limit_indices', '[i64]'),
    f('strides', '[i64]'),
  ],
  // StablehloConvolutionOptions: has nested tables; shown as raw.
  StablehloConvolutionOptions: [],
  StablehloCustomCallOptions: [
    f('call_target_name', 'string'),
    f('has_side_effect', 'bool'),
    f('backend_config', 'string'),
    f('api_version', 'i32'),
    f('called_computations', '[i32]'),
    f('custom_attributes', '[u8]'),
  ],
  StablehloReduceOptions: [
    f('dimensions', '[i64]'),
    f('body_subgraph_index', 'i32'),
  ],
  StablehloScatterOptions: [
    f('indices_are_sorted', 'bool'),
    f('update_window_dims', '[i64]'),
    f('inserted_window_dims', '[i64]'),
    f('scatter_dims_to_operand_dims', '[i64]'),
    f('index_vector_dim', 'i64'),
    f('unique_indices', 'bool'),
    f('update_computation_subgraph_index', 'i32'),
  ],
  StablehloCompareOptions: [
    f('comparison_direction', 'u32', { enumName: 'StablehloComparisonDirection' }),
    f('compare_type', 'u32', { enumName: 'StablehloComparisonType' }),
  ],
  StablehloDynamicSliceOptions: [
    f('slice_sizes', '[i64]'),
  ],
  StablehloPadOptions: [
    f('edge_padding_low', '[i64]'),
    f('edge_padding_high', '[i64]'),
    f('interior_padding', '[i64]'),
  ],
  StablehloIotaOptions: [
    f('iota_dimension', 'i64'),
  ],
  // StablehloDotGeneralOptions: has nested tables; shown as raw.
  StablehloDotGeneralOptions: [],
  StablehloReduceWindowOptions: [
    f('window_dimensions', '[i64]'),
    f('window_strides', '[i64]'),
    f('base_dilations', '[i64]'),
    f('window_dilations', '[i64]'),
    f('padding', '[i64]'),
    f('body_subgraph_index', 'i32'),
  ],
  StablehloSortOptions: [
    f('dimension', 'i64'),
    f('is_stable', 'bool'),
    f('comparator_subgraph_index', 'i32'),
  ],
  StablehloWhileOptions: [
    f('cond_subgraph_index', 'i32'),
    f('body_subgraph_index', 'i32'),
  ],
  StablehloGatherOptions: [
    f('offset_dims', '[i64]'),
    f('collapsed_slice_dims', '[i64]'),
    f('start_index_map', '[i64]'),
    f('index_vector_dim', 'i64'),
    f('slice_sizes', '[i64]'),
    f('indices_are_sorted', 'bool'),
  ],
  StablehloTransposeOptions: [
    f('permutation', '[i64]'),
  ],
  DilateOptions: [],
  StablehloRngBitGeneratorOptions: [
    f('algorithm', 'i8', { enumName: 'RngAlgorithm' }),
  ],
  ReduceWindowOptions: [
    f('reduce_function', 'i32', { enumName: 'ReduceWindowFunction' }),
  ],
  StableHLOCompositeOptions: [
    f('name', 'string'),
    f('decomposition_subgraph_index', 'i32'),
    f('composite_attributes', '[u8]'),
    f('composite_attributes_format', 'i8', { enumName: 'CustomOptionsFormat' }),
    f('version', 'i32'),
  ],
  StablehloShiftLeftOptions: [],
  StablehloCaseOptions: [
    f('branch_subgraph_indices', '[i32]'),
  ],
};
