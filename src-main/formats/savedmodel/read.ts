// Reads a TensorFlow SavedModel directory: saved_model.pb (the 'serve' meta graph, its
// signatures and object graph) and the variables bundle. A Keras SavedModel yields its model
// config and per-layer weights, in the order Keras lists them, so the Keras path can build it.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, UnsupportedError } from '../../errors';
import { decodeProto, protoType } from '../tensorflow/proto-schema';
import { parseJsonFile } from '../json-text';
import { TensorBundle, bundlePrefix } from '../tensorflow/tensor-bundle';

export class SavedModelError extends InputError {
  override name = 'SavedModelError';
}

interface ProtoShape {
  dim?: { size?: number }[];
  unknownRank?: boolean;
}
interface ProtoTensorInfo {
  name?: string;
  dtype?: string;
  tensorShape?: ProtoShape;
}
interface ProtoObject {
  children?: { nodeId?: number; localName?: string }[];
  userObject?: { identifier?: string; metadata?: string };
  variable?: { dtype?: string; shape?: ProtoShape; name?: string };
}
export interface ProtoMetaGraph {
  metaInfoDef?: { tags?: string[]; tensorflowVersion?: string };
  graphDef?: unknown;
  signatureDef?: Record<string, { inputs?: Record<string, ProtoTensorInfo>; outputs?: Record<string, ProtoTensorInfo>; methodName?: string }>;
  objectGraphDef?: { nodes?: ProtoObject[] };
}

export interface SignatureTensor {
  key: string;
  tensor: string;
  dtype: string;
  shape: number[] | null;
}

export interface SavedModelInfo {
  dir: string;
  tensorflowVersion: string;
  signatures: Record<string, { inputs: SignatureTensor[]; outputs: SignatureTensor[] }>;
  metaGraph: ProtoMetaGraph;
}

export interface KerasWeight {
  /** Keras weight name, e.g. "conv2d/kernel:0". */
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface KerasSavedModel {
  /** The model's Keras config ({class_name, config}), as in an .h5 file's model_config. */
  modelConfig: { class_name: string; config: unknown };
  kerasVersion: string;
  /** Layer name → weights in Keras order (layer.weights). */
  weights: Map<string, KerasWeight[]>;
}

export function isSavedModelDir(path: string): boolean {
  try {
    return statSync(path).isDirectory() && existsSync(join(path, 'saved_model.pb'));
  } catch {
    return false;
  }
}

function shapeOf(shape: ProtoShape | undefined): number[] | null {
  if (!shape || shape.unknownRank) return null;
  return (shape.dim ?? []).map((d) => Number(d.size ?? 0));
}

export function readSavedModel(dir: string): SavedModelInfo {
  const pbPath = join(dir, 'saved_model.pb');
  if (!existsSync(pbPath)) throw new SavedModelError(`${dir}: no saved_model.pb; choose the SavedModel folder itself.`);
  const type = protoType('SavedModel');
  const model = decodeProto<{ metaGraphs?: ProtoMetaGraph[] }>(type, readFileSync(pbPath), `${pbPath}: not a valid SavedModel protobuf,`, SavedModelError, { longs: Number, enums: String, defaults: false });
  const metaGraphs = model.metaGraphs ?? [];
  const metaGraph = metaGraphs.find((m) => m.metaInfoDef?.tags?.includes('serve')) ?? metaGraphs[0];
  if (!metaGraph) throw new SavedModelError(`${pbPath}: the SavedModel has no meta graph.`);
  const signatures: SavedModelInfo['signatures'] = {};
  for (const [key, sig] of Object.entries(metaGraph.signatureDef ?? {})) {
    if (key.startsWith('__')) continue; // __saved_model_init_op
    const list = (m: Record<string, ProtoTensorInfo> | undefined) =>
      Object.entries(m ?? {}).map(([k, t]) => ({ key: k, tensor: t.name ?? k, dtype: t.dtype ?? 'DT_FLOAT', shape: shapeOf(t.tensorShape) }));
    signatures[key] = { inputs: list(sig.inputs), outputs: list(sig.outputs) };
  }
  return { dir, tensorflowVersion: metaGraph.metaInfoDef?.tensorflowVersion ?? 'unknown', signatures, metaGraph };
}

/** First (breadth-first) path to every object: the checkpoint keys are built from these. */
export function objectPaths(nodes: ProtoObject[]): Map<number, string> {
  const paths = new Map<number, string>([[0, '']]);
  const queue = [0];
  while (queue.length) {
    const id = queue.shift()!;
    for (const child of nodes[id]?.children ?? []) {
      const childId = child.nodeId ?? 0;
      if (paths.has(childId)) continue;
      const base = paths.get(id)!;
      paths.set(childId, base ? `${base}/${child.localName}` : (child.localName ?? ''));
      queue.push(childId);
    }
  }
  return paths;
}

/** SavedModel metadata writes Python tuples as {class_name: "__tuple__", items}; .h5 files use lists. */
function untuple(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(untuple);
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (record.class_name === '__tuple__' && Array.isArray(record.items)) return record.items.map(untuple);
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, untuple(v)]));
  }
  return value;
}

