// `debugQuantization`: the quantization debugger's use case. The float model and the quantized
// one (made here from a QuantizeConfig, or an existing .tflite) are read back from their .tflite
// bytes, measured layer by layer on held-out data, and reported with a ranking and reasons.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { convertModel } from '../convert/pipeline';
import type { QuantizeConfig } from '../convert/types';
import { InputError, oneLine } from '../errors';
import { mainGraph, type ModelGraph } from '../graph/model-graph';
import { openDataset } from '../data/open';
import { isTfliteBytes, readTflite } from '../tflite/reader';
import { writeTflite } from '../tflite/writer';
import type { DetectorFix } from '../quantize/detector/apply';
import { findDetectorHead } from '../quantize/detector/head';
import { splitConcatOutputs } from '../quantize/detector/split';
import { analyzeLayers, type Analysis } from './analyze';
import { layerReasons } from './reasons';
import type { DebugEngine, DebugReport, LayerDebugRow } from './types';
import { accumulatedInRuntime, OBSERVING_RUNTIME } from './runtime-observe';
import { RuntimeLoadError, RuntimeRunError } from '../runtime/errors';
import { weightStats } from './weights';
import { workerCount } from '../compute/workers';
import type { PoolOptions } from '../compute/pool';

export type { DebugReport, LayerDebugRow } from './types';
export { debugCsv, debugTable } from './format';

export interface DebugRequest {
  /** The float model (any format the importers read). */
  model: string;
  companions?: string[];
  inputShape?: number[];
  unrollRnn?: boolean;
  /** How to quantize it here; or `quantized` names an existing .tflite of the same model. */
  quantize?: QuantizeConfig;
  quantized?: string;
  /**
   * The detector fix the quantized model is made with (`--detector-fix`). With split the float
   * model is split the same way: each group (boxes, scores) is then an output of its own, which
   * the sensitivity passes weigh apart instead of the joined output's box pixels alone.
   */
  detectorFix?: DetectorFix;
  /** Held-out data (never the calibration samples). */
  data: string;
  preprocess?: string;
  /** Samples for the per-layer figures (default 32). */
  samples?: number;
  /** Samples for the sensitivity passes (default 8; 0 skips them). */
  sensitivitySamples?: number;
  /** The data is the calibration data on purpose (the search ranks layers there, keeping held-out data for its verdict). */
  onCalibrationData?: boolean;
}

export interface DebugOptions {
  signal?: AbortSignal;
  onProgress?: (stage: string, fraction?: number) => void;
  /** Compute workers for the per-layer passes and the conversion's calibration (default: the cores available but one). */
  workers?: number;
  /** The compute worker to start (tests substitute one). */
  computeEntry?: PoolOptions['entry'];
}

async function tfliteBytesOf(request: DebugRequest, dir: string, options: DebugOptions, workers: number): Promise<{ float: Uint8Array; quant: Uint8Array }> {
  const common = { model: request.model, workers, ...(request.companions ? { companions: request.companions } : {}), ...(request.inputShape ? { inputShape: request.inputShape } : {}), ...(request.unrollRnn ? { unrollRnn: true } : {}) };
  const signal = options.signal ? { signal: options.signal } : {};
  options.onProgress?.('converting the float model');
  const floatPath = join(dir, 'float.tflite');
  await convertModel({ ...common, output: floatPath, quantize: { mode: 'none', inputType: 'float32', outputType: 'float32', int8Only: false } }, signal);
  let quant: Uint8Array;
  if (request.quantized) {
    quant = new Uint8Array(await readFile(request.quantized).catch(() => { throw new InputError(`Cannot read the quantized model ${request.quantized}.`); }));
    if (!isTfliteBytes(quant)) throw new InputError(`${request.quantized} is not a .tflite file.`);
  } else {
    if (!request.quantize || request.quantize.mode === 'none') throw new InputError('debug needs --quantize fp16|dynamic|int8|int16x8 or --quantized FILE.tflite.');
    options.onProgress?.(`quantizing (${request.quantize.mode})`);
    const quantPath = join(dir, 'quant.tflite');
    const fix = request.detectorFix ? { detectorFix: request.detectorFix } : {};
    await convertModel({ ...common, output: quantPath, quantize: request.quantize, ...fix }, { ...signal, onProgress: (p) => options.onProgress?.(`quantizing: ${p.stage}`, p.fraction) });
    quant = new Uint8Array(await readFile(quantPath));
  }
  const float = new Uint8Array(await readFile(floatPath));
  return { float: request.detectorFix === 'split' ? splitFloat(float) : float, quant };
}

/** The float model with each group of its concatenated outputs an output of its own, as `--detector-fix split` writes the quantized one. */
function splitFloat(bytes: Uint8Array): Uint8Array {
  const model = readTflite(bytes);
  const head = findDetectorHead(model);
  if (!head?.concatOutputs.length) throw new InputError('--detector-fix split: no graph output of the model is a concatenation of channel groups (boxes next to scores); leave the flag out.');
  return writeTflite(splitConcatOutputs(model, head).model);
}

async function* asSamples(list: Float32Array[][]): AsyncIterable<{ inputs: Float32Array[] }> {
  for (const inputs of list) yield { inputs };
}

/** The float tensors of the report's layers, most harmful first: what `keepFloat` selects. */
export function harmfulLayers(report: DebugReport): string[] {
  const byNode = new Map(report.layers.map((l) => [l.node, l.floatTensor]));
  return [...new Set(report.ranking.map((node) => byNode.get(node)!))];
}

