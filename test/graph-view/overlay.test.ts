// The Graph view's overlay on real data: an int8 vww run recorded by the CLI (its per-layer
// table) and the debugger's report on the same file (edgequant debug --json). Every compute op
// of the .tflite and of the float model's converted graph takes a figure from each source, the
// same figure in both panes, and the levels follow the thresholds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openGraphView } from '../../src-main/graph-view/open';
import type { DebugReport } from '../../src-main/debug/types';
import type { RunRecord } from '../../src-main/projects/types';
import { figuresFromDebug, figuresFromRun, levelOf, nodeFigures } from '../../src-renderer/features/graph/overlay';
import { layerRows } from '../../src-renderer/features/runs/layer-rows';

const fixtures = join(process.cwd(), '..', 'shared', 'fixtures');
const h5 = join(fixtures, 'mlperf-tiny', 'vww', 'vww_96.h5');
const cli = (...args: string[]) => execFileSync(process.execPath, [join(process.cwd(), 'bin', 'edgequant.js'), ...args], { encoding: 'utf8' });

test('levels by SQNR', () => {
  assert.deepEqual([55, 40, 39.9, 25, 12, 3, -5].map(levelOf), [0, 0, 1, 2, 3, 4, 4]);
});

test('vww int8: the run record and the debugger colour the same ops in the file and in the float graph', async (t) => {
  if (!existsSync(h5)) return t.skip('../shared/fixtures absent');
  const project = join(mkdtempSync(join(tmpdir(), 'eq-overlay-')), 'vww');
  cli('project', 'init', project);
  cli('convert', h5, '-o', join(project, 'vww_int8.tflite'), '--quantize', 'int8', '--calibration', join(fixtures, 'images', 'coral'), '--preprocess', '0..1', '--project', project);
  const id = readdirSync(join(project, 'runs')).find((n) => n !== 'index.json')!;
  const file = join(project, 'runs', id, 'vww_int8.tflite');
  const run = JSON.parse(readFileSync(join(project, 'runs', id, 'run.json'), 'utf8')) as RunRecord;
  const report = JSON.parse(cli('debug', h5, '--quantized', file, '--data', join(fixtures, 'images', 'photos'), '--preprocess', '0..1', '--data-samples', '4', '--sensitivity-samples', '0', '--json')) as DebugReport;

  const quantized = await openGraphView({ path: file });
  const float = await openGraphView({ path: h5 });
  const compute = quantized.nodes.filter((n) => n.op !== 'QUANTIZE' && n.op !== 'DEQUANTIZE').length;
  for (const [name, figures] of [['run', figuresFromRun(run)!], ['debugger', figuresFromDebug(report)!]] as const) {
    assert.ok(figures, `${name}: figures`);
    const inFile = nodeFigures(quantized, figures);
    const inFloat = nodeFigures(float, figures);
    assert.ok(inFile.size >= compute, `${name}: every compute op of the file has a figure (${inFile.size} of ${compute}; the debugger also measures the input QUANTIZE)`);
    assert.equal(inFloat.size, float.nodes.length, `${name}: every op of the float converted graph too`);
    // Both panes show one figure per tensor.
    for (const [i, db] of inFile) {
      const tensor = quantized.tensors[quantized.nodes[i]!.outputs[0]!]!.name;
      const twin = float.nodes.findIndex((n) => n.outputs.some((o) => float.tensors[o]!.name === tensor));
      if (twin < 0) continue; // the file's own QUANTIZE has no float twin
      assert.equal(inFloat.get(twin), db, `${name}: ${tensor}`);
    }
  }
  assert.match(figuresFromDebug(report)!.source, /Debugger: accumulated SQNR per layer \(4 samples\)/);

  // The layer table joins the same figures and the quantizer's weight SQNR by op order.
  const rows = layerRows(quantized, run);
  assert.equal(rows.length, quantized.nodes.length);
  assert.equal(rows.filter((r) => r.outputSqnrDb !== null).length, compute);
  const weighted = run.quantization!.layers.filter((l) => l.weightSqnrDb !== undefined).length;
  assert.equal(rows.filter((r) => r.weightSqnrDb !== null).length, weighted, 'every weight SQNR of the report lands on a row');
  const firstConv = rows.find((r) => r.op === 'CONV_2D')!;
  assert.equal(firstConv.weightSqnrDb, run.quantization!.layers.find((l) => l.op === 'CONV_2D')!.weightSqnrDb);
});
