// Drops `shape_signature` from every tensor of a .tflite file, in a copy of its bytes. Runtimes
// that cannot allocate dynamic dimensions (LiteRT.js refuses a -1 batch once the model has a
// signature) then run the model at its static shape, which is what the other runtimes do.
import { FlatReader } from './flatbuffer-reader';
import { ModelField, SubGraphField, TensorField } from './schema/tables';
import { TfliteFormatError } from './errors';

/** True when some tensor declares a dynamic (-1) dimension in its shape signature. */
export function hasDynamicShapes(bytes: Uint8Array): boolean {
  const model = new FlatReader(bytes).root('Model');
  return model
    .tables(ModelField.subgraphs, 'SubGraph')
    .some((sg) => sg.tables(SubGraphField.tensors, 'Tensor').some((t) => (t.i32s(TensorField.shapeSignature) ?? []).some((d) => d < 0)));
}

export function withoutShapeSignatures(bytes: Uint8Array): Uint8Array {
  const copy = bytes.slice();
  const reader = new FlatReader(copy);
  const view = new DataView(copy.buffer);
  try {
    for (const sg of reader.root('Model').tables(ModelField.subgraphs, 'SubGraph')) {
      for (const tensor of sg.tables(SubGraphField.tensors, 'Tensor')) {
        const slot = tensor.slotPosition(TensorField.shapeSignature);
        // Vtables may be shared between tensors; clearing the slot is the same for all of them.
        if (slot >= 0) view.setUint16(slot, 0, true);
      }
    }
  } catch (error) {
    throw new TfliteFormatError(`not a valid TFLite flatbuffer (${error instanceof Error ? error.message : String(error)}).`);
  }
  return copy;
}
