// The two real TFLite runtimes behind TfliteRuntime, on real fixture models.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { getRuntime, loadWithBestRuntime, tfliteCLibraryPath, RuntimeInputError, RuntimeLoadError } from '../../src-main/runtime/index';
import { TfliteFormatError } from '../../src-main/tflite/errors';
import { FIXTURES_ABSENT, fixture, haveFixtures, sampleInput, sqnrDb } from '../tflite/helpers';

const skip = !haveFixtures && FIXTURES_ABSENT;

test('both runtimes run vww float with the same result (SQNR > 60 dB)', { skip }, async () => {
  const bytes = fixture('mlperf-tiny/vww/vww_96_float.tflite');
  const a = await getRuntime('litert-js').load(bytes);
  const b = await getRuntime('tflite-node').load(bytes);
  assert.deepEqual(a.inputs, [{ name: 'input_1', dtype: 'float32', shape: [1, 96, 96, 3] }]);
  assert.deepEqual(b.inputs, a.inputs);
  assert.deepEqual(a.outputs, [{ name: 'Identity', dtype: 'float32', shape: [1, 2] }]);
  for (let seed = 1; seed <= 3; seed++) {
    const input = sampleInput(a.inputs[0]!, seed);
    const [x] = await a.run([input]);
    const [y] = await b.run([input]);
    const probs = Array.from(x as Float32Array);
    assert.ok(Math.abs(probs[0]! + probs[1]! - 1) < 1e-5, 'softmax output sums to 1');
    assert.ok(sqnrDb(x!, y!) > 60, `SQNR ${sqnrDb(x!, y!)} dB`);
  }
});

test('int8 I/O: LiteRT.js runs the official int8 vww with int8 arrays and reports quantization', { skip }, async () => {
  const bytes = fixture('mlperf-tiny/vww/vww_96_int8.tflite');
  const loaded = await getRuntime('litert-js').load(bytes);
  const [input] = loaded.inputs;
  assert.equal(input?.dtype, 'int8');
  assert.equal(input?.quant?.zeroPoint, -128);
  assert.ok(Math.abs(input!.quant!.scale - 1 / 255) < 1e-7);
  assert.deepEqual(loaded.outputs[0]?.quant, { scale: Math.fround(1 / 256), zeroPoint: -128 });
  const reference = await getRuntime('tflite-node').load(bytes);
  for (let seed = 1; seed <= 3; seed++) {
    const x = sampleInput(input!, seed);
    const [out] = await loaded.run([x]);
    assert.ok(out instanceof Int8Array);
    const [ref] = await reference.run([x]);
    // Two kernels may round differently; on this model they agree within one step.
    Array.from(out).forEach((v, i) => assert.ok(Math.abs(v - (ref as Int8Array)[i]!) <= 1, `${v} vs ${(ref as Int8Array)[i]}`));
  }
});

test('uint8 legacy model (mobilenet v2 quant) runs in LiteRT.js', { skip }, async () => {
  const loaded = await getRuntime('litert-js').load(fixture('coral/mobilenet_v2_1.0_224_quant.tflite'));
  assert.equal(loaded.inputs[0]?.dtype, 'uint8');
  const [out] = await loaded.run([sampleInput(loaded.inputs[0]!, 7)]);
  assert.ok(out instanceof Uint8Array && out.length === 1001);
});

test('LSTM: LiteRT.js refuses variable tensors, loadWithBestRuntime falls back, reset clears the state', { skip }, async () => {
  const bytes = fixture('tflite-micro/trained_lstm.tflite');
  await assert.rejects(getRuntime('litert-js').load(bytes), (e: unknown) => e instanceof RuntimeLoadError && /variable tensors/.test(e.message));
  const best = await loadWithBestRuntime(bytes);
  assert.equal(best.runtime.name, 'tflite-node');
  assert.match(best.fallbackReason ?? '', /variable tensors/);
  const [info] = best.model.inputs;
  const a = sampleInput(info!, 1);
  const b = sampleInput(info!, 2);
  const fresh = await getRuntime('tflite-node').load(bytes);
  const [bFresh] = await fresh.run([b]);
  await best.model.run([a]);
  const [bAfterA] = await best.model.run([b]);
  assert.ok(sqnrDb(bFresh!, bAfterA!) < 100, 'state carries over between invokes without reset');
  await best.model.reset();
  const [bAfterReset] = await best.model.run([b]);
  assert.deepEqual(bAfterReset, bFresh);
});

test('LiteRT.js runs a model with a dynamic batch and a signature at its static shape', { skip }, async () => {
  const loaded = await getRuntime('litert-js').load(fixture('mlperf-tiny/str_ww/str_ww_ref_model.tflite'));
  assert.deepEqual(loaded.inputs[0]?.shape, [1, 30, 1, 40]);
  const [out] = await loaded.run([sampleInput(loaded.inputs[0]!, 3)]);
  assert.equal(out?.length, 3);
});

test('wrong inputs and garbage models give one-line typed errors', { skip }, async () => {
  const loaded = await getRuntime('tflite-node').load(fixture('mlperf-tiny/vww/vww_96_int8.tflite'));
  await assert.rejects(loaded.run([new Float32Array(10)]), (e: unknown) => e instanceof RuntimeInputError && /expects 27648 bytes/.test(e.message));
  for (const name of ['litert-js', 'tflite-node'] as const) {
    await assert.rejects(getRuntime(name).load(fixture('litert-testdata/invalid_model.bin')), TfliteFormatError);
  }
  await assert.rejects(loadWithBestRuntime(fixture('litert-testdata/test_model_broken.bin')), TfliteFormatError);
});

test('tfliteCLibraryPath points at the TFLite C library for this CPU and for arm64', () => {
  const path = tfliteCLibraryPath();
  assert.ok(existsSync(path) && statSync(path).size > 1_000_000, path);
  assert.match(tfliteCLibraryPath('arm64'), /linux_arm64\/libtensorflowlite_c\.so$/);
  assert.match(tfliteCLibraryPath('x64'), /linux_amd64\/libtensorflowlite_c\.so$/);
});

test('tflite-node keeps working in this thread after a worker thread used it and exited', { skip }, async () => {
  const { Worker } = await import('node:worker_threads');
  const modelPath = new URL('../../../shared/fixtures/mlperf-tiny/vww/vww_96_int8.tflite', import.meta.url).pathname;
  const runtimeUrl = new URL('../../src-main/runtime/index.ts', import.meta.url).href;
  // The worker loads the runtime through tsx like the job workers do, runs once and exits.
  const source = `(async () => {
    const { register } = await import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))});
    register();
    const { readFileSync } = await import('node:fs');
    const { getRuntime } = await import(${JSON.stringify(runtimeUrl)});
    const model = await getRuntime('tflite-node').load(new Uint8Array(readFileSync(${JSON.stringify(modelPath)})));
    const [out] = await model.run([new Int8Array(96 * 96 * 3)]);
    (await import('node:worker_threads')).parentPort.postMessage(Array.from(out));
  })()`;
  const worker = new Worker(source, { eval: true });
  // Listen for 'exit' before awaiting the message: when the worker ends before its message is
  // read, Node drains the message and emits 'exit' in the same turn, before an await resumes.
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  const fromWorker = await new Promise<number[]>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    void exited.then(() => reject(new Error('the worker exited without posting its output')));
  });
  await exited;
  const model = await getRuntime('tflite-node').load(fixture('mlperf-tiny/vww/vww_96_int8.tflite'));
  const [out] = await model.run([new Int8Array(96 * 96 * 3)]);
  assert.deepEqual(Array.from(out as Int8Array), fromWorker);
});