function rankingOf(rows: LayerDebugRow[]): string[] {
  const key = (r: LayerDebugRow): number => (r.sensitivity ? r.sensitivity.aloneQuantizedDb : (r.isolated?.sqnrDb ?? Infinity));
  return [...rows].sort((a, b) => key(a) - key(b)).map((r) => r.node);
}

export function buildReport(float: ModelGraph, quant: ModelGraph, analysis: Analysis, data: string, timings: Record<string, number>, warnings: string[], accumulatedEngine: DebugEngine): DebugReport {
  const fg = mainGraph(float);
  const qg = mainGraph(quant);
  const layers = analysis.layers.map((m): LayerDebugRow => {
    const out = qg.tensors.get(m.layer.node.outputs[0]!)!;
    const q = out.quant && out.quant.scale.length === 1 ? { scale: out.quant.scale[0]!, zeroPoint: out.quant.zeroPoint[0] ?? 0 } : {};
    const weights = weightStats(fg, qg, m.layer.floatNode, m.layer.node);
    const row = {
      node: m.layer.node.name,
      op: m.layer.node.op,
      tensor: out.name,
      floatTensor: m.layer.floatOutput,
      dtype: out.dtype,
      ...q,
      ...(m.accumulated ? { accumulated: m.accumulated } : {}),
      ...(m.isolated ? { isolated: m.isolated } : {}),
      ...(weights ? { weights } : {}),
      ...(m.sensitivity ? { sensitivity: m.sensitivity } : {}),
    };
    return { ...row, reasons: layerReasons(row, analysis.baselineDb) };
  });
  for (const s of analysis.skipped) warnings.push(`Layer ${s.node} not measured: ${s.reason}.`);
  return {
    engines: { accumulated: accumulatedEngine, isolated: 'ir-interpreter', sensitivity: 'ir-interpreter' },
    engineNote:
      accumulatedEngine === 'tflite-node'
        ? 'accumulated error in the TFLite runtime (tflite-node); isolated error and sensitivity in the IR interpreter, which rounds as tflite-node does (int8 conv, depthwise, dense and average pool bit for bit; LiteRT.js rounds ~0.1% of conv outputs one step apart)'
        : 'all figures in the IR interpreter, which simulates the integer kernels (the TFLite runtime could not load the observing copy)',
    samples: analysis.samples,
    workers: analysis.workers,
    data,
    outputs: analysis.outputs,
    layers,
    ranking: rankingOf(layers),
    timings,
    warnings,
  };
}

export async function debugQuantization(request: DebugRequest, options: DebugOptions = {}): Promise<DebugReport> {
  const timings: Record<string, number> = {};
  const started = performance.now();
  const dir = await mkdtemp(join(tmpdir(), 'edgequant-debug-'));
  try {
    const workers = workerCount(options.workers);
    const bytes = await tfliteBytesOf(request, dir, options, workers);
    timings['convertMs'] = Math.round(performance.now() - started);
    const float = readTflite(bytes.float);
    const quant = readTflite(bytes.quant);
    const fg = mainGraph(float);
    const specs = fg.inputs.map((name) => {
      const t = fg.tensors.get(name)!;
      return { name, shape: t.shape.map((d) => (d < 0 ? 1 : d)), dtype: t.dtype };
    });
    const warnings: string[] = [];
    const calibration = request.quantize?.calibration?.path;
    if (calibration && resolve(calibration) === resolve(request.data) && !request.onCalibrationData) {
      warnings.push('--data is the calibration data: per-layer figures on the samples the ranges were fitted to are optimistic; give held-out data.');
    }
    const dataset = await openDataset(request.data, specs, {
      ...(request.preprocess !== undefined ? { preprocess: request.preprocess } : {}),
      samples: request.samples ?? 32,
      warnFewSamples: false,
    });
    warnings.push(...dataset.warnings);
    const samples: Float32Array[][] = [];
    try {
      for await (const sample of dataset.samples(options.signal)) samples.push(sample.inputs);
    } finally {
      await dataset.close();
    }
    const measureStart = performance.now();
    const analysis = await analyzeLayers(float, quant, asSamples(samples), {
      sensitivitySamples: Math.min(request.sensitivitySamples ?? 8, samples.length),
      ...(options.signal ? { signal: options.signal } : {}),
      onProgress: (stage, done) => options.onProgress?.(stage, done / samples.length),
      // Each worker builds its own interpreter for every pass: worth it from 2 samples on.
      compute: { workers: Math.min(workers, samples.length), floatBytes: bytes.float, quantBytes: bytes.quant, ...(options.computeEntry ? { entry: options.computeEntry } : {}) },
    });
    timings['measureMs'] = Math.round(performance.now() - measureStart);
    const runtimeStart = performance.now();
    let accumulatedEngine: DebugEngine = 'ir-interpreter';
    try {
      options.onProgress?.(`accumulated error in ${OBSERVING_RUNTIME}`);
      const measured = await accumulatedInRuntime(bytes.float, bytes.quant, analysis.layers.map((m) => m.layer), samples, options.signal);
      analysis.layers.forEach((m, k) => (m.accumulated = measured[k]!));
      accumulatedEngine = 'tflite-node';
    } catch (error) {
      if (!(error instanceof RuntimeLoadError || error instanceof RuntimeRunError)) throw error;
      warnings.push(`Accumulated error from the IR interpreter: ${OBSERVING_RUNTIME} could not run the observing copy (${oneLine(error)}).`);
    }
    timings['runtimeMs'] = Math.round(performance.now() - runtimeStart);
    timings['totalMs'] = Math.round(performance.now() - started);
    return buildReport(float, quant, analysis, dataset.description, timings, warnings, accumulatedEngine);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
