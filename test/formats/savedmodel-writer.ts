// Writes a TensorFlow 2 SavedModel in tests, laid out as tf.saved_model.save lays one out: the
// outer graph has the serving Placeholder, one VarHandleOp per variable and a
// StatefulPartitionedCall of the traced function; the function reads each variable through
// ReadVariableOp and refers to op outputs by argument name ('conv/Conv2D:output:0'); the object
// graph maps each variable to its checkpoint key; variables/ is a checkpoint bundle (an
// uncompressed LevelDB table of BundleEntryProto + one data shard, CRC-32C as TF masks it).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { protoType } from '../../src-main/formats/tensorflow/proto-schema';
import { maskedCrc32c } from '../../src-main/formats/tensorflow/tensor-bundle';

type Attr = Record<string, unknown>;

export interface TfOpNode {
  name: string;
  op: string;
  input: string[];
  attr: Record<string, Attr>;
}

export interface TfConstant {
  name: string;
  shape: number[];
  data: Float32Array | Int32Array;
  /** A layer weight (a variable in a SavedModel) rather than a graph constant. */
  variable: boolean;
}

export interface TfOpGraph {
  input: { name: string; shape: number[] };
  /** Constants and ops in execution order. */
  items: ({ kind: 'const'; value: TfConstant } | { kind: 'op'; node: TfOpNode })[];
  /** The output tensor ('node' or 'node:i'). */
  output: string;
}

const dtypeOf = (data: Float32Array | Int32Array) => (data instanceof Int32Array ? 'DT_INT32' : 'DT_FLOAT');
const shapeProto = (shape: number[]) => ({ dim: shape.map((size) => ({ size })) });
const bytesOf = (data: Float32Array | Int32Array) => new Uint8Array(data.buffer, data.byteOffset, data.byteLength);

/** Each op's output argument name, as FunctionDef bodies refer to outputs ('y' for batch norm). */
const OUTPUT_ARG: Record<string, string> = {
  FusedBatchNormV3: 'y', Sigmoid: 'y', Transpose: 'y', Mul: 'z', AddV2: 'z', Sub: 'z', Softmax: 'softmax',
  ResizeNearestNeighbor: 'resized_images', ReadVariableOp: 'value', Const: 'output',
};

function varint(n: number, out: number[]): void {
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
}

/** One table block: entries without prefix sharing, one restart point, then the 5-byte trailer. */
function tableBlock(entries: [string, Uint8Array][]): Uint8Array {
  const out: number[] = [];
  for (const [key, value] of entries) {
    const k = new TextEncoder().encode(key);
    varint(0, out);
    varint(k.length, out);
    varint(value.length, out);
    out.push(...k, ...value);
  }
  out.push(0, 0, 0, 0, 1, 0, 0, 0); // restart at offset 0; one restart
  const block = Uint8Array.from(out);
  const crc = maskedCrc32c(Uint8Array.from([...block, 0]));
  const trailer = [0, crc & 0xff, (crc >>> 8) & 0xff, (crc >>> 16) & 0xff, crc >>> 24];
  return Uint8Array.from([...block, ...trailer]);
}

const handle = (offset: number, size: number) => {
  const out: number[] = [];
  varint(offset, out);
  varint(size, out);
  return out;
};

/** variables/variables.index + .data-00000-of-00001 holding `tensors` under their keys. */
export function writeTensorBundle(prefix: string, tensors: { key: string; shape: number[]; data: Float32Array | Int32Array }[]): void {
  const entryType = protoType('BundleEntryProto');
  const headerType = protoType('BundleHeaderProto');
  const shard: Uint8Array[] = [];
  let offset = 0;
  const entries: [string, Uint8Array][] = [['', headerType.encode(headerType.fromObject({ numShards: 1, endianness: 0 })).finish()]];
  for (const t of [...tensors].sort((a, b) => (a.key < b.key ? -1 : 1))) {
    const bytes = bytesOf(t.data);
    const entry = { dtype: dtypeOf(t.data), shape: shapeProto(t.shape), shardId: 0, offset, size: bytes.length, crc32c: maskedCrc32c(bytes) };
    entries.push([t.key, entryType.encode(entryType.fromObject(entry)).finish()]);
    shard.push(bytes);
    offset += bytes.length;
  }
  writeFileSync(`${prefix}.data-00000-of-00001`, Buffer.concat(shard));
  const data = tableBlock(entries);
  const meta = tableBlock([]);
  const dataSize = data.length - 5;
  const index = tableBlock([[entries.at(-1)![0] + '\u00ff', Uint8Array.from(handle(0, dataSize))]]);
  const metaAt = data.length;
  const indexAt = metaAt + meta.length;
  const footer = [...handle(metaAt, meta.length - 5), ...handle(indexAt, index.length - 5)];
  while (footer.length < 40) footer.push(0);
  const magic = new Uint8Array(8);
  new DataView(magic.buffer).setBigUint64(0, 0xdb4775248b80fb57n, true);
  writeFileSync(`${prefix}.index`, Buffer.concat([data, meta, index, Uint8Array.from(footer), magic]));
}

