// `convert --keep-float NAME|/REGEX/` and `--recipe FILE.json` with node rules, end to end on the
// real resnet8: the file read back has the dtypes the rules asked for and runs in both runtimes
// close to float; a name or regex matching no node is a one-line error (exit 2) with the 3
// closest names; with --project the run keeps the recipe (runs/<id>/recipe.json) and the
// per-layer table.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli } from '../helpers/cli';
import { mainGraph, type Graph } from '../../src-main/graph/model-graph';
import { parseRecipe, presetRecipe } from '../../src-main/quantize/index';
import type { RunRecord } from '../../src-main/projects/types';
import { readTflite } from '../../src-main/tflite/reader';
import { tempDir } from '../convert/helpers';
import { agreement, runAll } from './accuracy';
import { fixture, hasFixtures, imageFiles, loadImageCrops } from './helpers';

const skip = hasFixtures ? false : '../shared/fixtures absent';
const R8 = (): string => fixture('mlperf-tiny', 'resnet8', 'pretrainedResnet.tflite');
const ADD_1 = 'model/activation_4/Relu;model/add_1/add';

const int8Args = (output: string): string[] => [
  'convert', R8(), '-o', output, '--quantize', 'int8', '--calibration', fixture('images', 'photos'), '--preprocess', '0..255', '--samples', '8',
];

/** dtype of each op's first input and output, per op, in file order (names are the file's). */
function opDtypes(g: Graph, op: string): string[] {
  return g.nodes.filter((n) => n.op === op).map((n) => `${g.tensors.get(n.inputs[0]!)!.dtype}->${g.tensors.get(n.outputs[0]!)!.dtype}`);
}

async function vsFloat(bytes: Uint8Array): Promise<string[]> {
  const heldOut = (await Promise.all(imageFiles('litert_224').slice(0, 6).map((f) => loadImageCrops(f, 32, 1)))).flat();
  const float = new Uint8Array(readFileSync(R8()));
  const figures: string[] = [];
  for (const runtime of ['tflite-node', 'litert-js'] as const) {
    const a = agreement(await runAll(runtime, float, heldOut), await runAll(runtime, bytes, heldOut));
    assert.ok(a.sqnrDb > 12, `${runtime}: SQNR vs float ${a.sqnrDb}`);
    figures.push(`${runtime} ${a.sqnrDb.toFixed(1)} dB, top-1 ${a.top1.toFixed(0)}%`);
  }
  return figures;
}

test('--keep-float by exact name and by /regex/ keeps those nodes float32 between DEQUANTIZE/QUANTIZE; runs in both runtimes', { skip }, async (t) => {
  const dir = tempDir();
  const output = join(dir, 'kept.tflite');
  const r = await cli([...int8Args(output), '--keep-float', 'Identity', '--keep-float', '/.*add_1.*/', '--json']);
  assert.equal(r.code, 0, r.err);
  const g = mainGraph(readTflite(new Uint8Array(readFileSync(output))));
  assert.deepEqual(opDtypes(g, 'SOFTMAX'), ['float32->float32'], 'Identity (the softmax) by exact name');
  assert.deepEqual(opDtypes(g, 'ADD'), ['int8->int8', 'float32->float32', 'int8->int8'], 'add_1 by regex');
  assert.ok(opDtypes(g, 'CONV_2D').every((d) => d === 'int8->int8'));
  assert.equal(g.nodes.find((n) => n.name === ADD_1)!.inputs.map((i) => g.nodes.find((n) => n.outputs.includes(i!))!.op).join(), 'DEQUANTIZE,DEQUANTIZE');
  const json = JSON.parse(r.out) as { quantization: { recipe: string; layers: { node: string; precision: string; ruleBy: string }[] } };
  assert.equal(json.quantization.recipe, 'int8+keep-float');
  assert.deepEqual(json.quantization.layers.filter((l) => l.ruleBy === 'node').map((l) => `${l.node}:${l.precision}`), [`${ADD_1}:float32`, 'Identity:float32']);
  t.diagnostic(`resnet8 int8 with add_1 and the softmax kept float, vs float on held-out photos: ${(await vsFloat(new Uint8Array(readFileSync(output)))).join('; ')}`);
});

