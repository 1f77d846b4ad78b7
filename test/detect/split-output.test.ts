// The split fix on a concatenation that is itself the graph output (no layout ops after it):
// the groups become `<output>_boxes` / `<output>_scores` by renaming, keep their calibrated
// ranges through splitStatistics, and the int8 file matches float per output in LiteRT.js.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { executeGraph } from '../../src-main/graph/execute';
import { initTfjs } from '../../src-main/graph/tfjs-backend';
import { mainGraph, type ModelGraph } from '../../src-main/graph/model-graph';
import { findDetectorHead } from '../../src-main/quantize/detector/head';
import { splitConcatOutputs, splitStatistics } from '../../src-main/quantize/detector/split';
import { quantizeModel } from '../../src-main/quantize/index';
import { writeTflite } from '../../src-main/tflite/writer';
import { sqnrDb } from '../../src-main/validation/sqnr';
import { f32, graphOf, rand } from '../execute/helpers';
import { runIn } from './fix-helpers';

test('split: a concatenation that is the output itself becomes out_boxes and out_scores, each quantized on its own range', async () => {
  await initTfjs();
  const graph = graphOf(
    [f32('x', [1, 8, 4]), f32('k', [], Float32Array.of(300)), f32('px', [1, 8, 4]), f32('sc', [1, 8, 4]), f32('out', [1, 8, 8])],
    [
      { name: 'pixels', op: 'MUL', inputs: ['x', 'k'], outputs: ['px'], options: { fusedActivation: 'NONE' } },
      { name: 'scores', op: 'LOGISTIC', inputs: ['x'], outputs: ['sc'], options: {} },
      { name: 'head', op: 'CONCATENATION', inputs: ['px', 'sc'], outputs: ['out'], options: { axis: -1, fusedActivation: 'NONE' } },
    ],
    ['x'],
    ['out'],
  );
  const model: ModelGraph = { format: 'test', description: '', graphs: [graph], signatures: [{ key: 'serving_default', subgraph: 0, inputs: { x: 'x' }, outputs: { output_0: 'out' } }], metadata: {}, unsupported: [] };
  const head = findDetectorHead(model)!;
  assert.deepEqual(head.concatOutputs.map((c) => c.groups.map((g) => [g.label, g.start, g.end])), [[['boxes', 0, 4], ['scores', 4, 8]]]);
  const split = splitConcatOutputs(model, head);
  const g = mainGraph(split.model);
  assert.deepEqual(g.outputs, ['out_boxes', 'out_scores']);
  assert.deepEqual(split.model.signatures[0]!.outputs, { output_0_boxes: 'out_boxes', output_0_scores: 'out_scores' });
  assert.ok(!g.nodes.some((n) => n.op === 'CONCATENATION'), 'the concatenation is gone');
  assert.equal(mainGraph(model).outputs[0], 'out', 'the source model is untouched');

  const x = rand(32, 3);
  const [floatOut] = await executeGraph(graph, [x]);
  const range = (a: ArrayLike<number>) => ({ min: Math.min(...Array.from(a)), max: Math.max(...Array.from(a)) });
  const boxes = Float32Array.from(x, (v) => v * 300);
  const scores = Float32Array.from(x, (v) => 1 / (1 + Math.exp(-v)));
  const statistics = splitStatistics(new Map([['x', range(x)], ['px', range(boxes)], ['sc', range(scores)], ['out', range(floatOut!)]]), split.derived);
  assert.deepEqual(statistics.get('out_scores'), range(scores));
  const { model: q } = await quantizeModel(split.model, { mode: 'int8', inputType: 'float32', outputType: 'float32', int8Only: true }, { statistics });
  const [[qb, qs]] = await runIn('litert-js', writeTflite(q), [x]);
  const wanted = (o: Float32Array) => Array.from({ length: 8 }, (_, r) => o.subarray(r * 8, r * 8 + 8));
  const rows = wanted(Float32Array.from(floatOut!));
  const fb = Float32Array.from(rows.flatMap((r) => Array.from(r.subarray(0, 4))));
  const fs = Float32Array.from(rows.flatMap((r) => Array.from(r.subarray(4))));
  assert.ok(sqnrDb(fs, qs!) >= 35, `scores ${sqnrDb(fs, qs!).toFixed(1)} dB`);
  assert.ok(sqnrDb(fb, qb!) >= 35, `boxes ${sqnrDb(fb, qb!).toFixed(1)} dB`);
});
