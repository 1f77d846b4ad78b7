// A detector judged group by group: `evaluate` reports the boxes and the scores of a split output
// on their own, and of a concatenated output the file kept (joined, the boxes' pixels fill the
// signal power and hide the scores' error), and `search --detector-fix split` converts every candidate with the fix and
// lets the budget name a group. The tiny YOLO head (seeded weights) on seeded smooth images, so
// nothing here needs ../shared.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeNpy } from '../../src-main/data/npy';
import type { DebugReport } from '../../src-main/debug/index';
import type { OutputMetrics } from '../../src-main/evaluate/metrics';
import { mainGraph } from '../../src-main/graph/model-graph';
import type { SearchResult } from '../../src-main/search/types';
import { seededRandom } from '../../src-main/seeded-random';
import { readTflite } from '../../src-main/tflite/reader';
import { writeTflite } from '../../src-main/tflite/writer';
import { tempDir } from '../convert/helpers';
import { smallNet, smoothImages } from '../quantize/small-net';
import { cli } from '../helpers/cli';
import { runIn, sliceSqnr } from './fix-helpers';
import { TINY, writeTinyYolo } from './tiny-yolo';

/** `count` images of TINY.size² × 3 in 0..1: a few soft blobs on a gradient, seeded. */
function images(count: number, seed: number): Float32Array[] {
  const next = seededRandom(seed);
  const n = TINY.size;
  return Array.from({ length: count }, () => {
    const blobs = Array.from({ length: 3 }, () => ({ x: next() * n, y: next() * n, r: 4 + next() * 10, c: [next(), next(), next()] }));
    const image = new Float32Array(n * n * 3);
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) {
        for (let ch = 0; ch < 3; ch++) {
          let v = 0.2 + (0.4 * (x + y)) / (2 * n);
          for (const b of blobs) if ((x - b.x) ** 2 + (y - b.y) ** 2 < b.r ** 2) v = b.c[ch]!;
          image[(y * n + x) * 3 + ch] = v;
        }
      }
    }
    return image;
  });
}

async function files() {
  const dir = tempDir('edgequant-split-parts-');
  const h5 = await writeTinyYolo(dir);
  const write = async (name: string, list: Float32Array[]) => {
    const path = join(dir, name);
    const data = new Float32Array(list.length * list[0]!.length);
    list.forEach((x, k) => data.set(x, k * x.length));
    await writeNpy(path, { dtype: 'float32', shape: [list.length, TINY.size, TINY.size, 3], data });
    return path;
  };
  const validation = images(8, 2000);
  return { dir, h5, calibration: await write('calibration.npy', images(16, 1000)), data: await write('data.npy', validation), validation };
}

test('evaluate: a split file\'s boxes and scores are each judged on their own, with the figures the runtime gives', async (t) => {
  const { dir, h5, calibration, data, validation } = await files();
  const floatFile = join(dir, 'float.tflite');
  const splitFile = join(dir, 'split.tflite');
  assert.equal((await cli(['convert', h5, '-o', floatFile])).code, 0);
  const c = await cli(['convert', h5, '-o', splitFile, '--quantize', 'int8', '--calibration', calibration, '--detector-fix', 'split']);
  assert.equal(c.code, 0, c.err);
  const [boxesName, scoresName] = mainGraph(readTflite(new Uint8Array(readFileSync(splitFile)))).outputs as [string, string];

  const e = await cli(['evaluate', floatFile, splitFile, '--data', data, '--runtime', 'litert-js', '--runs', '0', '--json']);
  assert.equal(e.code, 0, e.err);
  const [whole] = (JSON.parse(e.out) as { outputs: OutputMetrics[] }).outputs;
  assert.deepEqual(whole!.parts!.map((p) => [p.name, p.shape]), [[boxesName, [1, 4, 64]], [scoresName, [1, TINY.classes, 64]]]);
  const [boxes, scores] = whole!.parts! as [OutputMetrics, OutputMetrics];
  t.diagnostic(`whole ${whole!.sqnrDb.toFixed(2)} dB; ${boxesName} ${boxes.sqnrDb.toFixed(2)} dB; ${scoresName} ${scores.sqnrDb.toFixed(2)} dB (max abs ${scores.maxAbsError.toFixed(4)})`);

  // The same figures from the runtime's own outputs, sliced here.
  const bytes = (f: string) => new Uint8Array(readFileSync(f));
  const [floatOut, splitOut] = await Promise.all([runIn('litert-js', bytes(floatFile), validation), runIn('litert-js', bytes(splitFile), validation)]);
  const shape = [1, 4 + TINY.classes, 64];
  const alone = (o: Float32Array[][], k: number) => o.map((x) => x[k]!);
  const expectScores = sliceSqnr(floatOut, alone(splitOut, 1).map((s, i) => Float32Array.from([...alone(splitOut, 0)[i]!, ...s])), shape, 1, 4, 4 + TINY.classes);
  const expectBoxes = sliceSqnr(floatOut, alone(splitOut, 0).map((b, i) => Float32Array.from([...b, ...alone(splitOut, 1)[i]!])), shape, 1, 0, 4);
  assert.ok(Math.abs(scores.sqnrDb - expectScores) < 1e-6, `scores ${scores.sqnrDb} vs ${expectScores}`);
  assert.ok(Math.abs(boxes.sqnrDb - expectBoxes) < 1e-6, `boxes ${boxes.sqnrDb} vs ${expectBoxes}`);
  assert.ok(scores.maxAbsError <= 1, 'a sigmoid score is off by at most 1');
  assert.notEqual(scores.sqnrDb.toFixed(3), whole!.sqnrDb.toFixed(3), 'the whole output\'s figure is not the scores\'');

  const text = await cli(['evaluate', floatFile, splitFile, '--data', data, '--runtime', 'litert-js', '--runs', '0']);
  assert.match(text.out, new RegExp(`part ${scoresName.replace(/[/.]/g, '\\$&')}\\s+\\[1,${TINY.classes},64\\]\\s+${scores.sqnrDb.toFixed(2)} dB`));
});

