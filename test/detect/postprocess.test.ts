// Graphs with in-graph post-processing: TopKV2 and Equal lower to TFLite builtins and run in both
// runtimes (matching TF.js; NMS V4/V5: nms.test.ts); CombinedNonMaxSuppression (ultralytics' TF
// export with nms=True) has no TFLite builtin, so `inspect` names it and suggests `--outputs`
// before it, and `convert --outputs` cuts the graph there.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { UnsupportedError } from '../../src-main/errors';
import { openModel } from '../../src-main/formats/registry';
import { runCli } from '../../src-main/cli/main';
import { getRuntime } from '../../src-main/runtime/index';
import { seededRandom } from '../../src-main/seeded-random';
import { randomSamples } from '../keras/tfjs-reference';
import { sqnrDb } from '../../src-main/evaluate/index';
import { convertTo, tempDir } from '../convert/helpers';
import { runGraphModelInTfjs } from '../formats/tfjs-graph-reference';
import { attr, GraphModelWriter } from './graph-model';

const N = 32;

/** x [1, 64] → boxes [N, 4] and scores [N] (a tiny head), then the given post-processing. */
function head(g: GraphModelWriter): { boxes: string; scores: string } {
  const r = seededRandom(5);
  const w = (n: number) => Float32Array.from({ length: n }, () => (r() * 2 - 1) * 0.4);
  const x = g.placeholder('x', [1, 64]);
  const logits = g.op('logits', 'MatMul', [x, g.constant('logits/w', [64, N], w(64 * N))], { transpose_a: attr.b(false), transpose_b: attr.b(false) });
  const scores2d = g.op('scores2d', 'Sigmoid', [logits]);
  const scores = g.op('scores', 'Reshape', [scores2d, g.ints('scores/shape', [N])], { Tshape: attr.int });
  const raw = g.op('raw_boxes', 'MatMul', [x, g.constant('boxes/w', [64, 4 * N], w(64 * 4 * N))], { transpose_a: attr.b(false), transpose_b: attr.b(false) });
  const boxes = g.op('boxes', 'Reshape', [raw, g.ints('boxes/shape', [N, 4])], { Tshape: attr.int });
  return { boxes, scores };
}

test('TopKV2 and Equal post-processing lower to TOPK_V2 / EQUAL and match TF.js in both runtimes', async (t) => {
  const dir = tempDir('edgequant-topk-');
  const g = new GraphModelWriter();
  const { scores } = head(g);
  g.raw('topk', 'TopKV2', [scores, g.constant('topk/k', [], Int32Array.of(5))], { T: attr.float, sorted: attr.b(true) });
  const equal = g.raw('is_class3', 'Equal', ['topk:1', g.constant('class3', [], Int32Array.of(3))], { T: attr.int });
  g.raw('mask', 'Cast', [equal], { SrcT: { type: 'DT_BOOL' }, DstT: attr.float, Truncate: attr.b(false) });
  // Named outputs as exporters write them (TF.js orders 'node:1' signature outputs its own way).
  g.raw('values', 'Identity', ['topk'], { T: attr.float });
  g.raw('indices', 'Identity', ['topk:1'], { T: attr.int });
  const path = g.write(dir, [{ name: 'x', shape: [1, 64] }], ['values', 'indices', 'mask']);
  const result = await convertTo(dir, path);
  assert.ok(result.opHistogram['TOPK_V2'] && result.opHistogram['EQUAL'], JSON.stringify(result.opHistogram));
  const bytes = new Uint8Array(readFileSync(result.output));
  const samples = randomSamples(4, 64, 21);
  for (const runtime of ['litert-js', 'tflite-node'] as const) {
    const model = await getRuntime(runtime).load(bytes);
    try {
      for (const x of samples) {
        const [values, indices, mask] = (await model.run([x])).map((o) => Float32Array.from(o as ArrayLike<number>));
        const [rValues, rIndices, rMask] = await runGraphModelInTfjs(path, [x], [[1, 64]]);
        assert.deepEqual(Array.from(indices!), Array.from(rIndices!), `${runtime}: top-5 indices`);
        assert.deepEqual(Array.from(mask!), Array.from(rMask!), `${runtime}: Equal mask`);
        assert.ok(sqnrDb(rValues!, values!) >= 100, `${runtime}: top-5 values ${sqnrDb(rValues!, values!)} dB: ${values} vs ${rValues}; indices ${indices} vs ${rIndices}`);
      }
    } finally {
      model.dispose();
    }
  }
  t.diagnostic(JSON.stringify(result.opHistogram));
});

