// The detector-fix measurement reuses the conversion's work: the fix none is the model the
// conversion already quantized, and bias correction's mean layer inputs come from the calibration
// pass, so no fix re-reads the calibration data. Checked on the tiny YOLO head with the real
// quantizer and LiteRT.js: the same conversion measured the old way (every fix quantized, means
// measured per fix) and with the reuse gives identical figures, recommendation and file, with one
// quantization fewer and no pass over the calibration samples.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { convertModel } from '../../src-main/convert/pipeline';
import { recommendationLines, type FixRecommendation } from '../../src-main/quantize/detector/types';
import { cli } from '../helpers/cli';
import { fixture, tempDir } from '../convert/helpers';
import { writeTinyYolo } from './tiny-yolo';
import { countingMeasurer, newCounts } from './counting-measurer';

const photos = fixture('images', 'photos');
const skip = !existsSync(photos) && `fixture photos absent (${photos})`;

test('detector fixes: none is the conversion own model and no fix re-reads the calibration data; figures unchanged', { skip }, async (t) => {
  const dir = tempDir('edgequant-detfix-reuse-');
  const model = await writeTinyYolo(dir);
  const run = async (reuse: boolean) => {
    const counts = newCounts();
    const output = join(dir, `${reuse ? 'reuse' : 'each'}.tflite`);
    const result = await convertModel(
      { model, output, quantize: { mode: 'int8', inputType: 'float32', outputType: 'float32', int8Only: false, calibration: { path: photos, preprocess: '0..1', samples: 100, method: 'minmax', seed: 0 } } },
      { detectorFixes: countingMeasurer(counts, reuse) },
    );
    const recommendation = result.detector?.recommendation;
    assert.ok(recommendation, 'the default conversion measures the fixes');
    t.diagnostic(`${reuse ? 'reusing' : 'each fix anew'}: quantizations ${counts.quantizations.join(', ')}; calibration passes ${counts.calibrationPasses}; detectorFixesMs ${result.timings['detectorFixesMs']}`);
    return { counts, recommendation: recommendation as FixRecommendation, bytes: readFileSync(output), biasCorrected: result.quantization?.biasCorrection?.corrected ?? 0 };
  };
  const each = await run(false);
  const reused = await run(true);

  assert.ok(reused.biasCorrected > 0, 'bias correction is on (the default), so the means matter');
  assert.deepEqual(reused.counts.handedOver, { plain: true, biasMeans: true }, 'the conversion hands over its model and its calibration pass means');
  const fixes = each.recommendation.fixes.map((f) => f.fix);
  assert.deepEqual(fixes, ['none', 'split', 'head-int16', 'head-float']);
  assert.ok(each.recommendation.fixes.every((f) => !f.error), JSON.stringify(each.recommendation.fixes));
  // The same figures to the last bit, the same advice, the same file.
  assert.deepEqual(reused.recommendation, each.recommendation);
  assert.ok(reused.bytes.equals(each.bytes), 'the written file does not depend on the measurement');
  // One quantization fewer (none is not quantized again), and no pass over the calibration data.
  assert.equal(each.counts.quantizations.length, fixes.length);
  assert.equal(reused.counts.quantizations.length, fixes.length - 1);
  assert.equal(each.counts.calibrationPasses, fixes.length, 'measured the old way, each fix runs bias correction over the calibration samples');
  assert.equal(reused.counts.calibrationPasses, 0);
});

test('detector fixes with --weight-rounding gptq: every fix is measured (each rounds its weights on the calibration samples)', { skip }, async (t) => {
  const dir = tempDir('edgequant-detfix-gptq-');
  const h5 = await writeTinyYolo(dir);
  const r = await cli(['convert', h5, '-o', join(dir, 'gptq.tflite'), '--quantize', 'int8', '--calibration', photos, '--preprocess', '0..1', '--weight-rounding', 'gptq', '--json']);
  assert.equal(r.code, 0, r.err);
  const recommendation = (JSON.parse(r.out) as { detector: { recommendation: FixRecommendation } }).detector.recommendation;
  t.diagnostic(recommendationLines(recommendation).join('\n'));
  assert.deepEqual(recommendation.fixes.map((f) => f.fix), ['none', 'split', 'head-int16', 'head-float']);
  // Before, every fix but none failed with "--weight-rounding gptq needs calibration data".
  for (const f of recommendation.fixes) assert.equal(f.error, undefined, `${f.fix}: ${f.error}`);
  const scores = (fix: string) => recommendation.fixes.find((f) => f.fix === fix)!.parts.find((p) => p.name.endsWith(':scores'))!.sqnrDb;
  assert.ok(scores('split') > scores('none') + 10, `scores ${scores('none').toFixed(1)} → ${scores('split').toFixed(1)} dB with split`);
});
