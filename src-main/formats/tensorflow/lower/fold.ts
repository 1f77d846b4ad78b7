// Constant folding: a TF node whose data inputs are all constants is evaluated once with
// tfjs at import time, so shape arithmetic and pre-multiplied weights never reach the file.
import type { Tf } from '../../../graph/tfjs-backend';
import type * as TfNamespace from '@tensorflow/tfjs';
import { attrBool, attrInt, attrInts, dataInputs, type TfNode } from '../tf-node';
import type { HostArray, LowerContext, Value } from './context';
import { InputError, oneLine } from '../../../errors';

type Tensor = TfNamespace.Tensor;
type Folder = (tf: Tf, x: Tensor[], node: TfNode, shapes: number[][]) => Tensor;

const FOLDERS: Record<string, Folder> = {
  Add: (tf, [a, b]) => tf.add(a!, b!),
  AddV2: (tf, [a, b]) => tf.add(a!, b!),
  BiasAdd: (tf, [a, b]) => tf.add(a!, b!),
  Sub: (tf, [a, b]) => tf.sub(a!, b!),
  Mul: (tf, [a, b]) => tf.mul(a!, b!),
  RealDiv: (tf, [a, b]) => tf.div(a!, b!),
  FloorDiv: (tf, [a, b]) => tf.floorDiv(a!, b!),
  FloorMod: (tf, [a, b]) => tf.mod(a!, b!),
  Maximum: (tf, [a, b]) => tf.maximum(a!, b!),
  Minimum: (tf, [a, b]) => tf.minimum(a!, b!),
  Neg: (tf, [a]) => tf.neg(a!),
  Sqrt: (tf, [a]) => tf.sqrt(a!),
  Rsqrt: (tf, [a]) => tf.rsqrt(a!),
  Square: (tf, [a]) => tf.square(a!),
  Reshape: (tf, [a, s]) => tf.reshape(a!, Array.from(s!.dataSync())),
  Transpose: (tf, [a, p]) => tf.transpose(a!, Array.from(p!.dataSync())),
  ExpandDims: (tf, [a, axis]) => tf.expandDims(a!, axis!.dataSync()[0]),
  Squeeze: (tf, [a], node) => tf.squeeze(a!, attrInts(node, 'squeeze_dims').length ? attrInts(node, 'squeeze_dims') : undefined),
  Pack: (tf, xs, node) => tf.stack(xs, attrInt(node, 'axis', 0)),
  ConcatV2: (tf, xs) => tf.concat(xs.slice(0, -1), xs[xs.length - 1]!.dataSync()[0]),
  Slice: (tf, [a, b, s]) => tf.slice(a!, Array.from(b!.dataSync()), Array.from(s!.dataSync())),
  StridedSlice: (tf, [a, b, e, s], node) =>
    tf.stridedSlice(
      a!,
      Array.from(b!.dataSync()),
      Array.from(e!.dataSync()),
      Array.from(s!.dataSync()),
      attrInt(node, 'begin_mask', 0),
      attrInt(node, 'end_mask', 0),
      attrInt(node, 'ellipsis_mask', 0),
      attrInt(node, 'new_axis_mask', 0),
      attrInt(node, 'shrink_axis_mask', 0),
    ),
  Cast: (tf, [a], node) => tf.cast(a!, castTarget(node)),
  Fill: (tf, [dims, v]) => tf.fill(Array.from(dims!.dataSync()), v!.dataSync()[0]!, v!.dtype),
  Range: (tf, [s, l, d]) => tf.range(s!.dataSync()[0]!, l!.dataSync()[0]!, d!.dataSync()[0]!, s!.dtype === 'int32' ? 'int32' : 'float32'),
  Prod: (tf, [a, axes], node) => tf.prod(a!, Array.from(axes!.dataSync()), attrBool(node, 'keep_dims')),
  Sum: (tf, [a, axes], node) => tf.sum(a!, Array.from(axes!.dataSync()), attrBool(node, 'keep_dims')),
  Mean: (tf, [a, axes], node) => tf.mean(a!, Array.from(axes!.dataSync()), attrBool(node, 'keep_dims')),
  GatherV2: (tf, [a, i, axis], node) => tf.gather(a!, i!, axis ? axis.dataSync()[0] : 0, attrInt(node, 'batch_dims', 0)),
  GatherNd: (tf, [a, i]) => tf.gatherND(a!, i!),
  Floor: (tf, [a]) => tf.floor(a!),
  Tile: (tf, [a, m]) => tf.tile(a!, Array.from(m!.dataSync())),
  MatMul: (tf, [a, b], node) => tf.matMul(a!, b!, attrBool(node, 'transpose_a'), attrBool(node, 'transpose_b')),
  // ONNX → TF exports build shape operands this way (NanoDet: 6 of them, all from constants).
  SparseToDense: (tf, [indices, shape, values, fallback]) => tf.sparseToDense(indices!, values!, Array.from(shape!.dataSync()), tf.reshape(fallback!, []) as TfNamespace.Scalar),
};

/** Ops this module can evaluate at import time when all their data inputs are constants. */
export function isFoldable(op: string): boolean {
  return op === 'Shape' || op in FOLDERS;
}

function castTarget(node: TfNode): 'float32' | 'int32' | 'bool' {
  const t = node.attr.DstT;
  if (t?.kind === 'type' && (t.value === 'DT_INT32' || t.value === 'DT_INT64')) return 'int32';
  if (t?.kind === 'type' && t.value === 'DT_BOOL') return 'bool';
  return 'float32';
}

/** Shape of a value known statically: folds `Shape` of any tensor with a static shape. */
function foldShape(ctx: LowerContext, node: TfNode): boolean {
  if (node.op !== 'Shape') return false;
  const x = ctx.get(dataInputs(node)[0]!);
  ctx.defineConst(`${node.name}:0`, node.name, [x.shape.length], Int32Array.from(x.shape));
  return true;
}

export async function tryFold(ctx: LowerContext, node: TfNode, tfjs: () => Promise<Tf>): Promise<boolean> {
  if (foldShape(ctx, node)) return true;
  const folder = FOLDERS[node.op];
  if (!folder) return false;
  const inputs: Value[] = dataInputs(node).map((r) => ctx.get(r));
  if (inputs.length === 0 || inputs.some((v) => !v.constant)) return false;
  const tf = await tfjs();
  let result: Tensor;
  try {
    result = tf.tidy(() => {
      const xs = inputs.map((v) => tf.tensor(v.constant!, v.shape, v.constant instanceof Int32Array ? 'int32' : 'float32'));
      const out = folder(tf, xs, node, inputs.map((v) => v.shape));
      return out.dtype === 'bool' ? tf.cast(out, 'int32') : out;
    });
  } catch (error) {
    // tfjs refuses what the node's inputs cannot compute (a missing operand, shapes that do not
    // agree): the graph itself is malformed, so say which node, not tfjs' argument names.
    const why = oneLine(error).slice(0, 160);
    throw new InputError(`${ctx.modelName}: ${node.op} '${node.name}' cannot be computed from its ${inputs.length} constant input(s) (${why}); the graph file is damaged or malformed.`);
  }
  const data: HostArray = result.dtype === 'int32' ? Int32Array.from(result.dataSync()) : Float32Array.from(result.dataSync());
  ctx.defineConst(`${node.name}:0`, node.name, result.shape, data);
  result.dispose();
  return true;
}
