// Quantized graphs in the interpreter: tensors declared int8 are fake-quantized (rounded to their
// grid), and int8 conv, depthwise, dense and average pool round as tflite-node's kernels do
// (graph/execute/integer.ts), so the official int8 files' outputs are TFLite's exactly. The
// quantizer and the debugger rely on this to measure graphs per layer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createExecutor } from '../../src-main/graph/execute';
import { fromRuntimeOutput, sqnrDb, toRuntimeInput } from '../../src-main/evaluate/index';
import { getRuntime } from '../../src-main/runtime/index';
import { readTflite } from '../../src-main/tflite/reader';
import { loadImage } from '../../src-main/data/images';

const fixtures = join(import.meta.dirname, '../../../shared/fixtures');

async function compare(rel: string, samples: Float32Array[][]): Promise<number[]> {
  const bytes = new Uint8Array(readFileSync(join(fixtures, rel)));
  const executor = await createExecutor(readTflite(bytes));
  const model = await getRuntime('tflite-node').load(bytes);
  const results: number[] = [];
  try {
    for (const inputs of samples) {
      const ours = await executor.run(inputs);
      const reference = await model.run(inputs.map((v, i) => toRuntimeInput(v, model.inputs[i]!)));
      results.push(sqnrDb(fromRuntimeOutput(reference[0]!, model.outputs[0]!), ours[0]!));
    }
  } finally {
    executor.dispose();
    model.dispose();
  }
  return results;
}

test('official vww_96_int8 simulated in the interpreter equals TFLite on real photos', async (t) => {
  if (!existsSync(fixtures)) return t.skip('../shared/fixtures absent');
  const photos = ['astronaut.png', 'chelsea.png', 'coffee.png'];
  const samples = await Promise.all(photos.map(async (p) => [Float32Array.from(await loadImage(join(fixtures, 'images/photos', p), { height: 96, width: 96, channels: 3 }), (v) => v / 255)]));
  const db = await compare('mlperf-tiny/vww/vww_96_int8.tflite', samples);
  t.diagnostic(`SQNR per photo: ${db.map((d) => d.toFixed(1)).join(', ')}`);
  // Identical outputs (before the integer rounding: ≥ 30 dB, a step on a 1/256 softmax grid).
  for (const d of db) assert.equal(d, Infinity, `${d} dB`);
});

test('official ad01_int8 simulated in the interpreter equals TFLite on dcase windows', async (t) => {
  if (!existsSync(fixtures)) return t.skip('../shared/fixtures absent');
  const frames = new Float32Array(readFileSync(join(fixtures, 'mlperf-tiny/ad01/dcase_logmel_200x128_f32.bin')).buffer.slice(0));
  const samples = [0, 50, 150].map((i) => [frames.slice(i * 128, i * 128 + 640)]);
  const db = await compare('mlperf-tiny/ad01/ad01_int8.tflite', samples);
  t.diagnostic(`SQNR per window: ${db.map((d) => d.toFixed(1)).join(', ')}`);
  for (const d of db) assert.equal(d, Infinity, `${d} dB`);
});
