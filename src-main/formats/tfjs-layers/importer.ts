// TF.js layers-model importer: model.json (modelTopology = a Keras model config) + binary
// weight shards. Graph models (format 'graph-model') are a different format.
import { readFile } from 'node:fs/promises';
import type { ModelGraph } from '../../graph/model-graph';
import type { Importer, ModelSource, OpenOptions } from '../importer';
import { flattenModel, type KerasLayerJson, markLayers } from '../keras/config';
import { isJsonHead, parseJson } from '../keras/keras-h5';
import { kerasToGraph } from '../keras/to-graph';
import { NamedWeights } from '../keras/weights';
import { checked, layersModelSchema } from '../tfjs-json-schema';
import { readManifestWeights, TfjsFormatError, type ManifestGroup } from './manifest';

interface TfjsModelJson {
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
  modelTopology?: { model_config?: KerasLayerJson; keras_version?: string; class_name?: string; node?: unknown };
  weightsManifest?: ManifestGroup[];
}

export const tfjsLayersImporter: Importer = {
  name: 'tfjs-layers',
  title: 'TF.js layers model',
  extensions: ['.json'],
  match(_source: ModelSource, head: Uint8Array): boolean {
    if (!isJsonHead(head)) return false;
    const text = new TextDecoder().decode(head.subarray(0, 65536));
    return text.includes('"modelTopology"') && !text.includes('"graph-model"');
  },
  async open(source: ModelSource, options: OpenOptions = {}): Promise<ModelGraph> {
    const json = checked(layersModelSchema, parseJson(await readFile(source.path, 'utf8'), source.path), source.path, TfjsFormatError) as TfjsModelJson;
    const topology = json.modelTopology;
    if (!topology) throw new TfjsFormatError(`${source.path}: TF.js model.json has no modelTopology.`);
    if (json.format === 'graph-model' || topology.node) {
      throw new TfjsFormatError(`${source.path}: this is a TF.js graph model; only layers models (Keras topology) can be converted.`);
    }
    const config = topology.model_config ?? (topology.class_name ? (topology as KerasLayerJson) : undefined);
    if (!config) throw new TfjsFormatError(`${source.path}: modelTopology has no model_config.`);
    markLayers(config, '__tfjs');
    const flat = flattenModel(config);
    const weights = await readManifestWeights(source.path, json.weightsManifest ?? []);
    return kerasToGraph(flat, new NamedWeights(weights), {
      ...options,
      format: 'tfjs-layers',
      description: `Converted from a TF.js layers model (Keras ${topology.keras_version ?? '?'}) by EdgeQuant Studio.`,
      metadata: { keras_version: String(topology.keras_version ?? ''), generatedBy: String(json.generatedBy ?? '') },
    });
  },
};
