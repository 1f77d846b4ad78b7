// What calibration keeps per float tensor while samples run: min / max, the sample count and,
// for percentile / mse, a histogram. Observers of disjoint sample sets merge into exactly the
// observer of all of them (min/max and histogram bins bit-identical), which is how calibration
// splits its samples across compute workers.
import type { CalibrationMethod } from '../../convert/types';
import type { ExecuteOptions } from '../../graph/execute';
import { StreamingHistogram, type HistogramState } from './histogram';
import { mseRange, percentileRange } from './ranges';

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

interface Accumulator {
  min: number;
  max: number;
  count: number;
  histogram?: StreamingHistogram;
}

/** An observer's state, to send between threads (structured clone). */
export type ObserverState = [name: string, value: { min: number; max: number; count: number; histogram?: HistogramState }][];

export class RangeObserver {
  readonly #acc = new Map<string, Accumulator>();

  constructor(readonly method: CalibrationMethod) {}

  #entry(name: string): Accumulator {
    let a = this.#acc.get(name);
    if (!a) {
      a = { min: Infinity, max: -Infinity, count: 0, ...(this.method !== 'minmax' ? { histogram: new StreamingHistogram() } : {}) };
      this.#acc.set(name, a);
    }
    return a;
  }

  /** The executor hooks for sample number `sampleIndex` (min/max reduce on the backend; histograms need the values). */
  hooks(sampleIndex: number): Pick<ExecuteOptions, 'observe' | 'observeRange'> {
    if (this.method === 'minmax') {
      return {
        observeRange: (name, min, max) => {
          const a = this.#entry(name);
          if (min < a.min) a.min = min;
          if (max > a.max) a.max = max;
          a.count++;
        },
      };
    }
    return {
      observe: (name, values) => {
        const a = this.#entry(name);
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
        a.histogram?.add(values, Math.max(-min, max, 0), sampleIndex);
      },
    };
  }

  state(): ObserverState {
    return [...this.#acc].map(([name, a]) => [name, { min: a.min, max: a.max, count: a.count, ...(a.histogram ? { histogram: a.histogram.state() } : {}) }]);
  }

  merge(state: ObserverState): void {
    for (const [name, s] of state) {
      const a = this.#entry(name);
      if (s.min < a.min) a.min = s.min;
      if (s.max > a.max) a.max = s.max;
      a.count += s.count;
      if (s.histogram) a.histogram?.merge(s.histogram);
    }
  }

  /** The ranges to quantize with, per tensor (tensors in first-observed order). */
  result(percentile = 99.99): Map<string, TensorStatistics> {
    const result = new Map<string, TensorStatistics>();
    for (const [name, a] of this.#acc) {
      const observed = { min: a.min, max: a.max };
      let range = observed;
      if (a.histogram && this.method === 'percentile') range = percentileRange(a.histogram, observed, percentile);
      if (a.histogram && this.method === 'mse') range = mseRange(a.histogram, observed);
      result.set(name, { min: range.min, max: range.max, observedMin: a.min, observedMax: a.max, count: a.count });
    }
    return result;
  }
}
