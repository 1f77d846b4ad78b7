// SavedModel importer: a directory with saved_model.pb + variables/. Keras SavedModels
// (model config in the object graph metadata) go through the Keras path with the weights
// from the checkpoint bundle; other graphs through the TF-op path (graph-path.ts).
import type { Importer, ModelSource, OpenOptions } from '../importer';
import type { ModelGraph } from '../../graph/model-graph';
import { flattenModel, type KerasLayerJson, type LayerCall } from '../keras/config';
import { kerasToGraph } from '../keras/to-graph';
import type { KerasWeight, WeightSource } from '../keras/weights';
import { isSavedModelDir, readKerasSavedModel, readSavedModel, type KerasSavedModel } from './read';
import { openSavedModelGraph } from './graph-path';

/** Weights read from the checkpoint, by layer name, already in Keras order. */
class CheckpointWeights implements WeightSource {
  constructor(private readonly weights: KerasSavedModel['weights']) {}
  forLayer(call: LayerCall): KerasWeight[] {
    return this.weights.get(call.name) ?? [];
  }
}

export async function openSavedModel(dir: string, options: OpenOptions = {}): Promise<ModelGraph> {
  const info = readSavedModel(dir);
  const keras = readKerasSavedModel(info);
  if (!keras) return openSavedModelGraph(info, options);
  const flat = flattenModel(keras.modelConfig as KerasLayerJson);
  const model = kerasToGraph(flat, new CheckpointWeights(keras.weights), {
    ...options,
    format: 'savedmodel-keras',
    description: `Converted from a Keras SavedModel (TensorFlow ${info.tensorflowVersion}) by EdgeQuant Studio.`,
    metadata: { keras_version: keras.kerasVersion, tensorflow_version: info.tensorflowVersion },
  });
  // Keep the SavedModel's own signature names (serving_default input/output keys).
  const serving = info.signatures.serving_default;
  const signature = model.signatures[0];
  if (serving && signature && serving.inputs.length === Object.keys(signature.inputs).length && serving.outputs.length === Object.keys(signature.outputs).length) {
    const inputs = Object.values(signature.inputs);
    const outputs = Object.values(signature.outputs);
    signature.inputs = Object.fromEntries(serving.inputs.map((s, i) => [s.key, inputs[i]!]));
    signature.outputs = Object.fromEntries(serving.outputs.map((s, i) => [s.key, outputs[i]!]));
  }
  return model;
}

export const savedModelImporter: Importer = {
  name: 'savedmodel',
  title: 'TensorFlow SavedModel',
  extensions: ['/'],
  match: (source: ModelSource) => isSavedModelDir(source.path) || /(^|\/)saved_model\.pb$/.test(source.path),
  open: (source: ModelSource, options?: OpenOptions) =>
    openSavedModel(source.path.replace(/\/?saved_model\.pb$/, '') || '.', options),
};
