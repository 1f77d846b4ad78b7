// Opens calibration / evaluation data from a path: a folder of images, a .npy or a .npz.
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { npyToFloat32, readNpy } from './npy';
import { expectedRange, resolvePreprocessing } from './preprocess';
import { CalibrationDataError, chooseIndices, fewSamplesWarning, SampleChecker, splitIndices, type Dataset, type HoldOut, type InputSpec, type Sample } from './dataset';
import { DataReader } from './reader';
import { imageSource, npySource, npzSource, throwIfAborted, type ClassNames, type Source } from './sources';

export interface OpenDatasetOptions {
  /** Preset name or JSON file; images default to 0..1 (with a warning). */
  preprocess?: string;
  /** How many samples to use (default: 100 for calibration; all when undefined and shuffle is off). */
  samples?: number;
  /** Seed for the shuffle that picks `samples`; undefined keeps the source order. */
  seed?: number;
  /** A .npy of labels (one per available sample, source order). */
  labels?: string;
  /** Warn when fewer than 100 samples are available (calibration). */
  warnFewSamples?: boolean;
  /** The run's reader (hashing, reuse, read counts); by default one for this dataset alone. */
  reader?: DataReader;
  /**
   * Keep a share apart: calibration reads the rest, validation only that share (seed ?? 0);
   * stratified by class when the source itself carries labels (class folders, a .npz labels array).
   */
  holdOut?: HoldOut;
  /** Class names in the model's output order (a labels/classes file): they map class folders to indices. */
  classNames?: ClassNames;
}

/** Index of the first NaN or ±Infinity in `values`, or -1 (a plain loop: findIndex's callback per value cost ~0.5 ms a photo). */
function firstNonFinite(values: Float32Array): number {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return i;
  return -1;
}

export async function openDataset(path: string, inputs: InputSpec[], options: OpenDatasetOptions = {}): Promise<Dataset> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new CalibrationDataError(`Cannot read data ${path}: ${error.code === 'ENOENT' ? 'no such file or folder' : error.code ?? error.message}.`);
  });
  const warnings: string[] = [];
  const reader = options.reader ?? new DataReader();
  const preprocessing = options.preprocess !== undefined ? await resolvePreprocessing(options.preprocess) : undefined;
  let source: Source;
  if (info.isDirectory()) {
    if (!preprocessing) warnings.push('No --preprocess given for images; assuming 0..1 (pixel/255).');
    source = await imageSource(path, inputs, preprocessing ?? (await resolvePreprocessing('0..1')), reader, options.classNames);
  } else {
    const ext = extname(path).toLowerCase();
    if (ext === '.npy') source = await npySource(path, inputs, preprocessing, reader);
    else if (ext === '.npz') source = await npzSource(path, inputs, preprocessing, reader);
    else throw new CalibrationDataError(`${path}: data must be a folder of images, a .npy or a .npz file.`);
  }
  let labels = source.labels;
  if (options.labels) {
    const array = await readNpy(options.labels);
    const values = Array.from(npyToFloat32(array), Math.round);
    if (values.length !== source.available) {
      await source.close();
      throw new CalibrationDataError(`${options.labels} holds ${values.length} labels for ${source.available} samples; give one label per sample.`);
    }
    labels = values;
  }
  const requested = options.samples ?? source.available;
  const indices = options.holdOut ? splitIndices(source.available, requested, options.seed ?? 0, options.holdOut, source.labels) : chooseIndices(source.available, requested, options.seed);
  if (options.warnFewSamples !== false) {
    const few = fewSamplesWarning(options.holdOut ? indices.length : source.available, requested);
    if (few) warnings.push(few);
  }
  // Decoded samples are kept per file, input layout and preprocessing (image sources keep their
  // pixels themselves): a later pass reuses them.
  const decodedKey = `${path}|${JSON.stringify(inputs)}|${preprocessing?.name ?? ''}|${JSON.stringify(preprocessing ?? null)}|`;
  const read = async (index: number) => {
    if (source.keepsDecoded) return source.read(index);
    const kept = reader.decoded<Sample>(decodedKey + index);
    if (kept) return { ...kept };
    const sample = await source.read(index);
    reader.keepDecoded(decodedKey + index, sample, sample.inputs.reduce((n, v) => n + v.byteLength, 0));
    return { ...sample };
  };
  const range = source.isFloatData && preprocessing ? expectedRange(preprocessing) : undefined;
  const checker = new SampleChecker(inputs, range, preprocessing?.name);
  const baseWarnings = [...warnings];
  const dataset: Dataset = {
    description: source.description,
    count: indices.length,
    available: source.available,
    ...(source.classes ? { classes: source.classes } : {}),
    warnings,
    async *samples(signal?: AbortSignal) {
      for (const index of indices) {
        throwIfAborted(signal);
        const sample = await read(index);
        sample.inputs.forEach((values, k) => {
          const want = inputs[k]!.shape.reduce((n, d) => n * Math.max(d, 1), 1);
          if (values.length !== want && !inputs[k]!.shape.includes(-1)) {
            throw new CalibrationDataError(`${sample.source}: ${values.length} values for input '${inputs[k]!.name}' of shape [${inputs[k]!.shape.join(',')}].`);
          }
          // A NaN or Inf would surface later as a broken range of some layer far downstream.
          const bad = firstNonFinite(values);
          if (bad >= 0) {
            throw new CalibrationDataError(`${sample.source}: value ${bad} for input '${inputs[k]!.name}' is ${values[bad]}; samples must be finite numbers, fix or drop this sample.`);
          }
        });
        if (labels) sample.label = labels[index];
        checker.check(sample);
        warnings.splice(0, warnings.length, ...baseWarnings, ...checker.warnings());
        yield sample;
      }
    },
    close: () => source.close(),
  };
  return dataset;
}