const KERAS_MODEL_IDS = new Set(['_tf_keras_network', '_tf_keras_sequential', '_tf_keras_model']);

/** Returns the Keras model stored in the SavedModel, or undefined when it is not a Keras one. */
export function readKerasSavedModel(info: SavedModelInfo): KerasSavedModel | undefined {
  const nodes = info.metaGraph.objectGraphDef?.nodes ?? [];
  const root = nodes[0]?.userObject;
  if (!root?.identifier || !KERAS_MODEL_IDS.has(root.identifier) || !root.metadata) return undefined;
  const meta = parseJsonFile(root.metadata, `${info.dir}: the Keras metadata in saved_model.pb`, SavedModelError) as {
    model_config?: KerasSavedModel['modelConfig'];
    class_name?: string;
    config?: unknown;
    keras_version?: string;
  } | null;
  if (!meta || typeof meta !== 'object') throw new SavedModelError(`${info.dir}: the Keras metadata in saved_model.pb is not a JSON object.`);
  const modelConfig = meta.model_config ?? (meta.class_name ? { class_name: meta.class_name, config: meta.config } : undefined);
  if (!modelConfig?.config) {
    throw new UnsupportedError(`${info.dir}: a subclassed Keras model (${meta.class_name ?? 'unknown class'}) has no layer config; re-export it as a Functional or Sequential model.`);
  }
  modelConfig.config = untuple(modelConfig.config);
  const paths = objectPaths(nodes);
  const bundle = TensorBundle.open(bundlePrefix(info.dir));
  const weights = new Map<string, KerasWeight[]>();
  nodes.forEach((node) => {
    if (node.userObject?.identifier !== '_tf_keras_layer' || !node.userObject.metadata) return;
    const layerMeta = parseJsonFile(node.userObject.metadata, `${info.dir}: a layer's metadata in saved_model.pb`, SavedModelError) as { name?: unknown } | null;
    const layerName = typeof layerMeta?.name === 'string' ? layerMeta.name : undefined;
    const list = node.children?.find((c) => c.localName === 'variables');
    const variableIds = list ? (nodes[list.nodeId ?? -1]?.children ?? []).map((c) => c.nodeId ?? -1) : [];
    if (!layerName || variableIds.length === 0) return;
    weights.set(
      layerName,
      variableIds.map((vid) => {
        const variable = nodes[vid]?.variable;
        const key = `${paths.get(vid)}/.ATTRIBUTES/VARIABLE_VALUE`;
        const tensor = bundle.read(key);
        if (!(tensor.data instanceof Float32Array)) {
          throw new UnsupportedError(`${info.dir}: weight '${variable?.name}' is ${tensor.dtype}; only float32 weights convert.`);
        }
        return { name: `${variable?.name ?? key}:0`.replace(/:0:0$/, ':0'), shape: tensor.shape, data: tensor.data };
      }),
    );
  });
  return { modelConfig, kerasVersion: meta.keras_version ?? 'unknown', weights };
}
