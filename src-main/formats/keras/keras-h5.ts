// Keras HDF5 importers: the legacy full-model `.h5` (model_config + model_weights) and the
// to_json() config + save_weights `.h5` pair (chosen when both files are given).
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { InputError } from '../../errors';
import { parseJsonFile } from '../json-text';
import type { ModelGraph } from '../../graph/model-graph';
import { Hdf5File, isHdf5 } from '../hdf5/h5file';
import type { Importer, ModelSource, OpenOptions } from '../importer';
import { flattenModel, type FlatModel, type KerasLayerJson, KerasFormatError } from './config';
import { kerasToGraph } from './to-graph';
import { Keras2H5Weights, Keras3H5Weights, NoWeights, type WeightSource } from './weights';

export function parseJson(text: string, label: string): unknown {
  return parseJsonFile(text, label, KerasFormatError);
}

export const kerasH5Importer: Importer = {
  name: 'keras-h5',
  title: 'Keras HDF5 model',
  extensions: ['.h5', '.hdf5'],
  match(source: ModelSource, head: Uint8Array): boolean {
    return isHdf5(head) && !(source.companions?.length);
  },
  async open(source: ModelSource, options: OpenOptions = {}): Promise<ModelGraph> {
    const file = await Hdf5File.open(source.path);
    try {
      const configText = file.attr('/', 'model_config');
      if (typeof configText !== 'string') {
        throw new InputError(
          `${source.path}: HDF5 file has no model_config (a weights-only file); give the model's JSON config with it (edgequant convert model.json weights.h5).`,
        );
      }
      const config = parseJson(configText, `${source.path} model_config`) as KerasLayerJson;
      const flat = flattenModel(config);
      const kerasVersion = String(file.attr('/', 'keras_version') ?? '');
      const root = file.has('/model_weights') ? '/model_weights' : '/';
      return kerasToGraph(flat, new Keras2H5Weights(file, root), {
        ...options,
        format: 'keras-h5',
        description: `Converted from Keras ${kerasVersion} HDF5 by EdgeQuant Studio.`,
        metadata: { keras_version: kerasVersion, backend: String(file.attr('/', 'backend') ?? '') },
      });
    } finally {
      file.close();
    }
  },
};

/** Weights of a companion .h5: Keras 2 save_weights (layer_names) or Keras 3 (.weights.h5). */
export function weightSourceFor(file: Hdf5File, flat: FlatModel): WeightSource {
  const keras2 = file.attr('/', 'layer_names') !== undefined ? new Keras2H5Weights(file, '/') : file.has('/model_weights') ? new Keras2H5Weights(file, '/model_weights') : undefined;
  if (keras2) {
    keras2.bindByOrder(flat.calls);
    return keras2;
  }
  if (file.has('/layers')) return new Keras3H5Weights(file);
  throw new InputError(`${file.fileName}: not a Keras weights file (no layer_names, model_weights or layers group).`);
}

function isJsonHead(head: Uint8Array): boolean {
  for (const b of head) {
    if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) continue;
    return b === 0x7b || b === 0x5b; // '{' or '['
  }
  return false;
}

/** to_json() configs: the JSON path plus (optionally) the weights .h5 as a companion. */
export const kerasJsonImporter: Importer = {
  name: 'keras-json',
  title: 'Keras JSON config + weights',
  extensions: ['.json'],
  match(_source: ModelSource, head: Uint8Array): boolean {
    if (!isJsonHead(head)) return false;
    const text = new TextDecoder().decode(head);
    // TF.js model.json has modelTopology / weightsManifest; Keras JSON starts with class_name.
    return !text.includes('"modelTopology"') && !text.includes('"weightsManifest"') && /"class_name"\s*:/.test(text);
  },
  async open(source: ModelSource, options: OpenOptions = {}): Promise<ModelGraph> {
    const text = await readFile(source.path, 'utf8');
    const json = parseJson(text, source.path) as KerasLayerJson | KerasLayerJson['config'][];
    const flat = flattenModel(json as KerasLayerJson);
    const weightsPath = source.companions?.find((c) => ['.h5', '.hdf5'].includes(extname(c).toLowerCase()));
    const version = (json as { keras_version?: string }).keras_version ?? '';
    const base = { ...options, format: 'keras-json', metadata: { keras_version: String(version) } };
    if (!weightsPath) {
      return kerasToGraph(flat, new NoWeights(), {
        ...base,
        metadata: { ...base.metadata, weights: 'random' },
        randomWeights: true,
        description: 'Converted from a Keras JSON config with random weights (architecture only) by EdgeQuant Studio.',
      });
    }
    const file = await Hdf5File.open(weightsPath);
    try {
      return kerasToGraph(flat, weightSourceFor(file, flat), { ...base, description: 'Converted from a Keras JSON config + weights by EdgeQuant Studio.' });
    } finally {
      file.close();
    }
  },
};

export { isJsonHead };
