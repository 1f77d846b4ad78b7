// What one layer's lowering function sees: the builder, the layer call, its weights,
// and typed readers for its config. Architecture-only models get seeded random weights.
import { UnsupportedError } from '../../../errors';
import type { GraphBuilder, Value } from '../builder';
import type { LayerCall } from '../config';
import { KerasFormatError } from '../config';
import type { KerasWeight } from '../weights';
import { baseName } from '../weights';

export type Init = 'glorot' | 'zeros' | 'ones' | 'small';

export class LowerContext {
  constructor(
    readonly b: GraphBuilder,
    readonly call: LayerCall,
    readonly weights: KerasWeight[],
    private readonly random: (() => number) | undefined,
    /** --unroll-rnn: recurrent layers become per-step plain ops instead of fused sequence ops. */
    readonly unrollRnn = false,
  ) {}

  /** A context for a sub-layer (e.g. a Bidirectional's forward RNN) with its own weights. */
  derive(call: LayerCall, weights: KerasWeight[]): LowerContext {
    return new LowerContext(this.b, call, weights, this.random, this.unrollRnn);
  }

  get name(): string {
    return this.call.name;
  }

  /** Tensor name in the converter's style: '<model>/<layer>/<suffix>'. */
  t(suffix: string): string {
    return this.b.scoped(this.call.name, suffix);
  }

  fail(reason: string): never {
    throw new UnsupportedError(`Layer '${this.call.name}' (${this.call.className}): ${reason}`);
  }

  num(key: string, fallback?: number): number {
    const v = this.call.config[key];
    if (typeof v === 'number') return v;
    if (v === undefined || v === null) {
      if (fallback !== undefined) return fallback;
      throw new KerasFormatError(`Layer '${this.call.name}': config '${key}' is missing.`);
    }
    throw new KerasFormatError(`Layer '${this.call.name}': config '${key}' is not a number.`);
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.call.config[key];
    return typeof v === 'boolean' ? v : fallback;
  }

  str(key: string, fallback: string): string {
    const v = this.call.config[key];
    return typeof v === 'string' ? v : fallback;
  }

  /** A pair such as kernel_size/strides: accepts n or [a, b]. */
  pair(key: string, fallback: [number, number]): [number, number] {
    const v = this.call.config[key];
    if (typeof v === 'number') return [v, v];
    if (Array.isArray(v) && v.length >= 2) return [Number(v[0]), Number(v[1])];
    if (Array.isArray(v) && v.length === 1) return [Number(v[0]), Number(v[0])];
    return fallback;
  }

  ints(key: string): number[] | undefined {
    const v = this.call.config[key];
    if (typeof v === 'number') return [v];
    if (Array.isArray(v)) return v.map(Number);
    return undefined;
  }

  /** The activation named in the config ('linear' when absent). */
  activation(key = 'activation'): string {
    const v = this.call.config[key];
    if (v === undefined || v === null) return 'linear';
    if (typeof v === 'string') return v;
    if (typeof v === 'object') {
      const o = v as { class_name?: string; config?: { name?: string } };
      return o.config?.name ?? o.class_name ?? 'linear';
    }
    return String(v);
  }

  /**
   * A weight by Keras name (or position for numbered Keras 3 variables), checked against
   * the expected Keras shape. Without weights in the file, architecture-only mode makes
   * deterministic random ones; otherwise a missing weight is an error.
   */
  weight(names: string[], index: number, shape: number[], init: Init = 'glorot'): Float32Array {
    this.b.parameters.claim(this.call.name, names[0] ?? String(index), shape);
    const named = this.weights.some((w) => !/^\d+$/.test(baseName(w.name)));
    const found = this.weights.find((w) => names.includes(baseName(w.name))) ?? (named ? undefined : this.weights[index]);
    if (found) {
      const n = shape.reduce((a, d) => a * d, 1);
      if (found.data.length !== n) {
        throw new KerasFormatError(
          `Layer '${this.call.name}': weight '${found.name}' has shape [${found.shape.join(', ')}], expected [${shape.join(', ')}].`,
        );
      }
      return found.data;
    }
    if (!this.random) {
      throw new KerasFormatError(`Layer '${this.call.name}': weight '${names[0]}' is missing from the weights file.`);
    }
    return randomWeight(shape, init, this.random);
  }

  hasWeights(): boolean {
    return this.weights.length > 0 || this.random !== undefined;
  }

  /** Input i, as a value. */
  input(inputs: Value[], i = 0): Value {
    const v = inputs[i];
    if (!v) throw new KerasFormatError(`Layer '${this.call.name}' expects at least ${i + 1} input(s).`);
    return v;
  }
}

function randomWeight(shape: number[], init: Init, random: () => number): Float32Array {
  const n = shape.reduce((a, d) => a * d, 1);
  const out = new Float32Array(n);
  if (init === 'zeros') return out;
  if (init === 'ones') return out.fill(1);
  const fanIn = shape.length >= 2 ? shape.slice(0, -1).reduce((a, d) => a * d, 1) : shape[0] ?? 1;
  const fanOut = shape.at(-1) ?? 1;
  const limit = init === 'small' ? 0.05 : Math.sqrt(6 / (fanIn + fanOut));
  for (let i = 0; i < n; i++) out[i] = (random() * 2 - 1) * limit;
  return out;
}
