// TF.js graph-model importer: model.json whose modelTopology is a GraphDef (format
// "graph-model") + binary weight shards, lowered through the TF-op path.
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parseJsonFile } from '../json-text';
import { checked, graphModelSchema } from '../tfjs-json-schema';
import type { Importer, ModelSource, OpenOptions } from '../importer';
import type { ModelGraph } from '../../graph/model-graph';
import { InputError } from '../../errors';
import { initTfjs } from '../../graph/tfjs-backend';
import { fromJsonNode, jsonShape, type JsonNode } from '../tensorflow/json-nodes';
import { lowerTfGraph } from '../tensorflow/lower/index';
import type { TfTensorValue } from '../tensorflow/tf-node';
import type * as TfNamespace from '@tensorflow/tfjs';

export class TfjsGraphModelError extends InputError {
  override name = 'TfjsGraphModelError';
}

interface SignatureEntry {
  name: string;
  dtype?: string;
  tensorShape?: { dim?: { size?: string | number }[]; unknownRank?: boolean };
}
interface GraphModelJson {
  format?: string;
  modelTopology?: { node?: JsonNode[]; library?: { function?: unknown[] } };
  signature?: { inputs?: Record<string, SignatureEntry>; outputs?: Record<string, SignatureEntry> };
  userDefinedMetadata?: { signature?: GraphModelJson['signature'] };
  weightsManifest?: TfNamespace.io.WeightsManifestConfig;
  convertedBy?: string;
  generatedBy?: string;
}

function looksLikeGraphModel(text: string): boolean {
  return /"format"\s*:\s*"graph-model"/.test(text) || (/"modelTopology"\s*:\s*\{\s*"node"\s*:/.test(text) && !/"class_name"/.test(text.slice(0, 4096)));
}

async function readWeights(dir: string, manifest: TfNamespace.io.WeightsManifestConfig, where: string): Promise<Map<string, TfTensorValue>> {
  const tf = await initTfjs();
  const values = new Map<string, TfTensorValue>();
  for (const group of manifest) {
    const buffers = await Promise.all(
      group.paths.map(async (p) => {
        const file = join(dir, p);
        if (dirname(file) !== dir && !file.startsWith(dir + '/')) throw new TfjsGraphModelError(`${where}: weight path '${p}' points outside the model folder.`);
        const bytes = await readFile(file).catch(() => {
          throw new TfjsGraphModelError(`${where}: weight file '${p}' is missing next to model.json.`);
        });
        return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      }),
    );
    const data = tf.io.concatenateArrayBuffers(buffers);
    const expected = group.weights.reduce((n, w) => n + weightBytes(w), 0);
    if (data.byteLength < expected) throw new TfjsGraphModelError(`${where}: weight files hold ${data.byteLength} bytes, the manifest needs ${expected} (truncated download?).`);
    const decoded = tf.io.decodeWeights(data, group.weights);
    for (const [name, tensor] of Object.entries(decoded)) {
      const raw = tensor.dataSync();
      const data = tensor.dtype === 'int32' || tensor.dtype === 'bool' ? Int32Array.from(raw) : Float32Array.from(raw);
      values.set(name, { dtype: data instanceof Int32Array ? 'DT_INT32' : 'DT_FLOAT', shape: tensor.shape, data });
      tensor.dispose();
    }
  }
  return values;
}

function weightBytes(w: TfNamespace.io.WeightsManifestEntry): number {
  const n = w.shape.reduce((a, b) => a * b, 1);
  const q = w.quantization?.dtype;
  const per = q === 'uint8' ? 1 : q === 'uint16' || q === 'float16' ? 2 : w.dtype === 'bool' ? 1 : 4;
  return w.dtype === 'string' ? 0 : n * per;
}

export async function openGraphModelJson(path: string, options: OpenOptions = {}): Promise<ModelGraph> {
  const where = basename(path);
  const json = checked(graphModelSchema, parseJsonFile(await readFile(path, 'utf8'), where, TfjsGraphModelError), where, TfjsGraphModelError) as GraphModelJson;
  const nodes = (json.modelTopology?.node ?? []).map(fromJsonNode);
  if (nodes.length === 0) throw new TfjsGraphModelError(`${where}: the graph-model has no nodes.`);
  const signature = json.signature ?? json.userDefinedMetadata?.signature;
  const consumed = new Set(nodes.flatMap((n) => n.inputs.map((i) => i.replace(/^\^/, '').split(':')[0])));
  const inputs = signature?.inputs
    ? Object.entries(signature.inputs).map(([key, e]) => ({ name: key.replace(/:0$/, ''), ref: e.name, shape: jsonShape(e.tensorShape).dims }))
    : nodes
        .filter((n) => n.op === 'Placeholder')
        .map((n) => ({ name: n.name, ref: n.name, shape: n.attr.shape?.kind === 'shape' ? n.attr.shape.value.dims : null }));
  const outputs = signature?.outputs
    ? Object.entries(signature.outputs).map(([key, e]) => ({ name: key.replace(/:0$/, ''), ref: e.name, shape: jsonShape(e.tensorShape).dims }))
    : nodes.filter((n) => !consumed.has(n.name) && n.op !== 'Const' && n.op !== 'NoOp').map((n) => ({ name: n.name, ref: n.name }));
  const constants = await readWeights(dirname(path), json.weightsManifest ?? [], where);
  return lowerTfGraph({
    name: where,
    format: 'tfjs-graph',
    nodes,
    inputs,
    outputs,
    constants,
    ...(options.inputShape ? { inputShape: options.inputShape } : {}),
    ...(options.collectUnsupported ? { collectUnsupported: true } : {}),
    ...(options.outputs?.length ? { cut: options.outputs } : {}),
    metadata: {
      ...(json.convertedBy ? { convertedBy: json.convertedBy } : {}),
      ...(json.generatedBy ? { generatedBy: json.generatedBy } : {}),
    },
  });
}

export const tfjsGraphImporter: Importer = {
  name: 'tfjs-graph',
  title: 'TF.js graph model',
  extensions: ['.json'],
  match(source: ModelSource, head: Uint8Array): boolean {
    if (!source.path.toLowerCase().endsWith('.json') || head.length === 0) return false;
    return looksLikeGraphModel(new TextDecoder().decode(head));
  },
  open: (source, options) => openGraphModelJson(source.path, options),
};