test('evaluate: a detector file that kept its one concatenated output is judged per group too, under the names a split gives the groups, with the figures the runtime gives', async (t) => {
  const { dir, h5, calibration, data, validation } = await files();
  const floatFile = join(dir, 'float.tflite');
  const int8File = join(dir, 'int8.tflite');
  assert.equal((await cli(['convert', h5, '-o', floatFile])).code, 0);
  assert.equal((await cli(['convert', h5, '-o', int8File, '--quantize', 'int8', '--calibration', calibration, '--detector-fix', 'none'])).code, 0);
  const output = mainGraph(readTflite(new Uint8Array(readFileSync(floatFile)))).outputs[0]!;
  const e = await cli(['evaluate', floatFile, int8File, '--data', data, '--runtime', 'litert-js', '--runs', '0', '--json']);
  assert.equal(e.code, 0, e.err);
  const [whole] = (JSON.parse(e.out) as { outputs: OutputMetrics[] }).outputs;
  assert.deepEqual(whole!.parts!.map((p) => [p.name, p.shape]), [[`${output}_boxes`, [1, 4, 64]], [`${output}_scores`, [1, TINY.classes, 64]]]);
  const [boxes, scores] = whole!.parts! as [OutputMetrics, OutputMetrics];
  const bytes = (f: string) => new Uint8Array(readFileSync(f));
  const [floatOut, int8Out] = await Promise.all([runIn('litert-js', bytes(floatFile), validation), runIn('litert-js', bytes(int8File), validation)]);
  const shape = [1, 4 + TINY.classes, 64];
  const quant = int8Out.map((x) => x[0]!);
  const expectScores = sliceSqnr(floatOut, quant, shape, 1, 4, 4 + TINY.classes);
  const expectBoxes = sliceSqnr(floatOut, quant, shape, 1, 0, 4);
  t.diagnostic(`one shared scale: whole ${whole!.sqnrDb.toFixed(2)} dB; boxes ${boxes.sqnrDb.toFixed(2)} dB; scores ${scores.sqnrDb.toFixed(2)} dB`);
  assert.ok(Math.abs(scores.sqnrDb - expectScores) < 1e-6, `scores ${scores.sqnrDb} vs ${expectScores}`);
  assert.ok(Math.abs(boxes.sqnrDb - expectBoxes) < 1e-6, `boxes ${boxes.sqnrDb} vs ${expectBoxes}`);
  assert.ok(whole!.sqnrDb > scores.sqnrDb + 10, 'the joined figure hides the starved scores');

});

