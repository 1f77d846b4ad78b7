// The debugger's per-sample measurement, in the IR interpreter (which simulates the integer
// kernels by fake-quantization and can observe every tensor). One meter per thread: this one
// when the run stays in one thread, one in each compute worker otherwise; each fills its own
// LayerFigures, merged exactly afterwards.
// - accumulated error: every layer's tensor in the whole quantized graph against float;
// - isolated error: each quantized layer run alone on the float graph's values;
// - sensitivity (on the samples marked sensitive): the graph outputs when only one layer is
//   quantized, and when only one layer is kept float.
import { CancelledError } from '../errors';
import { ConstantCache, createExecutor, type GraphExecutor } from '../graph/execute';
import { mainGraph, type Graph, type ModelGraph } from '../graph/model-graph';
import { LayerFigures } from './figures';
import { quantizedLayers, type QuantizedLayer } from './layers';
import { addAsReadersSee } from './reader-range';
import { aloneFloatGraph, aloneQuantizedGraph, firstChange, isolatedLayerGraph, suffixGraph, TensorAliases } from './surgery';

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

/** The layers a float / quantized model pair is measured on, in the order every thread uses. */
export function debuggedLayers(floatModel: ModelGraph, quantModel: ModelGraph): { float: Graph; quant: Graph; layers: QuantizedLayer[]; skipped: { node: string; reason: string }[] } {
  const float = mainGraph(floatModel);
  const quant = mainGraph(quantModel);
  return { float, quant, ...quantizedLayers(float, quant) };
}

export class LayerMeter {
  readonly figures: LayerFigures;
  readonly #executors: GraphExecutor[];
  readonly #cache: ConstantCache;
  readonly #layers: QuantizedLayer[];
  readonly #floatRun: GraphExecutor;
  readonly #quantRun: GraphExecutor;
  readonly #isolatedRuns: GraphExecutor[];
  readonly #aloneQuantRuns: Variant[];
  readonly #aloneFloatRuns: Variant[];
  readonly #needed: Set<string>;
  readonly #byTensor: Map<string, number>;

  private constructor(parts: { figures: LayerFigures; executors: GraphExecutor[]; cache: ConstantCache; layers: QuantizedLayer[]; floatRun: GraphExecutor; quantRun: GraphExecutor; isolatedRuns: GraphExecutor[]; aloneQuantRuns: Variant[]; aloneFloatRuns: Variant[] }) {
    this.figures = parts.figures;
    this.#executors = parts.executors;
    this.#cache = parts.cache;
    this.#layers = parts.layers;
    this.#floatRun = parts.floatRun;
    this.#quantRun = parts.quantRun;
    this.#isolatedRuns = parts.isolatedRuns;
    this.#aloneQuantRuns = parts.aloneQuantRuns;
    this.#aloneFloatRuns = parts.aloneFloatRuns;
    this.#needed = new Set(parts.layers.flatMap((l) => [...l.feeds.values(), l.floatOutput]));
    this.#byTensor = new Map(parts.layers.map((l, k) => [l.node.outputs[0]!, k]));
  }

  /** Builds every executor the passes need (`sensitivity`: the variants' tails too); executors share one constant cache. */
  static async open(floatModel: ModelGraph, quantModel: ModelGraph, sensitivity: boolean): Promise<LayerMeter> {
    const { float, quant, layers } = debuggedLayers(floatModel, quantModel);
    const cache = new ConstantCache();
    const executors: GraphExecutor[] = [];
    const make = async (graph: Graph): Promise<GraphExecutor> => {
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
      const tail = async (base: Graph, variant: Graph): Promise<Variant> => {
        const graph = suffixGraph(variant, firstChange(base, variant));
        let whole: Promise<GraphExecutor> | undefined;
        return { tail: await make(graph), inputs: graph.inputs, whole: () => (whole ??= make(variant)) };
      };
      const aloneQuantRuns = sensitivity ? await Promise.all(layers.map((l) => tail(float, aloneQuantizedGraph(float, quant, l, quantAliases)))) : [];
      const aloneFloatRuns = sensitivity ? await Promise.all(layers.map((l) => tail(quant, aloneFloatGraph(float, quant, l, floatAliases)))) : [];
      const figures = new LayerFigures(quant, layers, float.outputs.length);
      return new LayerMeter({ figures, executors, cache, layers, floatRun, quantRun, isolatedRuns, aloneQuantRuns, aloneFloatRuns });
    } catch (error) {
      for (const executor of executors) executor.dispose();
      cache.dispose();
      throw error;
    }
  }

  /** Measures one sample into `figures`; `sensitive` adds the sensitivity passes (the meter must have been opened with them). */
  async measure(inputs: Float32Array[], sensitive: boolean, signal?: AbortSignal): Promise<void> {
    if (sensitive && this.#aloneQuantRuns.length !== this.#layers.length) throw new Error('LayerMeter opened without the sensitivity passes.');
    const figures = this.figures;
    const layers = this.#layers;
    const reference = new Map<string, Float32Array>();
    const quantValues = new Map<string, Float32Array>();
    const floatOut = await this.#floatRun.run(inputs, { observe: (name, values) => (sensitive || this.#needed.has(name)) && reference.set(name, values.slice()) });
    const quantOut = await this.#quantRun.run(inputs, {
      observe: (name, values) => {
        if (sensitive) quantValues.set(name, values.slice());
        const k = this.#byTensor.get(name);
        const ref = k !== undefined ? reference.get(layers[k]!.floatOutput) : undefined;
        if (k !== undefined && ref && ref.length === values.length) addAsReadersSee(figures.accumulated[k]!, layers[k]!.readersSee, ref, values);
      },
    });
    figures.outputs.add(floatOut, quantOut);
    for (const [k, layer] of layers.entries()) {
      const feeds: Record<string, Float32Array> = {};
      for (const [input, source] of layer.feeds) feeds[input] = reference.get(source)!;
      const [out] = await this.#isolatedRuns[k]!.run(feeds);
      addAsReadersSee(figures.isolated[k]!, layer.readersSee, reference.get(layer.floatOutput)!, out!);
    }
    if (sensitive) {
      figures.baseline.add(floatOut, quantOut);
      for (const k of layers.keys()) {
        if (signal?.aborted) throw new CancelledError('Debugging cancelled.');
        figures.aloneQuant[k]!.add(floatOut, await runTail(this.#aloneQuantRuns[k]!, reference, inputs));
        figures.aloneFloat[k]!.add(floatOut, await runTail(this.#aloneFloatRuns[k]!, quantValues, inputs));
      }
      figures.sensitivitySamples++;
    }
    figures.samples++;
  }

  dispose(): void {
    for (const executor of this.#executors) executor.dispose();
    this.#cache.dispose();
  }
}
