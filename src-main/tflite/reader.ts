// Reads any .tflite flatbuffer into the shared model graph (format 'tflite'). Every bounds or
// reference error becomes one TfliteFormatError line naming the file and the cause.
import type { Graph, ModelGraph, Node, QuantParams, SignatureDef, Tensor } from '../graph/model-graph';
import { FlatReader, FlatbufferBoundsError, type FlatTable } from './flatbuffer-reader';
import { TfliteFormatError } from './errors';
import { readOptionTable, type RawOptions } from './options-codec';
import { bindingFor, isModelledOp } from './op-options';
import { BUILTIN_OPTIONS } from './schema/builtin-options';
import { BUILTIN_OPTIONS_2 } from './schema/builtin-options-2';
import { builtinOperatorName } from './schema/builtin-operator';
import {
  BufferField,
  MetadataField,
  ModelField,
  OperatorCodeField,
  OperatorField,
  QuantizationField,
  SignatureDefField,
  SubGraphField,
  TensorField,
  TensorMapField,
  TFLITE_FILE_IDENTIFIER,
} from './schema/tables';
import { tensorTypeName } from './schema/tensor-type';
import { bytesPerElement, dtypeOf, typedArrayFromBytes } from './tensor-data';
import { SparsityError, sparseToDenseOrder } from './sparsity';
import { describeMetadata } from './metadata';

/** One operator code: builtin name (max of deprecated and extended code) or custom code. */
type OpCode = OperatorCodeInfo;

interface BufferRef {
  bytes?: Uint8Array;
}

class Context {
  constructor(
    readonly file: string,
    readonly reader: FlatReader,
    readonly withData = true,
  ) {}
  fail(cause: string): never {
    throw new TfliteFormatError(`${this.file}: not a valid TFLite flatbuffer (${cause}).`);
  }
}

export interface ReadOptions {
  /** Name used in error messages (usually the file's base name). */
  fileName?: string;
  /** false: skip copying constant data (for callers that only need the structure). Default true. */
  data?: boolean;
}

export function isTfliteBytes(head: Uint8Array): boolean {
  return head.length >= 8 && String.fromCharCode(...head.subarray(4, 8)) === TFLITE_FILE_IDENTIFIER;
}

/** Checks the identifier, runs `read` and turns every decoding failure into one TfliteFormatError. */
function decode<T>(bytes: Uint8Array, options: ReadOptions, read: (ctx: Context) => T): T {
  const ctx = new Context(options.fileName ?? 'model.tflite', new FlatReader(bytes), options.data !== false);
  if (bytes.length < 8) ctx.fail(`file has only ${bytes.length} bytes`);
  if (!isTfliteBytes(bytes)) ctx.fail(`missing the '${TFLITE_FILE_IDENTIFIER}' identifier at bytes 4..8`);
  try {
    return read(ctx);
  } catch (error) {
    if (error instanceof FlatbufferBoundsError || error instanceof SparsityError || error instanceof RangeError) ctx.fail(error.message);
    throw error;
  }
}

export function readTflite(bytes: Uint8Array, options: ReadOptions = {}): ModelGraph {
  return decode(bytes, options, readModel);
}

export interface OperatorCodeInfo {
  builtin: string;
  customCode?: string;
  version: number;
}

/** The operator codes table (op name and version), for inspection and version checks. */
export function readOperatorCodes(bytes: Uint8Array, options: ReadOptions = {}): OperatorCodeInfo[] {
  return decode(bytes, options, (ctx) => ctx.reader.root('Model').tables(ModelField.operatorCodes, 'OperatorCode').map(readOpCode));
}

/** Raw metadata buffers by name (e.g. TFLITE_METADATA with labels), to carry them into a new file. */
export function readMetadataBuffers(bytes: Uint8Array, options: ReadOptions = {}): Record<string, Uint8Array> {
  return decode(bytes, options, (ctx) => {
    const model = ctx.reader.root('Model');
    const buffers = model.tables(ModelField.buffers, 'Buffer');
    const out: Record<string, Uint8Array> = {};
    for (const entry of model.tables(ModelField.metadata, 'Metadata')) {
      const name = entry.string(MetadataField.name) ?? '';
      const buffer = buffers[entry.u32(MetadataField.buffer)];
      if (!buffer) ctx.fail(`metadata '${name}' refers to a missing buffer`);
      out[name] = readBuffer(ctx, buffer).bytes?.slice() ?? new Uint8Array(0);
    }
    return out;
  });
}

