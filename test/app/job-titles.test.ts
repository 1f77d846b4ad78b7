// Jobs are named by what they do, for the Jobs panel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jobTitle, modelName } from '../../src-main/app/job-titles';

test('job titles say what the job does', () => {
  const quantize = { mode: 'int8' as const, inputType: 'int8' as const, outputType: 'int8' as const, int8Only: false };
  assert.equal(jobTitle({ kind: 'convert', params: { model: '/m/vww_96.h5', output: '/o.tflite', quantize } }), 'Quantize vww_96 to int8');
  assert.equal(jobTitle({ kind: 'convert', params: { model: '/m/nsfw/model.json', output: '/o.tflite', quantize: { ...quantize, mode: 'none' } } }), 'Convert nsfw to .tflite');
  assert.equal(jobTitle({ kind: 'project-convert', params: { project: '/p', label: 'first', request: { model: '/m/vww.h5', output: '/o.tflite', quantize: { ...quantize, mode: 'fp16' } } } }), 'Quantize vww to fp16 (first)');
  assert.equal(jobTitle({ kind: 'project-bench', params: { project: '/p', runId: '20261203-073507-1bb41c09', device: 'local', runs: 10 } }), 'Benchmark run 1bb41c09 on this computer');
  assert.equal(jobTitle({ kind: 'inspect', params: { path: '/x/saved_model.pb' } }), 'Inspect x');
  assert.equal(jobTitle({ kind: 'project-search', params: { project: '/p', model: '/m/vww_96.h5', calibration: { path: 'cal' }, budget: 'sqnr>=30' } }), 'Search vww_96 for sqnr>=30');
  assert.equal(modelName('/a/b/mobilenet.tflite'), 'mobilenet');
});
