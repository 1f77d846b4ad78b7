// The quantization debugger: per-layer figures on held-out data, the isolated error checked
// against the same layer measured in a whole graph where only it is quantized, the variants'
// tails checked against whole-graph runs, and the CLI (table, --csv, --json, bad input).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../src-main/cli/main';
import { analyzeLayers } from '../../src-main/debug/analyze';
import { accumulatedInRuntime } from '../../src-main/debug/runtime-observe';
import { quantizedLayers } from '../../src-main/debug/layers';
import { aloneFloatGraph, aloneQuantizedGraph, firstChange, suffixGraph, TensorAliases } from '../../src-main/debug/surgery';
import type { DebugReport } from '../../src-main/debug/types';
import { createExecutor } from '../../src-main/graph/execute';
import { mainGraph } from '../../src-main/graph/model-graph';
import { sqnrDb } from '../../src-main/validation/sqnr';
import { readTflite } from '../../src-main/tflite/reader';
import { hasFixtures, loadImage, imageFiles } from '../quantize/helpers';
import { demoData, ensureBuilt } from '../helpers/build';
import { resnet8Cal4Pair } from './resnet8-pair';

const OUT = join(import.meta.dirname, '..', '..', 'test-output', 'debug');
const DEMO = demoData;
await ensureBuilt();
const skip = hasFixtures ? false : '../shared/fixtures absent';

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { stdout: (t) => out.push(t), stderr: (t) => err.push(t), cwd: process.cwd(), env: {} });
  return { code, out: out.join(''), err: err.join('') };
}

/**
 * resnet8 as float and int8 .tflite, the int8 calibrated on only 4 photos (a bad calibration), with
 * plain nearest rounding, as this file was made before bias correction became the default
 * (runtime-parity.test.ts checks the bias-corrected file).
 */
const resnet8Pair = () => resnet8Cal4Pair(OUT, '', false);

async function heldOut(count: number): Promise<Float32Array[]> {
  // Other photos than the calibration ones, at resnet8's 32×32 in 0..255.
  return Promise.all(imageFiles('litert_224').slice(0, count).map((f) => loadImage(f, 32, 1)));
}

async function* asSamples(list: Float32Array[]): AsyncIterable<{ inputs: Float32Array[] }> {
  for (const x of list) yield { inputs: [x] };
}

test('resnet8 int8 (4 calibration photos): each isolated error equals that layer measured in a whole graph where only it is quantized', { skip }, async (t) => {
  const pair = await resnet8Pair();
  const float = readTflite(pair.float);
  const quant = readTflite(pair.quant);
  const samples = await heldOut(6);
  const analysis = await analyzeLayers(float, quant, asSamples(samples));
  const fg = mainGraph(float);
  const qg = mainGraph(quant);
  assert.equal(analysis.skipped.length, 0, JSON.stringify(analysis.skipped));
  const convs = analysis.layers.filter((m) => m.layer.node.op === 'CONV_2D').length;
  assert.ok(convs >= 9, `resnet8 has 9 convolutions; measured ${convs}`);
  // Brute force: for every layer, the float graph with that layer alone quantized, run whole,
  // observing the layer's output.
  const aliases = new TensorAliases('@q');
  const rows: string[] = [];
  for (const m of analysis.layers) {
    const variant = aloneQuantizedGraph(fg, qg, m.layer, aliases);
    const floatRun = await createExecutor(fg);
    const variantRun = await createExecutor(variant);
    const refs: Float32Array[] = [];
    const gots: Float32Array[] = [];
    for (const x of samples) {
      const [r] = await floatRun.run([x], { outputs: [m.layer.floatOutput] });
      const [g] = await variantRun.run([x], { outputs: [m.layer.floatOutput] });
      refs.push(r!);
      gots.push(g!);
    }
    floatRun.dispose();
    variantRun.dispose();
    const concat = (list: Float32Array[]) => Float32Array.from(list.flatMap((a) => Array.from(a)));
    const brute = sqnrDb(concat(refs), concat(gots));
    rows.push(`${m.layer.node.name.slice(0, 50).padEnd(50)} isolated ${m.isolated!.sqnrDb.toFixed(2)} dB, brute force ${brute.toFixed(2)} dB`);
    assert.ok(Math.abs(m.isolated!.sqnrDb - brute) < 0.05, `${m.layer.node.name}: isolated ${m.isolated!.sqnrDb} vs brute force ${brute}`);
  }
  t.diagnostic(`\n${rows.join('\n')}`);
  // The accumulated error measured in the real runtime (tflite-node, every layer's tensor made a
  // graph output) equals the interpreter's, which reproduces the runtime's integer rounding.
  const inRuntime = await accumulatedInRuntime(pair.float, pair.quant, analysis.layers.map((m) => m.layer), samples.map((x) => [x]));
  for (const [k, m] of analysis.layers.entries()) {
    const ir = m.accumulated!.sqnrDb;
    const rt = inRuntime[k]!.sqnrDb;
    assert.ok(Math.abs(ir - rt) < 0.01, `${m.layer.node.name}: accumulated ${ir.toFixed(2)} dB in the interpreter vs ${rt.toFixed(2)} dB in tflite-node`);
  }
});

