// In-graph NMS lowered to TFLite's builtins: a small head (boxes [N, 4], scores [N]) →
// NonMaxSuppressionV5 (hard and soft) or V4 → GatherV2 of the kept boxes converts to
// NON_MAX_SUPPRESSION_V5/V4 + GATHER, and in both runtimes gives what TensorFlow.js'
// tf.image.nonMaxSuppression* gives on the same boxes and scores (TFLite pads the selection to
// max_output_size with zeros after valid_outputs).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { initTfjs } from '../../src-main/graph/tfjs-backend';
import { getRuntime } from '../../src-main/runtime/index';
import { seededRandom } from '../../src-main/seeded-random';
import { sqnrDb } from '../../src-main/evaluate/index';
import { randomSamples } from '../keras/tfjs-reference';
import { join } from 'node:path';
import { convertModel } from '../../src-main/convert/pipeline';
import { writeNpy } from '../../src-main/data/npy';
import { convertTo, tempDir } from '../convert/helpers';
import { runGraphModelInTfjs } from '../formats/tfjs-graph-reference';
import { attr, GraphModelWriter } from './graph-model';

const N = 48;
const MAX = 32;
const IOU = 0.3;
const SCORE = 0.55;

/** x [1, 64] → boxes [N, 4] (corners in 0..1, many overlapping) and scores [N]. */
function head(g: GraphModelWriter): { boxes: string; scores: string } {
  const r = seededRandom(17);
  const w = (n: number, s: number) => Float32Array.from({ length: n }, () => (r() * 2 - 1) * s);
  const x = g.placeholder('x', [1, 64]);
  const mm = (name: string, width: number, s: number) => g.op(name, 'MatMul', [x, g.constant(`${name}/w`, [64, width], w(64 * width, s))], { transpose_a: attr.b(false), transpose_b: attr.b(false) });
  const scores = g.op('scores', 'Reshape', [g.op('scores2d', 'Sigmoid', [mm('logits', N, 1)]), g.ints('scores/shape', [N])], { Tshape: attr.int });
  const boxes = g.op('boxes', 'Reshape', [g.op('boxes2d', 'Sigmoid', [mm('raw_boxes', 4 * N, 0.3)]), g.ints('boxes/shape', [N, 4])], { Tshape: attr.int });
  return { boxes, scores };
}

type Variant = { op: 'NonMaxSuppressionV5'; sigma: number } | { op: 'NonMaxSuppressionV4' };

/** `withInputs`: the boxes and scores NMS reads are outputs too (to check the selection on them). */
function nmsGraph(dir: string, variant: Variant, withInputs = false): string {
  const g = new GraphModelWriter();
  const { boxes, scores } = head(g);
  const scalar = (name: string, v: number) => g.constant(name, [], Float32Array.of(v));
  const args = [boxes, scores, g.constant('nms/max', [], Int32Array.of(MAX)), scalar('nms/iou', IOU), scalar('nms/score', SCORE)];
  if (variant.op === 'NonMaxSuppressionV5') args.push(scalar('nms/sigma', variant.sigma));
  g.raw('nms', variant.op, args, { T: attr.float, pad_to_max_output_size: attr.b(true), T_threshold: attr.float });
  const v5 = variant.op === 'NonMaxSuppressionV5';
  g.raw('selected_boxes', 'GatherV2', [boxes, 'nms', g.constant('gather/axis', [], Int32Array.of(0))], { Tparams: attr.float, Tindices: attr.int, Taxis: attr.int, batch_dims: attr.i(0) });
  g.raw('selected_indices', 'Identity', ['nms'], { T: attr.int });
  if (v5) g.raw('selected_scores', 'Identity', ['nms:1'], { T: attr.float });
  g.raw('valid', 'Identity', [v5 ? 'nms:2' : 'nms:1'], { T: attr.int });
  if (withInputs) {
    g.raw('boxes_out', 'Identity', [boxes], { T: attr.float });
    g.raw('scores_out', 'Identity', [scores], { T: attr.float });
  }
  return g.write(dir, [{ name: 'x', shape: [1, 64] }], ['selected_boxes', 'selected_indices', ...(v5 ? ['selected_scores'] : []), 'valid', ...(withInputs ? ['boxes_out', 'scores_out'] : [])]);
}

/** TF.js on the same head: boxes and scores, then its own NMS. */
async function reference(x: Float32Array, variant: Variant): Promise<{ indices: number[]; scores: number[]; boxes: Float32Array; aboveThreshold: number }> {
  const g = new GraphModelWriter();
  head(g);
  const [boxes, scores] = await runGraphModelInTfjs(g.write(tempDir('edgequant-nms-ref-'), [{ name: 'x', shape: [1, 64] }], ['boxes', 'scores']), [x], [[1, 64]]);
  const tf = await initTfjs();
  const b = tf.tensor2d(boxes!, [N, 4]);
  const s = tf.tensor1d(scores!);
  try {
    const kept = variant.op === 'NonMaxSuppressionV5'
      ? tf.image.nonMaxSuppressionWithScore(b, s, MAX, IOU, SCORE, variant.sigma)
      : { selectedIndices: tf.image.nonMaxSuppression(b, s, MAX, IOU, SCORE), selectedScores: undefined };
    const indices = Array.from(kept.selectedIndices.dataSync());
    const selected = kept.selectedScores ? Array.from(kept.selectedScores.dataSync()) : indices.map((i) => scores![i]!);
    tf.dispose([kept.selectedIndices, ...(kept.selectedScores ? [kept.selectedScores] : [])]);
    const aboveThreshold = scores!.filter((v) => v > SCORE).length;
    return { indices, scores: selected, boxes: Float32Array.from(indices.flatMap((i) => Array.from(boxes!.subarray(4 * i, 4 * i + 4)))), aboveThreshold };
  } finally {
    tf.dispose([b, s]);
  }
}

