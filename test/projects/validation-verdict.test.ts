// Validation never on calibration samples (the held-out split), and the verdict's thresholds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitIndices } from '../../src-main/data/dataset';
import { validationPlan, withHeldOutShare } from '../../src-main/app/convert-run';
import { judge } from '../../src-main/evaluate/verdict';
import type { ProjectConvertParams } from '../../src-main/projects/api-contract';

test('held-out split: calibration and validation indices are disjoint and cover the data', () => {
  for (const [available, count] of [[100, 100], [100, 30], [7, 100], [2, 10]] as const) {
    const calibration = splitIndices(available, count, 0, { fraction: 0.2, part: 'calibration' });
    const validation = splitIndices(available, available, 0, { fraction: 0.2, part: 'validation' });
    assert.equal(calibration.filter((i) => validation.includes(i)).length, 0, `${available}/${count}: no sample in both`);
    assert.ok(validation.length >= 1 && calibration.length >= 1);
    if (count >= available) assert.equal(calibration.length + validation.length, available);
  }
  assert.equal(splitIndices(100, 100, 0, { fraction: 0.2, part: 'validation' }).length, 20);
});

const params = (extra: Partial<ProjectConvertParams['request']['quantize']>, evaluateData?: string): ProjectConvertParams => ({
  project: '/p',
  request: { model: '/m.h5', output: '/o.tflite', quantize: { mode: 'int8', inputType: 'float32', outputType: 'float32', int8Only: false, ...extra } },
  ...(evaluateData ? { evaluateData } : {}),
});

test('validation plan: given data, else the held-out share, never the calibration samples', () => {
  const calibration = { path: '/cal', samples: 100, method: 'minmax' as const, seed: 3 };
  assert.deepEqual(validationPlan(params({ calibration }, '/val.npy')), { data: '/val.npy' });
  assert.deepEqual(validationPlan(params({ calibration: { ...calibration, holdOut: 0.2 } })), { data: '/cal', holdOut: { fraction: 0.2, seed: 3 } });
  // Without validation data a share is held out by default (calibration then never sees it).
  assert.deepEqual(validationPlan(params({ calibration })), { data: '/cal', holdOut: { fraction: 0.2, seed: 3 } });
  assert.equal(withHeldOutShare(params({ calibration })).quantize.calibration?.holdOut, 0.2);
  assert.equal(withHeldOutShare(params({ calibration }, '/val.npy')).quantize.calibration?.holdOut, undefined);
  assert.deepEqual(validationPlan(params({ mode: 'fp16' })), {});
});

test('verdict: thresholds and the named cause', () => {
  const base = { sqnrDb: 30, agreement: 0.99, accuracy: null, floatAccuracy: null, calibrationSamples: 100, evalSamples: 200 };
  assert.deepEqual(judge(base), { level: 'good', findings: [] });
  const wrong = judge({ ...base, sqnrDb: 9.8 });
  assert.equal(wrong.level, 'bad');
  assert.match(wrong.findings[0]!, /SQNR 9\.8 dB is below 15 dB/);
  assert.match(wrong.likelyCause!, /preprocessing does not match/);
  assert.equal(judge({ ...base, sqnrDb: 18 }).level, 'warn');
  assert.equal(judge({ ...base, agreement: 0.95 }).level, 'warn');
  assert.equal(judge({ ...base, accuracy: 0.8, floatAccuracy: 0.9 }).level, 'bad');
  const floatWrong = judge({ ...base, accuracy: 0.1, floatAccuracy: 0.11 });
  assert.match(floatWrong.findings.join(' '), /float model itself scores 11\.0%/);
  assert.match(judge({ ...base, sqnrDb: 12, calibrationSamples: 8 }).likelyCause!, /Only 8 calibration samples/);
});
