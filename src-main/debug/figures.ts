// The debugger's accumulators for one run: per layer the accumulated and isolated error, the
// graph outputs (whole model quantized, and on the sensitivity samples), and per layer the
// outputs with only it quantized / only it float. Each compute worker fills its own; their
// states merge here into exactly the figures one thread would give (every part is an exact
// per-sample sum, a max, a count or a set of levels: validation/tensor-error.ts).
import type { Graph } from '../graph/model-graph';
import { gridOf, TensorErrorAccumulator, type TensorErrorState } from '../validation/tensor-error';
import type { QuantizedLayer } from './layers';
import type { TensorError } from './types';

/** Mean SQNR in dB over the graph outputs: the model-level metric of the sensitivity passes. */
export class OutputsMetric {
  readonly outputs: TensorErrorAccumulator[];
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
  state(): TensorErrorState[] {
    return this.outputs.map((o) => o.state());
  }
  merge(states: TensorErrorState[]): void {
    states.forEach((s, k) => this.outputs[k]!.merge(s));
  }
}

/** What a LayerFigures holds, structured-cloneable, for merging in another thread. */
export interface FiguresState {
  samples: number;
  sensitivitySamples: number;
  accumulated: TensorErrorState[];
  isolated: TensorErrorState[];
  outputs: TensorErrorState[];
  baseline: TensorErrorState[];
  aloneQuant: TensorErrorState[][];
  aloneFloat: TensorErrorState[][];
}

export interface LayerFigureRow {
  accumulated?: TensorError;
  isolated?: TensorError;
  sensitivity?: { aloneQuantizedDb: number; aloneFloatDb: number };
}

export class LayerFigures {
  samples = 0;
  /** Samples the sensitivity passes ran on. */
  sensitivitySamples = 0;
  readonly accumulated: TensorErrorAccumulator[];
  readonly isolated: TensorErrorAccumulator[];
  readonly outputs: OutputsMetric;
  readonly baseline: OutputsMetric;
  readonly aloneQuant: OutputsMetric[];
  readonly aloneFloat: OutputsMetric[];

  constructor(quant: Graph, layers: QuantizedLayer[], outputCount: number) {
    const grid = (l: QuantizedLayer) => gridOf(quant.tensors.get(l.node.outputs[0]!));
    this.accumulated = layers.map((l) => new TensorErrorAccumulator(grid(l)));
    this.isolated = layers.map((l) => new TensorErrorAccumulator(grid(l)));
    this.outputs = new OutputsMetric(outputCount);
    this.baseline = new OutputsMetric(outputCount);
    this.aloneQuant = layers.map(() => new OutputsMetric(outputCount));
    this.aloneFloat = layers.map(() => new OutputsMetric(outputCount));
  }

  state(): FiguresState {
    return {
      samples: this.samples,
      sensitivitySamples: this.sensitivitySamples,
      accumulated: this.accumulated.map((a) => a.state()),
      isolated: this.isolated.map((a) => a.state()),
      outputs: this.outputs.state(),
      baseline: this.baseline.state(),
      aloneQuant: this.aloneQuant.map((m) => m.state()),
      aloneFloat: this.aloneFloat.map((m) => m.state()),
    };
  }

  merge(state: FiguresState): void {
    if (state.accumulated.length !== this.accumulated.length) throw new RangeError(`Cannot merge debugger figures of ${state.accumulated.length} layers into ${this.accumulated.length}.`);
    this.samples += state.samples;
    this.sensitivitySamples += state.sensitivitySamples;
    state.accumulated.forEach((s, k) => this.accumulated[k]!.merge(s));
    state.isolated.forEach((s, k) => this.isolated[k]!.merge(s));
    this.outputs.merge(state.outputs);
    this.baseline.merge(state.baseline);
    state.aloneQuant.forEach((s, k) => this.aloneQuant[k]!.merge(s));
    state.aloneFloat.forEach((s, k) => this.aloneFloat[k]!.merge(s));
  }

  /** Layer k's figures (only those measured). */
  row(k: number): LayerFigureRow {
    return {
      ...(this.accumulated[k]!.count ? { accumulated: this.accumulated[k]!.result() } : {}),
      ...(this.isolated[k]!.count ? { isolated: this.isolated[k]!.result() } : {}),
      ...(this.sensitivitySamples > 0 ? { sensitivity: { aloneQuantizedDb: this.aloneQuant[k]!.db(), aloneFloatDb: this.aloneFloat[k]!.db() } } : {}),
    };
  }
}
