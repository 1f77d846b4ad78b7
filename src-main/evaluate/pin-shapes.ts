// Dynamic input dims (-1 in a .tflite's shape_signature) run at the runtime's placeholder size
// 1, so an image folder would be read at 1x1. Evaluation pins every input to a real shape —
// the float model's declared dims, else --input-shape — and writes it into a copy of each
// model's input tensors (shape and shape_signature); the runtime then sizes the rest itself
// when it allocates tensors.
import { FlatbufferBoundsError, FlatReader } from '../tflite/flatbuffer-reader';
import { ModelField, SubGraphField, TensorField } from '../tflite/schema/tables';
import { EvaluateInputError } from './errors';

const fmt = (shape: readonly number[]) => `[${shape.map((d) => (d < 0 ? '?' : String(d))).join(', ')}]`;

/**
 * The shape to evaluate one input at. `declared` come first (float, then quantized model),
 * then the user's `--input-shape`; a dynamic batch becomes 1 (samples go one at a time).
 */
export function pinInputShape(name: string, declared: readonly (readonly number[])[], inputShape?: readonly number[]): number[] {
  const rank = declared[0]?.length ?? inputShape?.length ?? 0;
  if (inputShape && inputShape.length !== rank) {
    throw new EvaluateInputError(`--input-shape ${inputShape.join(',')} has ${inputShape.length} dims but input '${name}' has ${rank} ${fmt(declared[0] ?? [])}.`);
  }
  return Array.from({ length: rank }, (_, axis) => {
    const known = declared.map((s) => s[axis] ?? -1).find((d) => d >= 0);
    const given = inputShape?.[axis];
    if (known !== undefined && given !== undefined && given !== known && axis > 0) {
      throw new EvaluateInputError(`--input-shape ${inputShape!.join(',')} does not fit input '${name}' ${fmt(declared[0] ?? [])} (dim ${axis} is ${known}).`);
    }
    if (known !== undefined) return known;
    if (axis === 0) return 1;
    if (given !== undefined && given > 0) return given;
    throw new EvaluateInputError(
      `Input '${name}' has dynamic dims ${fmt(declared[0] ?? [])} and no model declares them; pass --input-shape (e.g. 1,224,224,3) to evaluate at that size.`,
    );
  });
}

/** The main subgraph's inputs as declared (shape_signature when present, -1 = dynamic). */
export function declaredInputs(bytes: Uint8Array): { name: string; shape: number[] }[] {
  const subgraph = new FlatReader(bytes).root('Model').tables(ModelField.subgraphs, 'SubGraph')[0];
  if (!subgraph) return [];
  const tensors = subgraph.tables(SubGraphField.tensors, 'Tensor');
  return (subgraph.i32s(SubGraphField.inputs) ?? []).map((index) => {
    const t = tensors[index];
    const shape = t?.i32s(TensorField.shape) ?? [];
    const signature = t?.i32s(TensorField.shapeSignature);
    return { name: t?.string(TensorField.name) ?? `input ${index}`, shape: signature && signature.length === shape.length ? signature : shape };
  });
}

/** True when an input has a dynamic dim other than the batch (which runs as 1 anyway). */
export function hasDynamicInputDims(inputs: readonly { shape: readonly number[] }[]): boolean {
  return inputs.some((t) => t.shape.some((d, axis) => axis > 0 && d < 0));
}

/**
 * Both models with their inputs pinned to static shapes when either declares a dynamic
 * non-batch dim (unchanged otherwise). Throws EvaluateInputError when a size cannot be known.
 */
export function pinModelInputs(floatBytes: Uint8Array, quantBytes: Uint8Array, inputShape?: readonly number[]): { floatBytes: Uint8Array; quantBytes: Uint8Array } {
  const read = (bytes: Uint8Array, which: string) => {
    try {
      return declaredInputs(bytes);
    } catch (error) {
      if (!(error instanceof FlatbufferBoundsError)) throw error;
      throw new EvaluateInputError(`The ${which} model is not a valid .tflite flatbuffer (${error.message}).`);
    }
  };
  const f = read(floatBytes, 'float');
  const q = read(quantBytes, 'quantized');
  if (!hasDynamicInputDims(f) && !hasDynamicInputDims(q)) return { floatBytes, quantBytes };
  if (f.length !== q.length) throw new EvaluateInputError(`The float model has ${f.length} input(s), the quantized one ${q.length}; they are not the same network.`);
  if (inputShape && f.length !== 1) throw new EvaluateInputError(`--input-shape pins one input but the models have ${f.length}.`);
  const shapes = f.map((t, k) => pinInputShape(t.name, [t.shape, q[k]!.shape], inputShape));
  return { floatBytes: withInputShapes(floatBytes, shapes), quantBytes: withInputShapes(quantBytes, shapes) };
}

/** A copy of the model whose main-subgraph inputs have the given static shapes (same ranks). */
export function withInputShapes(bytes: Uint8Array, shapes: readonly (readonly number[])[]): Uint8Array {
  const copy = bytes.slice();
  const reader = new FlatReader(copy);
  const subgraph = reader.root('Model').tables(ModelField.subgraphs, 'SubGraph')[0];
  if (!subgraph) return copy;
  const tensors = subgraph.tables(SubGraphField.tensors, 'Tensor');
  (subgraph.i32s(SubGraphField.inputs) ?? []).forEach((index, k) => {
    const shape = shapes[k];
    const tensor = tensors[index];
    if (!shape || !tensor) return;
    for (const field of [TensorField.shape, TensorField.shapeSignature]) {
      const vector = tensor.vector(field, 4);
      if (!vector) continue;
      if (vector.length !== shape.length) throw new EvaluateInputError(`Input ${k} has rank ${vector.length}, cannot pin it to ${fmt(shape)}.`);
      shape.forEach((d, i) => reader.view.setInt32(vector.start + 4 * i, d, true));
    }
  });
  return copy;
}
