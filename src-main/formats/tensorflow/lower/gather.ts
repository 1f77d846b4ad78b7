// Index and block ops: GatherV2, GatherNd, Unpack, ArgMax, Tile, DepthToSpace, SpaceToDepth and
// BatchMatMul(V2) with adjoint flags. Axes and multiples must be constants; indices may be dynamic.
import { UnsupportedError } from '../../../errors';
import { attrBool, attrInt, attrString, dataInputs, type TfNode } from '../tf-node';
import { broadcastShapes, type LowerContext, type Value } from './context';

function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/** Integer index operands as int32 IR tensors (TF may hand int64 constants, already narrowed on load). */
function indexInput(ctx: LowerContext, node: TfNode, v: Value): string {
  if (v.dtype === 'int32' || v.dtype === 'int64') return v.ir;
  throw new UnsupportedError(`${ctx.modelName}: ${node.op} '${node.name}' has ${v.dtype} indices; integer indices are required.`);
}

export function lowerGather(ctx: LowerContext, node: TfNode): void {
  const [xRef, indicesRef, axisRef] = dataInputs(node);
  const x = ctx.get(xRef!);
  const indices = ctx.get(indicesRef!);
  const axis = normAxis(axisRef ? ctx.constantInts(node, axisRef, 'axis')[0]! : 0, x.shape.length);
  const batchDims = attrInt(node, 'batch_dims', 0);
  const shape = [...x.shape.slice(0, axis), ...indices.shape.slice(batchDims), ...x.shape.slice(axis + 1)];
  ctx.emit(node, { op: 'GATHER', inputs: [x.ir, indexInput(ctx, node, indices)], options: { axis, batchDims } }, shape, x.dtype);
}

export function lowerGatherNd(ctx: LowerContext, node: TfNode): void {
  const [xRef, indicesRef] = dataInputs(node);
  const x = ctx.get(xRef!);
  const indices = ctx.get(indicesRef!);
  const depth = indices.shape[indices.shape.length - 1]!;
  const shape = [...indices.shape.slice(0, -1), ...x.shape.slice(depth)];
  ctx.emit(node, { op: 'GATHER_ND', inputs: [x.ir, indexInput(ctx, node, indices)], options: {} }, shape, x.dtype);
}

export function lowerUnpack(ctx: LowerContext, node: TfNode): void {
  const x = ctx.get(dataInputs(node)[0]!);
  const axis = normAxis(attrInt(node, 'axis', 0), x.shape.length);
  const num = attrInt(node, 'num', x.shape[axis]);
  const shape = x.shape.filter((_, i) => i !== axis);
  const outputs = Array.from({ length: num }, (_, i) => {
    const name = ctx.addTensor(i === 0 ? node.name : `${node.name}:${i}`, shape, x.dtype);
    ctx.define(`${node.name}:${i}`, { ir: name, shape, dtype: x.dtype });
    return name;
  });
  ctx.addNode({ name: node.name, op: 'UNPACK', inputs: [x.ir], outputs, options: { num, axis }, source: { layer: node.name, className: node.op } });
}

export function lowerArgMax(ctx: LowerContext, node: TfNode): void {
  const [xRef, axisRef] = dataInputs(node);
  const x = ctx.get(xRef!);
  const axis = normAxis(ctx.constantInts(node, axisRef!, 'dimension')[0]!, x.shape.length);
  const t = node.attr.output_type;
  // int64 indices are narrowed to int32: the IR keeps indices as int32 and TFLite accepts both.
  if (t?.kind === 'type' && t.value !== 'DT_INT32' && t.value !== 'DT_INT64') throw new UnsupportedError(`${ctx.modelName}: ArgMax '${node.name}' output type ${t.value} is not supported.`);
  const axisName = ctx.addConst(`${node.name}/dimension`, 'int32', [1], Int32Array.of(axis));
  ctx.emit(node, { op: 'ARG_MAX', inputs: [x.ir, axisName], options: { outputType: 'int32' } }, x.shape.filter((_, i) => i !== axis), 'int32');
}

export function lowerTile(ctx: LowerContext, node: TfNode): void {
  const [xRef, multiplesRef] = dataInputs(node);
  const x = ctx.get(xRef!);
  const multiples = ctx.constantInts(node, multiplesRef!, 'multiples');
  const m = ctx.addConst(`${node.name}/multiples`, 'int32', [multiples.length], Int32Array.from(multiples));
  ctx.emit(node, { op: 'TILE', inputs: [x.ir, m], options: {} }, x.shape.map((d, i) => d * multiples[i]!), x.dtype);
}

export function lowerDepthToSpace(ctx: LowerContext, node: TfNode): void {
  const x = ctx.get(dataInputs(node)[0]!);
  const format = attrString(node, 'data_format', 'NHWC');
  if (format !== 'NHWC' || x.shape.length !== 4) throw new UnsupportedError(`${ctx.modelName}: ${node.op} '${node.name}' needs a 4-D NHWC input (got ${format}, rank ${x.shape.length}).`);
  const b = attrInt(node, 'block_size');
  const [n, h, w, c] = x.shape as [number, number, number, number];
  if (node.op === 'DepthToSpace') {
    ctx.emit(node, { op: 'DEPTH_TO_SPACE', inputs: [x.ir], options: { blockSize: b } }, [n, h * b, w * b, c / (b * b)], x.dtype);
  } else {
    ctx.emit(node, { op: 'SPACE_TO_DEPTH', inputs: [x.ir], options: { blockSize: b } }, [n, h / b, w / b, c * b * b], x.dtype);
  }
}

export function lowerBatchMatMul(ctx: LowerContext, node: TfNode): void {
  const [aRef, bRef] = dataInputs(node);
  const a = ctx.get(aRef!);
  const b = ctx.get(bRef!);
  const adjX = attrBool(node, 'adj_x');
  const adjY = attrBool(node, 'adj_y');
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = a.shape[adjX ? ra - 1 : ra - 2]!;
  const n = b.shape[adjY ? rb - 2 : rb - 1]!;
  const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), `${ctx.modelName}: ${node.op} '${node.name}'`);
  ctx.emit(node, { op: 'BATCH_MATMUL', inputs: [a.ir, b.ir], options: { adjX, adjY, asymmetricQuantizeInputs: false } }, [...batch, m, n]);
}
