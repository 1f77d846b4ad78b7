// In-graph post-processing that TFLite has builtins for: TopKV2 (k largest along the last axis,
// values and int32 indices), Equal, NonMaxSuppressionV4/V5. The rest (CombinedNonMaxSuppression,
// …) stays on the host: `--outputs` cuts the graph before it (see cut.ts).
import { UnsupportedError } from '../../../errors';
import { dataInputs, type TfNode } from '../tf-node';
import { broadcastShapes, type LowerContext } from './context';

export function lowerTopK(ctx: LowerContext, node: TfNode): void {
  const [xRef, kRef] = dataInputs(node);
  const x = ctx.get(xRef!);
  const k = ctx.constantInts(node, kRef!, 'k')[0]!;
  const shape = [...x.shape.slice(0, -1), k];
  const values = ctx.addTensor(node.name, shape, x.dtype);
  const indices = ctx.addTensor(`${node.name}:1`, shape, 'int32');
  const kName = ctx.addConst(`${node.name}/k`, 'int32', [], Int32Array.of(k));
  ctx.addNode({ name: node.name, op: 'TOPK_V2', inputs: [x.ir, kName], outputs: [values, indices], options: {}, source: { layer: node.name, className: node.op } });
  ctx.define(`${node.name}:0`, { ir: values, shape, dtype: x.dtype });
  ctx.define(`${node.name}:1`, { ir: indices, shape, dtype: 'int32' });
}

export function lowerEqual(ctx: LowerContext, node: TfNode): void {
  const [aRef, bRef] = dataInputs(node);
  const a = ctx.get(aRef!);
  const b = ctx.get(bRef!);
  const shape = broadcastShapes(a.shape, b.shape, `${ctx.modelName}: Equal '${node.name}'`);
  ctx.emit(node, { op: 'EQUAL', inputs: [a.ir, b.ir], options: {} }, shape, 'bool');
}

/** A rank-0 float operand (iou, score threshold, sigma): TFLite's NMS kernels check it. */
function scalarFloat(ctx: LowerContext, node: TfNode, ref: string | undefined, what: string): string {
  const v = ctx.get(ref ?? '');
  if (v.shape.length !== 0 || v.dtype !== 'float32') {
    throw new UnsupportedError(`${ctx.modelName}: ${node.op} '${node.name}' has a ${what} of shape [${v.shape.join(',')}] (${v.dtype}); TFLite needs a float32 scalar.`);
  }
  return v.ir;
}

/**
 * NonMaxSuppressionV4/V5 → NON_MAX_SUPPRESSION_V4/V5: boxes [N, 4], scores [N], a constant
 * max_output_size. TFLite always pads the selected indices (and V5's scores) to max_output_size
 * with zeros after valid_outputs, as TF does with pad_to_max_output_size.
 */
export function lowerNonMaxSuppression(ctx: LowerContext, node: TfNode): void {
  const v5 = node.op === 'NonMaxSuppressionV5';
  const [boxesRef, scoresRef, maxRef, iouRef, scoreRef, sigmaRef] = dataInputs(node);
  const boxes = ctx.get(boxesRef!);
  const scores = ctx.get(scoresRef!);
  const n = boxes.shape[0];
  if (boxes.shape.length !== 2 || boxes.shape[1] !== 4 || scores.shape.length !== 1 || scores.shape[0] !== n || boxes.dtype !== 'float32' || scores.dtype !== 'float32') {
    throw new UnsupportedError(
      `${ctx.modelName}: ${node.op} '${node.name}' takes boxes [N, 4] and scores [N] (float32); it has [${boxes.shape.join(',')}] and [${scores.shape.join(',')}]; cut the graph before it with --outputs.`,
    );
  }
  const max = ctx.constantInts(node, maxRef!, 'max_output_size')[0] ?? 0;
  if (!(max > 0)) throw new UnsupportedError(`${ctx.modelName}: ${node.op} '${node.name}' has max_output_size ${max}; it must be at least 1.`);
  const inputs = [boxes.ir, scores.ir, ctx.addConst(`${node.name}/max_output_size`, 'int32', [], Int32Array.of(max)), scalarFloat(ctx, node, iouRef, 'iou_threshold'), scalarFloat(ctx, node, scoreRef, 'score_threshold')];
  if (v5) inputs.push(scalarFloat(ctx, node, sigmaRef, 'soft_nms_sigma'));
  const indices = ctx.addTensor(node.name, [max], 'int32');
  const selectedScores = v5 ? [ctx.addTensor(`${node.name}:1`, [max], 'float32')] : [];
  const valid = ctx.addTensor(`${node.name}:${v5 ? 2 : 1}`, [], 'int32');
  const op = v5 ? 'NON_MAX_SUPPRESSION_V5' : 'NON_MAX_SUPPRESSION_V4';
  ctx.addNode({ name: node.name, op, inputs, outputs: [indices, ...selectedScores, valid], options: {}, source: { layer: node.name, className: node.op } });
  ctx.define(`${node.name}:0`, { ir: indices, shape: [max], dtype: 'int32' });
  if (v5) ctx.define(`${node.name}:1`, { ir: selectedScores[0]!, shape: [max], dtype: 'float32' });
  ctx.define(`${node.name}:${v5 ? 2 : 1}`, { ir: valid, shape: [], dtype: 'int32' });
}
