// Float vs quantized, both in a real TFLite runtime, on the same real data: per-output SQNR,
// cosine, max abs error, top-1 agreement and label accuracy; file sizes; local latency.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { CancelledError, oneLine } from '../errors';
import { openDataset } from '../data/open';
import type { InputSpec } from '../data/dataset';
import type { ClassNames } from '../data/sources';
import type { DataReader } from '../data/reader';
import type { ModelGraph } from '../graph/model-graph';
import { getRuntime } from '../runtime/index';
import { RuntimeLoadError } from '../runtime/errors';
import type { LoadedTflite, RuntimeName } from '../runtime/types';
import { isTfliteBytes } from '../tflite/reader';
import { EvaluateInputError, NoHeldOutSamplesError } from './errors';
import { floatTflite, type Converter } from './float-model';
import { pinModelInputs } from './pin-shapes';
import { toRuntimeInput } from './io';
import { forEachPairOutput } from './sample-runs';
import { workerCount, workersFor } from '../compute/workers';
import { isClassification, latencySummary, OutputComparison, type OutputMetrics } from './metrics';
import { compareLayers, type LayerError } from '../validation/layers';
import { ExecuteUnsupportedError } from '../graph/execute';
import { computeBackend } from '../graph/tfjs-backend';
import { readTflite } from '../tflite/reader';
import type { DetectionSection } from '../detect/report-types';
import { problemMessage, tfliteProblems } from '../formats/tflite/index';
import { outputJoin, outputParts, partValues, type OutputJoin } from './split-outputs';
import { concatOutputParts } from './output-groups';

export interface EvaluateRequest {
  /** A float .tflite, or any model the importers read (converted to float .tflite first). */
  floatModel: string;
  /** Weights files of a Keras JSON float model (as convert's WEIGHTS.h5). */
  companions?: string[];
  /** Convert the float model's LSTM layers unrolled (as convert --unroll-rnn). */
  unrollRnn?: boolean;
  quantModel: string;
  /** Folder of images (sub-folders = classes), .npy of N samples or .npz. */
  data: string;
  /** .npy of integer labels, one per sample in source order. */
  labels?: string;
  preprocess?: string;
  /** Use the first N samples (default: all). */
  samples?: number;
  /** Force one runtime for both models (default: LiteRT.js, tflite-node if either is refused). */
  runtime?: RuntimeName;
  /** Timed runs per model after warm-up; 0 skips latency (default 50). */
  latencyRuns?: number;
  warmup?: number;
  /**
   * Pins dynamic input dims: converting a float model that is not a .tflite, and evaluating
   * .tflite files whose inputs have dynamic dims no model declares (e.g. 1,224,224,3).
   */
  inputShape?: number[];
  /** Samples for the per-layer comparison in the IR interpreter (default 0: skipped). */
  layerSamples?: number;
  /** Compare only on the share of `data` that calibration with the same seed and fraction held out. */
  holdOut?: { fraction: number; seed: number };
  /** Class names in the model's output order (a labels/classes file); they map class folders to labels. */
  classNames?: ClassNames;
}

export interface LatencyFigures {
  median: number;
  p90: number;
  min: number;
  runs: number;
}

export interface ModelSide {
  path: string;
  bytes: number;
  inputs: { name: string; dtype: string; shape: number[]; quant?: { scale: number; zeroPoint: number } }[];
  outputs: { name: string; dtype: string; shape: number[]; quant?: { scale: number; zeroPoint: number } }[];
  latencyMs?: LatencyFigures;
  /** Set when the float model was converted to .tflite for the comparison. */
  convertedFrom?: string;
}

export interface EvaluationReport {
  runtime: { name: RuntimeName; version: string; fallbackReason?: string };
  data: string;
  samples: number;
  classes?: string[];
  float: ModelSide;
  quant: ModelSide;
  /** quant bytes / float bytes */
  sizeRatio: number;
  outputs: OutputMetrics[];
  /** Per-layer error (float vs quantized simulated in the interpreter), when requested. */
  layers?: LayerError[];
  /** Boxes and mAP when evaluated with --task detect (filled by src-main/detect). */
  detection?: DetectionSection;
  /** The TF.js backend of the engine's own computing (conversion, per-layer passes); 'not loaded' when none ran. */
  compute?: { backend: string; notes: string[]; workers?: number };
  warnings: string[];
}

