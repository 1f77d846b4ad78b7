// Convolutions and matrix products: Conv2D, DepthwiseConv2dNative, their fused TF.js/grappler
// forms (_FusedConv2D, FusedDepthwiseConv2dNative, _FusedMatMul), Conv2DBackpropInput, MatMul.
// Weights are re-laid out for TFLite (OHWI conv, 1HW(I·M) depthwise, [out,in] FC).
import type { FusedActivation, Padding } from '../../../graph/ops';
import { UnsupportedError } from '../../../errors';
import { attrFloat, attrInts, attrString, attrStrings, attrBool, dataInputs, type TfNode } from '../tf-node';
import { LowerContext, transposeHost, windowOutput, type Value } from './context';
import { emitActivation } from './elementwise';

interface Epilogue {
  bias?: Float32Array;
  /** Activation fused into the op when TFLite can fuse it. */
  fused: FusedActivation;
  /** Activation emitted as its own op afterwards. */
  separate?: { op: string; args: string[] };
}

function padding(ctx: LowerContext, node: TfNode): Padding {
  const p = attrString(node, 'padding', 'VALID');
  if (p === 'SAME' || p === 'VALID') return p;
  throw new UnsupportedError(`${ctx.modelName}: ${node.op} '${node.name}' uses ${p} padding; only SAME and VALID convert.`);
}

function requireNhwc(ctx: LowerContext, node: TfNode): void {
  const format = attrString(node, 'data_format', 'NHWC');
  if (format !== 'NHWC') throw new UnsupportedError(`${ctx.modelName}: ${node.op} '${node.name}' uses ${format}; only NHWC graphs convert.`);
}

/** Reads fused_ops (BiasAdd | FusedBatchNorm, then an optional activation) of a fused op. */
function epilogue(ctx: LowerContext, node: TfNode, args: string[], channels: number): Epilogue {
  const ops = attrStrings(node, 'fused_ops');
  const result: Epilogue = { fused: 'NONE' };
  let rest = ops;
  if (ops[0] === 'BiasAdd') {
    result.bias = Float32Array.from(ctx.constant(node, args[0]!, 'bias'));
    rest = ops.slice(1);
  } else if (ops[0] === 'FusedBatchNorm') {
    const [scale, offset, mean, variance] = args.slice(0, 4).map((a) => ctx.constant(node, a, 'batch-norm parameter'));
    const eps = attrFloat(node, 'epsilon', 1e-3);
    const bias = new Float32Array(channels);
    const multiplier = new Float32Array(channels);
    for (let c = 0; c < channels; c++) {
      multiplier[c] = scale![c]! / Math.sqrt(variance![c]! + eps);
      bias[c] = offset![c]! - mean![c]! * multiplier[c]!;
    }
    result.bias = bias;
    (result as Epilogue & { multiplier?: Float32Array }).multiplier = multiplier;
    rest = ops.slice(1);
  }
  const activation = rest[0];
  if (activation === undefined) return result;
  if (rest.length > 1) throw new UnsupportedError(`${ctx.modelName}: ${node.op} '${node.name}' fuses ${ops.join('+')}, which is not supported.`);
  if (activation === 'Relu') result.fused = 'RELU';
  else if (activation === 'Relu6') result.fused = 'RELU6';
  else result.separate = { op: activation, args: activation === 'Prelu' ? args.slice(1) : [] };
  return result;
}

function multiplierOf(e: Epilogue): Float32Array | undefined {
  return (e as Epilogue & { multiplier?: Float32Array }).multiplier;
}

function finish(ctx: LowerContext, node: TfNode, out: Value, e: Epilogue): void {
  if (!e.separate) return;
  emitActivation(ctx, node, out, e.separate.op, e.separate.args);
}

export function lowerConv2D(ctx: LowerContext, node: TfNode): void {
  requireNhwc(ctx, node);
  const [xRef, wRef, ...args] = dataInputs(node);
  const x = ctx.get(xRef!);
  const w = ctx.constant(node, wRef!, 'filter');
  const [kh, kw, cin, cout] = ctx.get(wRef!).shape as [number, number, number, number];
  if (x.shape[3] !== cin) {
    throw new UnsupportedError(`${ctx.modelName}: Conv2D '${node.name}' with groups (input ${x.shape[3]} channels, filter ${cin}) is not supported.`);
  }
  const e = node.op === 'Conv2D' ? { fused: 'NONE' as FusedActivation } : epilogue(ctx, node, args, cout);
  let weights = transposeHost(Float32Array.from(w), [kh, kw, cin, cout], [3, 0, 1, 2]).data;
  const m = multiplierOf(e);
  if (m) weights = weights.map((v, i) => v * m[Math.floor(i / (kh * kw * cin))]!);
  const [, sh, sw] = attrInts(node, 'strides');
  const [, dh, dw] = attrInts(node, 'dilations').length ? attrInts(node, 'dilations') : [1, 1, 1];
  const pad = padding(ctx, node);
  const shape = [x.shape[0]!, windowOutput(x.shape[1]!, kh, sh ?? 1, dh ?? 1, pad), windowOutput(x.shape[2]!, kw, sw ?? 1, dw ?? 1, pad), cout];
  const wName = ctx.addConst(`${node.name}/weights`, 'float32', [cout, kh, kw, cin], weights);
  const bName = ctx.addConst(`${node.name}/bias`, 'float32', [cout], e.bias ?? new Float32Array(cout));
  const out = ctx.emit(
    node,
    {
      op: 'CONV_2D',
      inputs: [x.ir, wName, bName],
      options: { padding: pad, strideH: sh ?? 1, strideW: sw ?? 1, dilationH: dh ?? 1, dilationW: dw ?? 1, fusedActivation: e.fused },
    },
    shape,
  );
  finish(ctx, node, out, e);
}

