// Keras model configs (Keras 2 `model_config`/`to_json()`, Keras 3 `config.json`, TF.js
// `modelTopology`) normalised into one flat list of layer calls. Nested Functional and
// Sequential models are inlined; tensors are identified as `layer:node:index`.
import { InputError, UnsupportedError } from '../../errors';
import { type OpCallArgs, parseOpCall } from './op-call';

export class KerasFormatError extends InputError {
  override name = 'KerasFormatError';
}

export type LayerConfig = Record<string, unknown>;

export interface KerasLayerJson {
  class_name: string;
  config: LayerConfig;
  name?: string;
  module?: string | null;
  registered_name?: string | null;
  inbound_nodes?: unknown;
}

export interface ModelInput {
  id: string;
  name: string;
  /** Shape including the batch dim; null for unknown dims. */
  shape: (number | null)[];
  dtype: string;
}

export interface LayerCall {
  className: string;
  /** Layer name, unique in the model (nested names are kept as Keras wrote them). */
  name: string;
  config: LayerConfig;
  inputs: string[];
  outputs: string[];
  /** Path of model names from the top model to this layer, for nested weight lookup. */
  scope: string[];
  /** kwargs of the call (e.g. `training`, `mask`), kept for checks. */
  kwargs: Record<string, unknown>;
  /** TFOpLambda / SlicingOpLambda: the TF function's arguments, tensors as markers into `inputs`. */
  opArgs?: OpCallArgs;
}

export interface FlatModel {
  name: string;
  inputs: ModelInput[];
  calls: LayerCall[];
  outputs: string[];
}

const MODEL_CLASSES = new Set(['Functional', 'Model', 'Sequential']);
/** Layers that call a TF function with arbitrary arguments (see op-call.ts). */
const OP_CALL_CLASSES = new Set(['TFOpLambda', 'SlicingOpLambda']);
/** A layer call may return several tensors (tf.split, tf.unstack): ids for up to this many. */
const MAX_OUTPUTS = 16;

export function isModelClass(className: string): boolean {
  return MODEL_CLASSES.has(className);
}

/** A layer entry as the file has it: an object with a class_name string and a config object. */
export function asLayer(value: unknown, where: string): KerasLayerJson {
  const layer = value as Partial<KerasLayerJson> | null;
  if (!layer || typeof layer !== 'object' || Array.isArray(layer)) throw new KerasFormatError(`Keras config: ${where} is ${JSON.stringify(value)?.slice(0, 40)}, expected a layer object.`);
  if (typeof layer.class_name !== 'string') throw new KerasFormatError(`Keras config: ${where} has no class_name string.`);
  const config = layer.config as unknown;
  if (!config || typeof config !== 'object' || (Array.isArray(config) && layer.class_name !== 'Sequential')) {
    throw new KerasFormatError(`Keras config: ${where} (${layer.class_name.slice(0, 60)}) has no config object.`);
  }
  return layer as KerasLayerJson;
}

function layerName(layer: KerasLayerJson): string {
  const name = layer.name ?? layer.config['name'];
  if (typeof name !== 'string' || !name) throw new KerasFormatError(`Keras config: a ${layer.class_name.slice(0, 60)} layer has no name.`);
  return name;
}

/** A declared shape: a list of non-negative integers or null (unknown); -1 counts as unknown. */
function shapeList(value: unknown, key: string): (number | null)[] | undefined {
  if (value === undefined || value === null) return undefined;
  const ok = Array.isArray(value) && value.length <= 16 && value.every((d) => d === null || (Number.isSafeInteger(d) && (d as number) >= -1));
  if (!ok) throw new KerasFormatError(`Keras config: '${key}' is ${JSON.stringify(value)?.slice(0, 60)}, expected a list of dimensions (integers or null).`);
  return (value as (number | null)[]).map((d) => (d === -1 ? null : d));
}

/** Shape of an InputLayer (Keras 2 `batch_input_shape`, Keras 3 `batch_shape`). */
function inputShapeOf(config: LayerConfig): (number | null)[] | undefined {
  const s = shapeList(config['batch_input_shape'], 'batch_input_shape') ?? shapeList(config['batch_shape'], 'batch_shape');
  if (s) return s;
  const noBatch = shapeList(config['input_shape'], 'input_shape') ?? shapeList(config['shape'], 'shape');
  return noBatch ? [null, ...noBatch] : undefined;
}

function dtypeOf(config: LayerConfig): string {
  const d = config['dtype'];
  if (typeof d === 'string') return d;
  if (d && typeof d === 'object') {
    const inner = (d as { config?: { name?: string } }).config?.name;
    if (inner) return inner;
  }
  return 'float32';
}

/** Reads one inbound tensor reference: Keras 2 `[name, node, index, kwargs]`
 *  or Keras 3 `{class_name: '__keras_tensor__', config: {keras_history: [...]}}`. */
