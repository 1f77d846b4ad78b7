// Writes a recorded KerasGraph the way Keras saves it: a Keras 2 full-model `.h5`
// (model_config with Keras 2 inbound nodes, model_weights/<layer>/<layer>/<var>:0) and a
// `.keras` archive (config.json with {args, kwargs} nodes and __keras_tensor__ references,
// model.weights.h5 with layers/<name>/vars/<i>).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { type Arg, isTensor, type KerasGraph, type KTensor, type LayerRecord } from './keras-graph';

const OP_CLASSES = new Set(['TFOpLambda', 'SlicingOpLambda']);

function map(a: Arg, tensor: (t: KTensor) => unknown): unknown {
  if (isTensor(a)) return tensor(a);
  if (Array.isArray(a)) return a.map((x) => map(x, tensor));
  if (a && typeof a === 'object') return Object.fromEntries(Object.entries(a).map(([k, x]) => [k, map(x, tensor)]));
  return a;
}

function keras2Node(layer: LayerRecord): unknown[] {
  const ref = (t: KTensor) => [t.layer, 0, t.index];
  if (!OP_CLASSES.has(layer.className)) {
    const list = Array.isArray(layer.first) ? layer.first : [layer.first];
    return [list.map((t) => [...ref(t as KTensor), {}])];
  }
  // Keras 2 keeps the first argument's structure; its kwargs ride on every tensor of it.
  const kwargs = map(layer.kwargs, ref);
  const entry = (a: Arg) => (isTensor(a) ? [...ref(a), kwargs] : ['_CONSTANT_VALUE', -1, map(a, ref), kwargs]);
  const first = layer.first;
  if (Array.isArray(first) && first.some(isTensor)) return [first.map(entry)];
  return [entry(first)];
}

function keras3Node(layer: LayerRecord): unknown[] {
  const tensor = (t: KTensor) => ({ class_name: '__keras_tensor__', config: { shape: [null, ...t.shape.slice(1)], dtype: 'float32', keras_history: [t.layer, 0, t.index] } });
  return [{ args: [map(layer.first, tensor)], kwargs: map(layer.kwargs, tensor) }];
}

function modelConfig(g: KerasGraph, name: string, node: (l: LayerRecord) => unknown[]): unknown {
  return {
    class_name: 'Functional',
    config: {
      name,
      layers: g.layers.map((l) => ({ class_name: l.className, config: l.config, name: l.name, inbound_nodes: l.className === 'InputLayer' ? [] : node(l) })),
      input_layers: g.inputs.map((t) => [t.layer, 0, t.index]),
      output_layers: g.outputs.map((t) => [t.layer, 0, t.index]),
    },
  };
}

async function h5(): Promise<typeof import('h5wasm/node')> {
  const mod = await import('h5wasm/node');
  await mod.ready;
  return mod;
}

export async function writeKerasH5(g: KerasGraph, path: string, name: string): Promise<void> {
  const h5wasm = await h5();
  const file = new h5wasm.File(path, 'w');
  file.create_attribute('model_config', JSON.stringify(modelConfig(g, name, keras2Node)));
  file.create_attribute('keras_version', '2.12.0');
  file.create_attribute('backend', 'tensorflow');
  const mw = file.create_group('model_weights');
  mw.create_attribute('layer_names', g.layers.map((l) => l.name));
  for (const layer of g.layers) {
    const group = mw.create_group(layer.name);
    group.create_attribute('weight_names', layer.weights.map((w) => `${layer.name}/${w.name}:0`));
    if (layer.weights.length === 0) continue;
    const inner = group.create_group(layer.name);
    for (const w of layer.weights) inner.create_dataset({ name: `${w.name}:0`, data: w.data, shape: w.shape, dtype: '<f' });
  }
  file.close();
}

export async function writeKeras3(g: KerasGraph, dir: string, name: string): Promise<string> {
  const h5wasm = await h5();
  const weightsPath = join(dir, `${name}.weights.h5`);
  const file = new h5wasm.File(weightsPath, 'w');
  const root = file.create_group('layers');
  for (const layer of g.layers) {
    if (layer.weights.length === 0) continue;
    const vars = root.create_group(layer.name).create_group('vars');
    layer.weights.forEach((w, i) => vars.create_dataset({ name: String(i), data: w.data, shape: w.shape, dtype: '<f' }));
  }
  file.close();
  const archive = join(dir, `${name}.keras`);
  writeFileSync(
    archive,
    zipSync({
      'metadata.json': new TextEncoder().encode(JSON.stringify({ keras_version: '2.15.0' })),
      'config.json': new TextEncoder().encode(JSON.stringify(modelConfig(g, name, keras3Node))),
      'model.weights.h5': new Uint8Array(readFileSync(weightsPath)),
    }),
  );
  return archive;
}
