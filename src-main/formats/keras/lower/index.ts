// The Keras layer table: class name → lowering function (one module per layer family).
import type { Value } from '../builder';
import {
  lowerActivation,
  lowerELU,
  lowerLeakyReLU,
  lowerPReLU,
  lowerReLU,
  lowerSoftmax,
} from './activation';
import type { LowerContext } from './context';
import { lowerConv1D, lowerConv2D, lowerConv2DTranspose, lowerDepthwiseConv2D, lowerSeparableConv2D } from './conv';
import { lowerDense, lowerEmbedding } from './dense';
import { lowerConcatenate, lowerMerge } from './merge';
import { lowerBatchNormalization, lowerLayerNormalization, lowerNormalization, lowerRescaling } from './norm';
import { lowerGlobalPool, lowerPool1D, lowerPool2D } from './pool';
import { lowerBidirectional, lowerGRU, lowerLSTM, lowerSimpleRNN } from './rnn';
import {
  identity,
  lowerCropping,
  lowerFlatten,
  lowerPermute,
  lowerRepeatVector,
  lowerReshape,
  lowerUpSampling1D,
  lowerUpSampling2D,
  lowerZeroPadding,
} from './shape';
import { lowerTfOpLambda } from './tf-functions';

export type LowerFn = (ctx: LowerContext, inputs: Value[]) => Value[];

export const layerTable: Readonly<Record<string, LowerFn>> = Object.freeze({
  Conv1D: lowerConv1D,
  Conv2D: lowerConv2D,
  DepthwiseConv2D: lowerDepthwiseConv2D,
  SeparableConv2D: lowerSeparableConv2D,
  Conv2DTranspose: lowerConv2DTranspose,
  Dense: lowerDense,
  Embedding: lowerEmbedding,
  BatchNormalization: lowerBatchNormalization,
  LayerNormalization: lowerLayerNormalization,
  Rescaling: lowerRescaling,
  Normalization: lowerNormalization,
  Activation: lowerActivation,
  ReLU: lowerReLU,
  LeakyReLU: lowerLeakyReLU,
  PReLU: lowerPReLU,
  ELU: lowerELU,
  Softmax: lowerSoftmax,
  MaxPooling1D: lowerPool1D('MAX_POOL_2D'),
  MaxPool1D: lowerPool1D('MAX_POOL_2D'),
  AveragePooling1D: lowerPool1D('AVERAGE_POOL_2D'),
  AvgPool1D: lowerPool1D('AVERAGE_POOL_2D'),
  MaxPooling2D: lowerPool2D('MAX_POOL_2D'),
  MaxPool2D: lowerPool2D('MAX_POOL_2D'),
  AveragePooling2D: lowerPool2D('AVERAGE_POOL_2D'),
  AvgPool2D: lowerPool2D('AVERAGE_POOL_2D'),
  GlobalAveragePooling1D: lowerGlobalPool('MEAN', 1),
  GlobalAveragePooling2D: lowerGlobalPool('MEAN', 2),
  GlobalMaxPooling1D: lowerGlobalPool('REDUCE_MAX', 1),
  GlobalMaxPooling2D: lowerGlobalPool('REDUCE_MAX', 2),
  GlobalAvgPool2D: lowerGlobalPool('MEAN', 2),
  GlobalMaxPool2D: lowerGlobalPool('REDUCE_MAX', 2),
  Flatten: lowerFlatten,
  Reshape: lowerReshape,
  Permute: lowerPermute,
  RepeatVector: lowerRepeatVector,
  ZeroPadding1D: lowerZeroPadding(1),
  ZeroPadding2D: lowerZeroPadding(2),
  Cropping1D: lowerCropping(1),
  Cropping2D: lowerCropping(2),
  UpSampling1D: lowerUpSampling1D,
  UpSampling2D: lowerUpSampling2D,
  Add: lowerMerge('ADD'),
  Subtract: lowerMerge('SUB'),
  Multiply: lowerMerge('MUL'),
  Average: lowerMerge('AVERAGE'),
  Maximum: lowerMerge('MAXIMUM'),
  Minimum: lowerMerge('MINIMUM'),
  Concatenate: lowerConcatenate,
  LSTM: lowerLSTM,
  GRU: lowerGRU,
  SimpleRNN: lowerSimpleRNN,
  Bidirectional: lowerBidirectional,
  // Calls of TF functions in a functional model: only the vetted table in tf-functions.ts.
  TFOpLambda: lowerTfOpLambda,
  SlicingOpLambda: lowerTfOpLambda,
  // Inference no-ops: removed here; the identity pass cleans anything left behind.
  Dropout: identity,
  SpatialDropout1D: identity,
  SpatialDropout2D: identity,
  GaussianNoise: identity,
  GaussianDropout: identity,
  AlphaDropout: identity,
  ActivityRegularization: identity,
});

/** Layer classes that need user code to run (always rejected with their name). */
export const CUSTOM_CODE_CLASSES = new Set(['Lambda', 'Custom>Lambda']);
