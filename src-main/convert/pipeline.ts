// The conversion pipeline: import → float passes → (quantize) → write → atomic file.
// Collaborators are injectable so tests and the app can observe or replace them.
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { CancelledError, InputError, UnsupportedError } from '../errors';
import type { ModelGraph } from '../graph/model-graph';
import { mainGraph, opHistogram } from '../graph/model-graph';
import { computeBackend, initTfjs } from '../graph/tfjs-backend';
import { workerCount, workersFor } from '../compute/workers';
import { runFloatPasses, type PassReport } from '../graph/passes/index';
import type { ModelSource } from '../formats/importer';
import { openModel as defaultOpenModel } from '../formats/registry';
import { DataReader } from '../data/reader';
import type { CalibrationSamples } from '../quantize/calibration/index';
import type { QuantizeOptions } from '../quantize/index';
import type { GptqTap } from '../quantize/rounding/calibration-tap';
import { ioQuantFormulas } from '../quantize/formulas';
import type { QuantizeReport, Recipe, Statistics } from '../quantize/qtypes';
import type { DetectorFixMeasurer, DetectorFixReport } from '../quantize/detector/types';
import { planDetectorStep, recommendDetectorFix } from './detector-step';
import type { ConvertProgress, ConvertRequest, ConvertResult } from './types';
import { biasCorrectionFor, weightRoundingFor } from './weight-rounding';
import { modelSource, modelSourceBytes } from './source-size';

/** Formats whose importers honour `--outputs` (a graph of TF ops that can end anywhere). */
const CUTTABLE_FORMATS = new Set(['tfjs-graph', 'savedmodel-graph']);

export interface ConvertDeps {
  openModel: (source: ModelSource, options: { inputShape?: number[]; unrollRnn?: boolean; outputs?: string[] }) => Promise<ModelGraph>;
  writeTflite: (model: ModelGraph) => Uint8Array;
}

export interface ConvertOptions {
  onProgress?: (progress: ConvertProgress) => void;
  signal?: AbortSignal;
  deps?: Partial<ConvertDeps>;
  /** The run's data reader: calibration and the GPTQ stream read each sample through it once. */
  reader?: DataReader;
  /** Measures the detector fixes to recommend one (src-main/detect/fixes/); absent: no measurement. */
  detectorFixes?: DetectorFixMeasurer;
}

export interface ConvertOutcome extends ConvertResult {
  passes: PassReport;
  /** The final graph as written (for inspection and validation by callers). */
  model: ModelGraph;
  /** The float graph after the float passes, before quantization (evaluation's reference). */
  floatModel: ModelGraph;
}

export { modelSource };

async function defaultWriter(): Promise<ConvertDeps['writeTflite']> {
  const mod = await import('../tflite/writer');
  return (model) => mod.writeTflite(model);
}

function ioOf(model: ModelGraph, names: string[]): ConvertResult['inputs'] {
  const graph = mainGraph(model);
  return names.map((name) => {
    const t = graph.tensors.get(name)!;
    const q = t.quant && t.quant.scale.length === 1 ? { quant: { scale: t.quant.scale[0]!, zeroPoint: t.quant.zeroPoint[0] ?? 0 } } : {};
    return { name, dtype: t.dtype, shape: [...t.shape], ...q };
  });
}

