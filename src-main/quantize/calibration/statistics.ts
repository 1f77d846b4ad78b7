// Runs the float graph on calibration samples and records, per float tensor, the observed range
// and (for percentile / mse) a clipping range. The quantizer's params stage reads `min`/`max`.
import type { CalibrationMethod } from '../../convert/types';
import { createExecutor } from '../../graph/execute';
import { mainGraph, type Graph, type ModelGraph } from '../../graph/model-graph';
import type { Statistics } from '../qtypes';
import { CalibrationDataError, type Dataset, type InputSpec } from '../../data/dataset';
import { RangeObserver, type TensorStatistics } from './observer';
import type { FloatPassOpen, FloatPassState } from './worker-tasks';
import { throwIfAborted } from '../../data/sources';
import { initTfjs } from '../../graph/tfjs-backend';
import { sumOfWorkers } from '../rounding/split-pass';
import { addPatchSums } from '../rounding/bias-correction';
import { SampleSums, type GptqTap } from '../rounding/calibration-tap';

export type { TensorStatistics } from './observer';

export interface CollectOptions {
  method?: CalibrationMethod;
  /** For `percentile`: the central mass kept (default 99.99). */
  percentile?: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /** Compute workers to split the samples across (1: in this thread; default 1). */
  workers?: number;
  /** Layers whose gptq statistics (and mean patches) the same pass sums (`gptq.sums`, `gptq.meanSums` set when it ends). */
  gptq?: GptqTap;
}

export function inputSpecs(graph: Graph): InputSpec[] {
  return graph.inputs.map((name) => {
    const t = graph.tensors.get(name)!;
    return { name, shape: t.shape, dtype: t.dtype };
  });
}

/** Feeds every sample through the graph; returns ranges keyed by tensor name (inputs included). */
export async function collectStatistics(model: ModelGraph | Graph, dataset: Dataset, options: CollectOptions = {}): Promise<Map<string, TensorStatistics>> {
  const graph = 'graphs' in model ? mainGraph(model) : model;
  const observer = new RangeObserver(options.method ?? 'minmax');
  const done = (options.workers ?? 1) > 1 ? await observeInWorkers(graph, dataset, observer, options) : await observeHere(graph, dataset, observer, options);
  if (done === 0) throw new CalibrationDataError(`No calibration samples were read from ${dataset.description}.`);
  return observer.result(options.percentile ?? 99.99);
}

/** The dataset's samples with their index, the next one decoded (sharp works off the main thread) while this one runs: two in memory at most. */
async function* samplesAhead(dataset: Dataset, signal: AbortSignal | undefined): AsyncGenerator<{ inputs: Float32Array[]; index: number }> {
  const iterator = dataset.samples(signal)[Symbol.asyncIterator]();
  let index = 0;
  try {
    let next = iterator.next();
    for (;;) {
      const current = await next;
      if (current.done) return;
      next = iterator.next();
      next.catch(() => undefined); // surfaced when awaited on the next turn
      throwIfAborted(signal);
      yield { inputs: current.value.inputs, index: index++ };
    }
  } finally {
    await iterator.return?.(undefined);
  }
}

async function observeHere(graph: Graph, dataset: Dataset, observer: RangeObserver, options: CollectOptions): Promise<number> {
  const executor = await createExecutor(graph);
  const tf = await initTfjs();
  const sums = options.gptq && new SampleSums(tf, options.gptq.layers, options.gptq.means);
  try {
    let count = 0;
    for await (const { inputs, index } of samplesAhead(dataset, options.signal)) {
      await executor.run(inputs, { ...observer.hooks(index), ...sums?.runOptions(), ...(options.signal ? { signal: options.signal } : {}) });
      count++;
      options.onProgress?.(count, dataset.count);
    }
    if (sums) options.gptq!.sums = { accs: sums.finish(), count };
    if (sums && options.gptq!.means) options.gptq!.meanSums = { layers: options.gptq!.means.map((l) => l.node.name), sums: sums.patchSums(), count };
    return count;
  } finally {
    sums?.dispose();
    executor.dispose();
  }
}

/** The same, each sample run by one of `options.workers` compute workers (compute/split.ts); their observers merge exactly. */
async function observeInWorkers(graph: Graph, dataset: Dataset, observer: RangeObserver, options: CollectOptions): Promise<number> {
  const { splitAcrossWorkers } = await import('../../compute/split');
  const open: FloatPassOpen = { graph, method: observer.method, ...(options.gptq ? { gptq: { target: options.gptq.target, layers: options.gptq.layers.map((l) => l.node.name), means: (options.gptq.means ?? []).map((l) => l.node.name) } } : {}) };
  const { states, count } = await splitAcrossWorkers(
    { open: { task: 'calibrate.open', payload: open }, sample: 'calibrate.sample', finish: 'calibrate.finish' },
    // Copied, not transferred: a sample may be a view into its dataset's file buffer.
    samplesAhead(dataset, options.signal),
    { workers: options.workers!, ...(options.signal ? { signal: options.signal } : {}), onDone: (done) => options.onProgress?.(done, dataset.count) },
  );
  const ends = states as FloatPassState[];
  for (const { state } of ends) observer.merge(state!);
  if (options.gptq) {
    options.gptq.sums = { accs: sumOfWorkers(ends.map((f) => f.accs!)), count };
    if (options.gptq.means) {
      const [patches, ...others] = ends.map((f) => f.patches!);
      for (const more of others) addPatchSums(patches!, more);
      options.gptq.meanSums = { layers: options.gptq.means.map((l) => l.node.name), sums: patches!, count };
    }
  }
  return count;
}

/** Narrows to the quantizer's `Statistics` (min/max per tensor). */
export function asStatistics(stats: Map<string, TensorStatistics>): Statistics {
  return new Map([...stats].map(([name, s]) => [name, { min: s.min, max: s.max }]));
}