function collectRefs(arg: unknown, out: string[]): void {
  if (Array.isArray(arg)) {
    if (arg.length >= 3 && typeof arg[0] === 'string' && typeof arg[1] === 'number' && typeof arg[2] === 'number') {
      out.push(`${arg[0]}:${arg[1]}:${arg[2]}`);
      return;
    }
    for (const a of arg) collectRefs(a, out);
    return;
  }
  if (arg && typeof arg === 'object') {
    const obj = arg as { class_name?: unknown; config?: { keras_history?: unknown } | null };
    if (obj.class_name === '__keras_tensor__') {
      const history = obj.config?.keras_history;
      const [n, i, j] = Array.isArray(history) ? (history as unknown[]) : [];
      if (typeof n !== 'string' || !Number.isInteger(i) || !Number.isInteger(j)) {
        throw new KerasFormatError(`Keras config: a tensor's keras_history is ${JSON.stringify(history)?.slice(0, 60)}, expected [layer name, node index, tensor index].`);
      }
      out.push(`${n}:${String(i)}:${String(j)}`);
    }
  }
}

interface InboundCall {
  inputs: string[];
  kwargs: Record<string, unknown>;
  opArgs?: OpCallArgs;
}

function parseInboundNodes(layer: KerasLayerJson): InboundCall[] {
  const nodes = layer.inbound_nodes;
  if (!Array.isArray(nodes)) return [];
  return nodes.map((node): InboundCall => {
    if (OP_CALL_CLASSES.has(layer.class_name)) {
      const parsed = parseOpCall(node);
      if (!parsed) throw new KerasFormatError(`Keras config: layer '${layerName(layer)}' (${layer.class_name}) has an inbound node in an unknown format.`);
      return { inputs: parsed.inputs, kwargs: {}, opArgs: parsed.args };
    }
    const inputs: string[] = [];
    let kwargs: Record<string, unknown> = {};
    if (Array.isArray(node)) {
      // Keras 2: [[name, node, index, kwargs], ...]
      for (const ref of node) {
        collectRefs(ref, inputs);
        if (Array.isArray(ref) && ref[3] && typeof ref[3] === 'object') kwargs = ref[3] as Record<string, unknown>;
      }
    } else if (node && typeof node === 'object') {
      const n = node as { args?: unknown[]; kwargs?: Record<string, unknown> };
      collectRefs(n.args ?? [], inputs);
      kwargs = n.kwargs ?? {};
    }
    return { inputs, kwargs };
  });
}

function refList(value: unknown): string[] {
  const out: string[] = [];
  collectRefs(value, out);
  return out;
}

/** Normalises a top-level model config ({class_name, config}) to a flat model. */
export function flattenModel(model: KerasLayerJson | LayerConfig[], fallbackName = 'model'): FlatModel {
  const json: KerasLayerJson = Array.isArray(model)
    ? { class_name: 'Sequential', config: { name: fallbackName, layers: model } }
    : asLayer(model, 'the model');
  if (!isModelClass(json.class_name)) {
    const registered = typeof json.registered_name === 'string' ? ` (${json.registered_name.slice(0, 80)})` : '';
    throw new UnsupportedError(
      `Keras model class '${json.class_name.slice(0, 80)}'${registered} is a subclassed/custom model whose graph is not in the file; ` +
        're-save it as a Functional or Sequential model.',
    );
  }
  const flat: FlatModel = { name: String(json.config['name'] ?? fallbackName), inputs: [], calls: [], outputs: [] };
  const outputs = expandModel(json, flat, [], undefined);
  flat.outputs = outputs;
  return flat;
}

/**
 * Adds the calls of `model` to `flat`. `bound` maps the model's own input ids to tensors
 * of the enclosing graph when the model is nested; returns the output ids.
 */
function expandModel(model: KerasLayerJson, flat: FlatModel, scope: string[], bound: string[] | undefined): string[] {
  if (model.class_name === 'Sequential') return expandSequential(model, flat, scope, bound);
  return expandFunctional(model, flat, scope, bound);
}