function readModel(ctx: Context): ModelGraph {
  const model = ctx.reader.root('Model');
  const version = model.u32(ModelField.version);
  if (version !== 3) ctx.fail(`schema version ${version}, expected 3`);
  const opCodes = model.tables(ModelField.operatorCodes, 'OperatorCode').map(readOpCode);
  const buffers = model.tables(ModelField.buffers, 'Buffer').map((b) => readBuffer(ctx, b));
  const graphs = model
    .tables(ModelField.subgraphs, 'SubGraph')
    .map((sg, index) => readSubgraph(ctx, sg, index, opCodes, buffers));
  const metadata: Record<string, string> = {};
  for (const entry of model.tables(ModelField.metadata, 'Metadata')) {
    const name = entry.string(MetadataField.name) ?? '';
    const index = entry.u32(MetadataField.buffer);
    if (index >= buffers.length) ctx.fail(`metadata '${name}' refers to buffer ${index} of ${buffers.length}`);
    metadata[name] = describeMetadata(name, buffers[index]?.bytes ?? new Uint8Array(0));
  }
  const signatures = model
    .tables(ModelField.signatureDefs, 'SignatureDef')
    .map((sig) => readSignature(ctx, sig, graphs));
  return {
    format: 'tflite',
    description: model.string(ModelField.description) ?? '',
    graphs,
    signatures,
    metadata,
    unsupported: [],
  };
}

function readOpCode(code: FlatTable): OpCode {
  const deprecated = code.i8(OperatorCodeField.deprecatedBuiltinCode);
  const extended = code.i32(OperatorCodeField.builtinCode);
  const value = Math.max(deprecated, extended);
  const customCode = code.string(OperatorCodeField.customCode);
  const builtin = builtinOperatorName(value) ?? `BUILTIN_${value}`;
  return { builtin, version: code.i32(OperatorCodeField.version, 1), ...(customCode !== undefined ? { customCode } : {}) };
}

function readBuffer(ctx: Context, buffer: FlatTable): BufferRef {
  // A present but empty data vector is a constant with zero elements (e.g. a [0] shape operand).
  const data = buffer.bytesOf(BufferField.data);
  if (data) return { bytes: data };
  const offset = buffer.u64(BufferField.offset);
  const size = buffer.u64(BufferField.size);
  if (offset > 1 && size > 0) {
    // Large models keep buffers after the flatbuffer, addressed from the file start.
    ctx.reader.check(offset, size, 'external buffer');
    return { bytes: ctx.reader.bytes.subarray(offset, offset + size) };
  }
  return {};
}

function uniqueName(used: Set<string>, raw: string | undefined, index: number): string {
  let name = raw && raw.length > 0 ? raw : `tensor_${index}`;
  if (used.has(name)) name = `${name}__${index}`;
  used.add(name);
  return name;
}

function readQuant(q: FlatTable | null): QuantParams | undefined {
  if (!q) return undefined;
  const scale = q.f32s(QuantizationField.scale) ?? [];
  const zeroPoint = q.i64s(QuantizationField.zeroPoint) ?? [];
  const min = q.f32s(QuantizationField.min);
  const max = q.f32s(QuantizationField.max);
  if (scale.length === 0 && !min && !max) return undefined;
  const quant: QuantParams = { scale, zeroPoint };
  if (scale.length > 1 || q.has(QuantizationField.quantizedDimension)) quant.axis = q.i32(QuantizationField.quantizedDimension);
  if (min) quant.min = min;
  if (max) quant.max = max;
  return quant;
}

