// The float side of an evaluation as .tflite bytes: the float graph a conversion already built
// (written in memory, nothing converted again), a float .tflite as it is, or any other model
// converted once, with its full request (companion weights of a Keras JSON, --unroll-rnn).
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConvertOptions, ConvertOutcome } from '../convert/pipeline';
import type { ConvertRequest } from '../convert/types';
import type { ModelGraph } from '../graph/model-graph';
import { isTfliteBytes } from '../tflite/reader';
import { EvaluateInputError } from './errors';

export type Converter = (request: ConvertRequest, options?: ConvertOptions) => Promise<ConvertOutcome>;

export interface FloatModelSource {
  path: string;
  /** Weights files of a Keras JSON model (as convert's WEIGHTS.h5). */
  companions?: string[];
  inputShape?: number[];
  unrollRnn?: boolean;
  /** The float graph the conversion built: used as it is. */
  graph?: ModelGraph;
}

export interface FloatTflite {
  bytes: Uint8Array;
  /** Set when the bytes come from another format (converted or the conversion's graph). */
  convertedFrom?: string;
}

const defaultConverter: Converter = async (request, options) => (await import('../convert/pipeline')).convertModel(request, options);

export async function floatTflite(source: FloatModelSource, convert: Converter = defaultConverter): Promise<FloatTflite> {
  if (source.graph) {
    const { writeTflite } = await import('../tflite/writer');
    const bytes = writeTflite(source.graph);
    return source.graph.format === 'tflite' ? { bytes } : { bytes, convertedFrom: source.path };
  }
  const info = await stat(source.path).catch(() => null);
  if (!info) throw new EvaluateInputError(`Float model not found: ${source.path}.`);
  if (info.isFile()) {
    const bytes = new Uint8Array(await readFile(source.path));
    if (isTfliteBytes(bytes)) return { bytes };
  }
  // Any other format: convert to a float .tflite with our own pipeline, then compare that.
  const dir = await mkdtemp(join(tmpdir(), 'edgequant-eval-'));
  try {
    const output = join(dir, 'float.tflite');
    await convert({
      model: source.path,
      output,
      ...(source.companions?.length ? { companions: source.companions } : {}),
      ...(source.inputShape ? { inputShape: source.inputShape } : {}),
      ...(source.unrollRnn ? { unrollRnn: true } : {}),
      quantize: { mode: 'none', inputType: 'float32', outputType: 'float32', int8Only: false },
    });
    return { bytes: new Uint8Array(await readFile(output)), convertedFrom: source.path };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
