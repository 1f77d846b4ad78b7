// `edgequant evaluate` on a classifier with labelled class folders prints the classification
// results a Studio run shows (both accuracies, per class, where predictions moved), and --json
// carries them: the MNIST demo model, int8, on the demo's 400 digits in folders 0..9.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../../src-main/cli/main';
import type { ClassificationResults } from '../../src-main/evaluate/classification';
import { demoData, ensureBuilt } from '../helpers/build';

await ensureBuilt();
const work = mkdtempSync(join(tmpdir(), 'eq-eval-classes-'));
after(() => rmSync(work, { recursive: true, force: true }));

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { stdout: (t) => out.push(t), stderr: (t) => err.push(t), cwd: process.cwd(), env: {} });
  return { code, out: out.join(''), err: err.join('') };
}

test('evaluate on labelled class folders prints and --json carries accuracy and per-class results', async () => {
  const model = join(demoData, 'model', 'model.json');
  const quant = join(work, 'int8.tflite');
  const converted = await cli(['convert', model, '-o', quant, '--quantize', 'int8', '--calibration', join(demoData, 'calibration'), '--preprocess', '0..1']);
  assert.equal(converted.code, 0, converted.err);
  const args = ['evaluate', model, quant, '--data', join(demoData, 'digits'), '--preprocess', '0..1', '--runs', '0'];

  const json = await cli([...args, '--json']);
  assert.equal(json.code, 0, json.err);
  const report = JSON.parse(json.out) as { outputs: { floatAccuracy: number; quantAccuracy: number; top1Agreement: number }[]; classification?: ClassificationResults };
  const c = report.classification;
  assert.ok(c, 'the JSON has the classification results');
  assert.equal(c.samples, 400);
  assert.equal(c.labelled, 400);
  assert.deepEqual(c.classes, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  assert.equal(c.perClass.length, 10);
  assert.ok(c.perClass.every((r) => r.samples === 40), '40 digits per class');
  // The same figures as the outputs table (one evaluation, two views of it).
  assert.equal(c.floatAccuracy, report.outputs[0]!.floatAccuracy);
  assert.equal(c.quantAccuracy, report.outputs[0]!.quantAccuracy);
  assert.ok(c.floatAccuracy! > 0.7, `float accuracy ${c.floatAccuracy}`);
  assert.equal(c.perClass.reduce((n, r) => n + r.quantCorrect, 0) / 400, c.quantAccuracy);

  const text = await cli(args);
  assert.equal(text.code, 0, text.err);
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  assert.match(text.out, new RegExp(`accuracy on the labels: float ${pct(c.floatAccuracy!)}, quantized ${pct(c.quantAccuracy!)}`));
  assert.match(text.out, new RegExp(`${c.changed.total} prediction\\(s\\) changed by quantization`));
  for (const r of c.perClass) assert.match(text.out, new RegExp(`\\n  ${r.name}\\s+40\\s+${pct(r.floatAccuracy!)}\\s+${pct(r.quantAccuracy!)}\\s+${r.floatPredicted}\\s+${r.agreed}\\n`), `class ${r.name} row`);
});
