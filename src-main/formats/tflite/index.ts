// Importer for .tflite files: matched by the 'TFL3' flatbuffer identifier (bytes 4..8) or the
// .tflite extension. Files no runtime would load (unsound quantization parameters, unknown op
// codes) are listed by inspect and refused by convert.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Importer, ModelSource, OpenOptions } from '../importer';
import type { ModelGraph } from '../../graph/model-graph';
import { InputError } from '../../errors';
import { isTfliteBytes, readTflite } from '../../tflite/reader';
import { TfliteFormatError } from '../../tflite/errors';
import { quantProblems } from '../../tflite/quant-check';

export interface FileProblem {
  kind: 'invalid quantization' | 'unknown op';
  /** "tensor 'x' (int8 [1,2])" or "operator 'y'". */
  what: string;
  reason: string;
}

const ADVICE: Record<FileProblem['kind'], string> = {
  'invalid quantization': 'every TFLite runtime rejects this file, quantize the model again',
  'unknown op': 'the file is damaged or needs a newer TFLite than this tool reads',
};

/** What would make every runtime (or our writer) refuse the model, in graph order. */
export function tfliteProblems(model: ModelGraph): FileProblem[] {
  const quant = quantProblems(model).map((p): FileProblem => ({ kind: 'invalid quantization', what: p.tensor, reason: p.reason }));
  const ops = model.graphs.flatMap((g) =>
    g.nodes
      .filter((n) => n.op === 'OTHER' && /^BUILTIN_\d+$/.test(n.builtin ?? ''))
      .map((n): FileProblem => ({ kind: 'unknown op', what: `operator '${n.name}'`, reason: `builtin code ${(n.builtin ?? '').slice(8)} is not a TFLite op this tool knows` })),
  );
  return [...quant, ...ops];
}

export function problemMessage(file: string, problems: FileProblem[]): string {
  const first = problems[0]!;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
  return `${file}: ${first.kind}: ${first.what}: ${first.reason}${more}; ${ADVICE[first.kind]}.`;
}

async function open(source: ModelSource, options: OpenOptions = {}): Promise<ModelGraph> {
  const bytes = await readFile(source.path).catch((error: NodeJS.ErrnoException) => {
    throw new InputError(`${source.path}: cannot read the model file (${error.code ?? error.message}).`);
  });
  const model = readTflite(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), { fileName: basename(source.path) });
  const problems = tfliteProblems(model);
  if (problems.length === 0) return model;
  // inspect lists them (like unsupported layers); convert refuses the file.
  if (!options.collectUnsupported) throw new TfliteFormatError(problemMessage(basename(source.path), problems));
  for (const p of problems) model.unsupported.push({ layer: p.what, className: p.kind, reason: `${p.reason}; ${ADVICE[p.kind]}` });
  return model;
}

export const tfliteImporter: Importer = {
  name: 'tflite',
  title: 'TensorFlow Lite',
  extensions: ['.tflite'],
  // A .tflite that lacks the identifier still comes here, so the user gets the precise cause.
  match: (source, head) => isTfliteBytes(head) || source.path.toLowerCase().endsWith('.tflite'),
  open,
};
