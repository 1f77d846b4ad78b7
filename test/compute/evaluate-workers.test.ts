// Evaluation split across compute workers (each loading its own LiteRT.js instances of both
// models) gives exactly the one-worker figures and per-sample outputs, in sample order, on a
// real model; tflite-node stays in one thread and says so; cancelling stops the workers.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CancelledError } from '../../src-main/errors';
import { evaluate, type SampleOutputs } from '../../src-main/evaluate/index';
import { runCli } from '../../src-main/cli/main';

const fixtures = join(import.meta.dirname, '../../../shared/fixtures');
const vww = join(fixtures, 'mlperf-tiny', 'vww');

/** The fixture photos (photos, coral, litert_224) in one folder, as symlinks. */
function photoFolder(): string {
  const dir = join(import.meta.dirname, '../../test-output/compute/evaluate-photos');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const sub of ['photos', 'coral', 'litert_224']) {
    for (const name of readdirSync(join(fixtures, 'images', sub))) {
      if (/\.(png|jpe?g|bmp)$/i.test(name)) symlinkSync(join(fixtures, 'images', sub, name), join(dir, `${sub}_${name}`));
    }
  }
  return dir;
}

const request = (data: string) => ({ floatModel: join(vww, 'vww_96_float.tflite'), quantModel: join(vww, 'vww_96_int8.tflite'), data, preprocess: '0..1', runtime: 'litert-js' as const, latencyRuns: 0 });

test('vww_96 evaluated on 2 workers equals 1 worker exactly: metrics and every sample output, in order', async (t) => {
  if (!existsSync(vww)) return t.skip('../shared/fixtures absent');
  const data = photoFolder();
  const runs = [];
  for (const workers of [1, 2]) {
    const samples: SampleOutputs[] = [];
    const progress: number[] = [];
    const report = await evaluate(request(data), { workers, onSample: (s) => samples.push(s), onProgress: (done) => progress.push(done) });
    assert.equal(report.compute?.workers, workers);
    assert.deepEqual(progress, Array.from({ length: report.samples }, (_, i) => i + 1), `${workers} worker(s): progress counts every sample once, in order`);
    runs.push({ report, samples });
  }
  const [one, two] = runs as [(typeof runs)[number], (typeof runs)[number]];
  assert.ok(one.report.samples >= 30, `${one.report.samples} samples`);
  assert.deepEqual(two.report.outputs, one.report.outputs);
  assert.deepEqual(two.samples.map((s) => s.source), one.samples.map((s) => s.source));
  two.samples.forEach((s, i) => {
    assert.deepEqual(s.float, one.samples[i]!.float, `float outputs of ${s.source}`);
    assert.deepEqual(s.quant, one.samples[i]!.quant, `quantized outputs of ${s.source}`);
  });
  // The quantized model really differs from the float one: the equality above is not trivial.
  assert.ok(one.report.outputs[0]!.sqnrDb < 60, `SQNR ${one.report.outputs[0]!.sqnrDb}`);
});

test('tflite-node evaluates in one thread whatever --workers asks, with the reason in compute notes', async (t) => {
  if (!existsSync(vww)) return t.skip('../shared/fixtures absent');
  const report = await evaluate({ ...request(photoFolder()), runtime: 'tflite-node', samples: 16 }, { workers: 2 });
  assert.equal(report.compute?.workers, 1);
  assert.ok(report.compute?.notes.some((n) => /tflite-node/.test(n)), JSON.stringify(report.compute));
});

test('cancelling an evaluation on 2 workers stops it with CancelledError', async (t) => {
  if (!existsSync(vww)) return t.skip('../shared/fixtures absent');
  const controller = new AbortController();
  await assert.rejects(
    evaluate(request(photoFolder()), { workers: 2, signal: controller.signal, onProgress: (done) => done === 3 && controller.abort() }),
    CancelledError,
  );
});

test('evaluate --workers N on the CLI: the JSON names the workers; --workers 0 is bad input (exit 2)', async (t) => {
  if (!existsSync(vww)) return t.skip('../shared/fixtures absent');
  const data = photoFolder();
  const args = ['evaluate', join(vww, 'vww_96_float.tflite'), join(vww, 'vww_96_int8.tflite'), '--data', data, '--preprocess', '0..1', '--samples', '16', '--runtime', 'litert-js', '--runs', '0', '--json'];
  let out = '';
  assert.equal(await runCli([...args, '--workers', '2'], { stdout: (text) => void (out += text), stderr: () => undefined, cwd: data, env: {} }), 0, out);
  assert.equal((JSON.parse(out) as { compute: { workers: number } }).compute.workers, 2);
  let err = '';
  assert.equal(await runCli([...args, '--workers', '0'], { stdout: () => undefined, stderr: (text) => void (err += text), cwd: data, env: {} }), 2);
  assert.match(err, /--workers must be a positive integer \(got '0'\)/);
});
