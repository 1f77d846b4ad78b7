// The debugger's measurements on held-out samples, in the IR interpreter (which simulates the
// integer kernels by fake-quantization and can observe every tensor):
// - accumulated error: every tensor of the whole quantized graph against float;
// - isolated error: each quantized layer run alone on the float graph's values;
// - sensitivity (optional, on the first samples): the graph outputs when only one layer is
//   quantized, and when only one layer is kept float.
import { CancelledError } from '../errors';
import { ConstantCache, createExecutor, type GraphExecutor } from '../graph/execute';
import { mainGraph, type ModelGraph } from '../graph/model-graph';
import { quantizedLayers, type QuantizedLayer } from './layers';
import { aloneFloatGraph, aloneQuantizedGraph, firstChange, isolatedLayerGraph, suffixGraph, TensorAliases } from './surgery';
import { gridOf, TensorErrorAccumulator } from '../validation/tensor-error';
import type { TensorError } from './types';

export interface AnalyzeOptions {
  /** Samples (the first ones) for the sensitivity passes; 0 skips them. */
  sensitivitySamples?: number;
  signal?: AbortSignal;
  onProgress?: (stage: string, done: number, total: number) => void;
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
}

/** Mean SQNR in dB over the graph outputs: the model-level metric of the sensitivity passes. */
class OutputsMetric {
  private readonly outputs: TensorErrorAccumulator[];
  constructor(count: number) {
    this.outputs = Array.from({ length: count }, () => new TensorErrorAccumulator());
  }
  add(reference: Float32Array[], test: Float32Array[]): void {
    reference.forEach((r, k) => this.outputs[k]!.add(r, test[k]!));
  }
  db(): number {
    const values = this.outputs.map((o) => Math.min(o.result().sqnrDb, 200));
    return values.reduce((a, b) => a + b, 0) / Math.max(values.length, 1);
  }
  perOutput(): number[] {
    return this.outputs.map((o) => o.result().sqnrDb);
  }
}

interface Variant {
  tail: GraphExecutor;
  inputs: string[];
  /** The whole variant, for when a value crossing into the tail was not observed (an index tensor). */
  whole: () => Promise<GraphExecutor>;
}

/** Runs a variant's tail on the values its head produced in the run it shares. */
async function runTail(variant: Variant, values: Map<string, Float32Array>, sample: Float32Array[]): Promise<Float32Array[]> {
  const feeds: Record<string, Float32Array> = {};
  for (const name of variant.inputs) {
    const value = values.get(name);
    if (!value) return (await variant.whole()).run(sample);
    feeds[name] = value;
  }
  return variant.tail.run(feeds);
}