/** Writes `graph` as a SavedModel folder `dir` with one serving signature (input → output_0). */
export function writeSavedModel(graph: TfOpGraph, dir: string, tensorflowVersion = '2.13.0'): string {
  mkdirSync(join(dir, 'variables'), { recursive: true });
  const fn = '__inference_signature_wrapper_1234';
  const variables = graph.items.flatMap((i) => (i.kind === 'const' && i.value.variable ? [i.value] : []));
  const resourceArg = (v: TfConstant) => `${v.name.replaceAll('/', '_')}_resource`;
  const opOf = new Map(graph.items.map((i) => (i.kind === 'op' ? [i.node.name, i.node.op] : [i.value.name, i.value.variable ? 'ReadVariableOp' : 'Const'])));
  const readName = (v: TfConstant) => `${v.name}/ReadVariableOp`;
  const isVariable = new Map(variables.map((v) => [v.name, v]));
  // Function-body references: the graph input is an argument, variables are read, outputs by argument name.
  const ref = (r: string): string => {
    if (r === graph.input.name) return r;
    const [node, index = '0'] = r.split(':') as [string, string?];
    const v = isVariable.get(node);
    if (v) return `${readName(v)}:value:0`;
    return `${node}:${OUTPUT_ARG[opOf.get(node) ?? ''] ?? 'output'}:${index}`;
  };
  const body: unknown[] = [];
  for (const item of graph.items) {
    if (item.kind === 'op') {
      body.push({ name: item.node.name, op: item.node.op, input: item.node.input.map(ref), attr: item.node.attr });
      continue;
    }
    const c = item.value;
    if (c.variable) {
      body.push({ name: readName(c), op: 'ReadVariableOp', input: [resourceArg(c)], attr: { dtype: { type: dtypeOf(c.data) } } });
    } else {
      const tensor = { dtype: dtypeOf(c.data), tensorShape: shapeProto(c.shape), tensorContent: bytesOf(c.data) };
      body.push({ name: c.name, op: 'Const', input: [], attr: { value: { tensor }, dtype: { type: dtypeOf(c.data) } } });
    }
  }
  const placeholder = `serving_default_${graph.input.name}`;
  const outer = [
    { name: placeholder, op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: shapeProto(graph.input.shape) } } },
    ...variables.map((v) => ({ name: v.name, op: 'VarHandleOp', attr: { shared_name: { s: new TextEncoder().encode(v.name) }, dtype: { type: dtypeOf(v.data) }, shape: { shape: shapeProto(v.shape) } } })),
    {
      name: 'StatefulPartitionedCall',
      op: 'StatefulPartitionedCall',
      input: [placeholder, ...variables.map((v) => v.name)],
      attr: { f: { func: { name: fn } }, Tin: { list: { type: ['DT_FLOAT', ...variables.map(() => 'DT_RESOURCE')] } }, Tout: { list: { type: ['DT_FLOAT'] } } },
    },
  ];
  const library = {
    function: [{ signature: { name: fn, inputArg: [{ name: graph.input.name }, ...variables.map((v) => ({ name: resourceArg(v) }))], outputArg: [{ name: 'output_0' }] }, nodeDef: body, ret: { output_0: ref(graph.output) } }],
  };
  // Object graph: root → 'variables' → '0', '1', …; each a SavedVariable named like its VarHandleOp.
  const objects = [
    { children: [{ nodeId: 1, localName: 'variables' }] },
    { children: variables.map((_, i) => ({ nodeId: i + 2, localName: String(i) })) },
    ...variables.map((v) => ({ variable: { dtype: dtypeOf(v.data), shape: shapeProto(v.shape), trainable: true, name: v.name } })),
  ];
  const savedModel = {
    savedModelSchemaVersion: 1,
    metaGraphs: [{
      metaInfoDef: { metaGraphVersion: `v${tensorflowVersion}`, tags: ['serve'], tensorflowVersion, tensorflowGitVersion: 'unknown' },
      graphDef: { node: outer, library },
      signatureDef: {
        serving_default: {
          inputs: { [graph.input.name]: { name: `${placeholder}:0`, dtype: 'DT_FLOAT', tensorShape: shapeProto(graph.input.shape) } },
          outputs: { output_0: { name: 'StatefulPartitionedCall:0', dtype: 'DT_FLOAT' } },
          methodName: 'tensorflow/serving/predict',
        },
      },
      objectGraphDef: { nodes: objects },
    }],
  };
  const type = protoType('SavedModel');
  writeFileSync(join(dir, 'saved_model.pb'), type.encode(type.fromObject(savedModel)).finish());
  writeTensorBundle(join(dir, 'variables', 'variables'), variables.map((v, i) => ({ key: `variables/${i}/.ATTRIBUTES/VARIABLE_VALUE`, shape: v.shape, data: v.data })));
  return dir;
}
