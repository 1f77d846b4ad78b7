// ONNX-style explicit max-pool padding (NCHW PadV2 with -inf → Transpose → VALID MaxPool, as in
// NanoDet): imported as MirrorPad(SYMMETRIC), which gives the same maxima (float matches TF.js
// exactly) and has a finite range, so the graph quantizes to int8; padding the kernel does not
// cover (more than half of it), or wider than the dim it pads, keeps the -inf PadV2.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { convertModel } from '../../src-main/convert/pipeline';
import { writeNpy } from '../../src-main/data/npy';
import { randomSamples } from '../keras/tfjs-reference';
import { convertTo, runTflite, sqnrDb, tempDir } from '../convert/helpers';
import { runGraphModelInTfjs } from './tfjs-graph-reference';
import { attr, GraphModelWriter } from '../detect/graph-model';

const SHAPE = [1, 4, 10, 9];
const SIZE = 4 * 10 * 9;

/** x (NCHW, negative values included) → PadV2(-inf) → NHWC → MaxPool k×k stride 2 VALID. */
function paddedPool(dir: string, pad: number, kernel: number, shape = SHAPE): string {
  const g = new GraphModelWriter();
  const x = g.placeholder('x', shape);
  const shifted = g.op('shifted', 'Sub', [x, g.constant('half', [], Float32Array.of(0.5))]);
  const pads = g.constant('pads', [4, 2], Int32Array.from([0, 0, 0, 0, pad, pad, pad, pad]));
  const padded = g.op('pad', 'PadV2', [shifted, pads, g.constant('pad/value', [], Float32Array.of(-Infinity))], { Tpaddings: attr.int });
  const nhwc = g.op('to_nhwc', 'Transpose', [padded, g.ints('perm', [0, 2, 3, 1])], { Tperm: attr.int });
  g.op('pool', 'MaxPool', [nhwc], { ksize: attr.ints([1, kernel, kernel, 1]), strides: attr.ints([1, 2, 2, 1]), padding: attr.s('VALID'), data_format: attr.s('NHWC') });
  return g.write(dir, [{ name: 'x', shape }], ['pool']);
}

test('-inf PadV2 before a VALID MaxPool becomes MIRROR_PAD: float matches TF.js, and int8 converts and tracks float in both runtimes', async (t) => {
  const dir = tempDir('edgequant-maxpool-pad-');
  const path = paddedPool(dir, 1, 3);
  const floatResult = await convertTo(dir, path, { output: join(dir, 'float.tflite') });
  assert.ok(floatResult.opHistogram['MIRROR_PAD'] && !floatResult.opHistogram['PADV2'], JSON.stringify(floatResult.opHistogram));
  const samples = randomSamples(4, SIZE, 5);
  const reference: Float32Array[] = [];
  for (const x of samples) reference.push((await runGraphModelInTfjs(path, [x], [SHAPE]))[0]!);
  const floatBytes = new Uint8Array(readFileSync(floatResult.output));
  const calibration = join(dir, 'calibration.npy');
  const data = new Float32Array(32 * SIZE);
  randomSamples(32, SIZE, 9).forEach((x, i) => data.set(x, i * SIZE));
  await writeNpy(calibration, { dtype: 'float32', shape: [32, ...SHAPE.slice(1)], data });
  // Before the rewrite this failed: "Calibration range of '…' is not finite (-Infinity..…)".
  const int8 = await convertModel({
    model: path,
    output: join(dir, 'int8.tflite'),
    quantize: { mode: 'int8', inputType: 'float32', outputType: 'float32', int8Only: false, calibration: { path: calibration, samples: 32, method: 'minmax', seed: 0 } },
  });
  const int8Bytes = new Uint8Array(readFileSync(int8.output));
  for (const runtime of ['litert-js', 'tflite-node'] as const) {
    const float = await runTflite(floatBytes, samples, runtime);
    const quant = await runTflite(int8Bytes, samples, runtime);
    const [vsTfjs, vsFloat] = [sqnrDb(reference, float), sqnrDb(float, quant)];
    t.diagnostic(`${runtime}: float vs TF.js ${vsTfjs.toFixed(1)} dB, int8 vs float ${vsFloat.toFixed(1)} dB`);
    assert.ok(vsTfjs >= 100, `${runtime}: float vs TF.js ${vsTfjs.toFixed(1)} dB`);
    assert.ok(vsFloat >= 30, `${runtime}: int8 vs float ${vsFloat.toFixed(1)} dB`);
  }
});

for (const [label, pad, kernel, shape] of [
  ['padding wider than half the pool kernel (mirroring would change the maxima)', 2, 3, SHAPE],
  ['padding wider than the dim it pads (TFLite cannot mirror it)', 2, 5, [1, 4, 1, 9]],
] as const) {
  test(`${label} keeps the -inf PADV2`, async () => {
    const dir = tempDir('edgequant-maxpool-pad-');
    const path = paddedPool(dir, pad, kernel, [...shape]);
    const result = await convertTo(dir, path);
    assert.ok(result.opHistogram['PADV2'] && !result.opHistogram['MIRROR_PAD'], JSON.stringify(result.opHistogram));
    const size = shape.reduce((a, b) => a * b, 1);
    const samples = randomSamples(2, size, 6);
    const reference: Float32Array[] = [];
    for (const x of samples) reference.push((await runGraphModelInTfjs(path, [x], [[...shape]]))[0]!);
    assert.ok(sqnrDb(reference, await runTflite(new Uint8Array(readFileSync(result.output)), samples)) >= 100);
  });
}
