// Importer for .tflite files: matched by the 'TFL3' flatbuffer identifier (bytes 4..8) or the
// .tflite extension.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Importer, ModelSource } from '../importer';
import type { ModelGraph } from '../../graph/model-graph';
import { InputError } from '../../errors';
import { isTfliteBytes, readTflite } from '../../tflite/reader';

async function open(source: ModelSource): Promise<ModelGraph> {
  const bytes = await readFile(source.path).catch((error: NodeJS.ErrnoException) => {
    throw new InputError(`${source.path}: cannot read the model file (${error.code ?? error.message}).`);
  });
  return readTflite(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), { fileName: basename(source.path) });
}

export const tfliteImporter: Importer = {
  name: 'tflite',
  title: 'TensorFlow Lite',
  extensions: ['.tflite'],
  // A .tflite that lacks the identifier still comes here, so the user gets the precise cause.
  match: (source, head) => isTfliteBytes(head) || source.path.toLowerCase().endsWith('.tflite'),
  open,
};