export interface EvaluateOptions {
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /** The float graph the conversion already built: evaluated as it is, not converted again. */
  floatGraph?: ModelGraph;
  /** The run's data reader (samples read once per run, counted). */
  reader?: DataReader;
  /** Converts a float model that is not a .tflite (injected by tests to count conversions). */
  convert?: Converter;
  /** Sees each sample's dequantized outputs of both models (detection decoding hooks in here). */
  onSample?: (sample: SampleOutputs) => void;
  /** Compute workers to split the samples across (default: the cores available but one). */
  workers?: number;
}

export interface SampleOutputs {
  /** Where the sample came from (image file name), in dataset order. */
  source: string;
  /** The image's path inside the data folder, when the data is a folder of images. */
  file?: string;
  /** The sample's class label, when the data carries labels. */
  label?: number;
  /** The model inputs as fed (preprocessed), e.g. to draw the sample again. */
  inputs: Float32Array[];
  float: Float32Array[];
  quant: Float32Array[];
  /** Shapes as the runtime runs the float model (inputs pinned). */
  inputShapes: number[][];
  outputShapes: number[][];
}

async function loadPair(floatBytes: Uint8Array, quantBytes: Uint8Array, forced: RuntimeName | undefined): Promise<{ name: RuntimeName; version: string; f: LoadedTflite; q: LoadedTflite; fallbackReason?: string }> {
  const attempt = async (name: RuntimeName) => {
    const runtime = getRuntime(name);
    const q = await runtime.load(quantBytes);
    try {
      return { name, version: runtime.version, q, f: await runtime.load(floatBytes) };
    } catch (error) {
      q.dispose();
      throw error;
    }
  };
  if (forced) return attempt(forced);
  try {
    return await attempt('litert-js');
  } catch (error) {
    if (!(error instanceof RuntimeLoadError)) throw error;
    // Both models in the same runtime: int8 kernels of different runtimes round differently.
    return { ...(await attempt('tflite-node')), fallbackReason: oneLine(error) };
  }
}

function describe(model: LoadedTflite) {
  const map = (t: LoadedTflite['inputs'][number]) => ({ name: t.name, dtype: t.dtype, shape: t.shape, ...(t.quant ? { quant: t.quant } : {}) });
  return { inputs: model.inputs.map(map), outputs: model.outputs.map(map) };
}

async function measureLatency(model: LoadedTflite, inputs: Float32Array[], runs: number, warmup: number): Promise<LatencyFigures> {
  const feed = inputs.map((values, k) => toRuntimeInput(values, model.inputs[k]!));
  for (let i = 0; i < warmup; i++) await model.run(feed);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await model.run(feed);
    times.push(performance.now() - start);
  }
  const s = latencySummary(times);
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return { median: round(s.median), p90: round(s.p90), min: round(s.min), runs: s.runs };
}

/**
 * The workers an evaluation splits its samples across, and why fewer than asked. tflite-node
 * stays in this thread: its addon keeps per-thread state in a process-wide static, so
 * interpreters created in several threads at once can crash the process.
 */
function evaluationWorkers(requested: number | undefined, samples: number, runtime: RuntimeName): { count: number; note?: string } {
  const asked = workerCount(requested);
  if (asked > 1 && runtime === 'tflite-node') return { count: 1, note: 'Evaluated in one thread: tflite-node cannot run in several threads at once.' };
  return { count: workersFor(asked, samples) };
}

