// The Search job with a board from the device list: a real OpenSSH server on this machine plays
// the board (added by its shown fingerprint, as the Devices page does); each candidate's latency
// is measured there and says where, and the candidate is still judged on held-out data here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { sshdBoardForFile } from '../helpers/sshd';
import { tfliteCLibraryPath } from '../../src-main/runtime/index';
import { createDeviceHandlers } from '../../src-main/projects/device-api';
import { DEMO_EVAL, ensureDemoProject } from '../../src-main/projects/demo';
import { runProjectSearch } from '../../src-main/app/search-run';
import { readRun } from '../../src-main/projects/index';
import type { MeasuredCandidate } from '../../src-main/search/types';

const board = sshdBoardForFile('eq-search-board-', { libraryDir: dirname(tfliteCLibraryPath()) });

test('search with latency on an SSH board: every candidate timed there, named in the figures', { skip: board.missing }, async () => {
  const devices = createDeviceHandlers();
  const { sshd, work } = board;
  const address = `${sshd.user}@127.0.0.1:${sshd.port}`;
  const { fingerprint } = await devices['devices.scanHostKey']({ ssh: address });
  await devices['devices.addSsh']({ name: 'board', ssh: address, keyFile: sshd.clientKey, trustFingerprint: fingerprint });
  const dir = await ensureDemoProject(join(work, 'state'));
  const streamed: MeasuredCandidate[] = [];
  const result = await runProjectSearch(
    { project: dir, model: 'model/model.json', calibration: { path: 'calibration', preprocess: '0..1', samples: 40 }, data: DEMO_EVAL.data, budget: 'sqnr>=25', kinds: ['fp16', 'int8'], device: 'board' },
    (p) => p.candidate && streamed.push(p.candidate),
  );
  assert.deepEqual(streamed.map((c) => c.id), ['fp16', 'int8']);
  for (const c of result.candidates) {
    assert.match(c.latencyWhere, /^board \(/, c.latencyWhere);
    assert.ok(c.latencyMs > 0, `${c.id}: ${c.latencyMs} ms`);
    assert.equal(readRun(dir, c.runId!).metrics['latencyMs'], c.latencyMs);
  }
  console.log(result.candidates.map((c) => `${c.id}: ${c.latencyMs.toFixed(3)} ms on ${c.latencyWhere}`).join('; '));
});
