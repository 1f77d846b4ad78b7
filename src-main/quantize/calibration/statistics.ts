// Runs the float graph on calibration samples and records, per float tensor, the observed range
// and (for percentile / mse) a clipping range. The quantizer's params stage reads `min`/`max`.
import type { CalibrationMethod } from '../../convert/types';
import { createExecutor } from '../../graph/execute';
import { mainGraph, type Graph, type ModelGraph } from '../../graph/model-graph';
import type { Statistics } from '../qtypes';
import { CalibrationDataError, type Dataset, type InputSpec } from './dataset';
import { StreamingHistogram } from './histogram';
import { mseRange, percentileRange } from './ranges';
import { throwIfAborted } from './sources';

export interface TensorStatistics {
  /** The range to quantize with: observed min/max, or the clipped range for percentile / mse. */
  min: number;
  max: number;
  /** Extremes actually seen over all samples. */
  observedMin: number;
  observedMax: number;
  /** Values seen (elements × samples). */
  count: number;
}

export interface CollectOptions {
  method?: CalibrationMethod;
  /** For `percentile`: the central mass kept (default 99.99). */
  percentile?: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export function inputSpecs(graph: Graph): InputSpec[] {
  return graph.inputs.map((name) => {
    const t = graph.tensors.get(name)!;
    return { name, shape: t.shape, dtype: t.dtype };
  });
}

interface Accumulator {
  min: number;
  max: number;
  count: number;
  histogram?: StreamingHistogram;
}

/** Feeds every sample through the graph; returns ranges keyed by tensor name (inputs included). */
export async function collectStatistics(model: ModelGraph | Graph, dataset: Dataset, options: CollectOptions = {}): Promise<Map<string, TensorStatistics>> {
  const method = options.method ?? 'minmax';
  const graph = 'graphs' in model ? mainGraph(model) : model;
  const executor = await createExecutor(graph);
  const acc = new Map<string, Accumulator>();
  const observe = (name: string, values: Float32Array): void => {
    let a = acc.get(name);
    if (!a) {
      a = { min: Infinity, max: -Infinity, count: 0, ...(method !== 'minmax' ? { histogram: new StreamingHistogram() } : {}) };
      acc.set(name, a);
    }
    let min = Infinity;
    let max = -Infinity;
    for (const v of values) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (min < a.min) a.min = min;
    if (max > a.max) a.max = max;
    a.count += values.length;
    a.histogram?.add(values, Math.max(-min, max, 0));
  };
  let done = 0;
  try {
    for await (const sample of dataset.samples(options.signal)) {
      throwIfAborted(options.signal);
      await executor.run(sample.inputs, { observe, ...(options.signal ? { signal: options.signal } : {}) });
      done++;
      options.onProgress?.(done, dataset.count);
    }
  } finally {
    executor.dispose();
  }
  if (done === 0) throw new CalibrationDataError(`No calibration samples were read from ${dataset.description}.`);
  const result = new Map<string, TensorStatistics>();
  for (const [name, a] of acc) {
    const observed = { min: a.min, max: a.max };
    let range = observed;
    if (a.histogram && method === 'percentile') range = percentileRange(a.histogram, observed, options.percentile ?? 99.99);
    if (a.histogram && method === 'mse') range = mseRange(a.histogram, observed);
    result.set(name, { min: range.min, max: range.max, observedMin: a.min, observedMax: a.max, count: a.count });
  }
  return result;
}

/** Narrows to the quantizer's `Statistics` (min/max per tensor). */
export function asStatistics(stats: Map<string, TensorStatistics>): Statistics {
  return new Map([...stats].map(([name, s]) => [name, { min: s.min, max: s.max }]));
}
