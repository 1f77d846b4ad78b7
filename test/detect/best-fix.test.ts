// Which measured detector fix is recommended: mAP against float first, then the worst group's
// SQNR up to "good enough" (30 dB), then the cheapest. Figures as measured on the tiny YOLO head,
// the authored YOLOv8 (uint8 output) and NanoDet.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bestFix } from '../../src-main/detect/fixes/measure';
import type { FixFigures } from '../../src-main/quantize/detector/types';

const fig = (fix: FixFigures['fix'], map50: number | undefined, map5095: number | undefined, ...sqnr: number[]): FixFigures => ({
  fix,
  parts: sqnr.map((sqnrDb, i) => ({ name: `out:${i}`, sqnrDb })),
  ...(map50 !== undefined ? { map50, map5095: map5095 ?? null } : {}),
});

test('bestFix: mAP first, then SQNR up to 30 dB, then the cheapest; failed variants never win', () => {
  // Tiny YOLO: every fix keeps mAP@0.5; none loses mAP@0.5:0.95; all fixes are past 30 dB → the cheapest, split.
  assert.equal(bestFix([fig('none', 1, 0.827, 55.5, 12.4), fig('split', 1, 1, 55.5, 39.9), fig('head-int16', 1, 1, 62.4, 42.8), fig('head-float', 1, 1, 63.5, 44.7)]), 'split');
  // YOLOv8 with a uint8 output: no fix finds the float boxes; split lifts the scores 0 → 8.7 dB.
  assert.equal(bestFix([fig('none', 0, 0, 15.5, 0), fig('split', 0, 0, 15.5, 8.7), fig('head-int16', 0, 0, 15.5, 0), fig('head-float', 0, 0, 15.5, 0)]), 'split');
  // NanoDet: the head fixes do worse on mAP → nothing to change.
  assert.equal(bestFix([fig('none', 0.722, 0.72, 18), fig('head-int16', 0.622, 0.62, 18.7), fig('head-float', 0.622, 0.62, 18.8)]), 'none');
  // No decoder: the worst group's SQNR decides; a failed variant is skipped.
  assert.equal(bestFix([fig('none', undefined, undefined, 40, 3), { fix: 'split', parts: [], error: 'boom' }, fig('head-int16', undefined, undefined, 41, 25)]), 'head-int16');
});