test('--recipe FILE.json with node rules (fp16 and int16x8 nodes), saved with the run under --project with the per-layer table', { skip }, async (t) => {
  const dir = tempDir();
  const project = join(dir, 'proj');
  assert.equal((await cli(['project', 'init', project])).code, 0);
  const recipePath = join(dir, 'mixed.json');
  const conv0 = 'model/activation/Relu;model/batch_normalization/FusedBatchNormV3;model/conv2d/BiasAdd/ReadVariableOp/resource;model/conv2d/BiasAdd;model/conv2d_2/Conv2D;model/conv2d/Conv2D1';
  const recipe = { ...presetRecipe('int8'), name: 'r8-mixed', rules: [{ nodes: [conv0], precision: 'fp16' }, { nodes: ['/model\\/dense.*/'], precision: 'int16x8' }, ...presetRecipe('int8').rules] };
  writeFileSync(recipePath, JSON.stringify(recipe));
  const output = join(dir, 'mixed.tflite');
  const r = await cli([...int8Args(output), '--recipe', recipePath, '--project', project]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /node rules: .*Conv2D1 fp16, model\/dense\/MatMul;model\/dense\/BiasAdd int16x8/);
  const g = mainGraph(readTflite(new Uint8Array(readFileSync(output))));
  const first = g.nodes.find((n) => n.op === 'CONV_2D')!;
  assert.deepEqual([first.inputs.map((i) => g.tensors.get(i!)!.dtype).join(), g.tensors.get(first.outputs[0]!)!.dtype], ['float32,float32,float32', 'float32']);
  assert.deepEqual(opDtypes(g, 'FULLY_CONNECTED'), ['int16->int16']);
  assert.ok(g.nodes.some((n) => n.op === 'DEQUANTIZE' && g.tensors.get(n.inputs[0]!)!.dtype === 'float16'));
  t.diagnostic(`resnet8 with an fp16 first conv and an int16x8 dense: ${(await vsFloat(new Uint8Array(readFileSync(output)))).join('; ')}`);

  const [id] = readdirSync(join(project, 'runs')).filter((f) => !f.endsWith('.json'));
  const run = JSON.parse(readFileSync(join(project, 'runs', id!, 'run.json'), 'utf8')) as RunRecord;
  assert.equal(run.quantization?.recipeFile, 'recipe.json');
  assert.equal(run.quantization.recipe, 'r8-mixed');
  const saved = parseRecipe(JSON.parse(readFileSync(join(project, 'runs', id!, 'recipe.json'), 'utf8')));
  assert.equal(saved.name, 'r8-mixed');
  assert.deepEqual(saved.rules[0], { nodes: [conv0], algorithm: 'fp16' });
  assert.equal(run.quantization?.layers.length, 16);
  assert.deepEqual(run.quantization?.layers.filter((l) => l.ruleBy === 'node').map((l) => l.precision), ['fp16', 'int16x8']);
});

test('--keep-float or a recipe naming no node, and a bad regex, are one-line errors (exit 2) with the 3 closest names', { skip }, async () => {
  const dir = tempDir();
  const bad = await cli([...int8Args(join(dir, 'x.tflite')), '--keep-float', 'Identiy']);
  assert.equal(bad.code, 2);
  assert.equal(bad.err.trim().split('\n').length, 1, bad.err);
  assert.match(bad.err, /node Identiy matches no node of the model; closest names: 'Identity', '[^']+', '[^']+'\./);
  const regex = await cli([...int8Args(join(dir, 'x.tflite')), '--keep-float', '/model\\/dense_9.*/']);
  assert.equal(regex.code, 2);
  assert.match(regex.err, /node \/model\\\/dense_9\.\*\/ matches no node of the model; closest names: '[^']+', '[^']+', '[^']+'\./);
  const malformed = await cli([...int8Args(join(dir, 'x.tflite')), '--keep-float', '/conv(/']);
  assert.equal(malformed.code, 2);
  assert.match(malformed.err, /--keep-float: \/conv\(\/ is not a valid regular expression/);
  const recipePath = join(dir, 'typo.json');
  writeFileSync(recipePath, JSON.stringify({ ...presetRecipe('int8'), rules: [{ nodes: ['Identiy'], precision: 'float32' }, ...presetRecipe('int8').rules] }));
  const fromRecipe = await cli([...int8Args(join(dir, 'x.tflite')), '--recipe', recipePath]);
  assert.equal(fromRecipe.code, 2);
  assert.match(fromRecipe.err, /recipe 'int8': node Identiy matches no node of the model; closest names: 'Identity'/);
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tflite')), [], 'nothing written');
});

test('the CLI reads the mode recipe\'s requirements before importing: I/O types it cannot give and missing calibration are exit 2', async () => {
  const dir = tempDir();
  const io = await cli(['convert', join(dir, 'absent.h5'), '-o', join(dir, 'x.tflite'), '--quantize', 'int16x8', '--calibration', dir, '--input-type', 'uint8']);
  assert.equal(io.code, 2);
  assert.match(io.err, /--input-type uint8 is not available with --quantize int16x8; use float32 or int16\./);
  const data = await cli(['convert', join(dir, 'absent.h5'), '-o', join(dir, 'x.tflite'), '--quantize', 'int8']);
  assert.equal(data.code, 2);
  assert.match(data.err, /--quantize int8 needs --calibration DIR\|FILE\.npy\|FILE\.npz/);
  const none = await cli(['convert', join(dir, 'absent.h5'), '-o', join(dir, 'x.tflite'), '--keep-float', 'conv']);
  assert.equal(none.code, 2);
  assert.match(none.err, /--keep-float needs --quantize fp16\|dynamic\|int8\|int16x8/);
});