const variants: [string, Variant, string][] = [
  ['V5 (hard NMS)', { op: 'NonMaxSuppressionV5', sigma: 0 }, 'NON_MAX_SUPPRESSION_V5'],
  ['V5 (soft NMS, sigma 0.5)', { op: 'NonMaxSuppressionV5', sigma: 0.5 }, 'NON_MAX_SUPPRESSION_V5'],
  ['V4', { op: 'NonMaxSuppressionV4' }, 'NON_MAX_SUPPRESSION_V4'],
];

for (const [label, variant, builtin] of variants) {
  test(`NonMaxSuppression${label} + GatherV2 → ${builtin} + GATHER: the same selection as TF.js' NMS in both runtimes`, async (t) => {
    const dir = tempDir('edgequant-nms-');
    const result = await convertTo(dir, nmsGraph(dir, variant));
    assert.ok(result.opHistogram[builtin] && result.opHistogram['GATHER'], JSON.stringify(result.opHistogram));
    const bytes = new Uint8Array(readFileSync(result.output));
    const v5 = variant.op === 'NonMaxSuppressionV5';
    for (const runtime of ['litert-js', 'tflite-node'] as const) {
      const model = await getRuntime(runtime).load(bytes);
      try {
        assert.deepEqual(model.outputs.map((o) => o.shape), [[MAX, 4], [MAX], ...(v5 ? [[MAX]] : []), []]);
        for (const [k, x] of randomSamples(3, 64, 40).entries()) {
          const outs = (await model.run([x])).map((o) => Array.from(o as ArrayLike<number>));
          const [boxes, indices, scores, valid] = v5 ? outs : [outs[0]!, outs[1]!, undefined, outs[2]!];
          const want = await reference(x, variant);
          const count = valid![0]!;
          if (k === 0) t.diagnostic(`${runtime}: ${count} of ${want.aboveThreshold} boxes above the score threshold kept (TF.js ${want.indices.length})`);
          if (variant.op === 'NonMaxSuppressionV4' || variant.sigma === 0) assert.ok(count < want.aboveThreshold, `overlaps suppressed: ${count} of ${want.aboveThreshold}`);
          assert.ok(count > 1 && count < MAX, `fewer than max_output_size kept, so the padding shows: ${count}`);
          assert.equal(count, want.indices.length, `${runtime}: valid_outputs`);
          assert.deepEqual(indices!.slice(0, count), want.indices, `${runtime}: selected indices`);
          assert.ok(indices!.slice(count).every((i) => i === 0), `${runtime}: padding after valid_outputs is 0`);
          assert.ok(sqnrDb(want.boxes, Float32Array.from(boxes!.slice(0, 4 * count))) >= 100, `${runtime}: gathered boxes`);
          if (scores) assert.ok(sqnrDb(Float32Array.from(want.scores), Float32Array.from(scores.slice(0, count))) >= 100, `${runtime}: selected scores ${scores.slice(0, count)} vs ${want.scores}`);
        }
      } finally {
        model.dispose();
      }
    }
  });
}

test('int8 with NMS in the graph: the head is quantized, NON_MAX_SUPPRESSION_V5 stays float and selects what TF.js selects on the file\'s own boxes and scores', async (t) => {
  const dir = tempDir('edgequant-nms-int8-');
  const path = nmsGraph(dir, { op: 'NonMaxSuppressionV5', sigma: 0 }, true);
  const calibration = join(dir, 'calibration.npy');
  const data = new Float32Array(32 * 64);
  randomSamples(32, 64, 8).forEach((x, i) => data.set(x, i * 64));
  await writeNpy(calibration, { dtype: 'float32', shape: [32, 64], data });
  const result = await convertModel({
    model: path,
    output: join(dir, 'int8.tflite'),
    quantize: { mode: 'int8', inputType: 'float32', outputType: 'float32', int8Only: false, calibration: { path: calibration, samples: 32, method: 'minmax', seed: 0 } },
  });
  assert.ok(result.opHistogram['NON_MAX_SUPPRESSION_V5'] && result.opHistogram['DEQUANTIZE'], JSON.stringify(result.opHistogram));
  const floatOps = result.quantization?.floatOps.map((f) => f.op) ?? [];
  assert.ok(floatOps.includes('NON_MAX_SUPPRESSION_V5'), `float ops: ${floatOps}`);
  const tf = await initTfjs();
  const bytes = new Uint8Array(readFileSync(result.output));
  for (const runtime of ['litert-js', 'tflite-node'] as const) {
    const model = await getRuntime(runtime).load(bytes);
    try {
      for (const x of randomSamples(2, 64, 41)) {
        const [, indices, , valid, boxes, scores] = (await model.run([x])).map((o) => Array.from(o as ArrayLike<number>));
        const b = tf.tensor2d(boxes!, [N, 4]);
        const s = tf.tensor1d(scores!);
        const selection = tf.image.nonMaxSuppression(b, s, MAX, IOU, SCORE);
        const want = Array.from(selection.dataSync());
        tf.dispose([b, s, selection]);
        const count = valid![0]!;
        // Quantized scores tie often: ties may be taken in another order, and TFLite's kernel was
        // seen to list a tied box more than once (valid_outputs counts the repeats), so the kept
        // sets are compared.
        const kept = [...new Set(indices!.slice(0, count))].sort((p, q) => p - q);
        t.diagnostic(`${runtime}: ${count} listed, ${kept.length} distinct (TF.js on the same int8 boxes and scores: ${want.length})`);
        assert.deepEqual(kept, [...want].sort((p, q) => p - q), `${runtime}: kept boxes`);
      }
    } finally {
      model.dispose();
    }
  }
});