function readTensor(ctx: Context, t: FlatTable, index: number, name: string, buffers: BufferRef[]): Tensor {
  const typeCode = t.i8(TensorField.type);
  const dtype = dtypeOf(typeCode);
  if (!dtype) ctx.fail(`tensor '${name}' has type ${tensorTypeName(typeCode)}, which this tool does not read`);
  const staticShape = t.i32s(TensorField.shape) ?? [];
  const signature = t.i32s(TensorField.shapeSignature);
  const shape = signature && signature.length === staticShape.length ? signature : staticShape;
  const tensor: Tensor = { name, dtype, shape };
  const quant = readQuant(t.table(TensorField.quantization, 'QuantizationParameters'));
  if (quant) tensor.quant = quant;
  if (t.bool(TensorField.isVariable)) tensor.isVariable = true;
  const bufferIndex = t.u32(TensorField.buffer);
  if (bufferIndex >= buffers.length) {
    ctx.fail(`tensor ${index} '${name}' refers to buffer ${bufferIndex} but the model has ${buffers.length} buffers`);
  }
  const bytes = bufferIndex === 0 ? undefined : buffers[bufferIndex]?.bytes;
  if (bytes && ctx.withData) {
    const size = bytesPerElement(dtype);
    if (dtype !== 'string' && bytes.length % size !== 0) {
      ctx.fail(`tensor '${name}' has ${bytes.length} data bytes, not a multiple of ${size}`);
    }
    const sparsity = t.table(TensorField.sparsity, 'SparsityParameters');
    // Every runtime refuses a constant whose buffer does not hold exactly its shape's values.
    const needed = staticShape.reduce((n, d) => n * d, 1);
    if (!sparsity && dtype !== 'string' && staticShape.every((d) => d >= 0) && bytes.length / size !== needed) {
      ctx.fail(`tensor ${index} '${name}' has ${bytes.length / size} values in its buffer but its shape [${staticShape.join(', ')}] needs ${needed}`);
    }
    tensor.data = sparsity ? densify(ctx, name, dtype, bytes, sparsity, staticShape) : typedArrayFromBytes(dtype, bytes);
  }
  return tensor;
}

function densify(ctx: Context, name: string, dtype: Tensor['dtype'], bytes: Uint8Array, sparsity: FlatTable, shape: number[]) {
  const size = bytesPerElement(dtype);
  const order = sparseToDenseOrder(sparsity, shape, bytes.length / size);
  if (order.length * size !== bytes.length) ctx.fail(`sparse tensor '${name}' has ${bytes.length / size} values for ${order.length} positions`);
  const total = shape.reduce((n, d) => n * d, 1);
  const dense = new Uint8Array(total * size);
  order.forEach((denseIndex, k) => dense.set(bytes.subarray(k * size, (k + 1) * size), denseIndex * size));
  return typedArrayFromBytes(dtype, dense);
}

function readSubgraph(ctx: Context, sg: FlatTable, index: number, opCodes: OpCode[], buffers: BufferRef[]): Graph {
  const used = new Set<string>();
  const tensorTables = sg.tables(SubGraphField.tensors, 'Tensor');
  const names = tensorTables.map((t, i) => uniqueName(used, t.string(TensorField.name), i));
  const tensors = new Map<string, Tensor>();
  tensorTables.forEach((t, i) => tensors.set(names[i] as string, readTensor(ctx, t, i, names[i] as string, buffers)));
  const graphName = sg.string(SubGraphField.name) || `subgraph_${index}`;
  const ref = (i: number, where: string): string => {
    const name = names[i];
    if (name === undefined) ctx.fail(`${where} refers to tensor ${i} of ${names.length} in subgraph ${index}`);
    return name;
  };
  const nodeNames = new Set<string>();
  const nodes = sg.tables(SubGraphField.operators, 'Operator').map((op, i) => {
    const where = `operator ${i}`;
    const code = opCodes[op.u32(OperatorField.opcodeIndex)];
    if (!code) ctx.fail(`${where} uses opcode ${op.u32(OperatorField.opcodeIndex)} of ${opCodes.length}`);
    const inputs = (op.i32s(OperatorField.inputs) ?? []).map((t) => (t < 0 ? null : ref(t, where)));
    const outputs = (op.i32s(OperatorField.outputs) ?? []).map((t) => ref(t, where));
    const base = outputs[0] ?? `${code.builtin.toLowerCase()}_${i}`;
    const name = nodeNames.has(base) ? `${base}__op${i}` : base;
    nodeNames.add(name);
    const node = readNode(op, code, name, inputs, outputs, tensors);
    const intermediates = op.i32s(OperatorField.intermediates);
    if (intermediates?.length) node.intermediates = intermediates.map((t) => ref(t, where));
    return node;
  });
  return {
    name: graphName,
    tensors,
    nodes,
    inputs: (sg.i32s(SubGraphField.inputs) ?? []).map((t) => ref(t, 'subgraph input')),
    outputs: (sg.i32s(SubGraphField.outputs) ?? []).map((t) => ref(t, 'subgraph output')),
  };
}

