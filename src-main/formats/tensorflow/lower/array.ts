// Shape and layout ops: Reshape, Squeeze, ExpandDims, ConcatV2, Pack, Split, SplitV, Slice,
// StridedSlice, Transpose, Pad/PadV2/MirrorPad. Shape operands must be constants.
import { UnsupportedError } from '../../../errors';
import { attrInt, attrInts, attrString, dataInputs, type TfNode } from '../tf-node';
import { product, type LowerContext } from './context';

function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

export function lowerReshape(ctx: LowerContext, node: TfNode): void {
  const [xRef, shapeRef] = dataInputs(node);
  const x = ctx.get(xRef!);
  const requested = ctx.constantInts(node, shapeRef!, 'shape');
  const known = product(requested.filter((d) => d !== -1));
  const total = product(x.shape);
  const shape = requested.map((d) => (d === -1 ? total / known : d));
  if (product(shape) !== total) throw new UnsupportedError(`${ctx.modelName}: Reshape '${node.name}' from [${x.shape}] to [${requested}] does not fit.`);
  const shapeName = ctx.addConst(`${node.name}/shape`, 'int32', [shape.length], Int32Array.from(shape));
  ctx.emit(node, { op: 'RESHAPE', inputs: [x.ir, shapeName], options: { newShape: shape } }, shape, x.dtype);
}

function emitReshape(ctx: LowerContext, node: TfNode, shape: number[]): void {
  const x = ctx.get(dataInputs(node)[0]!);
  const shapeName = ctx.addConst(`${node.name}/shape`, 'int32', [shape.length], Int32Array.from(shape));
  ctx.emit(node, { op: 'RESHAPE', inputs: [x.ir, shapeName], options: { newShape: shape } }, shape, x.dtype);
}

export function lowerSqueeze(ctx: LowerContext, node: TfNode): void {
  const x = ctx.get(dataInputs(node)[0]!);
  const dims = attrInts(node, 'squeeze_dims').map((a) => normAxis(a, x.shape.length));
  emitReshape(ctx, node, x.shape.filter((d, i) => (dims.length ? !dims.includes(i) : d !== 1)));
}

export function lowerExpandDims(ctx: LowerContext, node: TfNode): void {
  const [xRef, axisRef] = dataInputs(node);
  const x = ctx.get(xRef!);
  const axis = normAxis(ctx.constantInts(node, axisRef!, 'axis')[0]!, x.shape.length + 1);
  const shape = [...x.shape];
  shape.splice(axis, 0, 1);
  emitReshape(ctx, node, shape);
}

export function lowerConcat(ctx: LowerContext, node: TfNode): void {
  const refs = dataInputs(node);
  const isPack = node.op === 'Pack';
  const parts = (isPack ? refs : refs.slice(0, -1)).map((r) => ctx.get(r));
  const rank = parts[0]!.shape.length + (isPack ? 1 : 0);
  const axis = normAxis(isPack ? attrInt(node, 'axis', 0) : ctx.constantInts(node, refs[refs.length - 1]!, 'axis')[0]!, rank);
  if (isPack) {
    const shape = [...parts[0]!.shape];
    shape.splice(axis, 0, parts.length);
    ctx.emit(node, { op: 'PACK', inputs: parts.map((p) => p.ir), options: { valuesCount: parts.length, axis } }, shape, parts[0]!.dtype);
    return;
  }
  const shape = [...parts[0]!.shape];
  shape[axis] = parts.reduce((n, p) => n + p.shape[axis]!, 0);
  ctx.emit(node, { op: 'CONCATENATION', inputs: parts.map((p) => p.ir), options: { axis, fusedActivation: 'NONE' } }, shape, parts[0]!.dtype);
}

