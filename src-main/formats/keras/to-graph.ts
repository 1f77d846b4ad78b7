// Lowers a flattened Keras model to the shared model graph: pins input shapes, walks the
// layer calls in dependency order, dispatches each class through the layer table, and
// collects unsupported layers (all at once for `inspect`, first one for `convert`).
import { InputError, UnsupportedError } from '../../errors';
import type { DType, ModelGraph, UnsupportedLayer } from '../../graph/model-graph';
import type { OpenOptions } from '../importer';
import { GraphBuilder, type Value } from './builder';
import { type FlatModel, type LayerCall, KerasFormatError } from './config';
import { seededRandom } from '../../seeded-random';
import { MAX_MODEL_PARAMETERS, ModelTooLargeError } from '../model-limits';
import { LowerContext } from './lower/context';
import { CUSTOM_CODE_CLASSES, layerTable } from './lower/index';
import type { WeightSource } from './weights';

export interface KerasGraphOptions extends OpenOptions {
  format: string;
  description: string;
  metadata: Record<string, string>;
  /** Architecture-only configs: make seeded random weights instead of failing. */
  randomWeights?: boolean;
}

const DTYPES: Record<string, DType> = { float32: 'float32', int32: 'int32', int64: 'int32', float16: 'float32', uint8: 'uint8', int8: 'int8', bool: 'bool' };

/** Batch 1 and any --input-shape pinned into the declared Keras input shape. */
export function pinShape(name: string, declared: (number | null)[], pinned: number[] | undefined): number[] {
  if (pinned) {
    if (pinned.length !== declared.length) {
      throw new InputError(`--input-shape ${pinned.join(',')} has rank ${pinned.length} but input '${name}' has rank ${declared.length} ([${declared.map((d) => d ?? '?').join(', ')}]).`);
    }
    declared.forEach((d, i) => {
      if (i > 0 && d !== null && d !== pinned[i]) {
        throw new InputError(`--input-shape ${pinned.join(',')} does not match input '${name}' [${declared.map((x) => x ?? '?').join(', ')}] at dim ${i}.`);
      }
    });
    return [...pinned];
  }
  const shape = declared.map((d, i) => (i === 0 ? d ?? 1 : d));
  const values = shape.reduce<number>((n, d) => n * Math.max(d ?? 1, 1), 1);
  if (values > MAX_MODEL_PARAMETERS) {
    throw new ModelTooLargeError(`Input '${name}' declares [${declared.map((d) => d ?? '?').join(', ')}]: ${values.toExponential(2)} values per sample, more than ${MAX_MODEL_PARAMETERS} (2 GiB of float32); check the input shape.`);
  }
  if (shape.some((d) => d === null || d < 0)) {
    throw new InputError(
      `Input '${name}' has dynamic dims [${declared.map((d) => d ?? '?').join(', ')}]; pin them with --input-shape, e.g. ${shape.map((d) => d ?? 64).join(',')}.`,
    );
  }
  return shape as number[];
}

function dependencyOrder(flat: FlatModel): LayerCall[] {
  const ready = new Set(flat.inputs.map((i) => i.id));
  const pending = [...flat.calls];
  const ordered: LayerCall[] = [];
  while (pending.length) {
    const index = pending.findIndex((c) => c.inputs.every((i) => ready.has(i)));
    if (index < 0) {
      const stuck = pending[0]!;
      throw new KerasFormatError(`Keras config: layer '${stuck.name}' reads a tensor no layer produces (${stuck.inputs.find((i) => !ready.has(i))}).`);
    }
    const [call] = pending.splice(index, 1) as [LayerCall];
    ordered.push(call);
    for (const o of call.outputs) ready.add(o);
  }
  return ordered;
}

export function kerasToGraph(flat: FlatModel, weights: WeightSource, options: KerasGraphOptions): ModelGraph {
  const prefix = `${flat.name}/`;
  const b = new GraphBuilder(flat.name, prefix);
  const values = new Map<string, Value>();
  if (options.inputShape && flat.inputs.length > 1) {
    throw new InputError(`--input-shape pins one input but the model has ${flat.inputs.length}.`);
  }
  for (const input of flat.inputs) {
    const shape = pinShape(input.name, input.shape, options.inputShape);
    values.set(input.id, b.input(input.name, shape, DTYPES[input.dtype] ?? 'float32'));
  }
  const unsupported: UnsupportedLayer[] = [];
  const random = options.randomWeights ? seededRandom(1234) : undefined;
  for (const call of dependencyOrder(flat)) {
    const lower = layerTable[call.className];
    const reason = CUSTOM_CODE_CLASSES.has(call.className)
      ? 'runs arbitrary Python code; rebuild the model without Lambda layers'
      : !lower
        ? 'this layer class is custom or outside the supported Keras layer list; replace it with supported built-in layers'
        : undefined;
    if (reason || !lower) {
      const entry = { layer: call.name, className: call.className, reason: reason ?? 'unsupported' };
      if (!options.collectUnsupported) throw new UnsupportedError(`Layer '${call.name}' (${call.className}) is not supported: ${entry.reason}.`);
      unsupported.push(entry);
      continue;
    }
    const inputs = call.inputs.map((id) => values.get(id));
    if (inputs.some((v) => v === undefined)) continue; // downstream of an unsupported layer
    b.current = { layer: call.name, className: call.className };
    const ctx = new LowerContext(b, call, weights.forLayer(call), random, options.unrollRnn ?? false);
    try {
      const outs = lower(ctx, inputs as Value[]);
      outs.forEach((v, k) => {
        const id = call.outputs[k];
        if (id) values.set(id, v);
      });
    } catch (error) {
      if (error instanceof UnsupportedError && options.collectUnsupported) {
        unsupported.push({ layer: call.name, className: call.className, reason: error.message });
        continue;
      }
      throw error;
    }
  }
  b.current = undefined;
  const graph = b.graph;
  for (const id of flat.outputs) {
    const v = values.get(id);
    if (!v) {
      if (unsupported.length) continue;
      throw new KerasFormatError(`Keras config: model output '${id}' is not produced by any layer.`);
    }
    graph.outputs.push(v.name);
  }
  return {
    format: options.format,
    description: options.description,
    graphs: [graph],
    signatures: [
      {
        key: 'serving_default',
        subgraph: 0,
        inputs: Object.fromEntries(graph.inputs.map((n) => [n, n])),
        outputs: Object.fromEntries(graph.outputs.map((n, i) => [i === 0 ? 'output_0' : `output_${i}`, n])),
      },
    ],
    metadata: options.metadata,
    unsupported,
  };
}
