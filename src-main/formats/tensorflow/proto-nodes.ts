// GraphDef nodes decoded by protobufjs (SavedModel graph_def) → TfNode, with constant values
// read from TensorProto (tensor_content or the typed *_val fields).
import { UnsupportedError } from '../../errors';
import type { TfAttr, TfNode, TfShape, TfTensorValue } from './tf-node';
import { tfDtypeToArray } from './tf-dtypes';

interface ProtoShape {
  dim?: { size?: number }[];
  unknownRank?: boolean;
}
export interface ProtoTensor {
  dtype?: string;
  tensorShape?: ProtoShape;
  tensorContent?: Uint8Array;
  halfVal?: number[];
  floatVal?: number[];
  doubleVal?: number[];
  intVal?: number[];
  int64Val?: number[];
  boolVal?: boolean[];
}
interface ProtoAttr {
  s?: Uint8Array;
  i?: number;
  f?: number;
  b?: boolean;
  type?: string;
  shape?: ProtoShape;
  tensor?: ProtoTensor;
  list?: { s?: Uint8Array[]; i?: number[]; f?: number[]; b?: boolean[]; type?: string[]; shape?: ProtoShape[] };
  func?: { name?: string };
}
export interface ProtoNode {
  name?: string;
  op?: string;
  input?: string[];
  attr?: Record<string, ProtoAttr>;
}

const text = new TextDecoder();

function shape(s: ProtoShape | undefined): TfShape {
  if (!s || s.unknownRank) return { dims: null };
  return { dims: (s.dim ?? []).map((d) => Number(d.size ?? 0)) };
}

/** The value of a Const node's TensorProto, broadcasting a single *_val entry as TF does. */
export function tensorValue(t: ProtoTensor, where: string): TfTensorValue {
  const dtype = t.dtype ?? 'DT_FLOAT';
  const dims = shape(t.tensorShape).dims ?? [];
  const count = dims.reduce((a, b) => a * b, 1);
  if (t.tensorContent && t.tensorContent.length > 0) return { dtype, shape: dims, data: tfDtypeToArray(dtype, t.tensorContent, where) };
  const fill = <T>(values: T[] | undefined): T[] => {
    const list = values ?? [];
    if (list.length === count) return list;
    if (list.length === 0) return new Array<T>(count).fill(0 as T);
    return Array.from({ length: count }, (_, i) => list[Math.min(i, list.length - 1)]!);
  };
  switch (dtype) {
    case 'DT_FLOAT':
      return { dtype, shape: dims, data: Float32Array.from(fill(t.floatVal)) };
    case 'DT_DOUBLE':
      return { dtype: 'DT_FLOAT', shape: dims, data: Float32Array.from(fill(t.doubleVal)) };
    case 'DT_INT32':
    case 'DT_INT16':
    case 'DT_INT8':
    case 'DT_UINT8':
      return { dtype: 'DT_INT32', shape: dims, data: Int32Array.from(fill(t.intVal)) };
    case 'DT_INT64':
      return { dtype: 'DT_INT32', shape: dims, data: Int32Array.from(fill(t.int64Val), Number) };
    case 'DT_BOOL':
      return { dtype: 'DT_INT32', shape: dims, data: Int32Array.from(fill(t.boolVal), (b) => (b ? 1 : 0)) };
    case 'DT_HALF':
      return { dtype, shape: dims, data: Uint16Array.from(fill(t.halfVal)) };
    default:
      throw new UnsupportedError(`${where}: constant of type ${dtype} is not supported.`);
  }
}

function convertAttr(a: ProtoAttr, where: string): TfAttr | undefined {
  if (a.s !== undefined) return { kind: 's', value: text.decode(a.s) };
  if (a.i !== undefined) return { kind: 'i', value: Number(a.i) };
  if (a.f !== undefined) return { kind: 'f', value: a.f };
  if (a.b !== undefined) return { kind: 'b', value: a.b };
  if (a.type !== undefined) return { kind: 'type', value: a.type };
  if (a.shape !== undefined) return { kind: 'shape', value: shape(a.shape) };
  if (a.tensor !== undefined) return { kind: 'tensor', value: tensorValue(a.tensor, where) };
  if (a.list !== undefined) {
    const l = a.list;
    return {
      kind: 'list',
      value: {
        ...(l.s ? { s: l.s.map((b) => text.decode(b)) } : {}),
        ...(l.i ? { i: l.i.map(Number) } : {}),
        ...(l.f ? { f: l.f } : {}),
        ...(l.b ? { b: l.b } : {}),
        ...(l.type ? { type: l.type } : {}),
        ...(l.shape ? { shape: l.shape.map(shape) } : {}),
      },
    };
  }
  if (a.func !== undefined) return { kind: 'func', value: a.func.name ?? '' };
  return undefined;
}

export function fromProtoNode(node: ProtoNode, where: string): TfNode {
  const name = node.name ?? '';
  const attr: Record<string, TfAttr> = {};
  for (const [key, value] of Object.entries(node.attr ?? {})) {
    const converted = convertAttr(value, `${where}: '${name}'`);
    if (converted) attr[key] = converted;
  }
  return { name, op: node.op ?? '', inputs: node.input ?? [], attr };
}
