// The debugger's measurements on held-out samples (meter.ts says what is measured), in this
// thread or split across compute workers: each worker measures the samples it is sent with its
// own interpreter and accumulators, and their states merge into exactly the one-thread figures
// (every figure is built from exact per-sample sums, maxima, counts and sets: figures.ts).
import { CancelledError } from '../errors';
import type { ModelGraph } from '../graph/model-graph';
import type { PoolOptions } from '../compute/pool';
import { LayerFigures, type FiguresState } from './figures';
import type { QuantizedLayer } from './layers';
import { debuggedLayers, LayerMeter } from './meter';
import type { TensorError } from './types';
import type { DebugOpenPayload, DebugSamplePayload } from './worker-tasks';

export interface AnalyzeOptions {
  /** Samples (the first ones) for the sensitivity passes; 0 skips them. */
  sensitivitySamples?: number;
  signal?: AbortSignal;
  onProgress?: (stage: string, done: number, total: number) => void;
  /** Split the samples across compute workers, which read the models from these bytes (1 worker, or none: this thread). */
  compute?: { workers: number; floatBytes: Uint8Array; quantBytes: Uint8Array; entry?: PoolOptions['entry'] };
}

export interface LayerMeasurement {
  layer: QuantizedLayer;
  accumulated?: TensorError;
  isolated?: TensorError;
  sensitivity?: { aloneQuantizedDb: number; aloneFloatDb: number };
}

export interface Analysis {
  layers: LayerMeasurement[];
  skipped: { node: string; reason: string }[];
  /** Graph outputs, whole model quantized vs float. */
  outputs: { name: string; sqnrDb: number }[];
  /** The same on the sensitivity samples only (the baseline the sensitivity figures compare with). */
  baselineDb?: number;
  samples: number;
  /** Compute workers the samples were split across (1: this thread). */
  workers: number;
}

type Samples = AsyncIterable<{ inputs: Float32Array[] }>;

async function measureHere(floatModel: ModelGraph, quantModel: ModelGraph, samples: Samples, sensitivitySamples: number, options: AnalyzeOptions): Promise<LayerFigures> {
  const meter = await LayerMeter.open(floatModel, quantModel, sensitivitySamples > 0);
  try {
    let count = 0;
    for await (const sample of samples) {
      if (options.signal?.aborted) throw new CancelledError('Debugging cancelled.');
      await meter.measure(sample.inputs, count < sensitivitySamples, options.signal);
      count++;
      options.onProgress?.('measuring layers', count, Number.NaN);
    }
    return meter.figures;
  } finally {
    meter.dispose();
  }
}

async function measureInWorkers(figures: LayerFigures, samples: Samples, sensitivitySamples: number, compute: NonNullable<AnalyzeOptions['compute']>, options: AnalyzeOptions): Promise<void> {
  const { splitAcrossWorkers } = await import('../compute/split');
  async function* payloads(): AsyncIterable<DebugSamplePayload> {
    let index = 0;
    for await (const sample of samples) yield { inputs: sample.inputs, sensitive: index++ < sensitivitySamples };
  }
  const open: DebugOpenPayload = { floatBytes: compute.floatBytes, quantBytes: compute.quantBytes, sensitivity: sensitivitySamples > 0 };
  const { states } = await splitAcrossWorkers({ open: { task: 'debug.open', payload: open }, sample: 'debug.sample', finish: 'debug.finish' }, payloads(), {
    workers: compute.workers,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(compute.entry ? { entry: compute.entry } : {}),
    onDone: (done) => options.onProgress?.('measuring layers', done, Number.NaN),
  });
  for (const state of states as FiguresState[]) figures.merge(state);
}

export async function analyzeLayers(floatModel: ModelGraph, quantModel: ModelGraph, samples: Samples, options: AnalyzeOptions = {}): Promise<Analysis> {
  const { float, quant, layers, skipped } = debuggedLayers(floatModel, quantModel);
  const sensitivitySamples = options.sensitivitySamples ?? 0;
  const workers = options.compute && options.compute.workers > 1 ? options.compute.workers : 1;
  let figures: LayerFigures;
  if (workers > 1) {
    figures = new LayerFigures(quant, layers, float.outputs.length);
    await measureInWorkers(figures, samples, sensitivitySamples, options.compute!, options);
  } else {
    figures = await measureHere(floatModel, quantModel, samples, sensitivitySamples, options);
  }
  const perOutput = figures.outputs.perOutput();
  return {
    layers: layers.map((layer, k): LayerMeasurement => ({ layer, ...figures.row(k) })),
    skipped,
    outputs: float.outputs.map((name, k) => ({ name, sqnrDb: perOutput[k]! })),
    ...(figures.sensitivitySamples > 0 ? { baselineDb: figures.baseline.db() } : {}),
    samples: figures.samples,
    workers,
  };
}
