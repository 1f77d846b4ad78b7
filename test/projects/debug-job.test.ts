// The "Debug" job of a project run on the real demo model: an int8 run of the MNIST CNN is
// debugged on its held-out digits, the report is saved as the run's debug.json and read back
// unchanged; a float run is refused with a one-line reason.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDemoProject, DEMO_EVAL } from '../../src-main/projects/demo';
import { runProjectConvert } from '../../src-main/app/convert-run';
import { runProjectDebug } from '../../src-main/app/debug-run';
import { readDebugReport, DebugRunError } from '../../src-main/projects/debug-report';
import { readRun } from '../../src-main/projects/index';

const work = mkdtempSync(join(tmpdir(), 'eq-debug-job-'));
after(() => rmSync(work, { recursive: true, force: true }));

async function convert(dir: string, mode: 'int8' | 'none') {
  return runProjectConvert(
    {
      project: dir,
      request: {
        model: join(dir, 'model', 'model.json'),
        output: join(dir, 'x.tflite'),
        quantize: {
          mode,
          inputType: 'float32',
          outputType: 'float32',
          int8Only: false,
          ...(mode === 'int8' ? { calibration: { path: join(dir, 'calibration'), preprocess: '0..1', samples: 50, method: 'minmax' as const, seed: 0 } } : {}),
        },
      },
      evaluateData: join(dir, DEMO_EVAL.data),
      benchRuns: 0,
    },
    () => undefined,
  );
}

test('debug a project run: per-layer figures saved as debug.json, read back', async () => {
  const dir = await ensureDemoProject(join(work, 'home'));
  const run = await convert(dir, 'int8');
  assert.equal(readDebugReport(dir, run.id), null, 'no report before the job');
  const stages: string[] = [];
  const report = await runProjectDebug({ project: dir, runId: run.id, samples: 16 }, (p) => stages.push(p.stage));
  assert.ok(report.layers.length >= 4, `${report.layers.length} layers`);
  for (const layer of report.layers) {
    assert.ok(Number.isFinite(layer.accumulated?.sqnrDb) && Number.isFinite(layer.isolated?.sqnrDb), JSON.stringify(layer));
    assert.ok(layer.floatTensor.length > 0);
  }
  assert.equal(report.samples, 16);
  assert.match(report.data, /x\.npy/, 'measured on the run\'s evaluation data');
  assert.ok(stages.includes('saving debug.json') && stages.some((s) => /accumulated error/.test(s)), stages.join(' | '));
  assert.ok(readRun(dir, run.id).artifacts.some((a) => a.name === 'debug.json' && a.kind === 'report'));
  assert.deepEqual(readDebugReport(dir, run.id), JSON.parse(JSON.stringify(report)));

  const float = await convert(dir, 'none');
  await assert.rejects(runProjectDebug({ project: dir, runId: float.id }, () => undefined), (e: Error) => e instanceof DebugRunError && /float conversion/.test(e.message));
});
