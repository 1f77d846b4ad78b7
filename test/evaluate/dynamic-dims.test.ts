// Evaluating .tflite files whose image input has dynamic H/W (shape_signature -1): the images
// must be read at the real size — from the float model's declared shape or --input-shape — and
// not at the runtime's placeholder size 1; with neither, a clear error. Real runtimes, the
// repo's demo MNIST model (28x28x1) and its real digit images.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertModel } from '../../src-main/convert/pipeline';
import { evaluate } from '../../src-main/evaluate/index';
import { declaredInputs } from '../../src-main/evaluate/pin-shapes';
import { readTflite } from '../../src-main/tflite/reader';
import { writeTflite } from '../../src-main/tflite/writer';
import { mainGraph } from '../../src-main/graph/model-graph';
import { runCli } from '../../src-main/cli/main';
import { demoData, ensureBuilt } from '../helpers/build';

const demo = demoData;
await ensureBuilt();
const model = join(demo, 'model', 'model.json');
const digits = join(demo, 'calibration');
const dir = mkdtempSync(join(tmpdir(), 'eq-dyn-'));

/** Our own conversion of the demo model, then the same file with its input H/W made dynamic. */
async function pair(mode: 'none' | 'dynamic'): Promise<{ fixed: string; dynamic: string }> {
  const fixed = join(dir, `${mode}.tflite`);
  await convertModel({ model, output: fixed, quantize: { mode, inputType: 'float32', outputType: 'float32', int8Only: false } });
  const graph = readTflite(new Uint8Array(readFileSync(fixed)));
  const main = mainGraph(graph);
  main.tensors.get(main.inputs[0]!)!.shape = [1, -1, -1, 1];
  const dynamic = join(dir, `${mode}-dynamic.tflite`);
  writeFileSync(dynamic, writeTflite(graph));
  return { fixed, dynamic };
}

test('dynamic H/W: pinned from --input-shape or the float model, else a clear error', async () => {
  const float = await pair('none');
  const quant = await pair('dynamic');
  assert.deepEqual(declaredInputs(new Uint8Array(readFileSync(quant.dynamic)))[0]!.shape, [1, -1, -1, 1], 'the test model really is dynamic');
  const base = { data: digits, preprocess: '0..1', latencyRuns: 0, runtime: 'tflite-node' as const };

  // Reference: the static files.
  const reference = await evaluate({ ...base, floatModel: float.fixed, quantModel: quant.fixed });
  assert.equal(reference.samples, 100);

  // Both dynamic, no size anywhere: refused with what to do.
  await assert.rejects(evaluate({ ...base, floatModel: float.dynamic, quantModel: quant.dynamic }), {
    name: 'EvaluateInputError',
    message: /dynamic dims \[1, \?, \?, 1\].*--input-shape/,
  });

  // --input-shape pins both; the digits are read at 28x28 and the figures equal the static pair's.
  const pinned = await evaluate({ ...base, floatModel: float.dynamic, quantModel: quant.dynamic, inputShape: [1, 28, 28, 1] });
  assert.deepEqual(pinned.float.inputs[0]!.shape, [1, 28, 28, 1]);
  assert.deepEqual(pinned.quant.inputs[0]!.shape, [1, 28, 28, 1]);
  assert.equal(pinned.samples, 100);
  assert.equal(pinned.outputs[0]!.top1Agreement, reference.outputs[0]!.top1Agreement);
  assert.ok(Math.abs(pinned.outputs[0]!.sqnrDb - reference.outputs[0]!.sqnrDb) < 1e-6);
  assert.ok(pinned.outputs[0]!.top1Agreement! > 0.9);

  // The float model declares 28x28: the dynamic quantized file is pinned from it.
  const fromFloat = await evaluate({ ...base, floatModel: float.fixed, quantModel: quant.dynamic });
  assert.deepEqual(fromFloat.quant.inputs[0]!.shape, [1, 28, 28, 1]);
  assert.equal(fromFloat.outputs[0]!.top1Agreement, reference.outputs[0]!.top1Agreement);

  // A size that contradicts a declared dim is bad input, not a silent resize.
  await assert.rejects(evaluate({ ...base, floatModel: float.fixed, quantModel: quant.dynamic, inputShape: [1, 32, 32, 1] }), /does not fit input/);
});

test('evaluate CLI: --input-shape pins dynamic dims; without it exit 2 and one line', async () => {
  const float = await pair('none');
  const quant = await pair('dynamic');
  const run = async (args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(args, { stdout: (t) => out.push(t), stderr: (t) => err.push(t), cwd: process.cwd(), env: {} });
    return { code, out: out.join(''), err: err.join('') };
  };
  const args = ['evaluate', float.dynamic, quant.dynamic, '--data', digits, '--preprocess', '0..1', '--runtime', 'tflite-node', '--runs', '0', '--json'];
  const bad = await run(args);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /dynamic dims .*--input-shape/);
  assert.equal(bad.err.trim().split('\n').length, 1);
  const good = await run([...args, '--input-shape', '1,28,28,1']);
  assert.equal(good.code, 0, good.err);
  assert.deepEqual((JSON.parse(good.out) as { quant: { inputs: { shape: number[] }[] } }).quant.inputs[0]!.shape, [1, 28, 28, 1]);
});