test('CombinedNonMaxSuppression in the graph: inspect suggests --outputs, convert --outputs cuts the graph before it', async () => {
  const dir = tempDir('edgequant-nms-');
  const g = new GraphModelWriter();
  const { boxes, scores } = head(g);
  const scalar = (name: string, v: number) => g.constant(name, [], Float32Array.of(v));
  const int = (name: string, v: number) => g.constant(name, [], Int32Array.of(v));
  // Batched form: boxes [1, N, 1, 4] (one box per class-agnostic anchor), scores [1, N, 1].
  const boxes4 = g.op('boxes4', 'Reshape', [boxes, g.ints('boxes4/shape', [1, N, 1, 4])], { Tshape: attr.int });
  const scores3 = g.op('scores3', 'Reshape', [scores, g.ints('scores3/shape', [1, N, 1])], { Tshape: attr.int });
  g.raw('nms', 'CombinedNonMaxSuppression', [boxes4, scores3, int('nms/per_class', 10), int('nms/total', 10), scalar('nms/iou', 0.5), scalar('nms/score', 0.3)], { pad_per_class: attr.b(false), clip_boxes: attr.b(true) });
  const path = g.write(dir, [{ name: 'x', shape: [1, 64] }], ['nms', 'nms:1', 'nms:2', 'nms:3']);
  const inspected = await openModel({ path }, { collectUnsupported: true });
  const entry = inspected.unsupported.find((u) => u.className === 'CombinedNonMaxSuppression');
  assert.ok(entry, JSON.stringify(inspected.unsupported));
  assert.match(entry.reason, /convert --outputs boxes4,scores3$/);
  await assert.rejects(convertTo(dir, path), (e: unknown) => e instanceof UnsupportedError && /CombinedNonMaxSuppression \(1\).*--outputs boxes4,scores3/.test(e.message));
  const out = join(dir, 'cut.tflite');
  const stderr: string[] = [];
  const io = { stdout: () => undefined, stderr: (s: string) => stderr.push(s), cwd: dir, env: {} };
  const shown: string[] = [];
  assert.equal(await runCli(['inspect', path], { ...io, stdout: (s: string) => shown.push(s) }), 0, stderr.join(''));
  assert.match(shown.join(''), /nms \(CombinedNonMaxSuppression\): no TFLite lowering .* cut the graph before it: convert --outputs boxes4,scores3/);
  assert.equal(await runCli(['convert', path, '-o', out, '--outputs', 'boxes4,scores3'], io), 0, stderr.join(''));
  const model = await getRuntime('litert-js').load(new Uint8Array(readFileSync(out)));
  try {
    assert.deepEqual(model.outputs.map((o) => o.shape), [[1, N, 1, 4], [1, N, 1]]);
    const x = randomSamples(1, 64, 3)[0]!;
    const got = (await model.run([x])).map((o) => Float32Array.from(o as Float32Array));
    // The reference for the cut: the same nodes with the signature ending at boxes and scores
    // (the cut's outputs are their reshapes: the same values).
    const refPath = new GraphModelWriter();
    head(refPath);
    const refDir = tempDir('edgequant-nms-ref-');
    const reference = await runGraphModelInTfjs(refPath.write(refDir, [{ name: 'x', shape: [1, 64] }], ['boxes', 'scores']), [x], [[1, 64]]);
    reference.forEach((r, i) => assert.ok(sqnrDb(r, got[i]!) >= 100, `output ${i}: ${sqnrDb(r, got[i]!)} dB`));
  } finally {
    model.dispose();
  }
  assert.equal(await runCli(['convert', path, '-o', out, '--outputs', 'no_such_tensor'], io), 2);
  assert.match(stderr.join(''), /--outputs names 'no_such_tensor'/);
});
