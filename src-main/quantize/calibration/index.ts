// Calibration: stream samples (images / .npy / .npz) through the float graph and collect
// per-tensor ranges for the quantizer. `calibrator(spec)` plugs into quantizeModel's `calibrate`.
import type { CalibrationSpec } from '../../convert/types';
import { mainGraph, type ModelGraph } from '../../graph/model-graph';
import type { Statistics } from '../qtypes';
import type { Dataset } from './dataset';
import { openDataset } from './open';
import { asStatistics, collectStatistics, inputSpecs } from './statistics';

export { CalibrationDataError, type Dataset, type InputSpec, type Sample } from './dataset';
export { openDataset, type OpenDatasetOptions } from './open';
export { asStatistics, collectStatistics, inputSpecs, type CollectOptions, type TensorStatistics } from './statistics';

export const DEFAULT_CALIBRATION_SAMPLES = 100;
export const DEFAULT_CALIBRATION_SEED = 0;

/** The samples `spec` selects, shaped for `model`'s inputs. */
function openSpec(spec: CalibrationSpec, model: ModelGraph): Promise<Dataset> {
  return openDataset(spec.path, inputSpecs(mainGraph(model)), {
    ...(spec.preprocess !== undefined ? { preprocess: spec.preprocess } : {}),
    samples: spec.samples ?? DEFAULT_CALIBRATION_SAMPLES,
    seed: spec.seed ?? DEFAULT_CALIBRATION_SEED,
    ...(spec.holdOut ? { holdOut: { fraction: spec.holdOut, part: 'calibration' as const } } : {}),
  });
}

/**
 * Returns a function that calibrates a float model on `spec` (for `quantizeModel`'s `calibrate`).
 * Data warnings are appended to `warnings`.
 */
export function calibrator(
  spec: CalibrationSpec,
  warnings: string[] = [],
  onProgress?: (done: number, total: number) => void,
  signal?: AbortSignal,
): (model: ModelGraph) => Promise<Statistics> {
  return async (model) => {
    const graph = mainGraph(model);
    const dataset = await openSpec(spec, model);
    try {
      const stats = await collectStatistics(graph, dataset, { method: spec.method ?? 'minmax', ...(onProgress ? { onProgress } : {}), ...(signal ? { signal } : {}) });
      warnings.push(...dataset.warnings);
      return asStatistics(stats);
    } finally {
      await dataset.close();
    }
  };
}

/**
 * Opens `spec` for passes that need the samples themselves (error-compensated rounding):
 * `samples()` iterates the same selection afresh on each call, one sample in memory at a time.
 */
export interface CalibrationSamples {
  samples: () => AsyncIterable<Float32Array[]>;
  close: () => Promise<void>;
}

export async function openCalibrationSamples(spec: CalibrationSpec, model: ModelGraph, warnings: string[] = [], signal?: AbortSignal): Promise<CalibrationSamples> {
  const dataset = await openSpec(spec, model);
  let warned = false;
  return {
    async *samples() {
      for await (const sample of dataset.samples(signal)) yield sample.inputs;
      if (!warned) warnings.push(...dataset.warnings);
      warned = true;
    },
    close: () => dataset.close(),
  };
}
