// A TensorFlow graph node in one normalised shape, whether it came from a GraphDef protobuf
// (SavedModel) or from the JSON topology of a TF.js graph-model.

export interface TfShape {
  dims: number[] | null; // null: unknown rank
}

export type TfAttr =
  | { kind: 's'; value: string }
  | { kind: 'i'; value: number }
  | { kind: 'f'; value: number }
  | { kind: 'b'; value: boolean }
  | { kind: 'type'; value: string }
  | { kind: 'shape'; value: TfShape }
  | { kind: 'tensor'; value: TfTensorValue }
  | { kind: 'list'; value: { s?: string[]; i?: number[]; f?: number[]; b?: boolean[]; type?: string[]; shape?: TfShape[] } }
  | { kind: 'func'; value: string };

export interface TfTensorValue {
  dtype: string; // DT_FLOAT, …
  shape: number[];
  /** Raw little-endian content, or values from the typed *_val fields. */
  data: Float32Array | Int32Array | BigInt64Array | Uint8Array | Uint16Array | Int8Array | Int16Array;
}

export interface TfNode {
  name: string;
  op: string;
  /** Input references: "node", "node:1" or "^control" (control inputs are dropped). */
  inputs: string[];
  attr: Record<string, TfAttr>;
}

/** "node:0" for "node", keeps "node:1"; TF.js uses "node:1" and GraphDef uses the same. */
export function tensorRef(input: string): string {
  return input.includes(':') ? input : `${input}:0`;
}

export function dataInputs(node: TfNode): string[] {
  return node.inputs.filter((i) => !i.startsWith('^')).map(tensorRef);
}

export function attrInt(node: TfNode, name: string, fallback?: number): number {
  const a = node.attr[name];
  if (a?.kind === 'i') return a.value;
  if (fallback !== undefined) return fallback;
  throw new Error(`${node.op} '${node.name}' has no integer attribute '${name}'.`);
}

export function attrFloat(node: TfNode, name: string, fallback: number): number {
  const a = node.attr[name];
  return a?.kind === 'f' ? a.value : fallback;
}

export function attrBool(node: TfNode, name: string, fallback = false): boolean {
  const a = node.attr[name];
  return a?.kind === 'b' ? a.value : fallback;
}

export function attrString(node: TfNode, name: string, fallback = ''): string {
  const a = node.attr[name];
  return a?.kind === 's' ? a.value : fallback;
}

export function attrInts(node: TfNode, name: string): number[] {
  const a = node.attr[name];
  return a?.kind === 'list' ? (a.value.i ?? []) : [];
}

export function attrStrings(node: TfNode, name: string): string[] {
  const a = node.attr[name];
  return a?.kind === 'list' ? (a.value.s ?? []) : [];
}
