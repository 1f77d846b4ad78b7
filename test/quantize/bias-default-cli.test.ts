// Bias correction is the CLI's default for int8 weights rounded to nearest wherever calibration
// data is given: `convert --quantize int8 --calibration …` reports the layers it corrected (JSON
// and the human summary), `--no-bias-correction` turns it off, dynamic range without data
// converts as before, gptq rounding does not run it, and contradictory flags are bad usage.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ConvertResult } from '../../src-main/convert/types';
import { writeNpy } from '../../src-main/data/npy';
import { writeTflite } from '../../src-main/tflite/writer';
import { cli } from '../helpers/cli';
import { smallNet, smoothImages } from './small-net';

const OUT = join(import.meta.dirname, '..', '..', 'test-output', 'bias-default-cli');

async function files(): Promise<{ model: string; npy: string }> {
  mkdirSync(OUT, { recursive: true });
  const model = join(OUT, 'net.tflite');
  writeFileSync(model, writeTflite(smallNet()));
  const images = smoothImages(24, 900);
  const data = new Float32Array(images.length * 192);
  images.forEach((x, i) => data.set(x, i * 192));
  const npy = join(OUT, 'calibration.npy');
  await writeNpy(npy, { dtype: 'float32', shape: [images.length, 8, 8, 3], data });
  return { model, npy };
}

const json = (out: string) => JSON.parse(out) as ConvertResult;

test('convert: bias correction by default with --calibration, off with --no-bias-correction', async () => {
  const { model, npy } = await files();
  const int8 = ['convert', model, '--quantize', 'int8', '--calibration', npy];
  const on = await cli([...int8, '-o', join(OUT, 'on.tflite'), '--json']);
  assert.equal(on.code, 0, on.err);
  assert.deepEqual(json(on.out).quantization?.biasCorrection, { corrected: 4, samples: 24, skipped: [] });
  const human = await cli([...int8, '-o', join(OUT, 'on-human.tflite')]);
  assert.equal(human.code, 0, human.err);
  assert.match(human.out, /bias correction: 4 layer\(s\) over 24 samples/);
  const off = await cli([...int8, '-o', join(OUT, 'off.tflite'), '--no-bias-correction', '--json']);
  assert.equal(off.code, 0, off.err);
  assert.equal(json(off.out).quantization?.biasCorrection, undefined);
  const gptq = await cli([...int8, '-o', join(OUT, 'gptq.tflite'), '--weight-rounding', 'gptq', '--json']);
  assert.equal(gptq.code, 0, gptq.err);
  assert.equal(json(gptq.out).quantization?.biasCorrection, undefined, 'gptq corrects each bias itself');
  const dynamic = await cli(['convert', model, '-o', join(OUT, 'dynamic.tflite'), '--quantize', 'dynamic', '--json']);
  assert.equal(dynamic.code, 0, dynamic.err);
  assert.equal(json(dynamic.out).quantization?.biasCorrection, undefined, 'no data: nothing to measure on');
  const both = await cli([...int8, '-o', join(OUT, 'both.tflite'), '--bias-correction', '--no-bias-correction']);
  assert.equal(both.code, 2);
  assert.match(both.err, /contradict/);
});