/** Throws unless `q` is the same network as `f`; returns how a split detector file's outputs join back. */
function checkPair(f: LoadedTflite, q: LoadedTflite): OutputJoin | undefined {
  const count = (shape: number[]) => shape.reduce((n, d) => n * d, 1);
  const mismatch = (what: string, a: LoadedTflite['inputs'], b: LoadedTflite['inputs']) => {
    if (a.length !== b.length) throw new EvaluateInputError(`The float model has ${a.length} ${what}(s), the quantized one ${b.length}; they are not the same network.`);
    a.forEach((t, i) => {
      if (count(t.shape) !== count(b[i]!.shape)) throw new EvaluateInputError(`${what} ${i}: float '${t.name}' [${t.shape}] vs quantized '${b[i]!.name}' [${b[i]!.shape}] differ in size.`);
    });
  };
  mismatch('input', f.inputs, q.inputs);
  // Throws unless the outputs match one to one or are a split detector file's groups.
  return outputJoin(f.outputs, q.outputs);
}

export async function evaluate(request: EvaluateRequest, options: EvaluateOptions = {}): Promise<EvaluationReport> {
  const { signal } = options;
  const floatSource = await floatTflite(
    {
      path: request.floatModel,
      ...(request.companions ? { companions: request.companions } : {}),
      ...(request.inputShape ? { inputShape: request.inputShape } : {}),
      ...(request.unrollRnn ? { unrollRnn: true } : {}),
      ...(options.floatGraph ? { graph: options.floatGraph } : {}),
    },
    options.convert,
  );
  const quantBytes = new Uint8Array(await readFile(request.quantModel).catch(() => {
    throw new EvaluateInputError(`Quantized model not found: ${request.quantModel}.`);
  }));
  if (!isTfliteBytes(quantBytes)) throw new EvaluateInputError(`${basename(request.quantModel)} is not a .tflite file.`);
  const problems = tfliteProblems(readTflite(quantBytes, { fileName: basename(request.quantModel), data: false }));
  if (problems.length) throw new EvaluateInputError(problemMessage(basename(request.quantModel), problems));
  // Dynamic H/W would run at the runtime's placeholder size 1 (images read at 1x1): pin them.
  const pinned = pinModelInputs(floatSource.bytes, quantBytes, request.inputShape);
  const pair = await loadPair(pinned.floatBytes, pinned.quantBytes, request.runtime);
  const { f, q } = pair;
  try {
    // Per float output, the groups judged apart: a split file's outputs, or a detector output's groups.
    const joined = outputParts(checkPair(f, q), q.outputs, f.outputs.length);
    // The pinned float file as a graph, read once (the per-layer comparison reads it too).
    let pinnedFloat: ModelGraph | undefined;
    const floatGraph = () => (pinnedFloat ??= readTflite(pinned.floatBytes));
    const grouped = concatOutputParts(options.floatGraph ?? floatGraph(), f.outputs);
    const parts = joined.map((list, i) => (list.length ? list : grouped[i]!));
    const heldOut = request.holdOut ? { seed: request.holdOut.seed, holdOut: { fraction: request.holdOut.fraction, part: 'validation' as const } } : {};
    const specs: InputSpec[] = f.inputs.map((t) => ({ name: t.name, shape: t.shape, dtype: t.dtype }));
    const dataset = await openDataset(request.data, specs, {
      ...(request.preprocess !== undefined ? { preprocess: request.preprocess } : {}),
      ...(request.labels ? { labels: request.labels } : {}),
      ...(request.classNames ? { classNames: request.classNames } : {}),
      ...(request.samples ? { samples: request.samples } : {}),
      ...heldOut,
      ...(options.reader ? { reader: options.reader } : {}),
      warnFewSamples: false,
    });
    if (request.holdOut && dataset.count === 0) {
      await dataset.close();
      throw new NoHeldOutSamplesError(`No held-out samples in ${request.data}: ${dataset.available} sample(s) are too few to keep a share apart from calibration; give separate evaluation data.`);
    }
    const description = request.holdOut
      ? `validation: ${dataset.count} held-out samples of ${request.data} (${Math.round(request.holdOut.fraction * 100)}% kept apart; calibration never used them)`
      : dataset.description;
    // An output as large as an input is a reconstruction (autoencoder), not class scores.
    const inputSizes = new Set(f.inputs.map((t) => t.shape.reduce((n, d) => n * d, 1)));
    const comparisons = f.outputs.map((t) => new OutputComparison(t.name, t.shape, isClassification(t.shape) && !inputSizes.has(t.shape.reduce((n, d) => n * d, 1))));
    const partComparisons = parts.map((list) => list.map((p) => new OutputComparison(p.name, p.shape, false)));
    let first: Float32Array[] | undefined;
    let done = 0;
    const workers = evaluationWorkers(options.workers, dataset.count, pair.name);
    try {
      const run = { runtime: pair.name, f, q, floatBytes: pinned.floatBytes, quantBytes: pinned.quantBytes };
      await forEachPairOutput(dataset, run, { workers: workers.count, ...(signal ? { signal } : {}) }, (sample, out) => {
        first ??= sample.inputs;
        comparisons.forEach((c, k) => c.add(out.float[k]!, out.quant[k]!, sample.label));
        parts.forEach((list, k) => list.forEach((p, j) => partComparisons[k]![j]!.add(partValues(out.float[k]!, f.outputs[k]!.shape, p), partValues(out.quant[k]!, f.outputs[k]!.shape, p))));
        options.onSample?.({ source: sample.source, ...(sample.file ? { file: sample.file } : {}), ...(sample.label !== undefined ? { label: sample.label } : {}), inputs: sample.inputs, float: out.float, quant: out.quant, inputShapes: f.inputs.map((t) => t.shape), outputShapes: f.outputs.map((t) => t.shape) });
        done++;
        options.onProgress?.(done, dataset.count);
      });
    } finally {
      await dataset.close();
    }
    if (!first) throw new EvaluateInputError(`No samples in ${request.data}.`);
    if (signal?.aborted) throw new CancelledError('Evaluation cancelled.');
    const runs = request.latencyRuns ?? 50;
    const warmup = request.warmup ?? 5;
    const floatSide: ModelSide = { path: request.floatModel, bytes: floatSource.bytes.length, ...describe(f), ...(floatSource.convertedFrom ? { convertedFrom: floatSource.convertedFrom } : {}) };
    const quantSide: ModelSide = { path: request.quantModel, bytes: quantBytes.length, ...describe(q) };
    if (runs > 0) {
      floatSide.latencyMs = await measureLatency(f, first, runs, warmup);
      quantSide.latencyMs = await measureLatency(q, first, runs, warmup);
    }
    const warnings = [...dataset.warnings];
    let layers: LayerError[] | undefined;
    if (request.layerSamples && request.layerSamples > 0) {
      const again = await openDataset(request.data, specs, {
        ...(request.preprocess !== undefined ? { preprocess: request.preprocess } : {}),
        samples: request.layerSamples,
        ...heldOut,
        ...(options.reader ? { reader: options.reader } : {}),
        warnFewSamples: false,
      });
      try {
        layers = (await compareLayers(floatGraph(), readTflite(pinned.quantBytes), again.samples(signal), signal ? { signal } : {})).layers;
      } catch (error) {
        // The interpreter lacks an op of this model: the per-output figures above still stand.
        if (!(error instanceof ExecuteUnsupportedError)) throw error;
        warnings.push(`Per-layer comparison skipped: ${oneLine(error)}`);
      } finally {
        await again.close();
      }
    }
    return {
      runtime: { name: pair.name, version: pair.version, ...(pair.fallbackReason ? { fallbackReason: pair.fallbackReason } : {}) },
      data: description,
      samples: done,
      ...(dataset.classes ? { classes: dataset.classes } : {}),
      float: floatSide,
      quant: quantSide,
      sizeRatio: quantBytes.length / floatSource.bytes.length,
      outputs: comparisons.map((c, k) => (partComparisons[k]!.length ? { ...c.result(), parts: partComparisons[k]!.map((p) => p.result()) } : c.result())),
      ...(layers ? { layers } : {}),
      compute: { ...computeBackend(), workers: workers.count, ...(workers.note ? { notes: [...computeBackend().notes, workers.note] } : {}) },
      warnings,
    };
  } finally {
    f.dispose();
    q.dispose();
  }
}
