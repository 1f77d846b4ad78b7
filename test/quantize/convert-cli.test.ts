// The quantizer through the CLI: `convert --quantize … --json` carries the quantizer's report and
// the I/O formulas, the human output prints the formulas, `--recipe FILE.json` replaces the
// preset (str_ww with the newer converter's weight layout lands on the official file's size),
// a bad recipe is refused naming its field, and `inspect` prints the deploy-direction formula.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { unzipSync } from 'fflate';
import { cli } from '../helpers/cli';
import type { ConvertResult } from '../../src-main/convert/types';
import { parseNpy } from '../../src-main/data/npy';
import { ioQuantFormulas, presetRecipe } from '../../src-main/quantize/index';
import { readTflite } from '../../src-main/tflite/reader';
import { runAll } from './accuracy';
import { fixture, hasFixtures } from './helpers';

const OUT = join(import.meta.dirname, '..', '..', 'test-output', 'quantize-cli');
const skip = hasFixtures ? false : '../shared/fixtures absent';
const STR_WW = (...parts: string[]): string => fixture('mlperf-tiny', 'str_ww', ...parts);

function writeRecipe(name: string, recipe: unknown): string {
  mkdirSync(OUT, { recursive: true });
  const path = join(OUT, name);
  writeFileSync(path, JSON.stringify(recipe, null, 2));
  return path;
}

const strWwInt8 = (output: string): string[] => [
  'convert', STR_WW('str_ww_ref_model.h5'), '-o', output, '--quantize', 'int8',
  '--calibration', STR_WW('calibration_samples.npz'), '--input-type', 'int8', '--output-type', 'int8',
];

/** Label accuracy of a str_ww file on the 45 labelled samples of the fixture .npz, in tflite-node. */
async function strWwAccuracy(file: Uint8Array): Promise<number> {
  const arrays = unzipSync(new Uint8Array(readFileSync(STR_WW('calibration_samples.npz'))));
  const specs = parseNpy(arrays['specs.npy']!);
  const labels = parseNpy(arrays['labels.npy']!);
  const per = 30 * 40;
  const samples = Array.from({ length: 45 }, (_, i) => Float32Array.from((specs.data as Float64Array).subarray(i * per, (i + 1) * per)));
  const outs = await runAll('tflite-node', file, samples);
  const argmax = (a: Float32Array): number => a.reduce((best, v, i) => (v > a[best]! ? i : best), 0);
  return outs.filter((o, i) => argmax(o) === Number((labels.data as Float64Array)[i])).length / 45;
}