export async function analyzeLayers(
  floatModel: ModelGraph,
  quantModel: ModelGraph,
  samples: AsyncIterable<{ inputs: Float32Array[] }>,
  options: AnalyzeOptions = {},
): Promise<Analysis> {
  const float = mainGraph(floatModel);
  const quant = mainGraph(quantModel);
  const { layers, skipped } = quantizedLayers(float, quant);
  const sensitivitySamples = options.sensitivitySamples ?? 0;
  const cache = new ConstantCache();
  const executors: GraphExecutor[] = [];
  const make = async (graph: Parameters<typeof createExecutor>[0]): Promise<GraphExecutor> => {
    const executor = await createExecutor(graph, undefined, cache);
    executors.push(executor);
    return executor;
  };
  try {
    const floatRun = await make(float);
    const quantRun = await make(quant);
    const isolatedRuns = await Promise.all(layers.map((l) => make(isolatedLayerGraph(quant, l))));
    const quantAliases = new TensorAliases('@q');
    const floatAliases = new TensorAliases('@f');
    // Each variant's head equals the float (or quantized) run already made: run only its tail,
    // fed the values that cross into it.
    const tail = async (base: typeof float, variant: typeof float): Promise<Variant> => {
      const graph = suffixGraph(variant, firstChange(base, variant));
      let whole: Promise<GraphExecutor> | undefined;
      return { tail: await make(graph), inputs: graph.inputs, whole: () => (whole ??= make(variant)) };
    };
    const aloneQuantRuns = sensitivitySamples > 0 ? await Promise.all(layers.map((l) => tail(float, aloneQuantizedGraph(float, quant, l, quantAliases)))) : [];
    const aloneFloatRuns = sensitivitySamples > 0 ? await Promise.all(layers.map((l) => tail(quant, aloneFloatGraph(float, quant, l, floatAliases)))) : [];

    const needed = new Set<string>(layers.flatMap((l) => [...l.feeds.values(), l.floatOutput]));
    const accumulated = layers.map((l) => new TensorErrorAccumulator(gridOf(quant.tensors.get(l.node.outputs[0]!))));
    const isolated = layers.map((l) => new TensorErrorAccumulator(gridOf(quant.tensors.get(l.node.outputs[0]!))));
    const byTensor = new Map(layers.map((l, k) => [l.node.outputs[0]!, k]));
    const outputs = new OutputsMetric(float.outputs.length);
    const baseline = new OutputsMetric(float.outputs.length);
    const aloneQuant = layers.map(() => new OutputsMetric(float.outputs.length));
    const aloneFloat = layers.map(() => new OutputsMetric(float.outputs.length));

    let count = 0;
    for await (const sample of samples) {
      if (options.signal?.aborted) throw new CancelledError('Debugging cancelled.');
      const sensitive = count < sensitivitySamples;
      const reference = new Map<string, Float32Array>();
      const quantValues = new Map<string, Float32Array>();
      const floatOut = await floatRun.run(sample.inputs, { observe: (name, values) => (sensitive || needed.has(name)) && reference.set(name, values.slice()) });
      const quantOut = await quantRun.run(sample.inputs, {
        observe: (name, values) => {
          if (sensitive) quantValues.set(name, values.slice());
          const k = byTensor.get(name);
          const ref = k !== undefined ? reference.get(layers[k]!.floatOutput) : undefined;
          if (k !== undefined && ref && ref.length === values.length) accumulated[k]!.add(ref, values);
        },
      });
      outputs.add(floatOut, quantOut);
      for (const [k, layer] of layers.entries()) {
        const feeds: Record<string, Float32Array> = {};
        for (const [input, source] of layer.feeds) feeds[input] = reference.get(source)!;
        const [out] = await isolatedRuns[k]!.run(feeds);
        isolated[k]!.add(reference.get(layer.floatOutput)!, out!);
      }
      if (sensitive) {
        baseline.add(floatOut, quantOut);
        for (const k of layers.keys()) {
          if (options.signal?.aborted) throw new CancelledError('Debugging cancelled.');
          aloneQuant[k]!.add(floatOut, await runTail(aloneQuantRuns[k]!, reference, sample.inputs));
          aloneFloat[k]!.add(floatOut, await runTail(aloneFloatRuns[k]!, quantValues, sample.inputs));
        }
      }
      count++;
      options.onProgress?.('measuring layers', count, Number.NaN);
    }
    const measured = layers.map((layer, k): LayerMeasurement => ({
      layer,
      ...(accumulated[k]!.count ? { accumulated: accumulated[k]!.result() } : {}),
      ...(isolated[k]!.count ? { isolated: isolated[k]!.result() } : {}),
      ...(sensitivitySamples > 0 && count > 0 ? { sensitivity: { aloneQuantizedDb: aloneQuant[k]!.db(), aloneFloatDb: aloneFloat[k]!.db() } } : {}),
    }));
    return {
      layers: measured,
      skipped,
      outputs: float.outputs.map((name, k) => ({ name, sqnrDb: outputs.perOutput()[k]! })),
      ...(sensitivitySamples > 0 && count > 0 ? { baselineDb: baseline.db() } : {}),
      samples: count,
    };
  } finally {
    for (const executor of executors) executor.dispose();
    cache.dispose();
  }
}
