// A tiny Keras functional-model builder for tests: each layer is recorded once (class, config,
// call arguments, weights) together with its TF.js function, so the same network can be written
// as a Keras 2 `.h5` and a `.keras` archive and run by TensorFlow.js as the reference. The
// reference runs eagerly while the model is built, so BatchNorm statistics can be measured on data
// (the calibration input may hold a batch of several images; declared shapes have batch 1).
import type * as tfTypes from '@tensorflow/tfjs';

export type Tf = typeof tfTypes;
type T = tfTypes.Tensor;

/** A symbolic tensor: output `index` of layer `layer`, with its static shape (batch included). */
export interface KTensor {
  layer: string;
  index: number;
  shape: number[];
}

/** A call argument: tensors, constants (numbers, nested lists), Python-like slices, lists, dicts. */
export type Arg = KTensor | number | string | boolean | null | Arg[] | { [key: string]: Arg };

export interface Weight {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface LayerRecord {
  name: string;
  className: string;
  config: Record<string, unknown>;
  /** Ordinary layers: the input tensor(s). Op layers: the TF function's first argument. */
  first: Arg;
  /** TF function keyword arguments (TFOpLambda / SlicingOpLambda only). */
  kwargs: Record<string, Arg>;
  weights: Weight[];
  outputs: KTensor[];
  run: (inputs: T[]) => T[];
}

export function isTensor(a: Arg): a is KTensor {
  return !!a && typeof a === 'object' && !Array.isArray(a) && typeof (a as { layer?: unknown }).layer === 'string' && Array.isArray((a as { shape?: unknown }).shape);
}

function tensorsIn(a: Arg, out: KTensor[] = []): KTensor[] {
  if (isTensor(a)) out.push(a);
  else if (Array.isArray(a)) for (const x of a) tensorsIn(x, out);
  else if (a && typeof a === 'object') for (const x of Object.values(a)) tensorsIn(x, out);
  return out;
}

export class KerasGraph {
  readonly layers: LayerRecord[] = [];
  private readonly calib = new Map<string, T>();
  private readonly counts = new Map<string, number>();
  inputs: KTensor[] = [];
  outputs: KTensor[] = [];

  constructor(readonly tf: Tf) {}

  /** Keras-style unique names: conv2d, conv2d_1, … */
  uniqueName(base: string): string {
    const n = this.counts.get(base) ?? 0;
    this.counts.set(base, n + 1);
    return n === 0 ? base : `${base}_${n}`;
  }

  input(name: string, shape: number[], calibration: T): KTensor {
    const t: KTensor = { layer: name, index: 0, shape };
    this.layers.push({ name, className: 'InputLayer', config: { batch_input_shape: [null, ...shape.slice(1)], dtype: 'float32', name }, first: null, kwargs: {}, weights: [], outputs: [t], run: (x) => x });
    this.calib.set(key(t), calibration);
    this.inputs.push(t);
    return t;
  }

  /** The eager value of a tensor on the calibration input, one row per image (for BatchNorm statistics). */
  value(t: KTensor): T {
    const v = this.calib.get(key(t));
    if (!v) throw new Error(`no calibration value for ${key(t)}`);
    return v;
  }

  /** Records a layer; `run` gets the values of `tensorsIn(first, kwargs)` in order. */
  add(className: string, name: string, config: Record<string, unknown>, first: Arg, kwargs: Record<string, Arg>, weights: Weight[], shapes: number[][], run: (inputs: T[]) => T[]): KTensor[] {
    const outputs = shapes.map((shape, index) => ({ layer: name, index, shape }));
    this.layers.push({ name, className, config: { name, trainable: true, dtype: 'float32', ...config }, first, kwargs, weights, outputs, run });
    const ins = [...tensorsIn(first), ...tensorsIn(kwargs)].map((t) => this.value(t));
    const outs = this.tf.tidy(() => run(ins));
    outs.forEach((o, i) => {
      const expected = shapes[i]!;
      if (o.shape.slice(1).join() !== expected.slice(1).join()) throw new Error(`${name}: shape [${o.shape}] != declared [${expected}]`);
      this.calib.set(key(outputs[i]!), o);
    });
    return outputs;
  }

  /** TFOpLambda / SlicingOpLambda: a TF function call, named like Keras does ('tf.split_2'). */
  op(fn: string, first: Arg, kwargs: Record<string, Arg>, shapes: number[][], run: (inputs: T[]) => T[]): KTensor[] {
    const className = fn === '__operators__.getitem' ? 'SlicingOpLambda' : 'TFOpLambda';
    const name = this.uniqueName(`tf.${fn}`);
    return this.add(className, name, { function: fn }, first, { ...kwargs, name: null }, [], shapes, run);
  }

  /** Frees the calibration values once the model is built. */
  dispose(): void {
    for (const v of this.calib.values()) v.dispose();
    this.calib.clear();
  }

  /** Runs the recorded network in TF.js on `x` (the reference). */
  forward(x: T): T[] {
    return this.tf.tidy(() => {
      const values = this.trace(x);
      return this.outputs.map((o) => values.get(key(o))!);
    });
  }

  /** Every layer's outputs on `x`, keyed 'layer:index' (call inside tf.tidy, or dispose them). */
  trace(x: T): Map<string, T> {
    const values = new Map<string, T>([[key(this.inputs[0]!), x]]);
    for (const layer of this.layers) {
      if (layer.className === 'InputLayer') continue;
      const ins = [...tensorsIn(layer.first), ...tensorsIn(layer.kwargs)].map((t) => values.get(key(t))!);
      layer.run(ins).forEach((o, i) => values.set(key(layer.outputs[i]!), o));
    }
    return values;
  }
}

function key(t: KTensor): string {
  return `${t.layer}:${t.index}`;
}

export { tensorsIn };
