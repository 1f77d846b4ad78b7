// Quantization parameters are checked when a .tflite is read: quantized_dimension within the
// rank, one scale and zero point per channel, scales positive and finite, zero points within the
// dtype. person_detect_bad_quantized_dimension.tflite (every runtime rejects it) is listed by
// inspect and refused by convert and evaluate.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { inspectModel } from '../../src-main/cli/commands/inspect';
import { runCli } from '../../src-main/cli/main';
import { evaluate } from '../../src-main/evaluate/evaluate';
import { InputError } from '../../src-main/errors';
import type { Tensor } from '../../src-main/graph/model-graph';
import { quantProblem } from '../../src-main/tflite/quant-check';
import { readTflite } from '../../src-main/tflite/reader';
import { tfliteProblems } from '../../src-main/formats/tflite/index';
import { FIXTURES_ABSENT, fixturesDir, haveFixtures } from './helpers';

const tensor = (dtype: Tensor['dtype'], shape: number[], scale: number[], zeroPoint: number[], axis?: number): Tensor => ({
  name: 't',
  dtype,
  shape,
  quant: { scale, zeroPoint, ...(axis !== undefined ? { axis } : {}) },
});

test('quantProblem names what is wrong with a tensor and accepts sound parameters', () => {
  assert.equal(quantProblem(tensor('int8', [4, 3, 3, 2], [0.1, 0.2, 0.3, 0.4], [0, 0, 0, 0], 0)), undefined);
  assert.equal(quantProblem(tensor('int8', [1, 8], [0.05], [-128])), undefined);
  assert.equal(quantProblem(tensor('int32', [8], [0.1], [0], 0)), undefined);
  const cases: [Tensor, RegExp][] = [
    [tensor('int32', [8], Array(8).fill(0.1), Array(8).fill(0), 3), /quantized_dimension 3 is outside its rank 1/],
    [tensor('int8', [4, 2], [0.1, 0.2, 0.3], [0, 0, 0], 0), /3 scales for 4 channels on axis 0/],
    [tensor('int8', [1, 8], [0.1], [0, 0]), /2 zero points for 1 scales/],
    [tensor('int8', [1, 8], [-0.1], [0]), /scale\[0\] is -0\.1, expected a positive finite number/],
    [tensor('uint8', [1, 8], [Number.NaN], [0]), /scale\[0\] is NaN/],
    [tensor('int8', [1, 8], [0.1], [200]), /zero_point\[0\] is 200, outside int8 \[-128, 127\]/],
  ];
  for (const [t, reason] of cases) {
    const problem = quantProblem(t);
    assert.ok(problem, `no problem found for ${reason}`);
    assert.match(problem.reason, reason);
    assert.equal(problem.tensor, `tensor 't' (${t.dtype} [${t.shape.join(',')}])`);
  }
});

const bad = join(fixturesDir, 'tflite-micro', 'person_detect_bad_quantized_dimension.tflite');

test('inspect lists the bad quantized_dimension of person_detect_bad_quantized_dimension.tflite', { skip: !haveFixtures && FIXTURES_ABSENT }, async () => {
  const report = await inspectModel(bad);
  const quant = report.unsupported.filter((u) => u.className === 'invalid quantization');
  assert.equal(quant.length, 14);
  assert.match(quant[0]!.layer, /^tensor 'MobilenetV1\/MobilenetV1\/Conv2d_0\/Conv2D_bias' \(int32 \[8\]\)$/);
  assert.match(quant[0]!.reason, /quantized_dimension 3 is outside its rank 1; every TFLite runtime rejects this file/);
});

test('convert and evaluate refuse it with one line (exit 2)', { skip: !haveFixtures && FIXTURES_ABSENT }, async () => {
  const stderr: string[] = [];
  const code = await runCli(['convert', bad, '-o', join(tmpdir(), 'edgequant-never-written.tflite')], { stdout: () => {}, stderr: (t) => stderr.push(t), cwd: process.cwd(), env: {} });
  assert.equal(code, 2);
  assert.match(stderr.join(''), /person_detect_bad_quantized_dimension\.tflite: invalid quantization: tensor '[^']+' \(int32 \[8\]\): quantized_dimension 3 is outside its rank 1 \(and 13 more\); every TFLite runtime rejects this file/);
  const error = await evaluate({ floatModel: join(fixturesDir, 'mlperf-tiny', 'vww', 'vww_96_float.tflite'), quantModel: bad, data: fixturesDir }).catch((e: unknown) => e);
  assert.ok(error instanceof InputError);
  assert.match(error.message, /^person_detect_bad_quantized_dimension\.tflite: invalid quantization: .*quantized_dimension 3/);
});

test('a constant whose buffer does not hold its shape is refused on read, an unknown op code is listed', { skip: !haveFixtures && FIXTURES_ABSENT }, async () => {
  // Found by the importer fuzz: one shape dim of hello_world_int8 overwritten with 2^31-1.
  const bytes = new Uint8Array(readFileSync(join(fixturesDir, 'tflite-micro', 'hello_world_int8.tflite')));
  new DataView(bytes.buffer).setUint32(2364, 0x7fffffff, true);
  const path = join(mkdtempSync(join(tmpdir(), 'edgequant-quant-')), 'patched.tflite');
  writeFileSync(path, bytes);
  const error = await inspectModel(path).catch((e: unknown) => e);
  assert.ok(error instanceof InputError);
  assert.match(error.message, /^patched\.tflite: not a valid TFLite flatbuffer \(tensor \d+ 'sequential\/dense_2\/MatMul' has 16 values in its buffer but its shape \[1, 2147483647\] needs 2147483647\)\.$/);

  const model = readTflite(new Uint8Array(readFileSync(join(fixturesDir, 'tflite-micro', 'hello_world_int8.tflite'))));
  model.graphs[0]!.nodes[0]!.op = 'OTHER';
  model.graphs[0]!.nodes[0]!.builtin = 'BUILTIN_869631';
  const [problem] = tfliteProblems(model);
  assert.deepEqual(problem && { kind: problem.kind, reason: problem.reason }, { kind: 'unknown op', reason: 'builtin code 869631 is not a TFLite op this tool knows' });
});
