// Serialises the shared model graph as a TFLite flatbuffer (TFL3, schema version 3): operator
// codes with versions as the official converter sets them, 16-byte aligned constant buffers,
// tensors with quantization and shape signatures, a `serving_default` signature, and the
// `min_runtime_version` / `CONVERSION_METADATA` metadata.
import { Builder } from 'flatbuffers';
import type { Graph, ModelGraph, Node, SignatureDef, Tensor, TensorData } from '../graph/model-graph';
import { APP_VERSION } from '../version';
import { TfliteWriteError } from './errors';
import {
  CONVERSION_METADATA,
  MIN_RUNTIME_VERSION,
  encodeConversionMetadata,
  encodeRuntimeVersion,
  inferOptimizationModes,
  modelTypeOf,
  type ConversionInfo,
} from './metadata';
import { intVector, writeOptionTable, type RawOptions } from './options-codec';
import { bindingFor, isModelledOp } from './op-options';
import { operatorVersion } from './op-versions';
import { minRuntimeVersion } from './runtime-version';
import { builtinOperatorCode, CUSTOM_OPERATOR_CODE, PLACEHOLDER_FOR_GREATER_OP_CODES } from './schema/builtin-operator';
import { builtinOptionsTypeId } from './schema/builtin-options';
import { BUILTIN_OPTIONS_2 } from './schema/builtin-options-2';
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
  TFLITE_SCHEMA_VERSION,
} from './schema/tables';
import { bytesOfData, bytesPerElement, tensorTypeOf } from './tensor-data';
import { tensorTypeName } from './schema/tensor-type';

export interface WriteOptions {
  /** Model description; default: the graph's description or "EdgeQuant Studio <version>". */
  description?: string;
  /** CONVERSION_METADATA contents (default: producer, source model type and the optimization
   *  modes inferred from the tensor types); `false` leaves the entry out. */
  conversion?: Partial<ConversionInfo> | false;
  /** Signature key used when the model carries no signatures (default 'serving_default'). */
  signatureKey?: string;
  /** Extra metadata buffers to carry over (e.g. TFLITE_METADATA from readMetadataBuffers);
   *  min_runtime_version and CONVERSION_METADATA are always computed here. */
  metadataBuffers?: Record<string, Uint8Array>;
}

interface OpCodeEntry {
  builtin: string;
  customCode?: string;
  version: number;
}

/** Everything decided before the flatbuffer is built (the builder writes back to front). */
interface Plan {
  buffers: (Uint8Array | null)[];
  opCodes: OpCodeEntry[];
  opCodeIndex: Map<string, number>;
  tensorBuffer: Map<Tensor, number>;
  metadata: { name: string; buffer: number }[];
}

function opKey(node: Node): string {
  if (node.op === 'CUSTOM') return `CUSTOM:${node.customCode ?? ''}`;
  if (node.op === 'OTHER') return node.builtin ?? 'OTHER';
  return node.op;
}

function declaredVersion(node: Node): number | undefined {
  const v = (node.options as Record<string, unknown>).opVersion;
  return typeof v === 'number' ? v : undefined;
}

/** Refuses tensors a runtime would reject or misread, naming the tensor (catches bugs upstream). */
function checkTensor(graph: Graph, tensor: Tensor): void {
  const where = `Tensor '${tensor.name}' in graph '${graph.name}'`;
  if (tensor.data && tensor.dtype !== 'string' && tensor.shape.every((d) => d >= 0)) {
    const expected = tensor.shape.reduce((n, d) => n * d, 1);
    if (tensor.data.length !== expected) {
      throw new TfliteWriteError(`${where} has ${tensor.data.length} values but shape [${tensor.shape.join(', ')}] needs ${expected}.`);
    }
    const width = bytesPerElement(tensor.dtype);
    if (tensor.data.BYTES_PER_ELEMENT !== width) {
      throw new TfliteWriteError(`${where} is ${tensor.dtype} but holds a ${tensor.data.constructor.name}.`);
    }
  }
  const q = tensor.quant;
  if (q && q.scale.length > 0) {
    if (q.zeroPoint.length !== q.scale.length) {
      throw new TfliteWriteError(`${where} has ${q.scale.length} scales but ${q.zeroPoint.length} zero points.`);
    }
    if (q.scale.some((x) => !(x > 0) || !Number.isFinite(x))) throw new TfliteWriteError(`${where} has a scale that is not a positive number.`);
    if (q.scale.length > 1) {
      const axis = q.axis ?? 0;
      if (axis < 0 || axis >= tensor.shape.length || tensor.shape[axis] !== q.scale.length) {
        throw new TfliteWriteError(`${where}: ${q.scale.length} per-channel scales do not match axis ${axis} of shape [${tensor.shape.join(', ')}].`);
      }
    }
  }
}