test('search --detector-fix split: every candidate is split, the budget names the scores group, the file written has both groups', async (t) => {
  const { dir, h5, calibration, data } = await files();
  const best = join(dir, 'best.tflite');
  const float = await cli(['convert', h5, '-o', join(dir, 'float.tflite')]);
  assert.equal(float.code, 0);
  const output = mainGraph(readTflite(new Uint8Array(readFileSync(join(dir, 'float.tflite'))))).outputs[0]!;
  const scores = `${output}_scores`;
  const r = await cli(['search', h5, '-o', best, '--calibration', calibration, '--data', data, '--detector-fix', 'split', '--budget', `sqnr[${scores}]>=20`, '--candidates', 'int8,int16x8', '--json']);
  assert.ok(r.code === 0, r.err);
  const result = JSON.parse(r.out) as SearchResult;
  for (const c of result.candidates) {
    const names = c.outputs.map((o) => o.name);
    t.diagnostic(`${c.label}: ${c.outputs.map((o) => `${o.name} ${o.sqnrDb.toFixed(1)} dB`).join(', ')}; budget ${c.verdicts[0]!.measured.toFixed(1)} dB, ${c.meetsBudget ? 'meets' : 'misses'}`);
    assert.deepEqual(names, [output, `${output}_boxes`, scores]);
    assert.equal(c.verdicts[0]!.measured, c.outputs[2]!.sqnrDb, 'the clause is judged on the scores group');
    assert.equal(c.meetsBudget, c.outputs[2]!.sqnrDb >= 20);
  }
  const chosen = result.candidates.find((c) => c.id === result.recommended);
  assert.ok(chosen, `a candidate meets sqnr[scores]>=20: ${result.verdict}`);
  assert.deepEqual(mainGraph(readTflite(new Uint8Array(readFileSync(best)))).outputs, [`${output}_boxes`, scores]);

  // Where int8 misses the budget, the mixed candidates keep the debugger's worst layers float; the
  // split model no longer has the output concatenation the debugger ranked on the model as it came.
  const mixed = await cli(['search', h5, '-o', best, '--calibration', calibration, '--data', data, '--detector-fix', 'split', '--budget', `sqnr[${scores}]>=40`, '--candidates', 'int8,int8-mixed', '--json']);
  assert.equal(mixed.code, 0, mixed.err);
  const withFloat = JSON.parse(mixed.out) as SearchResult;
  t.diagnostic(`sqnr[scores]>=40: ${withFloat.verdict}; warnings: ${withFloat.warnings.join(' | ') || 'none'}`);
  const kinds = withFloat.candidates.map((c) => c.kind);
  assert.ok(kinds.filter((k) => k === 'int8-mixed').length >= 2, kinds.join(', '));
  assert.deepEqual(withFloat.warnings, []);
  assert.equal(withFloat.candidates.find((c) => c.id === withFloat.recommended)?.kind, 'int8-mixed');

  const unknown = await cli(['search', h5, '-o', best, '--calibration', calibration, '--data', data, '--detector-fix', 'split', '--budget', `sqnr[${output}_logits]>=20`, '--candidates', 'int8']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, new RegExp(`no output '${output.replace(/[/.]/g, '\\$&')}_logits' \\(outputs: .*_boxes, .*_scores\\)`));
  const bad = await cli(['search', h5, '-o', best, '--calibration', calibration, '--data', data, '--detector-fix', 'crop', '--budget', 'sqnr>=20']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--detector-fix must be one of split, head-float, head-int16, none \(got 'crop'\)/);
});

test('debug --detector-fix split: the float model is split as the quantized one, so the boxes and the scores are outputs of their own', async (t) => {
  const { h5, calibration, data } = await files();
  const args = ['debug', h5, '--quantize', 'int8', '--calibration', calibration, '--data', data, '--data-samples', '4', '--sensitivity-samples', '2', '--json'];
  const r = await cli([...args, '--detector-fix', 'split']);
  assert.equal(r.code, 0, r.err);
  const report = JSON.parse(r.out) as DebugReport;
  t.diagnostic(`outputs: ${report.outputs.map((o) => `${o.name} ${o.sqnrDb.toFixed(1)} dB`).join(', ')}; ${report.layers.length} layers`);
  assert.deepEqual(report.outputs.map((o) => o.name.replace(/^.*_/, '')), ['boxes', 'scores']);
  assert.ok(report.outputs[1]!.sqnrDb < report.outputs[0]!.sqnrDb, 'the scores, on their own, are the weaker group');
  assert.ok(report.layers.every((l) => l.sensitivity), 'every layer has its sensitivity on the split outputs');
  const plain = JSON.parse((await cli(args)).out) as DebugReport;
  assert.equal(plain.outputs.length, 1, 'without the fix: the one joined output');
  const none = await cli(['debug', h5, '--quantize', 'int8', '--calibration', calibration, '--data', data, '--detector-fix', 'crop']);
  assert.equal(none.code, 2);
  assert.match(none.err, /--detector-fix must be one of/);
});

test('debug --detector-fix split on a model without a concatenated output is a one-line input error', async () => {
  const dir = tempDir('edgequant-split-parts-');
  const model = join(dir, 'net.tflite');
  writeFileSync(model, writeTflite(smallNet()));
  const images = smoothImages(6, 900);
  const data = join(dir, 'data.npy');
  await writeNpy(data, { dtype: 'float32', shape: [images.length, 8, 8, 3], data: Float32Array.from(images.flatMap((x) => Array.from(x))) });
  // Quantized here: the conversion refuses the fix.
  const r = await cli(['debug', model, '--quantize', 'int8', '--calibration', data, '--data', data, '--detector-fix', 'split', '--sensitivity-samples', '0']);
  assert.equal(r.code, 2, r.err);
  assert.equal(r.err.trim().split('\n').length, 1, r.err);
  assert.match(r.err, /--detector-fix split: the model has no detector head this fix knows/);
  // An existing file said to be split: the float model cannot be split to match it.
  const quantized = join(dir, 'net_int8.tflite');
  assert.equal((await cli(['convert', model, '-o', quantized, '--quantize', 'int8', '--calibration', data])).code, 0);
  const q = await cli(['debug', model, '--quantized', quantized, '--data', data, '--detector-fix', 'split', '--sensitivity-samples', '0']);
  assert.equal(q.code, 2, q.err);
  assert.equal(q.err.trim().split('\n').length, 1, q.err);
  assert.match(q.err, /--detector-fix split: no graph output of the model is a concatenation of channel groups \(boxes next to scores\); leave the flag out\./);
});