async function writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
  const dir = dirname(path);
  const info = await stat(dir).catch(() => null);
  if (!info) await mkdir(dir, { recursive: true });
  else if (!info.isDirectory()) throw new InputError(`Output folder ${dir} is not a directory.`);
  const temp = `${path}.${process.pid}.partial`;
  try {
    await writeFile(temp, bytes);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * The backend this conversion computed on. Calibration may have run only in compute workers,
 * which pick their backend by the same rule as this thread: load it here too to name it.
 */
async function computeBackendOf(request: ConvertRequest): Promise<ReturnType<typeof computeBackend>> {
  if (request.quantize.mode !== 'none') await initTfjs();
  return computeBackend();
}

export async function convertModel(request: ConvertRequest, options: ConvertOptions = {}): Promise<ConvertOutcome> {
  const { onProgress, signal } = options;
  const check = (): void => {
    if (signal?.aborted) throw new CancelledError('Conversion cancelled.');
  };
  const timings: Record<string, number> = {};
  const warnings: string[] = [];
  const workers = workerCount(request.workers);
  const time = async <T>(stage: string, work: () => Promise<T> | T): Promise<T> => {
    const start = performance.now();
    try {
      return await work();
    } finally {
      timings[stage] = Math.round((performance.now() - start) * 10) / 10;
    }
  };
  const output = resolve(request.output);
  if (extname(output).toLowerCase() !== '.tflite') throw new InputError(`Output must be a .tflite file (got ${request.output}).`);
  const source = modelSource(request);
  if ([source.path, ...(source.companions ?? [])].includes(output)) throw new InputError('Output path is the same as an input file.');
  // A bad recipe is bad input: refuse it before the (possibly long) import. The recipe run is
  // the file's (or the preset) with --keep-float node rules; it decides whether data is needed.
  let recipe: Recipe | undefined;
  if (request.quantize.recipe && request.quantize.mode === 'none') throw new InputError('--recipe needs --quantize fp16|dynamic|int8|int16x8.');
  if (request.quantize.keepFloat?.length && request.quantize.mode === 'none') throw new InputError('--keep-float needs --quantize fp16|dynamic|int8|int16x8.');
  if (request.detectorFix && request.quantize.mode === 'none') throw new InputError('--detector-fix needs --quantize fp16|dynamic|int8|int16x8.');
  if (request.quantize.mode !== 'none') {
    const { loadRecipeFile, recipeFor } = await import('../quantize/recipe');
    recipe = recipeFor(request.quantize, request.quantize.recipe ? await loadRecipeFile(resolve(request.quantize.recipe)) : undefined);
  }
  const sourceBytes = await modelSourceBytes(source);

  onProgress?.({ stage: 'import', fraction: 0 });
  const open = options.deps?.openModel ?? ((s, o) => defaultOpenModel(s, o));
  let model = await time('importMs', () => open(source, { ...(request.inputShape ? { inputShape: request.inputShape } : {}), ...(request.unrollRnn ? { unrollRnn: true } : {}), ...(request.outputs?.length ? { outputs: request.outputs } : {}) }));
  if (request.outputs?.length && !CUTTABLE_FORMATS.has(model.format)) {
    throw new InputError(`--outputs cuts TensorFlow graph models (TF.js graph model, SavedModel); ${request.model} is ${model.format}. Convert without --outputs.`);
  }
  if (model.unsupported.length) {
    const list = model.unsupported.map((u) => `${u.layer} (${u.className})`).join(', ');
    throw new UnsupportedError(`Model has unsupported layers: ${list}.`);
  }
  check();

  onProgress?.({ stage: 'passes', fraction: 0 });
  const passes = model.format === 'tflite' ? {} : await time('passesMs', () => runFloatPasses(model));
  if (model.metadata['weights'] === 'random') warnings.push('The model has no weights file: converted with seeded random weights (architecture only).');
  if (request.unrollRnn && ['tflite', 'tfjs-graph', 'savedmodel-graph'].includes(model.format)) {
    warnings.push(`--unroll-rnn applies to Keras and TF.js layers models; this ${model.format} graph is converted as it is.`);
  }
  check();

  const floatModel = model;
  const write = options.deps?.writeTflite ?? (await defaultWriter());
  // The float graph written once, only to be measured: a quantized file's size is compared with
  // the same model as a float .tflite, not with the source files (whose weights may be packed).
  let floatTfliteBytes: number | undefined;
  let quantization: QuantizeReport | undefined;
  let detectorReport: DetectorFixReport | undefined;
  if (request.quantize.mode !== 'none') {
    floatTfliteBytes = await time('floatWriteMs', () => write(model).length);
    check();
    const { quantizeModel } = await import('../quantize/index');
    const { requirementsFor } = await import('../quantize/recipe');
    const needsData = requirementsFor(request.quantize.mode, recipe).needsCalibration;
    // Detectors: an explicit --detector-fix rewrites the model or the recipe; none given, the
    // fixes are measured after calibration (on a held-out share) and one is recommended.
    const detector = planDetectorStep(model, request, recipe!, warnings, options.detectorFixes);
    // The float reference stays the model as imported: a split file's outputs are judged
    // against the one output they were cut from (evaluate joins them back).
    model = detector.model;
    recipe = detector.recipe;
    const spec = detector.calibration;
    if (needsData && !spec) throw new InputError(`--quantize ${request.quantize.mode} needs --calibration DIR|FILE.npy|FILE.npz (representative inputs).`);
    let calibrate: QuantizeOptions['calibrate'];
    const reader = options.reader ?? new DataReader();
    if (needsData && spec) {
      const { calibrator } = await import('../quantize/calibration/index');
      calibrate = calibrator(spec, warnings, (done, total) => onProgress?.({ stage: 'calibrate', fraction: done / Math.max(total, 1) }), signal, reader, workers);
    }
    let statistics: Statistics | undefined;
    let tap: GptqTap | undefined;
    const calibrateOnce: QuantizeOptions['calibrate'] = calibrate && (async (m, gptq) => (statistics ??= await calibrate(m, (tap = gptq))));
    // Error-compensated rounding streams the calibration samples (int8: only when calibration's
    // own pass could not sum its statistics; fp16: once per layer); bias correction once, for the
    // mean input of each layer, where calibration's pass did not measure it (dynamic range).
    let stream: CalibrationSamples | undefined;
    let gptqWorkers = 1;
    if (spec && (weightRoundingFor(request.quantize) === 'gptq' || biasCorrectionFor(request.quantize))) {
      const { openCalibrationSamples, DEFAULT_CALIBRATION_SAMPLES } = await import('../quantize/calibration/index');
      stream = await openCalibrationSamples(spec, model, warnings, signal, reader);
      gptqWorkers = workersFor(workers, spec.samples ?? DEFAULT_CALIBRATION_SAMPLES);
    }
    try {
      const result = await time('quantizeMs', () =>
        quantizeModel(model, request.quantize, {
          ...(calibrateOnce ? { calibrate: calibrateOnce } : {}),
          ...(stream ? { samples: stream.samples, workers: gptqWorkers } : {}),
          ...(recipe ? { recipe } : {}),
          ...(onProgress ? { onProgress } : {}),
          ...(signal ? { signal } : {}),
        }),
      );
      model = result.model;
      quantization = result.report;
      warnings.push(...result.warnings);
      check();
      // The other fixes are quantized again with the same config: gptq rounds on the samples (a pass per fix),
      // bias correction re-reads them only where the tap's means miss a layer.
      const calibrationSamples = stream?.samples;
      // The fix none is this model; bias correction's means come from the calibration pass (its tap).
      const biasMeans = tap?.meanSums;
      const reuse = { plain: model, ...(biasMeans ? { biasMeans } : {}) };
      if (statistics) await time('detectorFixesMs', () => recommendDetectorFix(detector, request, statistics!, write, warnings, options.detectorFixes, { reader, ...reuse, ...(calibrationSamples ? { calibrationSamples } : {}), ...(signal ? { signal } : {}) }));
    } finally {
      await stream?.close();
    }
    detectorReport = detector.report;
    check();
  }

  onProgress?.({ stage: 'write', fraction: 0 });
  const bytes = await time('writeMs', () => write(model));
  await writeAtomically(output, bytes);
  onProgress?.({ stage: 'write', fraction: 1 });
  const graph = mainGraph(model);
  timings['totalMs'] = Object.values(timings).reduce((a, b) => a + b, 0);
  return {
    output,
    bytes: bytes.length,
    sourceBytes,
    floatTfliteBytes: floatTfliteBytes ?? bytes.length,
    opHistogram: opHistogram(graph),
    inputs: ioOf(model, graph.inputs),
    outputs: ioOf(model, graph.outputs),
    timings,
    warnings,
    ...(quantization ? { quantization } : {}),
    ...(recipe ? { recipe } : {}),
    ...(detectorReport ? { detector: detectorReport } : {}),
    ioFormulas: ioQuantFormulas(model),
    compute: { ...(await computeBackendOf(request)), workers },
    passes,
    model,
    floatModel,
  };
}