function readRawOptions(op: FlatTable): RawOptions {
  const type = op.u8(OperatorField.builtinOptionsType);
  const tableName = BUILTIN_OPTIONS[type - 1];
  const table = type > 0 ? op.table(OperatorField.builtinOptions, tableName ?? 'BuiltinOptions') : null;
  if (table && tableName) return { ...readOptionTable(table, tableName), optionsTable: tableName };
  const type2 = op.u8(OperatorField.builtinOptions2Type);
  const tableName2 = BUILTIN_OPTIONS_2[type2 - 1];
  const table2 = type2 > 0 ? op.table(OperatorField.builtinOptions2, tableName2 ?? 'BuiltinOptions2') : null;
  if (table2 && tableName2) return { ...readOptionTable(table2, tableName2), optionsTable2: tableName2 };
  return {};
}

function readNode(
  op: FlatTable,
  code: OpCode,
  name: string,
  inputs: (string | null)[],
  outputs: string[],
  tensors: Map<string, Tensor>,
): Node {
  const raw = readRawOptions(op);
  if (code.builtin === 'CUSTOM') {
    const customOptions = op.bytesOf(OperatorField.customOptions);
    return {
      name,
      op: 'CUSTOM',
      inputs,
      outputs,
      customCode: code.customCode ?? '',
      options: {
        opVersion: code.version,
        ...(customOptions ? { customOptions: customOptions.slice(), customOptionsFormat: op.i8(OperatorField.customOptionsFormat) } : {}),
      },
    };
  }
  if (isModelledOp(code.builtin)) {
    const options = bindingFor(code.builtin).fromRaw(raw);
    if (code.builtin === 'RESHAPE' && (options as { newShape: number[] }).newShape.length === 0) {
      const shapeInput = inputs[1] ? tensors.get(inputs[1]) : undefined;
      if (shapeInput?.data instanceof Int32Array) (options as { newShape: number[] }).newShape = [...shapeInput.data];
    }
    return { name, op: code.builtin, inputs, outputs, options } as Node;
  }
  // Foreign ops keep their raw options, option table and version so the writer can copy them.
  return { name, op: 'OTHER', builtin: code.builtin, inputs, outputs, options: { ...raw, opVersion: code.version } };
}

function readSignature(ctx: Context, sig: FlatTable, graphs: Graph[]): SignatureDef {
  const key = sig.string(SignatureDefField.signatureKey) ?? '';
  const subgraph = sig.u32(SignatureDefField.subgraphIndex);
  const graph = graphs[subgraph];
  if (!graph) ctx.fail(`signature '${key}' refers to subgraph ${subgraph} of ${graphs.length}`);
  const names = [...graph.tensors.keys()];
  const map = (field: number): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const entry of sig.tables(field, 'TensorMap')) {
      const index = entry.u32(TensorMapField.tensorIndex);
      const tensor = names[index];
      if (tensor === undefined) ctx.fail(`signature '${key}' refers to tensor ${index} of ${names.length}`);
      out[entry.string(TensorMapField.name) ?? tensor] = tensor;
    }
    return out;
  };
  return { key, subgraph, inputs: map(SignatureDefField.inputs), outputs: map(SignatureDefField.outputs) };
}
