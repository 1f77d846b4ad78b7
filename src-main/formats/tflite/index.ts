// Importer for .tflite files: matched by the 'TFL3' flatbuffer identifier (bytes 4..8) or the
// .tflite extension.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Importer, ModelSource, OpenOptions } from '../importer';
import type { ModelGraph } from '../../graph/model-graph';
import { InputError } from '../../errors';
import { isTfliteBytes, readTflite } from '../../tflite/reader';
import { TfliteFormatError } from '../../tflite/errors';
import { quantProblems, type QuantProblem } from '../../tflite/quant-check';

async function open(source: ModelSource, options: OpenOptions = {}): Promise<ModelGraph> {
  const bytes = await readFile(source.path).catch((error: NodeJS.ErrnoException) => {
    throw new InputError(`${source.path}: cannot read the model file (${error.code ?? error.message}).`);
  });
  const model = readTflite(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), { fileName: basename(source.path) });
  const problems = quantProblems(model);
  if (problems.length === 0) return model;
  // inspect lists them (like unsupported layers); convert and evaluate refuse the file.
  if (options.collectUnsupported) {
    for (const p of problems) model.unsupported.push({ layer: p.tensor, className: 'invalid quantization', reason: `${p.reason}; every TFLite runtime rejects this file` });
    return model;
  }
  throw new TfliteFormatError(quantProblemMessage(basename(source.path), problems));
}

export function quantProblemMessage(file: string, problems: QuantProblem[]): string {
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more tensors)` : '';
  return `${file}: invalid quantization parameters: ${problems[0]!.tensor}: ${problems[0]!.reason}${more}; every TFLite runtime rejects this file, quantize the model again.`;
}

export const tfliteImporter: Importer = {
  name: 'tflite',
  title: 'TensorFlow Lite',
  extensions: ['.tflite'],
  // A .tflite that lacks the identifier still comes here, so the user gets the precise cause.
  match: (source, head) => isTfliteBytes(head) || source.path.toLowerCase().endsWith('.tflite'),
  open,
};
