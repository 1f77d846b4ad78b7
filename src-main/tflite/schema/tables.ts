// Field ids (vtable slots) of the TFLite tables the reader and writer use (schema.fbs,
// format facts). Ids count fields in declaration order; a union takes two ids (type, value).

export const ModelField = {
  version: 0,
  operatorCodes: 1,
  subgraphs: 2,
  description: 3,
  buffers: 4,
  metadataBuffer: 5,
  metadata: 6,
  signatureDefs: 7,
  externalBufferGroups: 8,
  externalBuffers: 9,
} as const;

export const OperatorCodeField = {
  deprecatedBuiltinCode: 0,
  customCode: 1,
  version: 2,
  builtinCode: 3,
} as const;

export const SubGraphField = {
  tensors: 0,
  inputs: 1,
  outputs: 2,
  operators: 3,
  name: 4,
  debugMetadataIndex: 5,
} as const;

export const TensorField = {
  shape: 0,
  type: 1,
  buffer: 2,
  name: 3,
  quantization: 4,
  isVariable: 5,
  sparsity: 6,
  shapeSignature: 7,
  hasRank: 8,
  variantTensors: 9,
  externalBuffer: 10,
} as const;

export const QuantizationField = {
  min: 0,
  max: 1,
  scale: 2,
  zeroPoint: 3,
  detailsType: 4,
  details: 5,
  quantizedDimension: 6,
} as const;

export const SparsityField = {
  traversalOrder: 0,
  blockMap: 1,
  dimMetadata: 2,
} as const;

export const DimensionMetadataField = {
  format: 0,
  denseSize: 1,
  arraySegmentsType: 2,
  arraySegments: 3,
  arrayIndicesType: 4,
  arrayIndices: 5,
} as const;

/** SparseIndexVector union members; each is a table with one `values` vector (field 0). */
export const SparseIndexVectorType = { NONE: 0, Int32Vector: 1, Uint16Vector: 2, Uint8Vector: 3 } as const;
export const DimensionType = { DENSE: 0, SPARSE_CSR: 1 } as const;

export const OperatorField = {
  opcodeIndex: 0,
  inputs: 1,
  outputs: 2,
  builtinOptionsType: 3,
  builtinOptions: 4,
  customOptions: 5,
  customOptionsFormat: 6,
  mutatingVariableInputs: 7,
  intermediates: 8,
  largeCustomOptionsOffset: 9,
  largeCustomOptionsSize: 10,
  builtinOptions2Type: 11,
  builtinOptions2: 12,
  debugMetadataIndex: 13,
} as const;

export const BufferField = {
  data: 0,
  offset: 1,
  size: 2,
} as const;

export const MetadataField = {
  name: 0,
  buffer: 1,
} as const;

export const TensorMapField = {
  name: 0,
  tensorIndex: 1,
} as const;

export const SignatureDefField = {
  inputs: 0,
  outputs: 1,
  signatureKey: 2,
  deprecatedTag: 3,
  subgraphIndex: 4,
} as const;

/** conversion_metadata.fbs */
export const ConversionMetadataField = { environment: 0, options: 1 } as const;
export const EnvironmentField = { tensorflowVersion: 0, apiVersion: 1, modelType: 2, modelHash: 3 } as const;
export const ConversionOptionsField = {
  modelOptimizationModes: 0,
  allowCustomOps: 1,
  enableSelectTfOps: 2,
  forceSelectTfOps: 3,
  sparsityBlockSizes: 4,
} as const;
export const ModelOptimizationMode = {
  PTQ_FLOAT16: 1001,
  PTQ_DYNAMIC_RANGE: 1002,
  PTQ_FULL_INTEGER: 1003,
  PTQ_INT16: 1004,
  QUANTIZATION_AWARE_TRAINING: 2000,
} as const;

export const TFLITE_FILE_IDENTIFIER = 'TFL3';
export const TFLITE_SCHEMA_VERSION = 3;
