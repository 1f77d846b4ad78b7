// Dense (also on 3-D inputs, with keep_num_dims as the converter writes it) and Embedding.
import type { Value } from '../builder';
import { emitActivation } from './activation';
import type { LowerContext } from './context';

/** [in, out] → [out, in] (TFLite FULLY_CONNECTED weights). */
export function transpose2d(w: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = w[r * cols + c]!;
  return out;
}

/** FULLY_CONNECTED of x (any rank ≥ 2, contracting the last axis) with Keras kernel [in, out]. */
export function fullyConnected(ctx: LowerContext, x: Value, kernel: Float32Array, units: number, biasData: Float32Array | null, names = { w: 'MatMul', b: 'BiasAdd/ReadVariableOp/resource', out: 'BiasAdd' }): Value {
  const inDim = x.shape.at(-1)!;
  const w = ctx.b.constant(ctx.t(names.w), [units, inDim], transpose2d(kernel, inDim, units));
  const b = biasData ? ctx.b.constant(ctx.t(names.b), [units], biasData) : null;
  const keep = x.shape.length > 2;
  return ctx.b.op('FULLY_CONNECTED', ctx.t(biasData ? names.out : names.w), [x, w, b], { fusedActivation: 'NONE', keepNumDims: keep }, [...x.shape.slice(0, -1), units]);
}

export function lowerDense(ctx: LowerContext, inputs: Value[]): Value[] {
  const x = ctx.input(inputs);
  const units = ctx.num('units');
  const inDim = x.shape.at(-1)!;
  const kernel = ctx.weight(['kernel'], 0, [inDim, units]);
  const biasData = ctx.bool('use_bias', true) ? ctx.weight(['bias'], 1, [units], 'zeros') : null;
  const y = fullyConnected(ctx, x, kernel, units, biasData);
  return [emitActivation(ctx, y, ctx.activation())];
}

export function lowerEmbedding(ctx: LowerContext, inputs: Value[]): Value[] {
  let x = ctx.input(inputs);
  const vocab = ctx.num('input_dim');
  const dim = ctx.num('output_dim');
  if (ctx.bool('mask_zero', false)) ctx.fail('mask_zero=True is not supported (masking has no TFLite equivalent here).');
  const table = ctx.b.constant(ctx.t('embedding_lookup'), [vocab, dim], ctx.weight(['embeddings'], 0, [vocab, dim], 'small'));
  if (x.dtype !== 'int32') {
    x = ctx.b.op('CAST', ctx.t('Cast'), [x], { inDataType: x.dtype, outDataType: 'int32' }, x.shape, 'int32');
  }
  return [ctx.b.op('GATHER', ctx.t('embedding_lookup/Identity'), [table, x], { axis: 0, batchDims: 0 }, [...x.shape, dim])];
}
