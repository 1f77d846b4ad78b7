// Wraps a piece of work (a conversion, a benchmark) as a run of a project: the run is started
// before the work, artifacts and metrics are recorded as it goes, and the run is finished as
// succeeded, failed or cancelled however the work ends. Used by `convert --project` and the app.
import { existsSync } from 'node:fs';
import type { ConvertRequest, ConvertResult } from '../convert/types';
import { biasCorrectionFor, weightRoundingFor } from '../convert/weight-rounding';
import { addArtifact, finishRun, outcomeOf, recordMetrics, runDir, startRun, writeJsonArtifact, type RunRef, type StartRunOptions } from './runs';
import type { RunArtifact, RunConfig, RunDetails, RunMetrics, RunRecord } from './types';

export interface RunContext extends RunRef {
  /** The run folder, for work that writes its artifacts in place. */
  folder: string;
  addArtifact(source: string, kind: RunArtifact['kind'], name?: string): Promise<RunArtifact>;
  writeReport(name: string, value: unknown): Promise<RunArtifact>;
  setMetrics(metrics: RunMetrics): void;
  setTimings(timings: Record<string, number>): void;
  warn(message: string): void;
  setIo(io: NonNullable<RunRecord['io']>): void;
  setQuantization(value: NonNullable<RunRecord['quantization']>): void;
  setCompute(compute: NonNullable<RunRecord['compute']>): void;
  /** Report, formulas, per-layer table, validation facts, verdict: stored in run.json at the end. */
  setDetails(details: RunDetails): void;
}

export async function recordRun<T>(
  projectDir: string,
  config: RunConfig,
  options: StartRunOptions,
  work: (run: RunContext) => Promise<T>,
): Promise<{ run: RunRecord; result: T }> {
  const started = await startRun(projectDir, config, options);
  const ref: RunRef = { dir: started.dir, id: started.id };
  const metrics: RunMetrics = {};
  const timings: Record<string, number> = {};
  const warnings: string[] = [];
  let io: RunRecord['io'];
  let quantization: RunRecord['quantization'];
  let compute: RunRecord['compute'];
  const details: RunDetails = {};
  const context: RunContext = {
    ...ref,
    folder: runDir(ref),
    addArtifact: (source, kind, name) => addArtifact(ref, source, kind, name),
    writeReport: (name, value) => writeJsonArtifact(ref, name, value),
    setMetrics: (m) => {
      Object.assign(metrics, m);
      recordMetrics(ref, m); // on disk at once, so a later crash keeps what was measured
    },
    setTimings: (t) => Object.assign(timings, t),
    warn: (w) => warnings.push(w),
    setIo: (value) => (io = value),
    setQuantization: (value) => (quantization = value),
    setCompute: (value) => (compute = value),
    setDetails: (d) => Object.assign(details, d),
  };
  let result: T;
  try {
    result = await work(context);
  } catch (error) {
    finishRun(ref, { ...outcomeOf(error), metrics, timings, warnings, io, compute, details, ...(quantization ? { quantization } : {}) });
    throw error;
  }
  const run = finishRun(ref, { status: 'succeeded', metrics, timings, warnings, io, compute, details, ...(quantization ? { quantization } : {}) });
  return { run, result };
}

/**
 * Metrics of a conversion result as stored in the run (sizes in bytes). Compression compares the
 * .tflite with the same model as a float .tflite; the source files' size is kept apart (TF.js
 * shards may be uint8-packed, a SavedModel folder holds more than weights).
 */
export function convertMetrics(result: ConvertResult): RunMetrics {
  return {
    sizeBytes: result.bytes,
    floatTfliteBytes: result.floatTfliteBytes,
    sourceBytes: result.sourceBytes,
    compression: result.bytes > 0 ? result.floatTfliteBytes / result.bytes : null,
  };
}

/**
 * Records a conversion as a run: hashes the model and calibration data, runs `convert`, copies
 * the .tflite into the run folder and stores sizes, timings, warnings and the I/O quantization.
 */
export async function recordConvertRun(
  projectDir: string,
  request: ConvertRequest,
  convert: (request: ConvertRequest, run: RunContext) => Promise<ConvertResult>,
  extra: { label?: string; config?: Record<string, unknown>; hashCalibration?: StartRunOptions['hashCalibration'] } = {},
): Promise<{ run: RunRecord; result: ConvertResult }> {
  const options: StartRunOptions = { model: request.model, ...(extra.hashCalibration ? { hashCalibration: extra.hashCalibration } : {}) };
  if (request.quantize.calibration?.path) options.calibration = request.quantize.calibration.path;
  if (extra.label) options.label = extra.label;
  // Record the rounding (and bias correction) the conversion will use, so the history says it without re-deriving.
  const recorded: ConvertRequest =
    request.quantize.mode === 'none' ? request : { ...request, quantize: { ...request.quantize, weightRounding: weightRoundingFor(request.quantize), biasCorrection: biasCorrectionFor(request.quantize) } };
  return recordRun(projectDir, { kind: 'convert', request: recorded, ...extra.config }, options, async (run) => {
    const result = await convert(request, run);
    run.setMetrics(convertMetrics(result));
    run.setTimings(result.timings);
    for (const w of result.warnings) run.warn(w);
    run.setIo({ inputs: result.inputs, outputs: result.outputs });
    run.setCompute(result.compute);
    run.setDetails({ ...(result.ioFormulas ? { ioFormulas: result.ioFormulas } : {}), ...(result.detector ? { detectorFix: result.detector } : {}) });
    if (existsSync(result.output)) await run.addArtifact(result.output, 'tflite');
    await run.writeReport('conversion.json', { inputs: result.inputs, outputs: result.outputs, opHistogram: result.opHistogram });
    if (result.quantization) {
      // The recipe as run (preset or file + --keep-float rules), replayable with --recipe.
      const saved = result.recipe ? await run.writeReport('recipe.json', result.recipe) : undefined;
      run.setQuantization({ ...result.quantization, ...(saved ? { recipeFile: saved.name } : {}) });
    }
    return result;
  });
}
