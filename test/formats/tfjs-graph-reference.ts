// Test helper: runs a TF.js graph-model with TensorFlow.js itself (the reference the converted
// .tflite is compared with), loading model.json and its shards from disk.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { initTfjs } from '../../src-main/runtime/tfjs-backend';

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
