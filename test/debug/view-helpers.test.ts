// The Debug view's pure helpers: table sort keys (worst first), the keep-float request derived
// from a run's request, and the change line under History's comparison.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LayerDebugRow } from '../../src-main/debug/types';
import type { RunRecord } from '../../src-main/projects/types';
import { isBad, sortLayers, tensorsOfOp, withKeepFloat } from '../../src-renderer/features/debug/layers';
import { formatChange, runChange } from '../../src-renderer/features/debug/change';

const row = (node: string, op: string, acc: number, iso: number, sens: number | undefined, saturation: number, reasons: string[] = []): LayerDebugRow => ({
  node,
  op,
  tensor: `${node}:q`,
  floatTensor: `${node}:f`,
  dtype: 'int8',
  accumulated: { sqnrDb: acc } as LayerDebugRow['accumulated'],
  isolated: { sqnrDb: iso, saturation } as LayerDebugRow['isolated'],
  ...(sens !== undefined ? { sensitivity: { aloneQuantizedDb: sens, aloneFloatDb: 40 } } : {}),
  reasons,
});
const rows = [row('a', 'CONV_2D', 30, 40, 50, 0), row('b', 'SOFTMAX', 20, 45, 35, 0.02, ['clipped']), row('c', 'CONV_2D', 25, 35, undefined, 0.001)];

test('sort keys put the worst layer first; descending flips; graph order kept by default', () => {
  const names = (key: Parameters<typeof sortLayers>[1], desc = false) => sortLayers(rows, key, desc).map((r) => r.node).join('');
  assert.equal(names('order'), 'abc');
  assert.equal(names('order', true), 'cba');
  assert.equal(names('accumulated'), 'bca');
  assert.equal(names('isolated'), 'cab');
  assert.equal(names('isolated', true), 'bac');
  assert.equal(names('sensitivity'), 'bac', 'unmeasured sensitivity last');
  assert.equal(names('saturation'), 'bca', 'most clipped first');
  assert.deepEqual(rows.filter(isBad).map((r) => r.node), ['b']);
});

test('keep-float request: same request, float tensors added once to existing rules', () => {
  const request = { model: 'm.json', output: 'o.tflite', quantize: { mode: 'int8' as const, inputType: 'float32' as const, outputType: 'float32' as const, int8Only: false, keepFloat: ['x'] } };
  const next = withKeepFloat(request, ['x', ...tensorsOfOp(rows, 'CONV_2D')]);
  assert.deepEqual(next.quantize.keepFloat, ['x', 'a:f', 'c:f']);
  assert.deepEqual(request.quantize.keepFloat, ['x'], 'the run\'s request is not changed');
  assert.equal(next.model, 'm.json');
});

test('change line: signed SQNR, size and accuracy differences against the base run', () => {
  const run = (sqnrDb: number, sizeBytes: number, accuracy: number | null) => ({ metrics: { sqnrDb, sizeBytes, accuracy, agreement: 0.9 } }) as unknown as RunRecord;
  assert.deepEqual(formatChange(runChange(run(37.67, 7056, 0.86), run(37.52, 7088, 0.86))), ['SQNR +0.15 dB', 'size −32 B (−0.5%)', 'accuracy ±0.0 pts']);
  assert.deepEqual(formatChange(runChange(run(30, 8000, null), run(32, 7000, null))), ['SQNR −2.00 dB', 'size +0.977 KiB (+14.3%)', 'accuracy ±0.0 pts']);
});