export function lowerSplit(ctx: LowerContext, node: TfNode): void {
  const refs = dataInputs(node);
  const isV = node.op === 'SplitV';
  const x = ctx.get(isV ? refs[0]! : refs[1]!);
  const axisRef = isV ? refs[2]! : refs[0]!;
  const axis = normAxis(ctx.constantInts(node, axisRef, 'axis')[0]!, x.shape.length);
  const num = attrInt(node, 'num_split');
  let sizes: number[];
  if (isV) {
    sizes = ctx.constantInts(node, refs[1]!, 'size_splits');
    const known = sizes.filter((s) => s !== -1).reduce((a, b) => a + b, 0);
    sizes = sizes.map((s) => (s === -1 ? x.shape[axis]! - known : s));
  } else {
    sizes = new Array<number>(num).fill(x.shape[axis]! / num);
  }
  const axisName = ctx.addConst(`${node.name}/axis`, 'int32', [], Int32Array.of(axis));
  const outputs = sizes.map((s, i) => {
    const shape = [...x.shape];
    shape[axis] = s;
    const name = ctx.addTensor(i === 0 ? node.name : `${node.name}:${i}`, shape, x.dtype);
    ctx.define(`${node.name}:${i}`, { ir: name, shape, dtype: x.dtype });
    return name;
  });
  const source = { layer: node.name, className: node.op };
  if (isV) {
    const sizesName = ctx.addConst(`${node.name}/size_splits`, 'int32', [sizes.length], Int32Array.from(sizes));
    ctx.addNode({ name: node.name, op: 'SPLIT_V', inputs: [x.ir, sizesName, axisName], outputs, options: { numSplits: sizes.length }, source });
  } else {
    ctx.addNode({ name: node.name, op: 'SPLIT', inputs: [axisName, x.ir], outputs, options: { numSplits: num }, source });
  }
}

export function lowerSlice(ctx: LowerContext, node: TfNode): void {
  const [xRef, beginRef, sizeRef] = dataInputs(node);
  const x = ctx.get(xRef!);
  const begin = ctx.constantInts(node, beginRef!, 'begin');
  const size = ctx.constantInts(node, sizeRef!, 'size').map((s, i) => (s === -1 ? x.shape[i]! - begin[i]! : s));
  const b = ctx.addConst(`${node.name}/begin`, 'int32', [begin.length], Int32Array.from(begin));
  const s = ctx.addConst(`${node.name}/size`, 'int32', [size.length], Int32Array.from(size));
  ctx.emit(node, { op: 'SLICE', inputs: [x.ir, b, s], options: {} }, size, x.dtype);
}

/** Expands an ellipsis in a strided-slice spec into full-range entries over the axes it stands for. */
function expandEllipsis(rank: number, begin: number[], end: number[], strides: number[], masks: { begin: number; end: number; ellipsis: number; shrink: number }) {
  const at = masks.ellipsis ? Math.log2(masks.ellipsis & -masks.ellipsis) : -1;
  if (at < 0) return { begin, end, strides, masks };
  const fill = rank - (begin.length - 1);
  const out = { begin: [] as number[], end: [] as number[], strides: [] as number[], masks: { begin: 0, end: 0, ellipsis: 0, shrink: 0 } };
  let axis = 0;
  for (let k = 0; k < begin.length; k++) {
    if (k === at) {
      for (let f = 0; f < fill; f++, axis++) {
        out.begin.push(0);
        out.end.push(0);
        out.strides.push(1);
        out.masks.begin |= 1 << axis;
        out.masks.end |= 1 << axis;
      }
      continue;
    }
    out.begin.push(begin[k]!);
    out.end.push(end[k]!);
    out.strides.push(strides[k]!);
    if (masks.begin & (1 << k)) out.masks.begin |= 1 << axis;
    if (masks.end & (1 << k)) out.masks.end |= 1 << axis;
    if (masks.shrink & (1 << k)) out.masks.shrink |= 1 << axis;
    axis++;
  }
  return out;
}

