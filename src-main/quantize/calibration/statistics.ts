// Runs the float graph on calibration samples and records, per float tensor, the observed range
// and (for percentile / mse) a clipping range. The quantizer's params stage reads `min`/`max`.
import type { CalibrationMethod } from '../../convert/types';
import { createExecutor } from '../../graph/execute';
import { mainGraph, type Graph, type ModelGraph } from '../../graph/model-graph';
import type { Statistics } from '../qtypes';
import { CalibrationDataError, type Dataset, type InputSpec } from '../../data/dataset';
import { StreamingHistogram } from './histogram';
import { mseRange, percentileRange } from './ranges';
import { throwIfAborted } from '../../data/sources';

export interface TensorStatistics {
  /** The range to quantize with: observed min/max, or the clipped range for percentile / mse. */
  min: number;
  max: number;
  /** Extremes actually seen over all samples. */
  observedMin: number;
  observedMax: number;
  /** Samples this tensor was observed in. */
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
  const entry = (name: string): Accumulator => {
    let a = acc.get(name);
    if (!a) {
      a = { min: Infinity, max: -Infinity, count: 0, ...(method !== 'minmax' ? { histogram: new StreamingHistogram() } : {}) };
      acc.set(name, a);
    }
    return a;
  };
  // min/max only: reduce on the backend. Histograms need the values themselves.
  const observeRange = (name: string, min: number, max: number): void => {
    const a = entry(name);
    if (min < a.min) a.min = min;
    if (max > a.max) a.max = max;
    a.count++;
  };
  const observe = (name: string, values: Float32Array): void => {
    const a = entry(name);
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (min < a.min) a.min = min;
    if (max > a.max) a.max = max;
    a.count++;
    a.histogram?.add(values, Math.max(-min, max, 0));
  };
  const hooks = method === 'minmax' ? { observeRange } : { observe };
  let done = 0;
  const iterator = dataset.samples(options.signal)[Symbol.asyncIterator]();
  try {
    // Decode the next sample (sharp works off the main thread) while this one runs: two
    // samples in memory at most.
    let next = iterator.next();
    for (;;) {
      const current = await next;
      if (current.done) break;
      next = iterator.next();
      next.catch(() => undefined); // surfaced when awaited on the next turn
      const sample = current.value;
      throwIfAborted(options.signal);
      await executor.run(sample.inputs, { ...hooks, ...(options.signal ? { signal: options.signal } : {}) });
      done++;
      options.onProgress?.(done, dataset.count);
    }
  } finally {
    executor.dispose();
    await iterator.return?.(undefined);
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
