// Test helpers for graph-models: TensorFlow.js running a model.json from disk (the reference the
// converted .tflite is compared with), the fixture photos, and the float + int8 conversions.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { initTfjs } from '../../src-main/graph/tfjs-backend';
import { listImages, loadImage } from '../../src-main/data/images';
import { convertModel, type ConvertOutcome } from '../../src-main/convert/pipeline';
import type { IoType } from '../../src-main/convert/types';

interface ModelJson {
  modelTopology: unknown;
  weightsManifest: { paths: string[]; weights: unknown[] }[];
  signature?: unknown;
  userDefinedMetadata?: { signature?: unknown };
}

/** `dtypes`: per input, 'int32' for models that take integer pixels (MoveNet); float32 otherwise. */
export async function runGraphModelInTfjs(modelJson: string, inputs: Float32Array[], shapes: number[][], dtypes: ('float32' | 'int32')[] = []): Promise<Float32Array[]> {
  const tf = await initTfjs();
  const json = JSON.parse(readFileSync(modelJson, 'utf8')) as ModelJson;
  const dir = dirname(modelJson);
  const buffers = json.weightsManifest.flatMap((g) =>
    g.paths.map((p) => {
      const b = readFileSync(join(dir, p));
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
    }),
  );
  const handler = {
    load: async () => ({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
      weightData: tf.io.concatenateArrayBuffers(buffers),
      signature: json.signature ?? json.userDefinedMetadata?.signature,
    }),
  };
  const model = await tf.loadGraphModel(handler as never);
  try {
    const xs = inputs.map((x, i) => tf.tensor(x, shapes[i], dtypes[i] ?? 'float32'));
    const out = model.predict(xs.length === 1 ? xs[0]! : xs) as import('@tensorflow/tfjs').Tensor | import('@tensorflow/tfjs').Tensor[];
    const list = Array.isArray(out) ? out : [out];
    const values = list.map((t) => Float32Array.from(t.dataSync()));
    tf.dispose([...xs, ...list]);
    return values;
  } finally {
    model.dispose();
  }
}

export const fixtures = join(process.cwd(), '..', 'shared', 'fixtures');
export const humanModels = join(process.cwd(), 'node_modules', '@vladmandic', 'human-models', 'models');

/** Real fixture photos at a model's input size, NHWC, scaled by `scale` (1/255 → [0,1]). */
export async function fixturePhotos(
  target: { height: number; width: number; channels: 1 | 3 },
  options: { dirs: string[]; limit: number; scale?: number },
): Promise<Float32Array[]> {
  const scale = options.scale ?? 1 / 255;
  const out: Float32Array[] = [];
  for (const dir of options.dirs.map((d) => join(fixtures, d))) {
    for (const entry of await listImages(dir)) {
      if (out.length >= options.limit) return out;
      const pixels = await loadImage(entry.path, target);
      out.push(Float32Array.from(pixels, (v) => v * scale));
    }
  }
  return out;
}

/** Converts a graph-model to float and to full int8 calibrated on the litert_224 photos. */
export async function convertFloatAndInt8(
  modelJson: string,
  prefix: string,
  int8: { preprocess: string; samples: number; inputType?: IoType; outputType?: IoType; int8Only?: boolean },
): Promise<{ floatFile: string; int8File: string; result: ConvertOutcome }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const floatFile = join(dir, 'float.tflite');
  const int8File = join(dir, 'int8.tflite');
  await convertModel({ model: modelJson, output: floatFile, quantize: { mode: 'none', inputType: 'float32', outputType: 'float32', int8Only: false } });
  const result = await convertModel({
    model: modelJson,
    output: int8File,
    quantize: {
      mode: 'int8',
      inputType: int8.inputType ?? 'float32',
      outputType: int8.outputType ?? 'float32',
      int8Only: int8.int8Only ?? false,
      calibration: { path: join(fixtures, 'images/litert_224'), preprocess: int8.preprocess, samples: int8.samples, method: 'minmax', seed: 1 },
    },
  });
  return { floatFile, int8File, result };
}