function plan(model: ModelGraph, options: WriteOptions): Plan {
  const buffers: (Uint8Array | null)[] = [null];
  const byData = new Map<TensorData, number>();
  const tensorBuffer = new Map<Tensor, number>();
  const opCodes: OpCodeEntry[] = [];
  const opCodeIndex = new Map<string, number>();
  for (const graph of model.graphs) {
    for (const tensor of graph.tensors.values()) {
      checkTensor(graph, tensor);
      if (!tensor.data) continue;
      let index = byData.get(tensor.data);
      if (index === undefined) {
        index = buffers.push(bytesOfData(tensor.data)) - 1;
        byData.set(tensor.data, index);
      }
      tensorBuffer.set(tensor, index);
    }
    for (const node of graph.nodes) {
      const key = opKey(node);
      const version = declaredVersion(node) ?? operatorVersion(graph, node);
      const known = opCodeIndex.get(key);
      if (known !== undefined) {
        const entry = opCodes[known] as OpCodeEntry;
        entry.version = Math.max(entry.version, version);
        continue;
      }
      const builtin = node.op === 'OTHER' ? (node.builtin ?? '') : node.op;
      if (builtinOperatorCode(builtin) === undefined) {
        throw new TfliteWriteError(`Node '${node.name}' uses op '${builtin}', which is not a TFLite builtin.`);
      }
      opCodeIndex.set(key, opCodes.length);
      opCodes.push({ builtin, version, ...(node.op === 'CUSTOM' ? { customCode: node.customCode ?? '' } : {}) });
    }
  }
  const metadata: { name: string; buffer: number }[] = [];
  const runtime = minRuntimeVersion(opCodes.filter((c) => c.builtin !== 'CUSTOM'));
  metadata.push({ name: MIN_RUNTIME_VERSION, buffer: buffers.push(encodeRuntimeVersion(runtime)) - 1 });
  if (options.conversion !== false) {
    const info: ConversionInfo = {
      producer: `edgequant ${APP_VERSION}`,
      modelType: modelTypeOf(model.format),
      optimizationModes: inferOptimizationModes(model),
      ...options.conversion,
    };
    metadata.push({ name: CONVERSION_METADATA, buffer: buffers.push(encodeConversionMetadata(info)) - 1 });
  }
  for (const [name, bytes] of Object.entries(options.metadataBuffers ?? {})) {
    if (name === MIN_RUNTIME_VERSION || name === CONVERSION_METADATA) continue;
    metadata.push({ name, buffer: buffers.push(bytes) - 1 });
  }
  return { buffers, opCodes, opCodeIndex, tensorBuffer, metadata };
}

/** `null` writes a buffer without data (buffer 0); an empty array is a zero-element constant. */
function writeBuffer(b: Builder, data: Uint8Array | null): number {
  let dataOffset = 0;
  if (data) {
    // Constants start on a 16-byte boundary, as the official converter aligns them.
    b.prep(16, data.length);
    dataOffset = b.createByteVector(data);
  }
  b.startObject(3);
  if (dataOffset) b.addFieldOffset(BufferField.data, dataOffset, 0);
  return b.endObject();
}

