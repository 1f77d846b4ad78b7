// One importer per format (STYLE 1): a cheap match() that never throws on foreign bytes and
// an open() that builds the shared model graph. The registry (registry.ts) lists them.
import type { ModelGraph } from '../graph/model-graph';

export interface ModelSource {
  /** The main file or folder the user chose (model.json, model.h5, a SavedModel dir, …). */
  path: string;
  /** Extra files given with it, e.g. the weights-only .h5 for a Keras to_json() config. */
  companions?: string[];
}

export interface OpenOptions {
  /** Pins dynamic input dimensions, e.g. [1, 64, 64, 3]. */
  inputShape?: number[];
  /** Lowers every Keras recurrent layer step by step into plain ops (Keras' unroll=True), so
   *  the file has no variable tensors (LiteRT.js cannot load those). */
  unrollRnn?: boolean;
  /** When true, open() records unsupported layers in model.unsupported instead of throwing
   *  at the first one (used by `inspect`, which lists every unsupported layer at once). */
  collectUnsupported?: boolean;
  /** `--outputs`: end the graph at these tensor names (TensorFlow graph formats). */
  outputs?: string[];
}

export interface Importer {
  /** Stable id, also used as ModelGraph.format: 'keras-h5', 'tflite', … */
  name: string;
  /** Human name shown in the UI and in errors, e.g. 'Keras HDF5'. */
  title: string;
  /** Lower-case extensions including the dot ('.h5'), or '/' for a directory format. */
  extensions: string[];
  /** Cheap check on the file's first bytes (≥ 64 KiB when available); never throws. */
  match(source: ModelSource, head: Uint8Array): boolean;
  open(source: ModelSource, options?: OpenOptions): Promise<ModelGraph>;
}
