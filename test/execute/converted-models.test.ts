// The interpreter against TFLite on graphs our importers produce (converted to float .tflite by
// the convert pipeline): GRU lowered to basic ops, stacked Keras LSTMs, SavedModel DS-CNN,
// ESRGAN (resize, concat), a toy ResNet. Calibration of such models depends on this agreement.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertModel } from '../../src-main/convert/pipeline';
import { fromRuntimeOutput, sqnrDb, toRuntimeInput } from '../../src-main/evaluate/index';
import { executeGraph } from '../../src-main/graph/execute';
import { loadWithBestRuntime } from '../../src-main/runtime/index';
import { readTflite } from '../../src-main/tflite/reader';

const fixtures = join(import.meta.dirname, '../../../shared/fixtures');

const CASES: { model: string; companions?: string[]; inputShape?: number[] }[] = [
  { model: 'tfjs/tfjs_e2e/gru_layers_model/model.json' },
  { model: 'tfjs/esrgan_slim_x4/model.json', inputShape: [1, 16, 16, 3] },
  { model: 'keras-json/lstm/model.json', companions: ['keras-json/lstm/weights.h5'] },
  { model: 'keras-json/toyresnet/modelConfig.json', companions: ['keras-json/toyresnet/weights.h5'] },
  { model: 'mlperf-tiny/kws/kws_ref_model_savedmodel' },
];

for (const c of CASES) {
  test(`interpreter equals TFLite on our float conversion of ${c.model}`, async (t) => {
    if (!existsSync(join(fixtures, c.model))) return t.skip('../shared/fixtures absent');
    const dir = mkdtempSync(join(tmpdir(), 'eq-exec-'));
    try {
      const output = join(dir, 'float.tflite');
      await convertModel({
        model: join(fixtures, c.model),
        companions: (c.companions ?? []).map((f) => join(fixtures, f)),
        output,
        ...(c.inputShape ? { inputShape: c.inputShape } : {}),
        quantize: { mode: 'none', inputType: 'float32', outputType: 'float32', int8Only: false },
      });
      const bytes = new Uint8Array(readFileSync(output));
      const { model: runtime } = await loadWithBestRuntime(bytes);
      try {
        // Token ids for integer inputs (GRU embedding), a smooth signal otherwise.
        const inputs = runtime.inputs.map((info) =>
          Float32Array.from({ length: info.shape.reduce((a, b) => a * b, 1) }, (_, i) => (info.dtype.startsWith('int') ? (i * 7) % 20 : 0.5 + 0.4 * Math.sin(i * 0.1))),
        );
        const ours = await executeGraph(readTflite(bytes), inputs);
        const reference = await runtime.run(inputs.map((v, i) => toRuntimeInput(v, runtime.inputs[i]!)));
        reference.forEach((r, i) => {
          const db = sqnrDb(fromRuntimeOutput(r, runtime.outputs[i]!), ours[i]!);
          assert.ok(db >= 60, `output ${i}: ${db.toFixed(1)} dB`);
        });
      } finally {
        runtime.dispose();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