test('str_ww.h5 → int8 with a recipe without weight ranges is the official size (±2%); --json carries the report and formulas', { skip }, async (t) => {
  const official = new Uint8Array(readFileSync(STR_WW('str_ww_ref_model.tflite')));
  // The default layout keeps each weight channel's float min/max (as the TF 2.3 files do).
  const plainOut = join(OUT, 'str_ww_default.tflite');
  mkdirSync(OUT, { recursive: true });
  const plain = await cli(strWwInt8(plainOut));
  assert.equal(plain.code, 0, plain.err);
  const plainBytes = readFileSync(plainOut).length;
  // Human output: the report summary and the exact formulas for the deploying code.
  assert.match(plain.out, /quantization: int8 \(recipe int8\)/);
  assert.match(plain.out, /left float: none/);
  assert.match(plain.out, /^ {2}input \S+ int8\[[\d,]+\]: q = clamp\(round\(x \/ [\d.e-]+\) \+ -?\d+, -128, 127\)/m);
  assert.match(plain.out, /^ {2}output \S+ int8\[[\d,]+\]: y = [\d.e-]+ \* \(q - -?\d+\)/m);

  const recipe = writeRecipe('int8-no-weight-ranges.json', { ...presetRecipe('int8'), name: 'int8-no-weight-ranges', recordWeightRanges: false });
  const output = join(OUT, 'str_ww_recipe.tflite');
  // Layout against layout: the official converter does no bias correction, which changes biases
  // (83184 B with it vs 82112 B without, default layout, 2026-12-03).
  const r = await cli([...strWwInt8(output), '--recipe', recipe, '--no-bias-correction', '--json']);
  assert.equal(r.code, 0, r.err);
  const json = JSON.parse(r.out) as ConvertResult;
  const ours = new Uint8Array(readFileSync(output));
  assert.equal(json.bytes, ours.length);
  t.diagnostic(`str_ww int8: default layout ${plainBytes} B (${((plainBytes / official.length - 1) * 100).toFixed(1)}%), recipe ${ours.length} B (${((ours.length / official.length - 1) * 100).toFixed(1)}%), official ${official.length} B`);
  assert.ok(Math.abs(ours.length / official.length - 1) <= 0.02, `recipe: ${ours.length} vs official ${official.length}`);
  assert.ok(plainBytes > ours.length, 'the recipe dropped the per-channel weight ranges');

  // The report: recipe, every integer layer's weight SQNR, all checks passed, stage timings.
  const q = json.quantization!;
  assert.equal(q.recipe, 'int8-no-weight-ranges');
  assert.deepEqual(q.floatOps, []);
  const weighted = q.layers.filter((l) => l.weightDtype === 'int8');
  assert.ok(weighted.length >= 5, `${weighted.length} layers with int8 weights`);
  for (const l of weighted) assert.ok(l.weightSqnrDb! > 25, `${l.node} weight SQNR ${l.weightSqnrDb}`);
  assert.ok(q.checks.length > 0 && q.checks.every((c) => c.passed));
  assert.ok(q.timings['calibrateMs']! >= 0 && q.timings['quantizeMs']! >= 0);
  assert.ok(q.sizeBytes.after < q.sizeBytes.before / 3);
  // The formulas are those of the file as written (read back by our reader).
  assert.deepEqual(json.ioFormulas, ioQuantFormulas(readTflite(ours)));
  assert.match(json.ioFormulas![0]!.formula, /^q = clamp\(round\(x \/ /);
  t.diagnostic(`--json excerpt: ${JSON.stringify({ recipe: q.recipe, floatOps: q.floatOps, layer: weighted[0], checks: q.checks.length, timings: q.timings, ioFormulas: json.ioFormulas!.map((f) => f.formula) })}`);

  // Dropping the recorded ranges changes no value: the file runs and is as accurate as the official one.
  const [accOurs, accOfficial] = [await strWwAccuracy(ours), await strWwAccuracy(official)];
  t.diagnostic(`label accuracy (tflite-node): recipe file ${(100 * accOurs).toFixed(1)}%, official ${(100 * accOfficial).toFixed(1)}%`);
  assert.ok(accOurs >= accOfficial, `${accOurs} < ${accOfficial}`);

  // inspect prints the deploy-direction formula of the quantized input and output.
  const inspect = await cli(['inspect', output]);
  assert.equal(inspect.code, 0, inspect.err);
  const [input, out] = [json.ioFormulas![0]!, json.ioFormulas![json.ioFormulas!.length - 1]!];
  assert.ok(inspect.out.includes(`deploy: ${input.formula}`), inspect.out);
  assert.ok(inspect.out.includes(`deploy: ${out.formula}`), inspect.out);
  assert.match(inspect.out, /real = [\d.e-]+ \* \(q [+-] \d+\)/);
  const inspectJson = JSON.parse((await cli(['inspect', output, '--json'])).out) as { inputs: { quantization?: { deploy?: string } }[] };
  assert.equal(inspectJson.inputs[0]!.quantization?.deploy, input.formula);
});

test('a bad recipe file is refused with exit 2 and one line naming the field', { skip }, async () => {
  const bad = writeRecipe('bad-activations.json', { ...presetRecipe('int8'), activations: 'int4' });
  const r = await cli([...strWwInt8(join(OUT, 'bad.tflite')), '--recipe', bad]);
  assert.equal(r.code, 2);
  assert.equal(r.err.trimEnd().split('\n').length, 1, r.err);
  assert.match(r.err, /bad-activations\.json: activations: /);

  const badRule = writeRecipe('bad-rule.json', { ...presetRecipe('int8'), rules: [{ ops: ['CONV_2D'], algorithm: 'magic' }] });
  const r2 = await cli([...strWwInt8(join(OUT, 'bad.tflite')), '--recipe', badRule]);
  assert.equal(r2.code, 2);
  assert.match(r2.err, /rules\.0\.algorithm/);

  const wrongMode = writeRecipe('fp16-for-int8.json', presetRecipe('fp16'));
  const r3 = await cli([...strWwInt8(join(OUT, 'bad.tflite')), '--recipe', wrongMode]);
  assert.equal(r3.code, 2, r3.err);
  assert.match(r3.err, /is for fp16, not int8/);

  const none = await cli(['convert', STR_WW('str_ww_ref_model.h5'), '-o', join(OUT, 'bad.tflite'), '--recipe', wrongMode]);
  assert.equal(none.code, 2);
  assert.match(none.err, /--recipe needs --quantize/);
});

test('str_ww.h5 → int8 with --weight-rounding gptq: the report says which layers, label accuracy ≥ the official int8 file', { skip }, async (t) => {
  const output = join(OUT, 'str_ww_gptq.tflite');
  mkdirSync(OUT, { recursive: true });
  const run = await cli([...strWwInt8(output), '--weight-rounding', 'gptq', '--json']);
  assert.equal(run.code, 0, run.err);
  const result = JSON.parse(run.out) as ConvertResult;
  const rounding = result.quantization?.weightRounding;
  assert.equal(rounding?.method, 'gptq');
  assert.ok((rounding?.compensated ?? 0) > 0 && rounding?.samples === 45, JSON.stringify(rounding));
  const ours = await strWwAccuracy(new Uint8Array(readFileSync(output)));
  const official = await strWwAccuracy(new Uint8Array(readFileSync(STR_WW('str_ww_ref_model.tflite'))));
  t.diagnostic(`str_ww int8 gptq: ${rounding?.compensated} layers compensated, ${rounding?.skipped.length} left nearest; label accuracy ${(100 * ours).toFixed(1)}% vs official ${(100 * official).toFixed(1)}%`);
  assert.ok(ours >= official, `${ours} vs ${official}`);
});

test('--weight-rounding is refused without calibration data or without --quantize, in one line', async () => {
  for (const args of [
    ['convert', 'model.h5', '-o', 'x.tflite', '--quantize', 'fp16', '--weight-rounding', 'gptq'],
    ['convert', 'model.h5', '-o', 'x.tflite', '--weight-rounding', 'gptq'],
    ['convert', 'model.h5', '-o', 'x.tflite', '--quantize', 'fp16', '--weight-rounding', 'adaround'],
  ]) {
    const run = await cli(args);
    assert.equal(run.code, 2, run.err);
    assert.match(run.err.trim(), /^[^\n]*(--weight-rounding)[^\n]*$/);
  }
});
