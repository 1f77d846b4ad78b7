// The sample loop of an evaluation: each sample through the float and the quantized model, in
// this thread or split across compute workers (each with its own TFLite runtime instance). The
// outputs come back to `visit` in sample order either way, so every figure accumulated from
// them is the one-worker figure exactly.
import type { Dataset, Sample } from '../data/dataset';
import type { LoadedTflite, RuntimeName } from '../runtime/types';
import { fromRuntimeOutput, toRuntimeInput } from './io';
import { joinOutputs, outputJoin, type OutputJoin } from './split-outputs';

export interface PairOutputs {
  float: Float32Array[];
  quant: Float32Array[];
}

/** One sample through both models (fresh state each: TFLite keeps LSTM variables between invokes). */
export async function runPair(f: LoadedTflite, q: LoadedTflite, inputs: Float32Array[]): Promise<PairOutputs> {
  await f.reset();
  await q.reset();
  const fo = await f.run(inputs.map((v, k) => toRuntimeInput(v, f.inputs[k]!)));
  const qo = await q.run(inputs.map((v, k) => toRuntimeInput(v, q.inputs[k]!)));
  // Copied: a runtime may hand out views of its own memory, overwritten by the next run.
  const copy = (v: Float32Array) => Float32Array.from(v);
  const quant = qo.map((v, k) => copy(fromRuntimeOutput(v, q.outputs[k]!)));
  const join = joinOf(f, q);
  return { float: fo.map((v, k) => copy(fromRuntimeOutput(v, f.outputs[k]!))), quant: join ? joinOutputs(join, quant) : quant };
}

const joins = new WeakMap<LoadedTflite, OutputJoin | undefined>();
/** How `q`'s outputs make `f`'s (a split detector file's groups are joined back), found once per loaded pair. */
function joinOf(f: LoadedTflite, q: LoadedTflite): OutputJoin | undefined {
  if (!joins.has(q)) joins.set(q, outputJoin(f.outputs, q.outputs));
  return joins.get(q);
}

export interface LoadedPair {
  runtime: RuntimeName;
  f: LoadedTflite;
  q: LoadedTflite;
  /** The bytes `f` and `q` were loaded from, for workers to load their own instances. */
  floatBytes: Uint8Array;
  quantBytes: Uint8Array;
}

/** What `visit` sees of a sample: its inputs too (per-sample consumers draw thumbnails and
 *  pictures from them); in workers they wait in the bounded queue below until visited. */
export type SampleInfo = Pick<Sample, 'label' | 'source' | 'file' | 'inputs'>;

export interface SampleRunOptions {
  /** Compute workers (1: this thread). */
  workers: number;
  signal?: AbortSignal;
}

/** Runs every sample of `dataset` through both models; `visit` sees them in dataset order. Returns the count. */
export async function forEachPairOutput(dataset: Dataset, pair: LoadedPair, options: SampleRunOptions, visit: (sample: SampleInfo, outputs: PairOutputs) => void): Promise<number> {
  return options.workers > 1 ? inWorkers(dataset, pair, options, visit) : here(dataset, pair, options.signal, visit);
}

async function here(dataset: Dataset, pair: LoadedPair, signal: AbortSignal | undefined, visit: (sample: SampleInfo, outputs: PairOutputs) => void): Promise<number> {
  let count = 0;
  for await (const sample of dataset.samples(signal)) {
    visit(sample, await runPair(pair.f, pair.q, sample.inputs));
    count++;
  }
  return count;
}

async function inWorkers(dataset: Dataset, pair: LoadedPair, options: SampleRunOptions, visit: (sample: SampleInfo, outputs: PairOutputs) => void): Promise<number> {
  const { ComputePool } = await import('../compute/pool');
  const pool = await ComputePool.open(options.workers, options.signal ? { signal: options.signal } : {});
  // Results wait here until every earlier sample's has come back; bounded by the samples in flight.
  const queue: { sample: SampleInfo; result: Promise<unknown> }[] = [];
  const visitHead = async (): Promise<void> => {
    const head = queue.shift()!;
    visit(head.sample, (await head.result) as PairOutputs);
  };
  let count = 0;
  try {
    await pool.each('evaluate.open', { runtime: pair.runtime, floatBytes: pair.floatBytes, quantBytes: pair.quantBytes });
    for await (const sample of dataset.samples(options.signal)) {
      const { result } = await pool.submit('evaluate.sample', { inputs: sample.inputs });
      queue.push({ sample, result });
      count++;
      while (queue.length > 2 * pool.size + 1) await visitHead();
    }
    while (queue.length) await visitHead();
    await pool.each('evaluate.finish', null);
    return count;
  } finally {
    await pool.close();
  }
}
