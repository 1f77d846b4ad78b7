// A conversion says which TF.js backend computed it and on how many workers (--json `compute`,
// the project run record), also when calibration ran only in compute workers and this thread
// never loaded TF.js (this file's process does nothing else first). --workers 0 is bad input.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../src-main/cli/main';
import { writeNpy } from '../../src-main/data/npy';
import { computeBackend, initTfjs } from '../../src-main/graph/tfjs-backend';
import { mainGraph } from '../../src-main/graph/model-graph';
import { initProject, listRuns, readRun } from '../../src-main/projects/index';
import { writeTflite } from '../../src-main/tflite/writer';
import { GraphBuilder, randomData } from '../quantize/tiny-graphs';

function smallNet() {
  const b = new GraphBuilder();
  const same = { padding: 'SAME', strideH: 1, strideW: 1, dilationH: 1, dilationW: 1 };
  const x = b.input('x', [1, 12, 12, 3]);
  const c = b.node('CONV_2D', [x, b.constant('w1', [8, 3, 3, 3]), b.constant('b1', [8])], 'c', [1, 12, 12, 8], { ...same, fusedActivation: 'RELU' });
  b.output(b.node('CONV_2D', [c, b.constant('w3', [4, 1, 1, 8]), b.constant('b3', [4])], 'y', [1, 12, 12, 4], { ...same, fusedActivation: 'NONE' }));
  return mainGraph(b.model());
}

test('convert --workers 2 --json names the backend and the workers; so does the run record; --workers 0 is bad input', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eq-backend-'));
  const model = join(dir, 'small.tflite');
  writeFileSync(model, writeTflite({ format: 'test', description: 'hand-built', graphs: [smallNet()], signatures: [], metadata: {}, unsupported: [] }));
  // 16 samples: enough for calibration to run on the 2 workers asked (≥ 8 each), none in this thread.
  const data = new Float32Array(16 * 12 * 12 * 3);
  for (let i = 0; i < 16; i++) data.set(randomData(12 * 12 * 3, 60 + i), i * 12 * 12 * 3);
  const npy = join(dir, 'calibration.npy');
  await writeNpy(npy, { dtype: 'float32', shape: [16, 12, 12, 3], data });
  const project = join(dir, 'proj');
  initProject(project);
  let out = '';
  const args = ['convert', model, '-o', join(dir, 'int8.tflite'), '--quantize', 'int8', '--calibration', npy, '--project', project, '--workers', '2', '--json'];
  const code = await runCli(args, { stdout: (text) => void (out += text), stderr: () => undefined, cwd: dir, env: {} });
  assert.equal(code, 0, out);
  const json = JSON.parse(out) as { compute: { backend: string; notes: string[]; workers: number } };
  assert.equal(json.compute.workers, 2);
  await initTfjs();
  const expected = computeBackend().backend;
  assert.ok(['tensorflow', 'wasm', 'cpu'].includes(json.compute.backend), json.compute.backend);
  assert.equal(json.compute.backend, expected);
  const [run] = listRuns(project);
  assert.equal(readRun(project, run!.id).compute?.backend, expected);
  let err = '';
  const bad = await runCli([...args.slice(0, -3), '--workers', '0'], { stdout: () => undefined, stderr: (text) => void (err += text), cwd: dir, env: {} });
  assert.equal(bad, 2);
  assert.match(err, /--workers must be a positive integer \(got '0'\)/);
});
