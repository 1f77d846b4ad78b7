// In-graph post-processing that TFLite has builtins for: TopKV2 (k largest along the last axis,
// values and int32 indices) and Equal. NMS and the rest stay on the host: `--outputs` cuts the
// graph before them (see cut.ts).
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
