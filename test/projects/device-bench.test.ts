// "Deploy & benchmark" of a run on a real board: a real OpenSSH server on this machine plays
// the board. The Devices page's channels add it (host key shown first, then trusted by that
// fingerprint) and probe it; the project-bench job deploys the run's .tflite, benchmarks it
// there and appends the result to the run and the project's device list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { sshdBoardForFile } from '../helpers/sshd';
import { tfliteCLibraryPath } from '../../src-main/runtime/index';
import { createDeviceHandlers } from '../../src-main/projects/device-api';
import { ensureDemoProject } from '../../src-main/projects/demo';
import { runProjectConvert } from '../../src-main/app/convert-run';
import { runProjectBench } from '../../src-main/app/project-bench';
import { readManifest, readRun } from '../../src-main/projects/index';

const board = sshdBoardForFile('eq-project-board-', { libraryDir: dirname(tfliteCLibraryPath()) });

test('add an SSH board by its shown fingerprint, probe it, deploy & benchmark a run on it', { skip: board.missing }, async () => {
  const devices = createDeviceHandlers();
  const { sshd, work } = board;
  const address = `${sshd.user}@127.0.0.1:${sshd.port}`;
  const scanned = await devices['devices.scanHostKey']({ ssh: address });
  assert.equal(scanned.fingerprint, sshd.hostFingerprint);
  await assert.rejects(devices['devices.addSsh']({ name: 'board', ssh: address, keyFile: sshd.clientKey, trustFingerprint: 'SHA256:not-the-key' }));
  const added = await devices['devices.addSsh']({ name: 'board', ssh: address, keyFile: sshd.clientKey, trustFingerprint: scanned.fingerprint });
  assert.equal(added.name, 'board');
  assert.deepEqual((await devices['devices.list']({})).map((d) => d.name), ['board']);
  const probe = await devices['devices.probe']({ name: 'board' });
  assert.ok(probe.cores >= 1 && probe.bestRuntime, JSON.stringify(probe));

  const dir = await ensureDemoProject(join(work, 'state'));
  const run = await runProjectConvert(
    {
      project: dir,
      request: {
        model: join(dir, 'model', 'model.json'),
        output: join(dir, 'x.tflite'),
        quantize: { mode: 'int8', inputType: 'float32', outputType: 'float32', int8Only: false, calibration: { path: join(dir, 'calibration'), preprocess: '0..1', samples: 100, method: 'minmax', seed: 0 } },
      },
      benchRuns: 0,
    },
    () => undefined,
  );
  const log: string[] = [];
  const benched = await runProjectBench({ project: dir, runId: run.id, device: 'board', runs: 30 }, (p) => p.log && log.push(p.log));
  const result = benched.deviceResults.find((d) => d.device === 'board')!;
  assert.ok(result, JSON.stringify(benched.deviceResults));
  assert.equal(result.runs, 30);
  assert.equal(result.samplesMs?.length, 30);
  assert.ok(result.latencyMs!.p50 > 0);
  assert.ok(log.some((l) => /board: p50 [\d.]+ ms over 30 runs/.test(l)), log.join('\n'));
  assert.deepEqual(readManifest(dir).devices, ['board']);
  assert.equal(readRun(dir, run.id).deviceResults.length, 1);
  await devices['devices.remove']({ name: 'board' });
  assert.deepEqual(await devices['devices.list']({}), []);
});
