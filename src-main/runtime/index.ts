// Runtime selection: LiteRT.js first (fastest here), tflite-node for what LiteRT refuses
// (variable tensors / LSTM state, some dynamic shapes, ops missing from its build).
import type { LoadedTflite, RuntimeName, TfliteRuntime } from './types';
import { LiteRtRuntime } from './litert';
import { TfliteNodeRuntime, tfliteCLibraryPath } from './tflite-node';
import { RuntimeLoadError } from './errors';
import { InputError, oneLine } from '../errors';

export { tfliteCLibraryPath };
export { RuntimeLoadError, RuntimeRunError, RuntimeInputError } from './errors';
export type { LoadedTflite, RuntimeName, TfliteRuntime, RuntimeArray, RuntimeTensorInfo } from './types';

const instances = new Map<RuntimeName, TfliteRuntime>();

export const RUNTIME_NAMES: readonly RuntimeName[] = ['litert-js', 'tflite-node'];

export function getRuntime(name: RuntimeName): TfliteRuntime {
  let runtime = instances.get(name);
  if (!runtime) {
    if (name === 'litert-js') runtime = new LiteRtRuntime();
    else if (name === 'tflite-node') runtime = new TfliteNodeRuntime();
    else throw new InputError(`Unknown runtime '${String(name)}' (expected one of: ${RUNTIME_NAMES.join(', ')}).`);
    instances.set(name, runtime);
  }
  return runtime;
}

export interface BestRuntimeResult {
  runtime: TfliteRuntime;
  model: LoadedTflite;
  /** Why the preferred runtime was not used, when it was not. */
  fallbackReason?: string;
}

/** Loads with LiteRT.js; when it refuses the model, loads with tflite-node instead. */
export async function loadWithBestRuntime(bytes: Uint8Array, options: { threads?: number } = {}): Promise<BestRuntimeResult> {
  const preferred = getRuntime('litert-js');
  try {
    return { runtime: preferred, model: await preferred.load(bytes, options) };
  } catch (error) {
    if (!(error instanceof RuntimeLoadError)) throw error;
    const fallback = getRuntime('tflite-node');
    return { runtime: fallback, model: await fallback.load(bytes, options), fallbackReason: oneLine(error) };
  }
}
