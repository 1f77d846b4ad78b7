// `edgequant inspect` through runCli, on real files of several formats and on bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../helpers/cli';
import { importers } from '../../src-main/formats/registry';
import type { InspectReport } from '../../src-main/cli/commands/inspect';
import { FIXTURES_ABSENT, fixturesDir, haveFixtures } from './helpers';

const skip = !haveFixtures && FIXTURES_ABSENT;

test('inspect --json on the official int8 vww: I/O quantization, ops, size, parameters', { skip }, async () => {
  const r = await cli(['inspect', join(fixturesDir, 'mlperf-tiny/vww/vww_96_int8.tflite'), '--json']);
  assert.equal(r.code, 0, r.err);
  const report = JSON.parse(r.out) as InspectReport;
  assert.equal(report.format, 'tflite');
  assert.equal(report.sizeBytes, 333288);
  assert.equal(report.parameters, 210852);
  assert.deepEqual(report.ops, { AVERAGE_POOL_2D: 1, CONV_2D: 14, DEPTHWISE_CONV_2D: 13, FULLY_CONNECTED: 1, RESHAPE: 1, SOFTMAX: 1 });
  const [input] = report.inputs;
  assert.equal(input?.name, 'input_1_int8');
  assert.equal(input?.dtype, 'int8');
  assert.deepEqual(input?.shape, [-1, 96, 96, 3]);
  assert.deepEqual(input?.quantization?.zeroPoint, [-128]);
  assert.equal(input?.quantization?.formula, 'real = 0.00392157 * (q + 128)');
  assert.deepEqual(report.unsupported, []);
  assert.deepEqual(report.operatorVersions, {
    CONV_2D: 3,
    DEPTHWISE_CONV_2D: 3,
    AVERAGE_POOL_2D: 2,
    RESHAPE: 1,
    FULLY_CONNECTED: 4,
    SOFTMAX: 2,
    QUANTIZE: 1,
    DEQUANTIZE: 2,
  });
});

test('inspect text output lists inputs, the formula, ops and metadata', { skip }, async () => {
  const r = await cli(['inspect', join(fixturesDir, 'mlperf-tiny/str_ww/str_ww_ref_model.tflite')]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^str_ww_ref_model\.tflite: TensorFlow Lite \(tflite\), 72\.8 KiB/);
  assert.match(r.out, /serving_default_input_1:0 {2}int8 \[\?, 30, 1, 40\] \(1200 values\) {2}real = 0\.00370104 \* \(q \+ 128\)/);
  assert.match(r.out, /DEPTHWISE_CONV_2D {2}4 {2}\(v3\)/);
  assert.match(r.out, /serving_default \(subgraph 0\): inputs input_1; outputs dense/);
  assert.match(r.out, /min_runtime_version: 1\.14\.0/);
});

test('inspect lists every unsupported layer of a non-TFLite model at once', { skip }, async (t) => {
  if (!importers.some((i) => i.extensions.includes('.json'))) return t.skip('no JSON importer registered yet');
  const r = await cli(['inspect', join(fixturesDir, 'keras-json/architectures_only/inceptionresnetv2.json'), '--json']);
  assert.equal(r.code, 0, r.err);
  const report = JSON.parse(r.out) as InspectReport;
  assert.notEqual(report.format, 'tflite');
  const lambdas = report.unsupported.filter((u) => u.className === 'Lambda');
  assert.ok(lambdas.length > 10, `found ${lambdas.length} Lambda layers`);
});

test('inspect refuses bad files with exit 2 and one line', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eq-inspect-'));
  const garbage = join(dir, 'garbage.tflite');
  writeFileSync(garbage, 'This is not a model at all, just text.');
  const cases: [string, RegExp][] = [
    [join(fixturesDir, 'litert-testdata/crafted_invalid_model.tflite'), /crafted_invalid_model\.tflite: not a valid TFLite flatbuffer/],
    [garbage, /garbage\.tflite: not a valid TFLite flatbuffer \(missing the 'TFL3' identifier/],
    [join(fixturesDir, 'mlperf-tiny/ad01/dcase_logmel_200x128_f32.bin'), /not a model file this tool reads/],
    [join(dir, 'missing.tflite'), /not found/],
  ];
  for (const [path, message] of cases) {
    const r = await cli(['inspect', path]);
    assert.equal(r.code, 2, path);
    assert.match(r.err, message);
    assert.equal(r.err.trim().split('\n').length, 1);
    assert.equal(r.out, '');
  }
  const usage = await cli(['inspect']);
  assert.equal(usage.code, 2);
});