function writeQuant(b: Builder, tensor: Tensor): number {
  const q = tensor.quant;
  if (!q) return 0;
  const scale = q.scale.length ? intVector(b, q.scale, 4, (bb, x) => bb.addFloat32(x)) : 0;
  const zeroPoint = q.zeroPoint.length ? intVector(b, q.zeroPoint, 8, (bb, x) => bb.addInt64(BigInt(Math.round(x)))) : 0;
  const min = q.min?.length ? intVector(b, q.min, 4, (bb, x) => bb.addFloat32(x)) : 0;
  const max = q.max?.length ? intVector(b, q.max, 4, (bb, x) => bb.addFloat32(x)) : 0;
  b.startObject(7);
  if (min) b.addFieldOffset(QuantizationField.min, min, 0);
  if (max) b.addFieldOffset(QuantizationField.max, max, 0);
  if (scale) b.addFieldOffset(QuantizationField.scale, scale, 0);
  if (zeroPoint) b.addFieldOffset(QuantizationField.zeroPoint, zeroPoint, 0);
  if (q.axis !== undefined) b.addFieldInt32(QuantizationField.quantizedDimension, q.axis, 0);
  return b.endObject();
}

function writeTensor(b: Builder, tensor: Tensor, buffer: number): number {
  const dynamic = tensor.shape.some((d) => d < 0);
  const shape = intVector(b, tensor.shape.map((d) => (d < 0 ? 1 : d)), 4, (bb, x) => bb.addInt32(x));
  const signature = dynamic ? intVector(b, tensor.shape, 4, (bb, x) => bb.addInt32(x)) : 0;
  const name = b.createString(tensor.name);
  const quant = writeQuant(b, tensor);
  b.startObject(11);
  b.addFieldOffset(TensorField.shape, shape, 0);
  b.addFieldInt8(TensorField.type, tensorTypeOf(tensor.dtype), 0);
  b.addFieldInt32(TensorField.buffer, buffer, 0);
  b.addFieldOffset(TensorField.name, name, 0);
  if (quant) b.addFieldOffset(TensorField.quantization, quant, 0);
  if (tensor.isVariable) b.addFieldInt8(TensorField.isVariable, 1, 0);
  if (signature) b.addFieldOffset(TensorField.shapeSignature, signature, 0);
  // Current converters mark ranked tensors; an empty shape may mean a scalar or an unknown
  // rank, which the IR cannot tell apart, so it stays unmarked as older converters left it.
  if (tensor.shape.length > 0) b.addFieldInt8(TensorField.hasRank, 1, 0);
  return b.endObject();
}

/** The option table name and raw values an operator is written with. */
function nodeOptions(graph: Graph, node: Node): { table: string | null; raw: RawOptions; table2?: string } {
  if (node.op === 'CUSTOM') return { table: null, raw: {} };
  if (node.op === 'OTHER') {
    // Bookkeeping keys the reader adds next to the raw fields (see reader.ts readNode).
    const { optionsTable, optionsTable2, opVersion: _version, ...raw } = node.options as RawOptions;
    if (typeof optionsTable2 === 'string') return { table: null, raw, table2: optionsTable2 };
    return { table: typeof optionsTable === 'string' ? optionsTable : null, raw };
  }
  if (!isModelledOp(node.op)) throw new TfliteWriteError(`Node '${node.name}' has unknown op '${String(node.op)}'.`);
  const binding = bindingFor(node.op);
  if (node.op === 'RESHAPE' && node.inputs[1] && graph.tensors.has(node.inputs[1])) return { table: null, raw: {} };
  if (node.op === 'SHAPE') {
    // The kernel reads the output type from ShapeOptions (default FLOAT32 fails to prepare).
    const out = node.outputs[0] ? graph.tensors.get(node.outputs[0]) : undefined;
    return { table: 'ShapeOptions', raw: { out_type: tensorTypeName(tensorTypeOf(out?.dtype ?? 'int32')) } };
  }
  const raw = binding.toRaw(node.options as never);
  if ((node.op === 'ADD' || node.op === 'SUB') && node.outputs[0] && graph.tensors.get(node.outputs[0])?.dtype === 'int16') {
    // int16 with arbitrary scales needs the general kernel (the converter does the same).
    raw.pot_scale_int16 = false;
  }
  return { table: binding.table, raw };
}