function expandSequential(model: KerasLayerJson, flat: FlatModel, scope: string[], bound: string[] | undefined): string[] {
  const raw = model.config['layers'] ?? (Array.isArray(model.config) ? model.config : undefined);
  if (!Array.isArray(raw)) throw new KerasFormatError('Keras Sequential config has no layer list.');
  const layers = raw.map((l, i) => asLayer(l, `layer ${i} of a Sequential`));
  const modelName = String(model.config['name'] ?? 'sequential');
  let current: string;
  let start = 0;
  if (bound) {
    current = bound[0]!;
    if (layers[0]?.class_name === 'InputLayer') start = 1;
  } else {
    const first = layers[0];
    if (!first) throw new KerasFormatError(`Keras Sequential '${modelName}' has no layers.`);
    // Keras 2 keeps the built shape in config.build_input_shape, Keras 3 in build_config.
    const built = model.config['build_input_shape'] ?? (model as { build_config?: { input_shape?: unknown } }).build_config?.input_shape;
    const shape = inputShapeOf(first.config) ?? (Array.isArray(built) ? (built as (number | null)[]) : undefined);
    if (!shape) throw new KerasFormatError(`Keras Sequential '${modelName}': the first layer declares no input shape.`);
    const inputName = first.class_name === 'InputLayer' ? layerName(first) : `${layerName(first)}_input`;
    current = `${inputName}:0:0`;
    flat.inputs.push({ id: current, name: inputName, shape, dtype: dtypeOf(first.config) });
    if (first.class_name === 'InputLayer') start = 1;
  }
  for (const layer of layers.slice(start)) {
    const name = layerName(layer);
    if (isModelClass(layer.class_name)) {
      current = expandModel(layer, flat, [...scope, name], [current])[0]!;
      continue;
    }
    const out = `${name}:0:0`;
    flat.calls.push({ className: layer.class_name, name, config: layer.config, inputs: [current], outputs: [out], scope, kwargs: {} });
    current = out;
  }
  return [current];
}

function expandFunctional(model: KerasLayerJson, flat: FlatModel, scope: string[], bound: string[] | undefined): string[] {
  const raw = model.config['layers'];
  if (!Array.isArray(raw)) throw new KerasFormatError('Keras Functional config has no layer list.');
  const layers = raw.map((l, i) => asLayer(l, `layer ${i} of a Functional`));
  const inputRefs = refList(model.config['input_layers']);
  const outputRefs = refList(model.config['output_layers']);
  // Ids inside a nested model are renamed to avoid clashes with the outer graph.
  const prefix = bound ? `${scope.join('/')}/` : '';
  const alias = new Map<string, string>();
  const local = (id: string): string => alias.get(id) ?? prefix + id;
  inputRefs.forEach((ref, i) => {
    if (bound) {
      const outer = bound[i];
      if (!outer) throw new KerasFormatError(`Nested model '${scope.at(-1)}' is called with fewer inputs than it declares.`);
      alias.set(ref, outer);
    }
  });
  for (const layer of layers) {
    const name = layerName(layer);
    if (layer.class_name === 'InputLayer') {
      if (bound) continue;
      const shape = inputShapeOf(layer.config);
      if (!shape) throw new KerasFormatError(`Keras InputLayer '${name}' declares no shape.`);
      flat.inputs.push({ id: `${name}:0:0`, name, shape, dtype: dtypeOf(layer.config) });
      continue;
    }
    const calls = parseInboundNodes(layer);
    calls.forEach((call, nodeIndex) => {
      const inputs = call.inputs.map(local);
      if (isModelClass(layer.class_name)) {
        const outs = expandModel(layer, flat, [...scope, name], inputs);
        // A nested model owns node 0 from its own construction, so Keras usually refers to
        // its first call as node 1; accept both spellings.
        outs.forEach((o, k) => {
          alias.set(`${name}:${nodeIndex + 1}:${k}`, o);
          if (!alias.has(`${name}:${nodeIndex}:${k}`)) alias.set(`${name}:${nodeIndex}:${k}`, o);
        });
        return;
      }
      const outputs = Array.from({ length: MAX_OUTPUTS }, (_, k) => prefix + `${name}:${nodeIndex}:${k}`);
      const opArgs = call.opArgs ? { opArgs: call.opArgs } : {};
      flat.calls.push({ className: layer.class_name, name, config: layer.config, inputs, outputs, scope, kwargs: call.kwargs, ...opArgs });
    });
  }
  if (!bound && flat.inputs.length === 0) throw new KerasFormatError('Keras Functional config has no InputLayer.');
  return outputRefs.map(local);
}

/** Tags every layer config (nested ones too) with `key: true`, for source-dependent semantics
 *  such as Keras 3's hard_sigmoid or TF.js's bilinear resize without half-pixel centers. */
export function markLayers(json: KerasLayerJson, key: string): void {
  if (!json || typeof json !== 'object' || !json.config || typeof json.config !== 'object') return;
  const layers = json.config['layers'];
  if (!Array.isArray(layers)) return;
  for (const layer of layers as (KerasLayerJson | null)[]) {
    if (!layer || typeof layer !== 'object') continue; // reported by flattenModel
    if (layer.config && typeof layer.config === 'object') {
      layer.config[key] = true;
      const inner = layer.config['layer'] as KerasLayerJson | null | undefined;
      if (inner?.config && typeof inner.config === 'object') inner.config[key] = true;
    }
    markLayers(layer, key);
  }
}
