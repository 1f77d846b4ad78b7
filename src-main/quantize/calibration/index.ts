// Calibration: stream samples (images / .npy / .npz) through the float graph and collect
// per-tensor ranges for the quantizer. `calibrator(spec)` plugs into quantizeModel's `calibrate`.
import type { CalibrationSpec } from '../../convert/types';
import { mainGraph, type ModelGraph } from '../../graph/model-graph';
import type { Statistics } from '../qtypes';
import type { Dataset } from '../../data/dataset';
import { openDataset } from '../../data/open';
import type { DataReader } from '../../data/reader';
import type { GptqTap } from '../rounding/calibration-tap';
import { asStatistics, collectStatistics, inputSpecs } from './statistics';

export { CalibrationDataError, type Dataset, type InputSpec, type Sample } from '../../data/dataset';
export { openDataset, type OpenDatasetOptions } from '../../data/open';
export { asStatistics, collectStatistics, inputSpecs, type CollectOptions, type TensorStatistics } from './statistics';

export const DEFAULT_CALIBRATION_SAMPLES = 100;
export const DEFAULT_CALIBRATION_SEED = 0;
const MIN_SAMPLES_PER_WORKER = 8;

/** The samples `spec` selects, shaped for `model`'s inputs, read through the run's `reader`. */
function openSpec(spec: CalibrationSpec, model: ModelGraph, reader?: DataReader): Promise<Dataset> {
  return openDataset(spec.path, inputSpecs(mainGraph(model)), {
    ...(reader ? { reader } : {}),
    ...(spec.preprocess !== undefined ? { preprocess: spec.preprocess } : {}),
    samples: spec.samples ?? DEFAULT_CALIBRATION_SAMPLES,
    seed: spec.seed ?? DEFAULT_CALIBRATION_SEED,
    ...(spec.holdOut ? { holdOut: { fraction: spec.holdOut, part: 'calibration' as const } } : {}),
  });
}

/**
 * Returns a function that calibrates a float model on `spec` (for `quantizeModel`'s `calibrate`),
 * summing in the same pass the gptq statistics of the layers `gptq` taps. Data warnings are
 * appended to `warnings`.
 */
export function calibrator(
  spec: CalibrationSpec,
  warnings: string[] = [],
  onProgress?: (done: number, total: number) => void,
  signal?: AbortSignal,
  reader?: DataReader,
  workers = 1,
): (model: ModelGraph, gptq?: GptqTap) => Promise<Statistics> {
  return async (model, gptq) => {
    const graph = mainGraph(model);
    const dataset = await openSpec(spec, model, reader);
    try {
      // A worker costs ~1 s to start (its own TF.js): not worth it for a handful of samples.
      const used = Math.max(1, Math.min(workers, Math.floor(dataset.count / MIN_SAMPLES_PER_WORKER)));
      const stats = await collectStatistics(graph, dataset, { method: spec.method ?? 'minmax', workers: used, ...(gptq ? { gptq } : {}), ...(onProgress ? { onProgress } : {}), ...(signal ? { signal } : {}) });
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

export async function openCalibrationSamples(spec: CalibrationSpec, model: ModelGraph, warnings: string[] = [], signal?: AbortSignal, reader?: DataReader): Promise<CalibrationSamples> {
  const dataset = await openSpec(spec, model, reader);
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