function writeOperator(b: Builder, graph: Graph, node: Node, p: Plan, tensorIndex: Map<string, number>): number {
  const index = (name: string | null): number => {
    if (name === null) return -1;
    const i = tensorIndex.get(name);
    if (i === undefined) throw new TfliteWriteError(`Node '${node.name}' refers to tensor '${name}', which graph '${graph.name}' does not have.`);
    return i;
  };
  const inputs = intVector(b, node.inputs.map(index), 4, (bb, x) => bb.addInt32(x));
  const outputs = intVector(b, node.outputs.map(index), 4, (bb, x) => bb.addInt32(x));
  const intermediates = node.intermediates?.length ? intVector(b, node.intermediates.map(index), 4, (bb, x) => bb.addInt32(x)) : 0;
  const { table, raw, table2 } = nodeOptions(graph, node);
  const optionsOffset = table ? writeOptionTable(b, table, raw) : 0;
  const options2Offset = table2 ? writeOptionTable(b, table2, raw) : 0;
  const custom = node.op === 'CUSTOM' ? (node.options as { customOptions?: Uint8Array }).customOptions : undefined;
  const customOffset = custom && custom.length ? b.createByteVector(custom) : 0;
  b.startObject(14);
  b.addFieldInt32(OperatorField.opcodeIndex, p.opCodeIndex.get(opKey(node)) ?? 0, 0);
  b.addFieldOffset(OperatorField.inputs, inputs, 0);
  b.addFieldOffset(OperatorField.outputs, outputs, 0);
  if (optionsOffset && table) {
    b.addFieldInt8(OperatorField.builtinOptionsType, builtinOptionsTypeId(table), 0);
    b.addFieldOffset(OperatorField.builtinOptions, optionsOffset, 0);
  }
  if (options2Offset && table2) {
    b.addFieldInt8(OperatorField.builtinOptions2Type, BUILTIN_OPTIONS_2.indexOf(table2) + 1, 0);
    b.addFieldOffset(OperatorField.builtinOptions2, options2Offset, 0);
  }
  if (customOffset) b.addFieldOffset(OperatorField.customOptions, customOffset, 0);
  if (intermediates) b.addFieldOffset(OperatorField.intermediates, intermediates, 0);
  return b.endObject();
}

function offsetVector(b: Builder, offsets: number[]): number {
  b.startVector(4, offsets.length, 4);
  for (let i = offsets.length - 1; i >= 0; i--) b.addOffset(offsets[i] as number);
  return b.endVector();
}

function writeSubgraph(b: Builder, graph: Graph, p: Plan): number {
  const tensors = [...graph.tensors.values()];
  const tensorIndex = new Map(tensors.map((t, i) => [t.name, i]));
  const ref = (name: string, what: string): number => {
    const i = tensorIndex.get(name);
    if (i === undefined) throw new TfliteWriteError(`Graph '${graph.name}' ${what} '${name}' is not one of its tensors.`);
    return i;
  };
  const tensorOffsets = tensors.map((t) => writeTensor(b, t, p.tensorBuffer.get(t) ?? 0));
  const operatorOffsets = graph.nodes.map((n) => writeOperator(b, graph, n, p, tensorIndex));
  const tensorsVec = offsetVector(b, tensorOffsets);
  const inputs = intVector(b, graph.inputs.map((n) => ref(n, 'input')), 4, (bb, x) => bb.addInt32(x));
  const outputs = intVector(b, graph.outputs.map((n) => ref(n, 'output')), 4, (bb, x) => bb.addInt32(x));
  const operators = offsetVector(b, operatorOffsets);
  const name = b.createString(graph.name);
  b.startObject(6);
  b.addFieldOffset(SubGraphField.tensors, tensorsVec, 0);
  b.addFieldOffset(SubGraphField.inputs, inputs, 0);
  b.addFieldOffset(SubGraphField.outputs, outputs, 0);
  b.addFieldOffset(SubGraphField.operators, operators, 0);
  b.addFieldOffset(SubGraphField.name, name, 0);
  return b.endObject();
}

function defaultSignatures(model: ModelGraph, key: string): SignatureDef[] {
  const graph = model.graphs[0];
  if (!graph) return [];
  const entries = (names: string[]) => Object.fromEntries(names.map((n) => [n, n]));
  return [{ key, subgraph: 0, inputs: entries(graph.inputs), outputs: entries(graph.outputs) }];
}