export function lowerStridedSlice(ctx: LowerContext, node: TfNode): void {
  const [xRef, beginRef, endRef, stridesRef] = dataInputs(node);
  const x = ctx.get(xRef!);
  const raw = {
    begin: attrInt(node, 'begin_mask', 0),
    end: attrInt(node, 'end_mask', 0),
    ellipsis: attrInt(node, 'ellipsis_mask', 0),
    shrink: attrInt(node, 'shrink_axis_mask', 0),
  };
  if (attrInt(node, 'new_axis_mask', 0)) {
    throw new UnsupportedError(`${ctx.modelName}: StridedSlice '${node.name}' with a new-axis mask is not supported.`);
  }
  // `x[..., :2]` as exported by ultralytics: the ellipsis becomes explicit full ranges.
  const { begin, end, strides, masks } = expandEllipsis(
    x.shape.length,
    ctx.constantInts(node, beginRef!, 'begin'),
    ctx.constantInts(node, endRef!, 'end'),
    ctx.constantInts(node, stridesRef!, 'strides'),
    raw,
  );
  const shape: number[] = [];
  x.shape.forEach((dim, i) => {
    if (i >= begin.length) {
      shape.push(dim);
      return;
    }
    const stride = strides[i] ?? 1;
    if (masks.shrink & (1 << i)) return;
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + dim : v, stride > 0 ? 0 : -1), stride > 0 ? dim : dim - 1);
    const b = masks.begin & (1 << i) ? (stride > 0 ? 0 : dim - 1) : clamp(begin[i]!);
    const e = masks.end & (1 << i) ? (stride > 0 ? dim : -1) : clamp(end[i]!);
    shape.push(Math.max(0, Math.ceil((e - b) / stride)));
  });
  const ints = (name: string, v: number[]) => ctx.addConst(`${node.name}/${name}`, 'int32', [v.length], Int32Array.from(v));
  ctx.emit(
    node,
    {
      op: 'STRIDED_SLICE',
      inputs: [x.ir, ints('begin', begin), ints('end', end), ints('strides', strides)],
      options: { beginMask: masks.begin, endMask: masks.end, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: masks.shrink, offset: false },
    },
    shape,
    x.dtype,
  );
}

export function lowerTranspose(ctx: LowerContext, node: TfNode): void {
  const [xRef, permRef] = dataInputs(node);
  const x = ctx.get(xRef!);
  const perm = ctx.constantInts(node, permRef!, 'permutation');
  const p = ctx.addConst(`${node.name}/perm`, 'int32', [perm.length], Int32Array.from(perm));
  ctx.emit(node, { op: 'TRANSPOSE', inputs: [x.ir, p], options: {} }, perm.map((i) => x.shape[i]!), x.dtype);
}

export function lowerPad(ctx: LowerContext, node: TfNode): void {
  const [xRef, padRef, valueRef] = dataInputs(node);
  const x = ctx.get(xRef!);
  const pads = ctx.constantInts(node, padRef!, 'paddings');
  const shape = x.shape.map((d, i) => d + pads[2 * i]! + pads[2 * i + 1]!);
  const p = ctx.addConst(`${node.name}/paddings`, 'int32', [x.shape.length, 2], Int32Array.from(pads));
  // A max-pool's -inf padding imported as SYMMETRIC mirroring (maxpool-padding.ts) keeps its value
  // as a third input, for dims too narrow to mirror (TFLite needs padding ≤ the dim).
  const narrow = pads.some((n, i) => n > x.shape[Math.floor(i / 2)]!);
  if (node.op === 'MirrorPad' && !(valueRef && narrow)) {
    const mode = attrString(node, 'mode', 'REFLECT') === 'SYMMETRIC' ? 'SYMMETRIC' : 'REFLECT';
    ctx.emit(node, { op: 'MIRROR_PAD', inputs: [x.ir, p], options: { mode } }, shape, x.dtype);
  } else if ((node.op === 'PadV2' || node.op === 'MirrorPad') && valueRef) {
    ctx.emit(node, { op: 'PADV2', inputs: [x.ir, p, ctx.get(valueRef).ir], options: {} }, shape, x.dtype);
  } else {
    ctx.emit(node, { op: 'PAD', inputs: [x.ir, p], options: {} }, shape, x.dtype);
  }
}