test('resnet8: a variant run from the shared head gives the outputs of the whole variant graph', { skip }, async () => {
  const pair = await resnet8Pair();
  const fg = mainGraph(readTflite(pair.float));
  const qg = mainGraph(readTflite(pair.quant));
  const { layers } = quantizedLayers(fg, qg);
  const [x] = await heldOut(1);
  for (const [base, make] of [
    [fg, (l: (typeof layers)[number]) => aloneQuantizedGraph(fg, qg, l, new TensorAliases('@q'))],
    [qg, (l: (typeof layers)[number]) => aloneFloatGraph(fg, qg, l, new TensorAliases('@f'))],
  ] as const) {
    for (const layer of [layers[1]!, layers[Math.floor(layers.length / 2)]!, layers.at(-1)!]) {
      const variant = make(layer);
      const head = await createExecutor(base);
      const values = new Map<string, Float32Array>();
      await head.run([x!], { observe: (name, v) => values.set(name, v.slice()) });
      head.dispose();
      const tail = suffixGraph(variant, firstChange(base, variant));
      assert.ok(tail.nodes.length < variant.nodes.length, 'the tail is shorter than the variant');
      const tailRun = await createExecutor(tail);
      const fromTail = await tailRun.run(Object.fromEntries(tail.inputs.map((n) => [n, values.get(n)!])));
      tailRun.dispose();
      const wholeRun = await createExecutor(variant);
      const fromWhole = await wholeRun.run([x!]);
      wholeRun.dispose();
      assert.deepEqual(Array.from(fromTail[0]!), Array.from(fromWhole[0]!), `${layer.node.name}: tail and whole variant differ`);
    }
  }
});

test('edgequant debug on the demo MNIST model: table, every layer in --csv and --json, sensitivity and reasons', async (t) => {
  mkdirSync(OUT, { recursive: true });
  const csv = join(OUT, 'demo-debug.csv');
  const args = ['debug', join(DEMO, 'model', 'model.json'), '--quantize', 'int8', '--calibration', join(DEMO, 'calibration'), '--preprocess', '0..1', '--data', join(DEMO, 'eval', 'x.npy'), '--data-samples', '24', '--sensitivity-samples', '4'];
  const table = await cli([...args, '--csv', csv]);
  assert.equal(table.code, 0, table.err);
  assert.match(table.out, /Per-layer error on 24 held-out samples/);
  assert.match(table.out, /IR interpreter/);
  const lines = readFileSync(csv, 'utf8').trim().split('\n');
  assert.match(lines[0]!, /^node,op,dtype,acc_sqnr_db,iso_sqnr_db/);
  const json = await cli([...args, '--json']);
  assert.equal(json.code, 0, json.err);
  const report = JSON.parse(json.out) as DebugReport;
  assert.equal(lines.length - 1, report.layers.length, 'one CSV row per layer');
  assert.ok(report.layers.length >= 4, `${report.layers.length} layers`);
  assert.equal(report.ranking.length, report.layers.length);
  for (const row of report.layers) {
    assert.ok(row.isolated && row.accumulated && row.sensitivity, `${row.node} has all figures`);
    assert.ok(row.isolated.cosine > 0.5 && row.isolated.cosine <= 1.0000001, `${row.node} cosine ${row.isolated.cosine}`);
  }
  // The ranking puts first the layer whose quantization alone hurts the outputs most.
  const worst = report.layers.find((r) => r.node === report.ranking[0])!;
  const best = report.layers.find((r) => r.node === report.ranking.at(-1))!;
  assert.ok(worst.sensitivity!.aloneQuantizedDb <= best.sensitivity!.aloneQuantizedDb);
  t.diagnostic(`\n${table.out}`);
});

test('edgequant debug: bad usage is one line and exit 2', async () => {
  const model = join(DEMO, 'model', 'model.json');
  const noData = await cli(['debug', model, '--quantize', 'int8']);
  assert.equal(noData.code, 2);
  assert.match(noData.err, /--data/);
  const both = await cli(['debug', model, '--quantize', 'int8', '--quantized', 'x.tflite', '--data', 'x.npy']);
  assert.equal(both.code, 2);
  assert.match(both.err, /not both/);
  const badMode = await cli(['debug', model, '--quantize', 'int4', '--data', join(DEMO, 'eval', 'x.npy')]);
  assert.equal(badMode.code, 2);
  assert.equal(badMode.err.trim().split('\n').length, 1);
});
