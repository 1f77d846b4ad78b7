// GraphDef nodes in protobuf-JSON form (TF.js graph-model topology) → TfNode. In that form
// int64 values are decimal strings and `bytes` (attr `s`) are base64.
import type { TfAttr, TfNode, TfShape, TfTensorValue } from './tf-node';

interface JsonShape {
  dim?: { size?: string | number }[];
  unknownRank?: boolean;
}
interface JsonAttr {
  s?: string;
  i?: string | number;
  f?: number;
  b?: boolean;
  type?: string;
  shape?: JsonShape;
  tensor?: { dtype?: string; tensorShape?: JsonShape };
  list?: { s?: string[]; i?: (string | number)[]; f?: number[]; b?: boolean[]; type?: string[]; shape?: JsonShape[] };
  func?: { name?: string };
}
export interface JsonNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, JsonAttr>;
}

const fromBase64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');

export function jsonShape(shape: JsonShape | undefined): TfShape {
  if (!shape || shape.unknownRank) return { dims: null };
  return { dims: (shape.dim ?? []).map((d) => Number(d.size ?? 0)) };
}

function convertAttr(a: JsonAttr): TfAttr | undefined {
  if (a.s !== undefined) return { kind: 's', value: fromBase64(a.s) };
  if (a.i !== undefined) return { kind: 'i', value: Number(a.i) };
  if (a.f !== undefined) return { kind: 'f', value: Number(a.f) };
  if (a.b !== undefined) return { kind: 'b', value: a.b };
  if (a.type !== undefined) return { kind: 'type', value: a.type };
  if (a.shape !== undefined) return { kind: 'shape', value: jsonShape(a.shape) };
  if (a.tensor !== undefined) {
    // Graph-model constants carry their values in the weights manifest, not here.
    const value: TfTensorValue = { dtype: a.tensor.dtype ?? 'DT_FLOAT', shape: jsonShape(a.tensor.tensorShape).dims ?? [], data: new Float32Array(0) };
    return { kind: 'tensor', value };
  }
  if (a.list !== undefined) {
    const l = a.list;
    return {
      kind: 'list',
      value: {
        ...(l.s ? { s: l.s.map(fromBase64) } : {}),
        ...(l.i ? { i: l.i.map(Number) } : {}),
        ...(l.f ? { f: l.f.map(Number) } : {}),
        ...(l.b ? { b: l.b } : {}),
        ...(l.type ? { type: l.type } : {}),
        ...(l.shape ? { shape: l.shape.map(jsonShape) } : {}),
      },
    };
  }
  if (a.func !== undefined) return { kind: 'func', value: a.func.name ?? '' };
  return undefined;
}

export function fromJsonNode(node: JsonNode): TfNode {
  const attr: Record<string, TfAttr> = {};
  for (const [key, value] of Object.entries(node.attr ?? {})) {
    const converted = convertAttr(value);
    if (converted) attr[key] = converted;
  }
  return { name: node.name, op: node.op, inputs: node.input ?? [], attr };
}