function writeSignature(b: Builder, model: ModelGraph, sig: SignatureDef): number {
  const graph = model.graphs[sig.subgraph];
  if (!graph) throw new TfliteWriteError(`Signature '${sig.key}' refers to subgraph ${sig.subgraph}, which the model does not have.`);
  const names = [...graph.tensors.keys()];
  const maps = (entries: Record<string, string>) =>
    offsetVector(
      b,
      Object.entries(entries).map(([name, tensor]) => {
        const index = names.indexOf(tensor);
        if (index < 0) throw new TfliteWriteError(`Signature '${sig.key}' refers to tensor '${tensor}', which graph '${graph.name}' does not have.`);
        const nameOffset = b.createString(name);
        b.startObject(2);
        b.addFieldOffset(TensorMapField.name, nameOffset, 0);
        b.addFieldInt32(TensorMapField.tensorIndex, index, 0);
        return b.endObject();
      }),
    );
  const inputs = maps(sig.inputs);
  const outputs = maps(sig.outputs);
  const key = b.createString(sig.key);
  b.startObject(5);
  b.addFieldOffset(SignatureDefField.inputs, inputs, 0);
  b.addFieldOffset(SignatureDefField.outputs, outputs, 0);
  b.addFieldOffset(SignatureDefField.signatureKey, key, 0);
  b.addFieldInt32(SignatureDefField.subgraphIndex, sig.subgraph, 0);
  return b.endObject();
}

function writeOpCode(b: Builder, code: OpCodeEntry): number {
  const value = code.builtin === 'CUSTOM' ? CUSTOM_OPERATOR_CODE : (builtinOperatorCode(code.builtin) as number);
  const custom = code.customCode !== undefined ? b.createString(code.customCode) : 0;
  b.startObject(4);
  b.addFieldInt8(OperatorCodeField.deprecatedBuiltinCode, Math.min(value, PLACEHOLDER_FOR_GREATER_OP_CODES), 0);
  if (custom) b.addFieldOffset(OperatorCodeField.customCode, custom, 0);
  b.addFieldInt32(OperatorCodeField.version, code.version, 1);
  b.addFieldInt32(OperatorCodeField.builtinCode, value, 0);
  return b.endObject();
}

export function writeTflite(model: ModelGraph, options: WriteOptions = {}): Uint8Array {
  const p = plan(model, options);
  const dataSize = p.buffers.reduce((n, d) => n + (d?.length ?? 0) + 16, 0);
  const b = new Builder(Math.max(1024, dataSize + 64 * 1024));
  // Built first so that the constants land at the end of the file, after the graph.
  const bufferOffsets = p.buffers.map((d) => writeBuffer(b, d));
  const subgraphs = model.graphs.map((g) => writeSubgraph(b, g, p));
  const opCodes = p.opCodes.map((c) => writeOpCode(b, c));
  const signatures = model.signatures.length > 0 ? model.signatures : defaultSignatures(model, options.signatureKey ?? 'serving_default');
  const signatureOffsets = signatures.map((s) => writeSignature(b, model, s));
  const metadataOffsets = p.metadata.map((m) => {
    const name = b.createString(m.name);
    b.startObject(2);
    b.addFieldOffset(MetadataField.name, name, 0);
    b.addFieldInt32(MetadataField.buffer, m.buffer, 0);
    return b.endObject();
  });
  const description = b.createString(options.description ?? (model.description || `EdgeQuant Studio ${APP_VERSION}`));
  const opCodesVec = offsetVector(b, opCodes);
  const subgraphsVec = offsetVector(b, subgraphs);
  const buffersVec = offsetVector(b, bufferOffsets);
  const metadataVec = offsetVector(b, metadataOffsets);
  const signaturesVec = offsetVector(b, signatureOffsets);
  b.startObject(10);
  b.addFieldInt32(ModelField.version, TFLITE_SCHEMA_VERSION, 0);
  b.addFieldOffset(ModelField.operatorCodes, opCodesVec, 0);
  b.addFieldOffset(ModelField.subgraphs, subgraphsVec, 0);
  b.addFieldOffset(ModelField.description, description, 0);
  b.addFieldOffset(ModelField.buffers, buffersVec, 0);
  b.addFieldOffset(ModelField.metadata, metadataVec, 0);
  b.addFieldOffset(ModelField.signatureDefs, signaturesVec, 0);
  b.finish(b.endObject(), TFLITE_FILE_IDENTIFIER);
  return b.asUint8Array().slice();
}