export function lowerDepthwise(ctx: LowerContext, node: TfNode): void {
  requireNhwc(ctx, node);
  const [xRef, wRef, ...args] = dataInputs(node);
  const x = ctx.get(xRef!);
  const w = ctx.constant(node, wRef!, 'filter');
  const [kh, kw, cin, mult] = ctx.get(wRef!).shape as [number, number, number, number];
  const cout = cin * mult;
  const e = node.op === 'DepthwiseConv2dNative' ? { fused: 'NONE' as FusedActivation } : epilogue(ctx, node, args, cout);
  // TF [H,W,I,M] flattened is already TFLite's [1,H,W,I*M] in row-major order.
  let weights = Float32Array.from(w);
  const m = multiplierOf(e);
  if (m) weights = weights.map((v, i) => v * m[i % cout]!);
  const [, sh, sw] = attrInts(node, 'strides');
  const dil = attrInts(node, 'dilations');
  const dh = dil[1] ?? 1;
  const dw = dil[2] ?? 1;
  const pad = padding(ctx, node);
  const shape = [x.shape[0]!, windowOutput(x.shape[1]!, kh, sh ?? 1, dh, pad), windowOutput(x.shape[2]!, kw, sw ?? 1, dw, pad), cout];
  const wName = ctx.addConst(`${node.name}/weights`, 'float32', [1, kh, kw, cout], weights);
  const bName = ctx.addConst(`${node.name}/bias`, 'float32', [cout], e.bias ?? new Float32Array(cout));
  const out = ctx.emit(
    node,
    {
      op: 'DEPTHWISE_CONV_2D',
      inputs: [x.ir, wName, bName],
      options: {
        padding: pad,
        strideH: sh ?? 1,
        strideW: sw ?? 1,
        dilationH: dh,
        dilationW: dw,
        depthMultiplier: mult,
        fusedActivation: e.fused,
      },
    },
    shape,
  );
  finish(ctx, node, out, e);
}

export function lowerConv2DBackpropInput(ctx: LowerContext, node: TfNode): void {
  requireNhwc(ctx, node);
  const [shapeRef, wRef, xRef] = dataInputs(node);
  const outShape = ctx.constantInts(node, shapeRef!, 'output shape');
  const x = ctx.get(xRef!);
  const [kh, kw, cout, cin] = ctx.get(wRef!).shape as [number, number, number, number];
  const w = transposeHost(Float32Array.from(ctx.constant(node, wRef!, 'filter')), [kh, kw, cout, cin], [2, 0, 1, 3]).data;
  const [, sh, sw] = attrInts(node, 'strides');
  const shape = [x.shape[0]!, outShape[1]!, outShape[2]!, outShape[3]!];
  const shapeName = ctx.addConst(`${node.name}/output_shape`, 'int32', [4], Int32Array.from(shape));
  const wName = ctx.addConst(`${node.name}/weights`, 'float32', [cout, kh, kw, cin], w);
  ctx.emit(
    node,
    {
      op: 'TRANSPOSE_CONV',
      inputs: [shapeName, wName, x.ir],
      options: { padding: padding(ctx, node), strideH: sh ?? 1, strideW: sw ?? 1, fusedActivation: 'NONE' },
    },
    shape,
  );
}

export function lowerMatMul(ctx: LowerContext, node: TfNode): void {
  const [aRef, bRef, ...args] = dataInputs(node);
  const a = ctx.get(aRef!);
  const b = ctx.get(bRef!);
  if (attrBool(node, 'transpose_a')) throw new UnsupportedError(`${ctx.modelName}: MatMul '${node.name}' with transpose_a is not supported.`);
  if (!b.constant) {
    const shape = [a.shape[0]!, b.shape[attrBool(node, 'transpose_b') ? 0 : 1]!];
    ctx.emit(node, { op: 'BATCH_MATMUL', inputs: [a.ir, b.ir], options: { adjX: false, adjY: attrBool(node, 'transpose_b'), asymmetricQuantizeInputs: false } }, shape);
    return;
  }
  const transposeB = attrBool(node, 'transpose_b');
  const [rows, cols] = b.shape as [number, number];
  const units = transposeB ? rows : cols;
  const inner = transposeB ? cols : rows;
  // TFLite FULLY_CONNECTED wants weights as [units, inner].
  const weights = transposeB ? Float32Array.from(b.constant) : transposeHost(Float32Array.from(b.constant), [rows, cols], [1, 0]).data;
  const e = node.op === 'MatMul' ? { fused: 'NONE' as FusedActivation } : epilogue(ctx, node, args, units);
  const wName = ctx.addConst(`${node.name}/weights`, 'float32', [units, inner], weights);
  const bName = ctx.addConst(`${node.name}/bias`, 'float32', [units], e.bias ?? new Float32Array(units));
  const out = ctx.emit(
    node,
    { op: 'FULLY_CONNECTED', inputs: [a.ir, wName, bName], options: { fusedActivation: e.fused, keepNumDims: false } },
    [a.shape[0]!, units],
  );
  finish(ctx, node, out, e);
}
