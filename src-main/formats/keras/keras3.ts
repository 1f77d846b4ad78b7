// Keras 3 `.keras` archives: config.json + metadata.json + model.weights.h5 in a zip,
// read with the safe unzip (no path traversal, size caps). The weights file goes to a
// private temp folder because h5wasm reads from the filesystem.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelGraph } from '../../graph/model-graph';
import { Hdf5File } from '../hdf5/h5file';
import type { Importer, ModelSource, OpenOptions } from '../importer';
import { DEFAULT_ZIP_LIMITS, safeUnzip, type ZipLimits } from '../zip/safe-unzip';
import { MAX_MODEL_PARAMETERS } from '../model-limits';
import { flattenModel, type KerasLayerJson, KerasFormatError, markLayers } from './config';
import { parseJson } from './keras-h5';
import { kerasToGraph } from './to-graph';
import { Keras3H5Weights } from './weights';

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

// What each member may need: JSON configs of real models are well under a few MiB (NASNet's is
// 0.8 MiB); the weights file holds at most the parameters a model may have plus HDF5 overhead.
const MEMBER_CAPS: Record<string, number> = {
  'config.json': 64 * 1024 ** 2,
  'metadata.json': 1024 ** 2,
  'model.weights.h5': MAX_MODEL_PARAMETERS * 4 + 64 * 1024 ** 2,
};
const KERAS_LIMITS: ZipLimits = { ...DEFAULT_ZIP_LIMITS, maxMemberBytes: (name) => MEMBER_CAPS[name] ?? 0 };

export const keras3Importer: Importer = {
  name: 'keras-v3',
  title: 'Keras 3 (.keras)',
  extensions: ['.keras'],
  match(source: ModelSource, head: Uint8Array): boolean {
    return ZIP_MAGIC.every((b, i) => head[i] === b) && source.path.toLowerCase().endsWith('.keras');
  },
  async open(source: ModelSource, options: OpenOptions = {}): Promise<ModelGraph> {
    const bytes = new Uint8Array(await readFile(source.path));
    const files = safeUnzip(bytes, source.path, KERAS_LIMITS, (name) => name in MEMBER_CAPS);
    const configBytes = files.get('config.json');
    if (!configBytes) throw new KerasFormatError(`${source.path}: .keras archive has no config.json.`);
    const config = parseJson(new TextDecoder().decode(configBytes), `${source.path} config.json`) as KerasLayerJson;
    const meta = files.get('metadata.json');
    const metadata = meta ? (parseJson(new TextDecoder().decode(meta), `${source.path} metadata.json`) as Record<string, unknown>) : {};
    markLayers(config, '__keras3');
    const flat = flattenModel(config);
    const weights = files.get('model.weights.h5');
    if (!weights) throw new KerasFormatError(`${source.path}: .keras archive has no model.weights.h5.`);
    const dir = await mkdtemp(join(tmpdir(), 'edgequant-keras-'));
    try {
      const path = join(dir, 'model.weights.h5');
      await writeFile(path, weights);
      // Errors name the archive and member, not the temporary copy (deleted by then).
      const file = await Hdf5File.open(path, `${source.path}:model.weights.h5`);
      try {
        return kerasToGraph(flat, new Keras3H5Weights(file), {
          ...options,
          format: 'keras-v3',
          description: `Converted from Keras ${String(metadata['keras_version'] ?? '3')} by EdgeQuant Studio.`,
          metadata: { keras_version: String(metadata['keras_version'] ?? '') },
        });
      } finally {
        file.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
