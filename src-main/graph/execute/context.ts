// What an op kernel sees while the interpreter runs one node. Kernels are plain functions of
// (node, context) returning tfjs tensors; the interpreter owns memory (tidy + dispose).
import type { Tensor as TfTensor } from '@tensorflow/tfjs';
import type { Tf } from '../tfjs-backend';
import type { Graph, Node, NodeFor, Tensor } from '../model-graph';
import type { FusedActivation, OpType } from '../ops';
import { UnsupportedError } from '../../errors';

export type { TfTensor };

export class ExecuteUnsupportedError extends UnsupportedError {
  override name = 'ExecuteUnsupportedError';
}

export interface OpContext {
  tf: Tf;
  graph: Graph;
  /** The value of input `i` (float32 real values, or int32/bool for index tensors). */
  input(i: number): TfTensor;
  /** undefined when the input is omitted (`null`, TFLite index -1). */
  optionalInput(i: number): TfTensor | undefined;
  /** Integer operand values (shape, axes, paddings…), from a constant or the running value. */
  ints(i: number): number[];
  /**
   * `make(input(i))`, cached across runs when input `i` is a constant (weights re-laid out
   * for tfjs are computed once per executor, not once per sample).
   */
  derived(i: number, tag: string, make: (value: TfTensor) => TfTensor): TfTensor;
  /** The IR tensor behind input / output `i`. */
  inputTensor(i: number): Tensor | undefined;
  outputTensor(i: number): Tensor;
}

export type Kernel<K extends OpType> = (node: NodeFor<K>, ctx: OpContext) => TfTensor | TfTensor[];
export type KernelTable = { readonly [K in OpType]?: Kernel<K> };

/** Applies a TFLite fused activation (on the producing op). */
export function fused(tf: Tf, x: TfTensor, activation: FusedActivation | undefined, node: Node): TfTensor {
  switch (activation ?? 'NONE') {
    case 'NONE':
      return x;
    case 'RELU':
      return tf.relu(x);
    case 'RELU6':
      return tf.clipByValue(x, 0, 6);
    case 'RELU_N1_TO_1':
      return tf.clipByValue(x, -1, 1);
    case 'TANH':
      return tf.tanh(x);
    case 'SIGN_BIT':
      throw new ExecuteUnsupportedError(`Node '${node.name}' (${node.op}) uses the SIGN_BIT fused activation, which the interpreter does not run.`);
  }
}

/** Normalises a possibly negative axis against a rank. */
export function axisOf(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}
